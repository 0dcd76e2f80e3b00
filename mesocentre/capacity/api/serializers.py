from rest_framework import serializers

from mesocentre.capacity.models import Host, Site


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "code", "name", "is_recovery_site", "storage_gb", "backup_gb"]


class HostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Host
        fields = ["id", "site", "name", "vcpu", "ram_gb", "in_maintenance"]
