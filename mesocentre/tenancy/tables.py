"""Tenancy's lists in the portal (their rows come from ``filtersets``, shared with the API)."""

import django_tables2 as tables
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import number
from mesocentre.core.tables import BaseTable
from mesocentre.tenancy.models import Establishment, Laboratory, Membership


def _count(queryset: QuerySet, link: str) -> Coalesce:
    """How many rows of ``queryset`` point to the outer row by ``link``: a subquery, because the rows may already
    be filtered by a join on the same relation (``visible_to``), which a plain Count would count instead."""
    counted = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(establishments: QuerySet) -> QuerySet:
    """Each establishment with its number of members and of laboratories, in the list's one query."""
    return establishments.annotate(
        members_count=_count(Membership.objects.all(), "establishment"),
        laboratories_count=_count(Laboratory.establishments.through.objects.all(), "establishment"),
    )


class EstablishmentTable(BaseTable):
    name = tables.LinkColumn("tenancy:establishment_detail", args=[tables.A("code")], verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"))
    kind = tables.Column(verbose_name=_("Kind"))
    price_list = tables.Column(accessor="price_list_code", order_by=("kind",), verbose_name=_("Price list"))
    siret = tables.Column(verbose_name=_("SIRET"), default="—")
    laboratories_count = tables.Column(verbose_name=_("Laboratories"))
    # Operators only (see the view): a member sees no other member of their establishment.
    members_count = tables.Column(verbose_name=_("Members"))

    class Meta(BaseTable.Meta):
        model = Establishment
        fields = ()
        order_by = ("name",)
        empty_text = _("No establishment matches: you may belong to none yet, or the filters leave none.")

    def render_kind(self, record) -> str:
        return record.get_kind_display()

    def render_laboratories_count(self, value) -> str:
        return number(value)

    def render_members_count(self, value) -> str:
        return number(value)
