"""The operators' list of the operations teams (its rows come from ``filtersets.TeamFilterSet``)."""

import django_tables2 as tables
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from mesocentre.core.tables import BaseTable
from mesocentre.tenancy.models import Team, TeamMembership


def with_members(teams: QuerySet) -> QuerySet:
    """Each team with its members, in one prefetch whatever the rows. (Its offerings are the catalogue's, an app
    above tenancy: the catalogue's pages name each offering's team.)"""
    return teams.prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.select_related("user").order_by("user__username"))
    )


class TeamTable(BaseTable):
    name = tables.Column(verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"))
    kind = tables.Column(verbose_name=_("Kind"))
    members = tables.Column(accessor="pk", orderable=False, verbose_name=_("Members"))

    class Meta(BaseTable.Meta):
        model = Team
        fields = ()
        order_by = ("code",)
        empty_text = _("No team matches the filters.")

    def render_kind(self, record) -> str:
        return record.get_kind_display()

    def render_members(self, record) -> str:
        names = [str(membership.user) for membership in record.memberships.all()]
        return ", ".join(names) or "—"
