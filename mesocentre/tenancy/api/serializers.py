from django.urls import reverse
from rest_framework import serializers

from mesocentre.core.api import ScopedRelationsMixin
from mesocentre.core.roles import is_operator
from mesocentre.tenancy import services
from mesocentre.tenancy.models import (
    CharterVersion,
    Establishment,
    Laboratory,
    Membership,
    ScientificTheme,
    Team,
    User,
)
from mesocentre.tenancy.team_models import NOT_AN_OPERATOR


class ScientificThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScientificTheme
        fields = ["id", "code", "name", "name_fr"]


class EstablishmentSerializer(serializers.ModelSerializer):
    price_list = serializers.CharField(source="price_list_code", read_only=True)

    class Meta:
        model = Establishment
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "siret",
            "vat_number",
            "chorus_service_code",
            "address",
            "price_list",
        ]


class LaboratorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Laboratory
        fields = ["id", "code", "name", "establishments", "theme"]


class UserSerializer(serializers.ModelSerializer):
    """A profile. The username never changes; the Unix login and the account's activity are the operators' (or the
    identity provider's); a new e-mail address takes effect once confirmed from it (``email_pending``)."""

    email_pending = serializers.SerializerMethodField(help_text="A new address waiting for its confirmation.")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "email_pending",
            "unix_login",
            "is_active",
            "is_operator",
            "is_reviewer",
            "preferred_language",
        ]
        read_only_fields = ["username", "is_operator", "is_reviewer"]
        OPERATORS_ONLY = ("unix_login", "is_active")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not is_operator(request.user):
            for name in self.Meta.OPERATORS_ONLY:
                fields[name].read_only = True
        return fields

    def get_email_pending(self, user) -> str | None:
        return getattr(user, "_email_pending", None)

    def update(self, user, validated_data):
        email = validated_data.pop("email", user.email)
        user = super().update(user, validated_data)
        if email != user.email:
            request = self.context["request"]
            services.request_email_change(
                user, email, lambda token: request.build_absolute_uri(reverse("tenancy:email_confirm", args=[token]))
            )
            user._email_pending = email
        return user


class MembershipSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """Managers change a member's role and laboratory; who and where are fixed (people join by invitation, so a
    membership is never moved to another user or establishment)."""

    class Meta:
        model = Membership
        fields = ["id", "user", "establishment", "laboratory", "role"]
        read_only_fields = ["user", "establishment"]


class CharterVersionSerializer(serializers.ModelSerializer):
    """A version of the usage charter; ``in_force`` and ``accepted`` (by the caller) come from the view."""

    in_force = serializers.SerializerMethodField()
    accepted = serializers.BooleanField(source="accepted_by_user", read_only=True)

    class Meta:
        model = CharterVersion
        fields = ["id", "number", "text", "text_fr", "in_force_from", "in_force", "accepted"]

    def get_in_force(self, version) -> bool:
        return version.pk == self.context.get("in_force_pk")


class TeamSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """A team and its members (user ids). Writing ``members`` sets them: only operators may be members."""

    members = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), required=False)

    class Meta:
        model = Team
        fields = ["id", "code", "name", "kind", "description", "members"]

    def validate_members(self, users: list) -> list:
        refused = [user for user in users if not is_operator(user)]
        if refused:
            raise serializers.ValidationError([NOT_AN_OPERATOR % {"user": user} for user in refused])
        return users

    def create(self, validated_data):
        members = validated_data.pop("members", [])
        team = super().create(validated_data)
        services.set_team_members(team, members)
        return team

    def update(self, instance, validated_data):
        members = validated_data.pop("members", None)
        team = super().update(instance, validated_data)
        if members is not None:
            services.set_team_members(team, members)
            getattr(team, "_prefetched_objects_cache", {}).pop("members", None)  # read them afresh
        return team
