"""Who paid for a project, day by day: the history the quarter's drafts read.

A project's paying establishment may change (a joint laboratory moves its project to its other establishment); the
days before keep the establishment they had. ``Project.save`` writes the history: a project's first row runs from
its beginning, and a change closes the open row the day before it is made and opens the next one that day.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mesocentre.core.models import TimestampedModel
from mesocentre.projects.models.projects import ProjectScopedQuerySet
from mesocentre.tenancy.models import Establishment


class PayerQuerySet(ProjectScopedQuerySet):
    def paid_by(self, establishment: Establishment, first: datetime.date, end: datetime.date):
        """The rows in which ``establishment`` paid on a day of [first, end)."""
        return self.filter(establishment=establishment).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lt=end), Q(valid_until__isnull=True) | Q(valid_until__gte=first)
        )


class PayerPeriod(TimestampedModel):
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="payer_periods"
    )
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("paying establishment"), on_delete=models.PROTECT, related_name="+"
    )
    # None: since the project began. valid_until: the last day it paid, included (None: it still pays).
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["project", F("valid_from").asc(nulls_first=True)]
        verbose_name = _("paying establishment's period")
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(valid_until__isnull=True), name="projects_one_open_payer"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="projects_payer_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} paid by {self.establishment_id} from {self.valid_from or '…'}"


def record_payer(project, day: datetime.date) -> None:
    """The project is paid by its (new) paying establishment from ``day``: the open row closes the day before, or
    takes the new establishment if it opened that very day."""
    current = PayerPeriod.objects.select_for_update().filter(project=project, valid_until__isnull=True).first()
    if current is not None and current.establishment_id == project.paying_establishment_id:
        return
    if current is not None and current.valid_from == day:
        current.establishment_id = project.paying_establishment_id
        current.save()
        return
    if current is not None:
        current.valid_until = day - datetime.timedelta(days=1)
        current.save()
    PayerPeriod.objects.create(
        project=project, establishment_id=project.paying_establishment_id, valid_from=None if current is None else day
    )
