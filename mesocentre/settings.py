"""Settings for Mesocentre, read from the environment.

The defaults make a demo: a SQLite file in the working directory, DEBUG on. Production uses
``mesocentre.settings_production``, which refuses to start without a secret key.
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_cores(name: str, default: str = "") -> dict[str, int]:
    """``cluster=cores`` pairs, comma-separated ("mesocentre=13464,gpu=1000"); a typo stops the start-up."""
    cores = {}
    for item in env_list(name, default):
        cluster, _, count = item.partition("=")
        if not cluster.strip() or not (count.strip().isascii() and count.strip().isdigit()) or int(count) < 1:
            raise ImproperlyConfigured(f"{name}: {item!r} is not cluster=cores (a whole number above 0)")
        cores[cluster.strip()] = int(count)
    return cores


def env_networks(name: str, default: str = "") -> list[str]:
    """Comma-separated addresses or CIDR networks; a typo stops the start-up instead of silently refusing."""
    items = env_list(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or network.") from exc
    return items


SECRET_KEY = os.environ.get("MESOCENTRE_SECRET_KEY", "insecure-demo-key-do-not-use-in-production")
DEBUG = env_bool("MESOCENTRE_DEBUG", True)
ALLOWED_HOSTS = env_list("MESOCENTRE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MESOCENTRE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prometheus",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from here, not from a CDN
    "django_filters",
    "django_tables2",  # the portal's lists: sorted, paginated, driven by the API's filtersets
    "axes",  # locks out repeated login failures (see AXES_* below)
    # Bottom of the dependency graph first: each app only imports from the ones above it here.
    "mesocentre.core",
    "mesocentre.audit",
    "mesocentre.tenancy",
    "mesocentre.catalogue",
    "mesocentre.capacity",
    "mesocentre.assistant",
    "mesocentre.billing",
    "mesocentre.provisioning",
    "mesocentre.metering",
    "mesocentre.projects",
    "mesocentre.resources",
    "mesocentre.hpc",
    "mesocentre.reports",
    "mesocentre.portal",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mesocentre.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page, which every other middleware sees.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mesocentre.urls"
WSGI_APPLICATION = "mesocentre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mesocentre.tenancy.context_processors.charter_banner",
                "mesocentre.billing.context_processors.billing_menu",
            ],
        },
    },
]

# MESOCENTRE_DATABASE_URL: a SQLite file in the working directory by default, postgresql://… for real use.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("MESOCENTRE_DATABASE_URL", f"sqlite:///{Path.cwd() / 'mesocentre.sqlite3'}"),
        conn_max_age=int(os.environ.get("MESOCENTRE_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite's default deferred transactions take the write lock only at their first write, so two concurrent
    # requests that both read first deadlock and one fails at once with "database is locked": IMMEDIATE takes the
    # lock at BEGIN and the others wait for it (up to ``timeout`` seconds) instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenancy.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Local accounts now; an institutional OIDC provider plugs in here (mozilla-django-oidc) without touching views.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if os.environ.get("MESOCENTRE_OIDC_ISSUER"):
    AUTHENTICATION_BACKENDS.insert(0, "mesocentre.tenancy.oidc.MesocentreOIDCBackend")
    INSTALLED_APPS.append("mozilla_django_oidc")
    OIDC_RP_CLIENT_ID = os.environ["MESOCENTRE_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ["MESOCENTRE_OIDC_CLIENT_SECRET"]
    _issuer = os.environ["MESOCENTRE_OIDC_ISSUER"].rstrip("/")
    OIDC_OP_AUTHORIZATION_ENDPOINT = f"{_issuer}/protocol/openid-connect/auth"
    OIDC_OP_TOKEN_ENDPOINT = f"{_issuer}/protocol/openid-connect/token"
    OIDC_OP_USER_ENDPOINT = f"{_issuer}/protocol/openid-connect/userinfo"
    OIDC_OP_JWKS_ENDPOINT = f"{_issuer}/protocol/openid-connect/certs"
    OIDC_RP_SIGN_ALGO = "RS256"
# The identity provider's claim that holds a person's Unix login (LDAP's uid, say); the platform sets the login
# from it at every sign-in. Empty: operators set logins by hand.
MESOCENTRE_OIDC_UNIX_LOGIN_CLAIM = os.environ.get("MESOCENTRE_OIDC_UNIX_LOGIN_CLAIM", "")
# django-axes first, as it asks: it refuses a locked-out (username, address) before any backend checks a password.
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")

# Lockout after repeated login failures (portal, admin): per username *and* client address, so that nobody locks
# another user out from elsewhere and one address cannot guess one account's password; lifted after the cool-off.
# The API takes no password (tokens and the portal's session only), so it has nothing to lock.
AXES_FAILURE_LIMIT = int(os.environ.get("MESOCENTRE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("MESOCENTRE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mesocentre.tenancy.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mesocentre.core.network.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MESOCENTRE_STATIC_ROOT", Path.cwd() / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The demo serves static files straight from the package, with no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For. 0: the client is
# REMOTE_ADDR and the header, which anyone can send, is ignored. Every per-client count (the login lockout, the
# API's throttles) reads it through mesocentre.core.network.client_ip.
TRUSTED_PROXY_COUNT = int(os.environ.get("MESOCENTRE_TRUSTED_PROXY_COUNT", "0"))

# One cache for all the processes (the API's throttle counts live there): a table of the database, created by a
# migration of mesocentre.core (createcachetable), so `mesocentre migrate` and the tests' database have it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "mesocentre_cache",
        # Django culls a third of the table past MAX_ENTRIES (300 by default): throttle counts of many clients
        # must not be dropped that early.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

REST_FRAMEWORK = {
    # For DRF's own throttles, should one be used; ours count by client_ip, which reads the same setting.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal tokens, stored hashed (tenancy.ApiToken), not DRF's authtoken which keeps keys in clear.
        "mesocentre.tenancy.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "mesocentre.core.api.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "mesocentre.core.api.ScopedFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mesocentre.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mesocentre API",
    "DESCRIPTION": "Cloud VMs, HPC hours, GPU bookings, storage and hosting of a regional research datacenter.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EstablishmentKindEnum": "mesocentre.tenancy.models.Establishment.Kind",
        "OfferingKindEnum": "mesocentre.catalogue.models.Offering.Kind",
        # Several models have a "status": each choice set gets its own name in the schema.
        "AllocationStatusEnum": "mesocentre.hpc.models.Allocation.Status",
        "ChangeRequestStatusEnum": "mesocentre.hpc.models.ChangeRequest.Status",
        "AllocationRequestStatusEnum": "mesocentre.hpc.models.AllocationRequest.Status",
        "ProjectStatusEnum": "mesocentre.projects.models.Project.Status",
        "InvitationStatusEnum": "mesocentre.tenancy.invitation_models.Invitation.Status",
        "MembershipRoleEnum": "mesocentre.tenancy.models.Membership.Role",
        "ProjectMembershipRoleEnum": "mesocentre.projects.models.ProjectMembership.Role",
        "ResourceStateEnum": "mesocentre.resources.models.Resource.State",
        "OrderStateEnum": "mesocentre.resources.order_models.Order.State",
        "OrderTypeEnum": "mesocentre.resources.order_models.Order.Type",
    },
}

EMAIL_BACKEND = os.environ.get("MESOCENTRE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("MESOCENTRE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MESOCENTRE_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("MESOCENTRE_FROM_EMAIL", "mesocentre@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MESOCENTRE_LOG_LEVEL", "WARNING")},
}

# The seller on every invoice and credit note (billing.invoicing): the datacenter's own identity. The demo's are
# made up (a SIRET and a VAT number that pass their check digits, and belong to nobody).
MESOCENTRE_SELLER_NAME = os.environ.get("MESOCENTRE_SELLER_NAME", "Mésocentre de calcul (démo)")
MESOCENTRE_SELLER_SIRET = os.environ.get("MESOCENTRE_SELLER_SIRET", "12345678200002")
MESOCENTRE_SELLER_VAT_NUMBER = os.environ.get("MESOCENTRE_SELLER_VAT_NUMBER", "FR11123456782")
MESOCENTRE_SELLER_ADDRESS = os.environ.get("MESOCENTRE_SELLER_ADDRESS", "1 rue de la Recherche\n75005 Paris\nFrance")

# Chorus Pro (billing.chorus): invoices of public buyers are deposited through PISTE. The defaults are the
# qualification (sandbox) platform; production is https://oauth.piste.gouv.fr/api/oauth/token and
# https://api.piste.gouv.fr/cpro. The client id and secret (PISTE's application) and the technical account (Chorus
# Pro's, sent as the cpro-account header) come from the environment only: without them deposits wait in the queue.
MESOCENTRE_CHORUS_TOKEN_URL = os.environ.get(
    "MESOCENTRE_CHORUS_TOKEN_URL", "https://sandbox-oauth.piste.gouv.fr/api/oauth/token"
)
MESOCENTRE_CHORUS_API_URL = os.environ.get("MESOCENTRE_CHORUS_API_URL", "https://sandbox-api.piste.gouv.fr/cpro")
MESOCENTRE_CHORUS_CLIENT_ID = os.environ.get("MESOCENTRE_CHORUS_CLIENT_ID", "")
MESOCENTRE_CHORUS_CLIENT_SECRET = os.environ.get("MESOCENTRE_CHORUS_CLIENT_SECRET", "")
MESOCENTRE_CHORUS_LOGIN = os.environ.get("MESOCENTRE_CHORUS_LOGIN", "")
MESOCENTRE_CHORUS_PASSWORD = os.environ.get("MESOCENTRE_CHORUS_PASSWORD", "")
MESOCENTRE_CHORUS_TIMEOUT = float(os.environ.get("MESOCENTRE_CHORUS_TIMEOUT", "30"))

# Platform settings that are not catalogue data.
MESOCENTRE = {
    # Power usage effectiveness of the machine room: rack electricity is billed as measured kWh × price × PUE.
    "PUE": os.environ.get("MESOCENTRE_PUE", "1.5"),
    "CURRENCY": "EUR",
    # Days an ended project's Slurm account keeps its (zero) limits and its users before it is removed.
    "SLURM_GRACE_DAYS": int(os.environ.get("MESOCENTRE_SLURM_GRACE_DAYS", "90")),
    # See TRUSTED_PROXY_COUNT above (the login lockout and the API's throttles count per address).
    "TRUSTED_PROXY_COUNT": TRUSTED_PROXY_COUNT,
    # Who may read /metrics (mesocentre.health.metrics), besides operators signed in: the client addresses or
    # networks listed here (as client_ip sees them, behind the trusted proxies), and whoever sends this token as
    # "Authorization: Bearer …". Everyone else gets a 403. The demo lets its own machine in; DEBUG opens nothing
    # more. Production lists nobody unless told (settings_production).
    "METRICS_ALLOWED": env_networks("MESOCENTRE_METRICS_ALLOWED", "127.0.0.1,::1"),
    "METRICS_TOKEN": os.environ.get("MESOCENTRE_METRICS_TOKEN", ""),
    # The cores of each Slurm cluster (its ClusterName): what the utilisation report divides by (reports.utilisation).
    # The offer's supercomputer has 13 464; a cluster whose size changed mid-year is reported at today's size.
    "CLUSTER_CORES": env_cores("MESOCENTRE_CLUSTER_CORES", "mesocentre=13464"),
}
