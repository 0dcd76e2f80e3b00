from rest_framework import serializers

from mesocentre.core.api import ScopedRelationsMixin
from mesocentre.core.roles import is_operator
from mesocentre.hpc.models import (
    Allocation,
    AllocationRequest,
    Call,
    ChangeRequest,
    Decision,
    Review,
    Round,
    RoundBudget,
)
from mesocentre.hpc.models.allocations import DEFAULT_CLUSTER


class CallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = ["id", "code", "name", "description"]


class RoundBudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoundBudget
        fields = ["id", "theme", "laboratory", "cpu_budget", "gpu_budget"]


class RoundSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)
    budgets = RoundBudgetSerializer(many=True, read_only=True, help_text="Its budget lines by theme and laboratory.")

    class Meta:
        model = Round
        fields = [
            "id",
            "call",
            "name",
            "opens_at",
            "closes_at",
            "cpu_budget",
            "gpu_budget",
            "reviews_due_on",
            "is_open",
            "budgets",
        ]

    def to_representation(self, round_):
        data = super().to_representation(round_)
        request = self.context.get("request")
        if not (request and is_operator(request.user)):
            # Like the summary by laboratory: which laboratories get an envelope is the operators' business.
            data["budgets"] = [line for line in data["budgets"] if line["theme"] is not None]
        return data


class AllocationRequestSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = AllocationRequest
        fields = [
            "id",
            "project",
            "round",
            "cpu_core_hours",
            "gpu_hours",
            "scratch_gb",
            "justification",
            "status",
            "submitted_at",
        ]
        read_only_fields = ["status", "submitted_at"]


class RequestEditSerializer(serializers.Serializer):
    """What the PI changes in a request not yet reviewed (a withdrawn one is submitted again)."""

    cpu_core_hours = serializers.IntegerField(min_value=0)
    gpu_hours = serializers.IntegerField(min_value=0, default=0)
    scratch_gb = serializers.IntegerField(min_value=0, default=0)
    justification = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(source="assignment.request_id", read_only=True)
    reviewer = serializers.IntegerField(source="assignment.reviewer_id", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "request", "reviewer", "score", "private_comment", "public_comment"]

    def to_representation(self, review):
        data = super().to_representation(review)
        user = self.context["request"].user
        if not (is_operator(user) or review.assignment.reviewer_id == user.pk):
            # The project's people read the score and the public comment, never who wrote it nor the private one.
            data.pop("private_comment")
            data.pop("reviewer")
        return data


class AllocationSerializer(serializers.ModelSerializer):
    total_cpu_core_hours = serializers.IntegerField(read_only=True)
    total_gpu_hours = serializers.IntegerField(read_only=True)
    scheduled = serializers.BooleanField(
        source="is_scheduled", read_only=True, help_text="Not started yet: counts from its start date."
    )

    class Meta:
        model = Allocation
        fields = [
            "id",
            "project",
            "cluster",
            "cpu_core_hours",
            "gpu_hours",
            "total_cpu_core_hours",
            "total_gpu_hours",
            "starts_on",
            "ends_on",
            "status",
            "scheduled",
        ]


class ChangeRequestSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "allocation",
            "change_type",
            "extra_cpu_core_hours",
            "extra_gpu_hours",
            "new_ends_on",
            "justification",
            "status",
        ]
        read_only_fields = ["status"]


class AllocationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Allocation.Status.choices)


class StrictBooleanField(serializers.BooleanField):
    """DRF's known spellings of true and false ("yes"/"no", "on"/"off", "1"/"0"…), anything else a 400.

    A form post without the field is read by DRF's BooleanField as False (an unticked checkbox); a decision is no
    checkbox: leaving it out is an error, never a silent approval or refusal."""

    default_empty_html = serializers.empty


class ChangeDecisionSerializer(serializers.Serializer):
    approve = StrictBooleanField(help_text="true approves, false refuses; required.")


class DecideSerializer(serializers.Serializer):
    """The committee's decision on a request, as operators record it (``POST .../requests/<id>/decide/``)."""

    cpu_core_hours = serializers.IntegerField(min_value=0)
    gpu_hours = serializers.IntegerField(min_value=0, default=0)
    reason = serializers.CharField(allow_blank=True, default="", help_text="Required when less than asked is granted.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    cluster = serializers.CharField(max_length=40, default=DEFAULT_CLUSTER)
    override_budget = StrictBooleanField(
        default=False, help_text="Grant beyond the round's remaining budget (with override_reason)."
    )
    override_reason = serializers.CharField(allow_blank=True, default="")


class DecisionSerializer(serializers.ModelSerializer):
    allocation = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "request",
            "cpu_core_hours",
            "gpu_hours",
            "reason",
            "override_budget",
            "override_reason",
            "allocation",
        ]


class _Figures(serializers.Serializer):
    requests = serializers.IntegerField()
    asked_cpu = serializers.IntegerField()
    asked_gpu = serializers.IntegerField()
    granted_cpu = serializers.IntegerField()
    granted_gpu = serializers.IntegerField()


class RoundSummaryRowSerializer(_Figures):
    code = serializers.CharField()
    name = serializers.CharField()
    share_of_cpu_budget = serializers.DecimalField(7, 1, allow_null=True, coerce_to_string=False)
    budget_cpu = serializers.IntegerField(allow_null=True, help_text="The round's line for it, if any.")
    budget_gpu = serializers.IntegerField(allow_null=True)
    remaining_cpu = serializers.IntegerField(allow_null=True)
    remaining_gpu = serializers.IntegerField(allow_null=True)


class RoundSummarySerializer(_Figures):
    """The shape of ``services.round_summary`` (documentation of the summary action's answer)."""

    budget_cpu = serializers.IntegerField()
    budget_gpu = serializers.IntegerField()
    remaining_cpu = serializers.IntegerField()
    remaining_gpu = serializers.IntegerField()
    share_of_cpu_budget = serializers.DecimalField(7, 1, allow_null=True, coerce_to_string=False)
    share_of_gpu_budget = serializers.DecimalField(7, 1, allow_null=True, coerce_to_string=False)
    by_theme = RoundSummaryRowSerializer(many=True)
    by_laboratory = RoundSummaryRowSerializer(many=True, required=False, help_text="Operators only.")
    budgeted_by_theme = serializers.BooleanField(help_text="The round shares its budget out by theme.")
    budgeted_by_laboratory = serializers.BooleanField(help_text="The round shares its budget out by laboratory.")
