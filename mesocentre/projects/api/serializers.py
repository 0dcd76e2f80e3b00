from rest_framework import serializers

from mesocentre.core.api import ScopedRelationsMixin
from mesocentre.projects.models import Grant, Project, ProjectInvitation, ProjectMembership, Publication
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.api.invitations import InvitationSerializer
from mesocentre.tenancy.charter_models import CharterVersion
from mesocentre.tenancy.clusters import slurm_exclusion_reason


class ProjectSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    slurm_account = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "title",
            "summary",
            "laboratory",
            "paying_establishment",
            "theme",
            "starts_on",
            "ends_on",
            "data_management_plan_url",
            "status",
            "slurm_account",
        ]
        read_only_fields = ["status"]

    def get_slurm_account(self, project) -> str:
        return account_name(project.code)


class ProjectMembershipSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    on_clusters = serializers.SerializerMethodField()

    class Meta:
        model = ProjectMembership
        fields = ["id", "project", "user", "role", "on_clusters"]
        read_only_fields = ["project", "user"]

    def get_on_clusters(self, membership) -> dict:
        if "charter_version" not in self.context:  # once per response, not once per member
            self.context["charter_version"] = CharterVersion.objects.in_force()
        reason = slurm_exclusion_reason(membership.user, self.context["charter_version"])
        return {"included": reason is None, "reason": reason or ""}


class PublicationSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Publication
        fields = ["id", "project", "title", "doi", "url", "year"]


class GrantSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Grant
        fields = ["id", "project", "funder", "reference", "amount", "starts_on", "ends_on"]


class ProjectInvitationSerializer(InvitationSerializer):
    class Meta(InvitationSerializer.Meta):
        model = ProjectInvitation
        fields = ["project", *InvitationSerializer.Meta.fields]
