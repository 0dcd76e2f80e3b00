"""Tenancy's lists in the portal (their rows come from ``filtersets``, shared with the API)."""

from functools import cache

import django_tables2 as tables
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mesocentre.core.formatting import day, moment, number
from mesocentre.core.tables import BaseTable
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, User


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


class ActionsColumn(tables.Column):
    """A column of buttons: its header is for screen readers, the buttons say what they do."""

    def __init__(self, **kwargs):
        super().__init__(empty_values=(), orderable=False, **kwargs)

    @property
    def header(self) -> str:
        return format_html('<span class="visually-hidden">{}</span>', _("Actions"))


class MembershipTable(BaseTable):
    """An establishment's members; its managers get a button to remove each (``remove``, excluded for others)."""

    username = tables.Column(accessor="user__username", verbose_name=_("Username"))
    name = tables.Column(
        accessor="user__get_full_name", order_by=("user__last_name", "user__first_name"), verbose_name=_("Name")
    )
    role = tables.Column(verbose_name=_("Role"))
    laboratory = tables.Column(order_by=("laboratory__code",), verbose_name=_("Laboratory"), default="—")
    remove = ActionsColumn()

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ()
        order_by = ("username",)
        empty_text = _("No member matches these filters.")

    def render_name(self, value) -> str:
        return value or "—"

    def render_role(self, record) -> str:
        return record.get_role_display()

    def render_remove(self, record) -> str:
        username = record.user.username
        return format_html(
            '<form method="post" action="{}" data-confirm="{}"><input type="hidden" name="csrfmiddlewaretoken" '
            'value="{}"><button type="submit" class="danger">{}<span class="visually-hidden"> {}</span></button>'
            "</form>",
            reverse("tenancy:membership_delete", args=[record.pk]),
            _("Remove %(user)s from the establishment?") % {"user": username},
            get_token(self.request),
            _("Remove"),
            record.user,
        )


def _post_button(request, action: str, label: str, confirm: str = "", danger: bool = False) -> str:
    return format_html(
        '<form method="post" action="{}" class="inline-form"{}><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><button type="submit"{}>{}</button></form>',
        action,
        format_html(' data-confirm="{}"', confirm) if confirm else "",
        get_token(request),
        mark_safe(' class="danger"') if danger else "",
        label,
    )


class InvitationTable(BaseTable):
    """The invitations of one kind waiting for their invitee's answer, with the buttons to answer. Made for a kind
    by ``invitation_table``: what the invitation leads to sorts by its target."""

    invitation = tables.Column(accessor="describe", verbose_name=_("Invitation"))
    invited_by = tables.Column(order_by=("invited_by__username",), verbose_name=_("From"), default="—")
    created = tables.Column(order_by=("created", "id"), verbose_name=_("Sent"))
    expires_at = tables.Column(verbose_name=_("Expires"))
    answer = ActionsColumn()

    class Meta(BaseTable.Meta):
        fields = ()
        order_by = ("-created",)
        empty_text = _("No invitation of this kind matches.")

    def render_invitation(self, value) -> str:
        return capfirst(value)

    def render_created(self, value) -> str:
        return day(value)

    def render_expires_at(self, value) -> str:
        return day(value)

    def render_answer(self, record) -> str:
        def url(answer: str) -> str:
            return reverse("tenancy:invitation_answer", args=[record.kind, record.pk, answer])

        return _post_button(self.request, url("accept"), _("Accept")) + _post_button(
            self.request,
            url("decline"),
            _("Decline"),
            confirm=_("Decline this invitation? The link stops working."),
            danger=True,
        )


@cache  # a class per kind, made once
def invitation_table(model: type) -> type[InvitationTable]:
    meta = type("Meta", (InvitationTable.Meta,), {"model": model})
    invitation = tables.Column(accessor="describe", order_by=(model.target_field,), verbose_name=_("Invitation"))
    return type(f"{model.__name__}Table", (InvitationTable,), {"Meta": meta, "invitation": invitation})


class PersonTable(BaseTable):
    """Everyone with an account, for operators; ``memberships`` prefetched with their establishments."""

    caption = _("People")
    username = tables.Column(verbose_name=_("Username"))
    name = tables.Column(accessor="get_full_name", order_by=("last_name", "first_name"), verbose_name=_("Name"))
    email = tables.Column(verbose_name=_("E-mail address"), default="—")
    establishments = tables.Column(empty_values=(), orderable=False, verbose_name=_("Establishments"))
    last_login = tables.Column(verbose_name=_("Last login"), default="—")
    charter_accepted_at = tables.Column(verbose_name=_("Charter accepted"), default="—")
    is_active = tables.Column(verbose_name=_("Active"))

    class Meta(BaseTable.Meta):
        model = User
        fields = ()
        order_by = ("username",)
        empty_text = _("Nobody matches these filters.")

    def render_name(self, value) -> str:
        return value or "—"

    def render_establishments(self, record) -> str:
        return ", ".join(str(m.establishment) for m in record.memberships.all()) or "—"

    def render_last_login(self, value) -> str:
        return moment(value)

    def render_charter_accepted_at(self, value) -> str:
        return day(value)

    def render_is_active(self, value) -> str:
        return _("yes") if value else _("no")
