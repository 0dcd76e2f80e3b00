"""Log in through an institutional OpenID Connect provider (Keycloak, the federation's IdP proxy…).

Enabled when MESOCENTRE_OIDC_ISSUER is set (see settings). Views don't change: Django's session still holds the
user; roles and memberships stay in Mesocentre, managed by operators and establishment managers.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from mesocentre.tenancy.models import User


class MesocentreOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        username = claims.get("preferred_username")
        if username:
            return User.objects.filter(username=username)
        return super().filter_users_by_claims(claims)

    def create_user(self, claims) -> User:
        user = User.objects.create(
            username=claims.get("preferred_username") or claims["email"],
            email=claims.get("email", ""),
            first_name=claims.get("given_name", ""),
            last_name=claims.get("family_name", ""),
        )
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user, claims) -> User:
        user.email = claims.get("email", user.email)
        user.first_name = claims.get("given_name", user.first_name)
        user.last_name = claims.get("family_name", user.last_name)
        user.save()
        return user
