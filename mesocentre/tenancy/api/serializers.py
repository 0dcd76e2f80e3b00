from rest_framework import serializers

from mesocentre.core.api import ScopedRelationsMixin
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme, User


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
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "unix_login",
            "is_operator",
            "is_reviewer",
        ]
        read_only_fields = ["is_operator", "is_reviewer"]


class MembershipSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    # A manager adds any user by id (the portal does it by username): the user field is not scoped, so it is an
    # input, not a list of every user of the platform.
    unscoped_relations = ("user",)

    class Meta:
        model = Membership
        fields = ["id", "user", "establishment", "laboratory", "role"]
        extra_kwargs = {"user": {"style": {"base_template": "input.html"}}}

    def validate_establishment(self, establishment):
        # A manager adds members only to the establishments they manage.
        request = self.context["request"]
        if not Establishment.objects.managed_by(request.user).filter(pk=establishment.pk).exists():
            raise serializers.ValidationError("You do not manage this establishment.")
        return establishment
