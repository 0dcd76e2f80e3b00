from rest_framework import serializers

from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList


class PriceListSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceList
        fields = ["id", "code", "name", "name_fr", "margin_percent"]


class PriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Price
        fields = ["id", "component", "amount", "valid_from", "valid_until"]


class ComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["id", "plan", "code", "name", "name_fr", "unit", "unit_fr", "billing_type", "sized_by", "vat_rate"]


class PlanSerializer(serializers.ModelSerializer):
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "offering", "code", "name", "name_fr", "description", "description_fr", "order", "components"]


class OfferingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offering
        fields = [
            "id",
            "code",
            "name",
            "name_fr",
            "kind",
            "description",
            "description_fr",
            "status",
            "backend",
            "order",
            "team",
        ]
        # Left out, an offering goes to the team of its kind (Offering.save).
        extra_kwargs = {"team": {"required": False}}
