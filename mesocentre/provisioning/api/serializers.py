from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from mesocentre.provisioning.models import ManualTask, Operation


class OperationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operation
        fields = [
            "id",
            "backend",
            "resource_type",
            "resource_key",
            "target",
            "state",
            "attempts",
            "max_attempts",
            "next_attempt_at",
            "last_error",
            "result",
            "claimed_by",
            "claimed_at",
            "lease_expires_at",
            "finished_at",
            "superseded_by",
            "requested_by",
            "retried_by",
            "retried_at",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class ManualTaskSerializer(serializers.ModelSerializer):
    target = serializers.JSONField(source="operation.target", read_only=True)

    class Meta:
        model = ManualTask
        fields = ["id", "operation", "title", "status", "target", "comment", "completed_by", "completed_at", "created"]
        read_only_fields = fields


class CompleteTaskSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=_("True if the task was done, false if it failed."))
    comment = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, data):
        if not data["done"] and not data["comment"].strip():
            raise serializers.ValidationError({"comment": _("Say why the task failed.")})
        return data
