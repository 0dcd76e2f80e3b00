"""API plumbing shared by every app: error format, permissions, pagination."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from mesocentre.core.formatting import number
from mesocentre.core.network import client_ip
from mesocentre.core.roles import is_operator
from mesocentre.core.tables import scope_related_filters


def exception_handler(exc, context):
    """Model validation errors become 400 with the field's message; deleting what others depend on, 409."""
    if isinstance(exc, ProtectedError | RestrictedError):
        used_by = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects if hasattr(obj, "_meta")})
        detail = _("This object cannot be deleted: %(things)s still depend on it.") % {"things": ", ".join(used_by)}
        return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)


class IsOperatorOrReadOnly(permissions.BasePermission):
    """Anyone authenticated reads (scoped by the queryset); only operators write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return is_operator(request.user)


class IsOperator(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_operator(request.user)


class ScopedViewSetMixin:
    """Every API list goes through the model's ``visible_to``, applied to the viewset's own ``queryset`` (as NetBox
    restricts it), so the select_related/prefetch_related/annotations it declares for its serializer stay.

    Ordered by pk (stable pages) unless the viewset's queryset orders explicitly."""

    def get_queryset(self):
        # .all() first: visible_to returns the queryset itself for operators, and the class attribute must never
        # hold a result cache shared by every request.
        queryset = self.queryset.all().visible_to(self.request.user)
        return queryset if queryset.query.order_by else queryset.order_by("pk")


class PublicReadOperatorWrite(permissions.BasePermission):
    """Reference data (the catalogue): anyone reads, even anonymous; only operators write."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_operator(request.user)


class ScopedFilterBackend(DjangoFilterBackend):
    """Filters on a related model offer and accept only what the caller may see (its ``visible_to``).

    django-filter gives a foreign-key filter the related model's whole table: the browsable API's filter form listed
    every establishment and user of the platform to anyone who could list their own memberships.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            scope_related_filters(filterset, request.user)
        return filterset


class ScopedRelationsMixin:
    """A serializer's related fields offer and accept only what the caller may see (their model's ``visible_to``).

    The browsable API renders a related field as a <select> of its whole queryset. Fields named in
    ``unscoped_relations`` keep their queryset; render them as an input (``style={"base_template": "input.html"}``).
    """

    unscoped_relations: tuple = ()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        for name, field in fields.items():
            relation = getattr(field, "child_relation", field)
            queryset = getattr(relation, "queryset", None)
            if name not in self.unscoped_relations and hasattr(queryset, "visible_to"):
                relation.queryset = queryset.visible_to(request.user)
        return fields


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` and ``offset`` as DRF's, but refused with a 400 when they are not sensible whole numbers.

    DRF's own class silently falls back to its defaults on garbage (``limit=abc``, ``limit=-1``) and passes any
    integer on to the database: ``limit=10**20`` overflowed PostgreSQL's bigint and answered 500, on every list.
    A limit above ``max_limit`` (but within ``max_value``) is served as ``max_limit`` rows, as DRF documents;
    the ``next`` link carries on from there.
    """

    max_limit = 1000
    # Beyond this a number is not a position in any of our tables, only a way to make the database overflow.
    max_value = 10**9

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.limit_query_param, self.offset_query_param):
            if name in request.query_params and self._whole_number(request.query_params[name]) is None:
                errors[name] = [_("Must be a whole number from 0 to %(max)s.") % {"max": number(self.max_value)}]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def _whole_number(self, text: str) -> int | None:
        # ASCII digits only: int() would also take " 5", "+5", "1_000" and other scripts' digits.
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(self.max_value)):
            return None
        value = int(text)
        return value if value <= self.max_value else None


class ClientAnonRateThrottle(AnonRateThrottle):
    """An anonymous throttle that counts per client as the login lockout does (``mesocentre.core.network``).

    DRF's own reads X-Forwarded-For whenever NUM_PROXIES is unset, so a client that sent a new header each time was
    never throttled; its counts live in Django's default cache, which the settings make shared by all processes.
    """

    def get_ident(self, request) -> str:
        return client_ip(request) or ""
