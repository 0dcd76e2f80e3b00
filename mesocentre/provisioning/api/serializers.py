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


class InstructionsSerializer(serializers.Serializer):
    summary = serializers.CharField(read_only=True)
    # (Not get_fields: that is the serializer's own method.)
    fields = serializers.SerializerMethodField(method_name="target_fields")

    def target_fields(self, instructions) -> list[dict[str, str]]:
        return [{"name": name, "value": value} for name, value in instructions.fields]


class ManualTaskSerializer(serializers.ModelSerializer):
    target = serializers.JSONField(source="operation.target", read_only=True)
    instructions = InstructionsSerializer(read_only=True, help_text=_("What to do, read from the target."))

    class Meta:
        model = ManualTask
        fields = [
            "id",
            "operation",
            "title",
            "status",
            "instructions",
            "target",
            "backend_id",
            "comment",
            "completed_by",
            "completed_at",
            "created",
        ]
        read_only_fields = fields


class CompleteTaskSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=_("True if the task was done, false if it failed."))
    backend_id = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=ManualTask._meta.get_field("backend_id").max_length,
        help_text=_("Required when done: the resource's identifier in the backend (a rack slot, a volume, a host)."),
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Notes when done; the reason, required, when it failed."),
    )

    def validate(self, data):
        if not data["done"] and not data["comment"].strip():
            raise serializers.ValidationError({"comment": _("Say why the task failed.")})
        if data["done"] and not data["backend_id"].strip():
            raise serializers.ValidationError({"backend_id": _("Give the resource's identifier in the backend.")})
        return data
