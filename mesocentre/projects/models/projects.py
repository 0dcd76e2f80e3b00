"""Projects, their members (one PI at least, any number of managers), and their proof of impact."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesocentre.core.models import ScopedQuerySet, TimestampedModel, TracksFields
from mesocentre.core.roles import is_operator
from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme


class ProjectQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operators: all. Establishment managers: what their establishment pays for. Members: theirs.
        Reviewers: the projects of the requests assigned to them."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(pk__in=ProjectMembership.objects.filter(user=user).values("project"))
            | Q(paying_establishment__in=Establishment.objects.managed_by(user))
            | Q(requests__assignments__reviewer=user)
        ).distinct()

    def managed_by(self, user):
        """Where ``user`` adds members and asks for hours: their PI or manager projects (operators: all)."""
        if is_operator(user):
            return self
        if not user.is_authenticated:
            return self.none()
        roles = (ProjectMembership.Role.PI, ProjectMembership.Role.MANAGER)
        return self.filter(pk__in=ProjectMembership.objects.filter(user=user, role__in=roles).values("project"))

    def without_pi(self):
        """Open projects nobody leads any more (their PI left or was deleted): operators name a new one."""
        leads = ProjectMembership.objects.filter(role=ProjectMembership.Role.PI, user__is_active=True)
        return self.exclude(status=Project.Status.CLOSED).exclude(pk__in=leads.values("project"))


class Project(TracksFields, TimestampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("project status", "active")
        SUSPENDED = "suspended", pgettext_lazy("project status", "suspended")
        CLOSED = "closed", pgettext_lazy("project status", "closed")

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Stable: the Slurm account name derives from it."),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    laboratory = models.ForeignKey(
        Laboratory, verbose_name=_("laboratory"), on_delete=models.PROTECT, related_name="projects"
    )
    paying_establishment = models.ForeignKey(
        Establishment, verbose_name=_("paying establishment"), on_delete=models.PROTECT, related_name="projects"
    )
    theme = models.ForeignKey(
        ScientificTheme, verbose_name=_("scientific theme"), on_delete=models.PROTECT, related_name="projects"
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    data_management_plan_url = models.URLField(_("data management plan"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)

    objects = ProjectQuerySet.as_manager()
    tracked_fields = ("code", "paying_establishment_id")

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="projects_project_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def save(self, *args, **kwargs):
        from mesocentre.projects.models.payers import record_payer

        adding = self._state.adding
        changed = "paying_establishment_id" in self.changed_fields()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding or changed:  # who pays, day by day: what the quarter's drafts read
                record_payer(self, timezone.localdate())
        self.remember_loaded()

    def clean(self):
        if (
            self.laboratory_id
            and self.paying_establishment_id
            and not self.laboratory.establishments.filter(pk=self.paying_establishment_id).exists()
        ):
            raise ValidationError(
                {
                    "paying_establishment": _(
                        "The paying establishment must be one of the laboratory's establishments (%(lab)s)."
                    )
                    % {"lab": ", ".join(e.name for e in self.laboratory.establishments.all()) or "—"}
                }
            )
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A project cannot end before it starts.")})
        if self.code and (self._state.adding or "code" in self.changed_fields()):
            from mesocentre.projects.naming import code_problem

            problem = code_problem(self.code, project=self)
            if problem:
                raise ValidationError({"code": problem})


class ProjectScopedQuerySet(ScopedQuerySet):
    """Rows that belong to a project: visible exactly when the project is."""

    project_path = "project"

    def visible_to(self, user):
        if is_operator(user):
            return self
        return self.filter(**{f"{self.project_path}__in": Project.objects.visible_to(user)})


class ProjectMembership(TimestampedModel):
    class Role(models.TextChoices):
        PI = "pi", _("principal investigator")
        MANAGER = "manager", _("project manager")
        MEMBER = "member", _("member")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="project_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "role", "user"]
        verbose_name = _("project membership")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="projects_membership_unique_project_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project.code} ({self.get_role_display()})"

    def clean(self):
        # A project keeps at least one PI: the last one cannot become something else.
        if self.pk and self.role != self.Role.PI:
            was_pi = ProjectMembership.objects.filter(pk=self.pk, role=self.Role.PI).exists()
            others = ProjectMembership.objects.filter(project_id=self.project_id, role=self.Role.PI).exclude(pk=self.pk)
            if was_pi and not others.exists():
                raise ValidationError({"role": _("A project keeps at least one principal investigator.")})


class Grant(TimestampedModel):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="grants")
    funder = models.CharField(_("funder"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "funder", "reference"]
        verbose_name = _("grant")
        constraints = [
            models.UniqueConstraint(fields=["project", "funder", "reference"], name="projects_grant_unique_reference"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="projects_grant_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.reference}"

    def clean(self):
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("An amount is 0 or more.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A grant ends after it starts.")})


class Publication(TimestampedModel):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="publications"
    )
    title = models.CharField(_("title"), max_length=500)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    url = models.URLField(_("URL"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-year", "title"]
        verbose_name = _("publication")

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def clean(self):
        self.doi = normalised_doi(self.doi or "")
        if self.doi and not DOI.fullmatch(self.doi):
            raise ValidationError({"doi": _("A DOI reads 10.<digits>/<suffix>, e.g. 10.1000/xyz123.")})
        if not self.doi and not self.url:
            raise ValidationError({"doi": _("Give the publication's DOI or its URL.")})
        first, last = publication_years(timezone.localdate())
        if self.year is not None and not first <= self.year <= last:
            raise ValidationError(
                {"year": _("A publication's year is from %(first)s to %(last)s.") % {"first": first, "last": last}}
            )


# A DOI's prefix is "10." and a registrant's digits (dot-separated sub-prefixes allowed); its suffix is any printable
# characters. Stored without the resolver's address, which is how it is cited.
DOI = re.compile(r"10\.\d+(\.\d+)*/\S+")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")


def normalised_doi(value: str) -> str:
    """``value`` without spaces around it nor the resolver's address (https://doi.org/…) or a "doi:" prefix."""
    value = value.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix) :].strip()
    return value


def publication_years(today: datetime.date) -> tuple[int, int]:
    """The years a publication may bear on ``today``: from 1900 to next year (a paper accepted, in press)."""
    return 1900, today.year + 1
