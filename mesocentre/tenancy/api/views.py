from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mesocentre.core.api import IsOperator, IsOperatorOrReadOnly, PublicReadOperatorWrite, ScopedViewSetMixin
from mesocentre.core.roles import is_operator
from mesocentre.tenancy import charter, erasure, services
from mesocentre.tenancy.api import serializers
from mesocentre.tenancy.filtersets import EstablishmentFilterSet, MembershipFilterSet, PersonFilterSet, TeamFilterSet
from mesocentre.tenancy.models import CharterVersion, Establishment, Laboratory, Membership, ScientificTheme, Team, User


class ScientificThemeViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = ScientificTheme.objects.all()
    serializer_class = serializers.ScientificThemeSerializer
    permission_classes = [PublicReadOperatorWrite]
    filterset_fields = ["code"]


class EstablishmentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Establishment.objects.all()
    serializer_class = serializers.EstablishmentSerializer
    permission_classes = [IsOperatorOrReadOnly]
    filterset_class = EstablishmentFilterSet  # the portal's establishment list's too


class LaboratoryViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Laboratory.objects.prefetch_related("establishments")
    serializer_class = serializers.LaboratorySerializer
    permission_classes = [IsOperatorOrReadOnly]
    filterset_fields = ["code", "establishments", "theme"]


class SelfOrOperator(permissions.BasePermission):
    """Users edit their own profile; operators edit anyone's but a superuser's (as in the admin)."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        return (
            request.method in permissions.SAFE_METHODS
            or view.action in ("update", "partial_update")
            or is_operator(request.user)
        )

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS or obj == request.user:
            return True
        return is_operator(request.user) and (request.user.is_superuser or not obj.is_superuser)


class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """People join by invitation (``/api/tenancy/invitations/``): no one creates an account here (no POST on the
    list); POST serves the erasure only."""

    queryset = User.objects.all()
    serializer_class = serializers.UserSerializer
    permission_classes = [SelfOrOperator]
    filterset_class = PersonFilterSet  # the operators' list of people's too

    @extend_schema(request=None, responses=serializers.UserSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None, format=None):
        """Operators erase a person (GDPR): the account stays, pseudonymised (``erased-<id>``), inactive, for what
        it did; returns the pseudonymised profile. An operator's account only a superuser erases; nobody their own."""
        user = erasure.erase_user(request.user, self.get_object())
        return Response(self.get_serializer(user).data)


class ManagerOrReadOnly(permissions.BasePermission):
    """Establishment managers manage their members; the serializer checks which establishment."""

    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return Establishment.objects.managed_by(request.user).filter(pk=obj.establishment_id).exists()


class MembershipViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Managers change roles and remove members; people join by invitation (``/api/tenancy/invitations/``)."""

    http_method_names = ["get", "put", "patch", "delete", "head", "options"]
    queryset = Membership.objects.all()
    serializer_class = serializers.MembershipSerializer
    permission_classes = [ManagerOrReadOnly]
    filterset_class = MembershipFilterSet  # an establishment's page's members too

    def perform_destroy(self, instance):
        # The same rule as the portal: an establishment keeps at least one manager.
        services.remove_member(self.request.user, instance)


class CharterVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """The usage charter's versions, each saying whether it is in force and whether the caller accepted it; the
    caller accepts the version in force (``POST …/accept/``). Operators publish in the portal."""

    queryset = CharterVersion.objects.all()
    serializer_class = serializers.CharterVersionSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return CharterVersion.objects.with_acceptance_of(self.request.user).order_by("pk")

    def get_serializer_context(self):
        in_force = CharterVersion.objects.in_force()
        return {**super().get_serializer_context(), "in_force_pk": in_force.pk if in_force else None}

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """The caller accepts this version, which must be the one in force: the clusters know them again."""
        charter.accept(request.user, self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)


class TeamViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """The operations teams: the datacenter's staff's business, read and written by operators only."""

    queryset = Team.objects.prefetch_related("members")  # the serializer's ids: one query for the page
    serializer_class = serializers.TeamSerializer
    permission_classes = [IsOperator]
    filterset_class = TeamFilterSet  # the operators' list of teams's too
