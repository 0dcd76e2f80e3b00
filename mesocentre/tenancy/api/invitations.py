"""The API of invitations, one shape for every kind (tenancy's establishments, projects' projects)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mesocentre.core.api import ScopedRelationsMixin, ScopedViewSetMixin
from mesocentre.tenancy import invitations
from mesocentre.tenancy.filtersets import invitation_filterset
from mesocentre.tenancy.invitation_models import EstablishmentInvitation
from mesocentre.tenancy.views import invitation_link


class InvitationSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """``to`` is an e-mail address or a username, as typed; whom it reaches is never said back."""

    to = serializers.CharField(write_only=True, max_length=254, help_text="An e-mail address or a username.")
    addressed_to = serializers.CharField(source="addressed_as", read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        fields = ["id", "to", "addressed_to", "role", "status", "expired", "expires_at", "invited_by", "created"]
        read_only_fields = ["status", "expires_at", "invited_by", "created"]

    def create(self, validated_data):
        request = self.context["request"]
        model = self.Meta.model
        target = validated_data.pop(model.target_field)
        to = validated_data.pop("to")
        return invitations.invite(request.user, target, to, invitation_link(request), **validated_data)


class EstablishmentInvitationSerializer(InvitationSerializer):
    class Meta(InvitationSerializer.Meta):
        model = EstablishmentInvitation
        fields = ["establishment", "laboratory", *InvitationSerializer.Meta.fields]


class InvitationViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Managers invite and revoke; the invitee accepts or declines (their invitations are listed to them too)."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """The invitee joins."""
        return Response(self.get_serializer(invitations.answer(request.user, self.get_object(), accept=True)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None, format=None):
        return Response(self.get_serializer(invitations.answer(request.user, self.get_object(), accept=False)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None, format=None):
        return Response(self.get_serializer(invitations.revoke(request.user, self.get_object())).data)


class EstablishmentInvitationViewSet(InvitationViewSet):
    queryset = EstablishmentInvitation.objects.all()
    serializer_class = EstablishmentInvitationSerializer
    filterset_class = invitation_filterset(EstablishmentInvitation)  # the invitee's page's too
