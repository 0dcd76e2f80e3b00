from django.utils.translation import gettext as _
from rest_framework import serializers

from mesocentre.capacity.models import Host, Pod, Rack, Site


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "code", "name", "is_recovery_site", "storage_gb", "backup_gb"]


class HostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Host
        fields = [
            "id",
            "site",
            "name",
            "vcpu",
            "ram_gb",
            "disk_gb",
            "reserved_vcpu",
            "reserved_ram_gb",
            "reserved_disk_gb",
            "vcpu_ratio",
            "ram_ratio",
            "disk_ratio",
            "in_maintenance",
        ]

    def validate(self, attrs):
        for resource in ("vcpu", "ram_gb", "disk_gb"):
            total = attrs.get(resource, getattr(self.instance, resource, 0))
            if attrs.get(f"reserved_{resource}", getattr(self.instance, f"reserved_{resource}", 0)) > total:
                raise serializers.ValidationError({f"reserved_{resource}": _("A host reserves at most what it has.")})
        return attrs


class RackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rack
        fields = ["id", "pod", "number", "height_u", "power_budget_kw"]


class PodSerializer(serializers.ModelSerializer):
    # The totals of its racks (the viewset's annotations: one query for the whole list).
    racks_count = serializers.IntegerField(read_only=True)
    total_u = serializers.IntegerField(read_only=True)
    total_kw = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)

    class Meta:
        model = Pod
        fields = ["id", "code", "name", "site", "hot_aisle_width_m", "racks_count", "total_u", "total_kw"]

    def to_representation(self, instance):
        if not hasattr(instance, "racks_count"):  # just created or updated: read its totals back
            instance = Pod.objects.with_totals().get(pk=instance.pk)
        return super().to_representation(instance)
