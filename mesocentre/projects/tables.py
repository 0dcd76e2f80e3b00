"""The projects' lists in the portal (the rows come from ``filtersets``, shared with the API)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import day
from mesocentre.core.tables import BaseTable
from mesocentre.projects.models import Project, ProjectMembership


class ProjectTable(BaseTable):
    code = tables.LinkColumn("projects:project_detail", args=[tables.A("code")], verbose_name=_("Code"))
    title = tables.Column(verbose_name=_("Title"))
    laboratory = tables.Column(accessor="laboratory__code", verbose_name=_("Laboratory"))
    paying_establishment = tables.Column(accessor="paying_establishment__name", verbose_name=_("Paying establishment"))
    theme = tables.Column(verbose_name=_("Theme"), order_by="theme__name")
    status = tables.Column(verbose_name=_("Status"))
    starts_on = tables.Column(verbose_name=_("Start date"))

    class Meta(BaseTable.Meta):
        model = Project
        fields = ()
        sequence = ("code", "title", "laboratory", "paying_establishment", "theme", "status", "starts_on")
        order_by = ("code",)
        empty_text = _("No project matches: you may take part in none yet, or the filters leave none.")

    def render_starts_on(self, value) -> str:
        return day(value)

    def render_status(self, record) -> str:
        return record.get_status_display()


class ProjectMembershipTable(BaseTable):
    """Who takes part in which project, with their role: the operators' list of members."""

    username = tables.Column(accessor="user__username", verbose_name=_("User"))
    name = tables.Column(
        accessor="user__last_name", order_by=("user__last_name", "user__first_name"), verbose_name=_("Name")
    )
    email = tables.Column(accessor="user__email", verbose_name=_("E-mail"))
    unix_login = tables.Column(accessor="user__unix_login", verbose_name=_("Unix login"), default="—")
    project = tables.LinkColumn(
        "projects:project_detail", args=[tables.A("project__code")], accessor="project__code", verbose_name=_("Project")
    )
    role = tables.Column(verbose_name=_("Role"))
    created = tables.Column(verbose_name=_("Since"))

    class Meta(BaseTable.Meta):
        model = ProjectMembership
        fields = ()
        order_by = ("username",)
        empty_text = _("No member matches these filters.")

    def render_name(self, record) -> str:
        return record.user.get_full_name() or "—"

    def render_role(self, record) -> str:
        return record.get_role_display()

    def render_created(self, value) -> str:
        return day(value)
