from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mesocentre.core.api import ScopedViewSetMixin
from mesocentre.projects import impact, services
from mesocentre.projects.api import serializers
from mesocentre.projects.filtersets import ProjectFilterSet, ProjectMembershipFilterSet
from mesocentre.projects.models import Grant, Project, ProjectInvitation, ProjectMembership, Publication
from mesocentre.tenancy.api.invitations import InvitationViewSet
from mesocentre.tenancy.filtersets import invitation_filterset

Authenticated = permissions.IsAuthenticated


class ReadCreate(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reads are scoped; creating goes through a service verb, which checks who may."""


class ProjectViewSet(ScopedViewSetMixin, ReadCreate):
    queryset = Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    permission_classes = [Authenticated]
    filterset_class = ProjectFilterSet  # the portal's project list's too

    def perform_create(self, serializer):
        serializer.instance = services.create_project(self.request.user, **serializer.validated_data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """The PI, a manager or an operator closes the project: its allocations expire, Slurm's limits go to 0."""
        project = services.close_project(request.user, self.get_object())
        return Response(self.get_serializer(project).data)


class ProjectMembershipViewSet(ScopedViewSetMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """People join by invitation (``/api/projects/invitations/``); the PI and managers remove members."""

    queryset = ProjectMembership.objects.select_related("user")  # on_clusters reads each member's account
    serializer_class = serializers.ProjectMembershipSerializer
    permission_classes = [Authenticated]
    filterset_class = ProjectMembershipFilterSet  # the portal's member list's too

    def perform_destroy(self, instance):
        services.remove_member(self.request.user, instance)


class ImpactViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """A project's proof of impact: its people read it; its PI and managers record and delete (``impact``)."""

    permission_classes = [Authenticated]
    filterset_fields = ["project"]
    add = remove = None  # the verbs of ``impact``

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.add(self.request.user, data.pop("project"), **data)

    def perform_destroy(self, instance):
        self.remove(self.request.user, instance)


class PublicationViewSet(ImpactViewSet):
    queryset = Publication.objects.all()
    serializer_class = serializers.PublicationSerializer
    add, remove = staticmethod(impact.add_publication), staticmethod(impact.delete_publication)


class GrantViewSet(ImpactViewSet):
    queryset = Grant.objects.all()
    serializer_class = serializers.GrantSerializer
    add, remove = staticmethod(impact.add_grant), staticmethod(impact.delete_grant)


class ProjectInvitationViewSet(InvitationViewSet):
    queryset = ProjectInvitation.objects.all()
    serializer_class = serializers.ProjectInvitationSerializer
    filterset_class = invitation_filterset(ProjectInvitation)  # the invitee's page's too
