"""Production settings: secrets from the environment, HTTPS only, no debug."""

import os

from django.core.exceptions import ImproperlyConfigured

from mesocentre.settings import *  # noqa: F403
from mesocentre.settings import MESOCENTRE, env_bool, env_networks

DEBUG = False
SECRET_KEY = os.environ.get("MESOCENTRE_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("MESOCENTRE_SECRET_KEY must be set to a random string of 50+ characters.")
if "MESOCENTRE_DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("MESOCENTRE_DATABASE_URL must be set (postgresql://…) in production.")

# Keep each process's database connection for a minute instead of opening one per request (Django's default, 0):
# a new PostgreSQL connection costs a fork and an authentication, up to a third of a light page (bench/README.md).
# Health checks drop a connection the server closed, rather than failing the next request on it.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("MESOCENTRE_DB_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
SECURE_SSL_REDIRECT = env_bool("MESOCENTRE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# /metrics: no address by default. Behind a reverse proxy on the same host every visitor would come from the
# loopback, so the demo's default would open it to the world; list Prometheus's address, or give it a token.
MESOCENTRE = {**MESOCENTRE, "METRICS_ALLOWED": env_networks("MESOCENTRE_METRICS_ALLOWED")}
if MESOCENTRE["METRICS_TOKEN"] and len(MESOCENTRE["METRICS_TOKEN"]) < 32:
    raise ImproperlyConfigured("MESOCENTRE_METRICS_TOKEN must be a random string of 32+ characters, or unset.")
