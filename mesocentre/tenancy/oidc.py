"""Log in through an institutional OpenID Connect provider (Keycloak, the federation's IdP proxy…).

Enabled when MESOCENTRE_OIDC_ISSUER is set (see settings). Views don't change: Django's session still holds the
user; roles and memberships stay in Mesocentre, managed by operators and establishment managers.

People are matched by the provider's subject (``sub``), which never changes and is never reused, not by a
username anyone may pick at their provider: a ``preferred_username`` equal to someone's username here must not
open their account. An account made before the provider was plugged in is linked once, by an address the
provider says it verified. The Unix login comes from the claim named by MESOCENTRE_OIDC_UNIX_LOGIN_CLAIM.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from mesocentre.tenancy.models import User
from mesocentre.tenancy.validators import validate_unix_login

log = logging.getLogger(__name__)


class MesocentreOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        subject = claims.get("sub")
        if not subject:
            return User.objects.none()
        users = User.objects.filter(oidc_subject=subject)
        if users.exists() or not (claims.get("email_verified") is True and claims.get("email")):
            return users
        return User.objects.filter(oidc_subject__isnull=True, email__iexact=claims["email"])

    def create_user(self, claims) -> User:
        user = User(
            username=self._free_username(claims.get("preferred_username") or claims.get("email") or claims["sub"]),
            email=claims.get("email", "") if claims.get("email_verified") is True else "",
            first_name=claims.get("given_name", ""),
            last_name=claims.get("family_name", ""),
            oidc_subject=claims["sub"],
        )
        user.set_unusable_password()
        self._set_login(user, claims)
        user.save()
        return user

    def update_user(self, user, claims) -> User:
        user.oidc_subject = claims["sub"]
        if claims.get("email_verified") is True and claims.get("email"):
            user.email = claims["email"]
        user.first_name = claims.get("given_name", user.first_name)
        user.last_name = claims.get("family_name", user.last_name)
        self._set_login(user, claims)
        user.save()  # a new login is announced to the apps that keep Slurm in step
        return user

    @staticmethod
    def _free_username(wanted: str) -> str:
        wanted = wanted[:140]
        candidate, n = wanted, 1
        while User.objects.filter(username=candidate).exists():
            n += 1
            candidate = f"{wanted}-{n}"
        return candidate

    @staticmethod
    def _set_login(user: User, claims) -> None:
        claim = getattr(settings, "MESOCENTRE_OIDC_UNIX_LOGIN_CLAIM", "")
        login = claims.get(claim) if claim else None
        if not login or login == user.unix_login:
            return
        try:
            validate_unix_login(login)
        except ValidationError as exc:
            log.warning("The identity provider's login %r for %s is refused: %s", login, user, " ".join(exc.messages))
            return
        if User.objects.exclude(pk=user.pk).filter(unix_login=login).exists():
            log.warning("The identity provider's login %r for %s is already another user's: left unset", login, user)
            return
        user.unix_login = login
