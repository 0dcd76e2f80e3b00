"""API plumbing shared by every app: error format, permissions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from mesocentre.core.roles import is_operator


def exception_handler(exc, context):
    """Model validation errors become 400 with the field's message, never a 500."""
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
    """Every API list goes through the model's ``visible_to``."""

    def get_queryset(self):
        return self.queryset.model.objects.visible_to(self.request.user).order_by("pk")


class PublicReadOperatorWrite(permissions.BasePermission):
    """Reference data (the catalogue): anyone reads, even anonymous; only operators write."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_operator(request.user)
