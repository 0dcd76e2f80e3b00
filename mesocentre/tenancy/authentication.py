"""The API's personal tokens: ``Authorization: Token <key>``, checked against the hashed rows of ApiToken."""

import datetime
import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from mesocentre.core.tokens import token_digest
from mesocentre.tenancy.models import ApiToken, User

# How stale last_used_at may get: it tells an owner whether a token is still in use, not every call, and writing
# it at every call would make each read of the API a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """DRF's header parsing (keyword ``Token``), our hashed tokens."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        digest = token_digest(key)
        found = None
        # Candidates by prefix, then every one compared in constant time: the time taken tells nothing of how
        # much of a guessed key was right.
        for token in ApiToken.objects.filter(prefix=key[: ApiToken.PREFIX_LENGTH]).select_related("user"):
            if hmac.compare_digest(token.digest, digest):
                found = token
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not found.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)  # no save(): no audit, no full_clean
            found.last_used_at = now
        return found.user, found


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme in the OpenAPI schema (drf-spectacular warns about an authentication class it does not know)."""

    target_class = "mesocentre.tenancy.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix=self.target.keyword)
        scheme["description"] = "A personal token from the account page: `Authorization: Token <key>`."
        return scheme
