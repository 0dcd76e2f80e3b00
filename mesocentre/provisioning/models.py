"""The durable operation queue and the operators' manual tasks.

An ``Operation`` is written in the same transaction as the change that needs it and carries the ABSOLUTE
target state of one backend resource, identified by (backend, resource type, resource key). Because targets
are absolute, applying one twice converges to the same state, and only the newest target of a resource
matters: enqueuing a new one supersedes the older ones that have not started (they become cancelled, with
``superseded_by`` pointing at their successor). At most one operation per resource is pending and at most one
is running, so a resource's operations are applied in order, never concurrently.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.models import ScopedQuerySet, TimestampedModel
from mesocentre.core.roles import is_operator


class OperatorOnlyQuerySet(ScopedQuerySet):
    """The queue is the operators' tool; researchers see their orders, not the machinery behind them."""

    def visible_to(self, user):
        return self if is_operator(user) else self.none()


class OperationQuerySet(OperatorOnlyQuerySet):
    def for_resource(self, backend: str, resource_type: str, resource_key: str):
        return self.filter(backend=backend, resource_type=resource_type, resource_key=resource_key)


class Operation(TimestampedModel):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("operation state", "pending")
        RUNNING = "running", pgettext_lazy("operation state", "running")
        # Handed to someone outside the worker (an operator for the manual backend); no lease, not claimable.
        WAITING = "waiting", pgettext_lazy("operation state", "awaiting operator")
        DONE = "done", pgettext_lazy("operation state", "done")
        FAILED = "failed", pgettext_lazy("operation state", "failed")
        CANCELLED = "cancelled", pgettext_lazy("operation state", "cancelled")

    OPEN_STATES = (State.PENDING, State.RUNNING, State.WAITING)

    backend = models.CharField(_("backend"), max_length=30, db_index=True)
    resource_type = models.CharField(_("resource type"), max_length=50)
    resource_key = models.CharField(_("resource key"), max_length=200)
    target = models.JSONField(
        _("target state"), blank=True, help_text=_("The whole desired state of the resource, not a change.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=5)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last retried by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retried_at = models.DateTimeField(_("last retried at"), null=True, blank=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("operation")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="provisioning_op_due_idx"),
            models.Index(fields=["backend", "resource_type", "resource_key"], name="provisioning_op_resource_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "running", "waiting", "done", "failed", "cancelled"]),
                name="provisioning_operation_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=models.F("max_attempts")),
                name="provisioning_operation_attempts_within_max",
            ),
            models.CheckConstraint(
                condition=~Q(state="running") | (Q(lease_expires_at__isnull=False) & ~Q(claimed_by="")),
                name="provisioning_operation_running_has_lease",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(state="cancelled"),
                name="provisioning_operation_superseded_is_cancelled",
            ),
            # Per-resource serialisation, enforced by the database whatever the workers do.
            models.UniqueConstraint(
                fields=["backend", "resource_type", "resource_key"],
                condition=Q(state="pending"),
                name="provisioning_operation_one_pending_per_resource",
            ),
            models.UniqueConstraint(
                fields=["backend", "resource_type", "resource_key"],
                condition=Q(state__in=["running", "waiting"]),
                name="provisioning_operation_one_active_per_resource",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.backend}:{self.resource_type}/{self.resource_key} ({self.get_state_display()})"

    @property
    def resource(self) -> str:
        return f"{self.resource_type}/{self.resource_key}"

    @property
    def target_json(self) -> str:
        return json.dumps(self.target, indent=2, sort_keys=True, ensure_ascii=False)

    @property
    def result_json(self) -> str:
        return json.dumps(self.result, indent=2, sort_keys=True, ensure_ascii=False)

    @property
    def can_retry(self) -> bool:
        return self.state == self.State.FAILED

    def clean(self):
        if not isinstance(self.target, dict):
            raise ValidationError({"target": _("The target state is a JSON object.")})
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("An operation cannot supersede itself.")})


class ManualTask(TimestampedModel):
    """What an operator must do by hand to apply an operation of the manual backend (racking, firewalling)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("manual task status", "to do")
        DONE = "done", pgettext_lazy("manual task status", "done")
        FAILED = "failed", pgettext_lazy("manual task status", "failed")
        CANCELLED = "cancelled", pgettext_lazy("manual task status", "cancelled")

    operation = models.ForeignKey(
        Operation, verbose_name=_("operation"), on_delete=models.PROTECT, related_name="manual_tasks"
    )
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    comment = models.TextField(
        _("comment"), blank=True, help_text=_("The operator's notes when done; why it failed, when it failed.")
    )
    backend_id = models.CharField(
        _("backend identifier"),
        max_length=200,
        blank=True,
        help_text=_("What the resource is called where it was made (a rack slot, a volume, a database's name)."),
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = OperatorOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("manual task")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "failed", "cancelled"]),
                name="provisioning_manualtask_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(comment=""),
                name="provisioning_manualtask_failed_has_comment",
            ),
            # Applying the same operation again (a worker restarted) finds the open task instead of a twin.
            models.UniqueConstraint(
                fields=["operation"],
                condition=Q(status="open"),
                name="provisioning_manualtask_one_open_per_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def instructions(self):
        """What to do: a summary and the target's fields (``instructions.describe``), in the reader's language."""
        from mesocentre.provisioning.instructions import describe

        operation = self.operation
        return describe(operation.resource_type, operation.resource_key, operation.target)

    def clean(self):
        if self.status == self.Status.FAILED and not self.comment.strip():
            raise ValidationError({"comment": _("Say why the task failed: the comment becomes the operation's error.")})
        if self.status == self.Status.DONE and not self.backend_id.strip():
            raise ValidationError(
                {"backend_id": _("Give the resource's identifier in the backend: the order records it.")}
            )


def _validate_cluster_name(value: str) -> None:
    from mesocentre.provisioning.slurm import names

    try:
        names.validate_cluster(value)
    except names.InvalidName as exc:
        raise ValidationError(str(exc)) from None


def _validate_root_account(value: str) -> None:
    from mesocentre.provisioning.slurm import names

    try:
        names.validate_account(value, allow_root=True)
    except names.InvalidName as exc:
        raise ValidationError(str(exc)) from None


def _validate_conf_path(value: str) -> None:
    # Passed to Slurm's tools through SLURM_CONF: an absolute path, nothing a shell or sacctmgr could misread.
    if not value.startswith("/") or any(c in value for c in "\n\0"):
        raise ValidationError(_("Give the absolute path of the cluster's slurm.conf."))


class SlurmCluster(TimestampedModel):
    """A Slurm cluster the platform keeps in step (the supercomputer, the GPU platform), declared by operators."""

    name = models.CharField(
        _("cluster name"),
        max_length=40,
        unique=True,
        validators=[_validate_cluster_name],
        help_text=_("Slurm's ClusterName, as in slurm.conf."),
    )
    slurm_conf = models.CharField(_("slurm.conf path"), max_length=500, validators=[_validate_conf_path])
    root_account = models.CharField(
        _("root account"),
        max_length=32,
        default="root",
        validators=[_validate_root_account],
        help_text=_("The account under which establishments and projects are created; 'root' is Slurm's own."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OperatorOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Slurm cluster")

    def __str__(self) -> str:
        return self.name
