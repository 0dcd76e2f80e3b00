"""The cost calculator: quotes a basket of services, line by line, HT and TTC (rules in ``money``).

Identical items of a basket (same kind, plan and sizes) are priced as one, their counts summed: three gold VMs
asked one by one cost what one item of three costs, and what an invoice of the same things will.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing import money as rounding
from mesocentre.capacity.services import Largest, largest_vm
from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
from mesocentre.core import formatting
from mesocentre.core.formatting import localized, money, number, percent, plain

PERIOD_FRACTIONS = {"year": Decimal(1), "quarter": Decimal("0.25")}
# The most items a basket may hold: the public calculator answers anyone, so what one request costs is bounded. A
# hundred lines is far more than a real order (n identical VMs are one item with a count).
MAX_ITEMS = 100


@dataclass(frozen=True)
class Item:
    """One thing in the basket. Sizes a kind does not use stay at zero."""

    kind: str
    plan: str = "standard"
    count: int = 1
    vcpu: int = 0
    ram_gb: int = 0
    disk_gb: int = 0
    core_hours: Decimal = Decimal(0)
    gpu_hours: Decimal = Decimal(0)
    node_hours: Decimal = Decimal(0)
    storage_gb: Decimal = Decimal(0)
    kwh: Decimal = Decimal(0)
    kwh_price: Decimal | None = None

    def size(self, sized_by: str, pue: Decimal) -> Decimal:
        if sized_by == Component.SizedBy.COUNT:
            return Decimal(1)
        if sized_by == Component.SizedBy.FACILITY_KWH:
            return self.kwh * pue
        return Decimal(getattr(self, sized_by))


@dataclass
class Line:
    description: str
    quantity: Decimal
    unit: str
    unit_price_ht: Decimal
    amount_ht: Decimal
    vat_rate: Decimal

    def as_dict(self) -> dict:
        return {
            "description": self.description,
            "quantity": plain(self.quantity),
            "unit": self.unit,
            "unit_price_ht": plain(self.unit_price_ht),
            "amount_ht": str(self.amount_ht),
            "vat_rate": str(self.vat_rate),
            "display": {  # as a person reads them, in the active language: the page shows these, never its own
                "quantity": number(self.quantity),
                "unit_price_ht": money(self.unit_price_ht),  # every decimal it has: €0.01, €0.36666667, €100.83333338
                "amount_ht": money(self.amount_ht, cents=True),
                "vat_rate": percent(self.vat_rate),
            },
        }


@dataclass
class Quote:
    period: str
    price_list: PriceList
    day: datetime.date
    lines: list[Line] = field(default_factory=list)
    currency: str = "EUR"

    @property
    def total_ht(self) -> Decimal:
        return sum((line.amount_ht for line in self.lines), Decimal("0.00"))

    @property
    def vat_by_rate(self) -> dict[Decimal, Decimal]:
        return rounding.vat_by_rate((line.vat_rate, line.amount_ht) for line in self.lines)

    @property
    def total_vat(self) -> Decimal:
        return sum(self.vat_by_rate.values(), Decimal("0.00"))

    @property
    def total_ttc(self) -> Decimal:
        return self.total_ht + self.total_vat

    def as_dict(self) -> dict:
        """The quote for machines (plain decimals) and, under each ``display``, for people: the same figures written
        by ``core.formatting`` in the active language (the API's: its Accept-Language), which the portal shows."""
        vat = self.vat_by_rate
        total_ht, total_vat = self.total_ht, sum(vat.values(), Decimal("0.00"))
        total_ttc = total_ht + total_vat
        return {
            "currency": self.currency,
            "period": self.period,
            "price_list": self.price_list.code,
            "date": self.day.isoformat(),
            "lines": [line.as_dict() for line in self.lines],
            "vat": [
                {
                    "rate": str(rate),
                    "amount": str(amount),
                    "display": {"rate": percent(rate), "amount": money(amount, cents=True)},
                }
                for rate, amount in vat.items()
            ],
            "total_ht": str(total_ht),
            "total_vat": str(total_vat),
            "total_ttc": str(total_ttc),
            "display": {
                "date": formatting.day(self.day),
                "total_ht": money(total_ht, cents=True),
                "total_vat": money(total_vat, cents=True),
                "total_ttc": money(total_ttc, cents=True),
            },
        }


def quote(
    items: list[Item],
    period: str = "year",
    price_list: str = "academic",
    day: datetime.date | None = None,
    *,
    fraction: Decimal | None = None,
    held: bool = False,
) -> Quote:
    """Price a basket on the price list and the prices valid on ``day`` (today by default).

    ``fraction`` (rating): the part of a year the subscriptions are priced for, instead of the period's (a quarter
    held 40 days of 90: 0.25 × 40 / 90). ``held`` (rating): what is priced is held already, so a VM is not checked
    against today's hosts. Raises ValidationError naming the field and the rule on anything the catalogue cannot
    sell.
    """
    if period not in PERIOD_FRACTIONS:
        raise ValidationError({"period": _("Unknown period '%(p)s': choose year or quarter.") % {"p": period}})
    day = day or timezone.localdate()
    pricer = Pricer(price_list, day, day, {item.kind for item in items})
    result = Quote(period=period, price_list=pricer.price_list, day=day)
    share = PERIOD_FRACTIONS[period] if fraction is None else fraction
    result.lines = pricer.lines(items, day, share, held=held)
    return result


def price_list_of(code: str) -> PriceList:
    """The price list of that code, or a ValidationError on ``price_list`` naming the choices."""
    try:
        return PriceList.objects.get(code=code)
    except PriceList.DoesNotExist:
        codes = ", ".join(PriceList.objects.values_list("code", flat=True))
        raise ValidationError(
            {"price_list": _("Unknown price list '%(c)s': choose one of %(codes)s.") % {"c": code, "codes": codes}}
        ) from None


class Pricer:
    """The pricing of baskets on one price list, for any day of a span, with the catalogue read once: a quote
    (a span of one day) and a quarter's draft (its days, and those of the late usage it prices) price through the
    same ``lines``, so they agree to the cent, and a draft's queries do not grow with its lines."""

    def __init__(self, price_list: str, first: datetime.date, last: datetime.date, kinds: set[str] | None = None):
        self.price_list = price_list_of(price_list)
        self.pue = Decimal(str(settings.MESOCENTRE["PUE"]))
        self.catalogue = _Catalogue(set(Offering.Kind.values) if kinds is None else kinds, first, last)

    def lines(self, items: list[Item], day: datetime.date, fraction: Decimal, *, held: bool = False) -> list[Line]:
        """The lines of ``items`` at the prices valid on ``day`` (within the span), subscriptions for ``fraction``
        of a year. Raises ValidationError naming the field and the rule (``item_index``: which item)."""
        plans = []
        for index, item in enumerate(items):
            try:
                plans.append(self.catalogue.plan_for(item))
                if item.kind == Offering.Kind.CLOUD_VM and not held:
                    _check_vm_fits(item, plans[index], self.catalogue)
            except ValidationError as exc:
                exc.item_index = index  # so the API can say which item of the basket is refused
                raise
        lines = []
        for index, item in merged(items):
            try:
                lines.extend(_lines_for(item, plans[index], self.price_list, day, fraction, self.pue))
            except ValidationError as exc:
                exc.item_index = index
                raise
        return lines


def merged(items: list[Item]) -> list[tuple[int, Item]]:
    """The basket with its identical items (all but the count equal) made one, counts summed, in the order of
    their first appearance; each with the index of that first item in the basket."""
    first: dict[Item, int] = {}
    counts: dict[Item, int] = defaultdict(int)
    for index, item in enumerate(items):
        key = replace(item, count=1)
        first.setdefault(key, index)
        counts[key] += item.count
    return [(index, replace(key, count=counts[key])) for key, index in first.items()]


class _Catalogue:
    """What a quote (or a draft) reads of the catalogue, loaded once so that its queries do not grow with the basket.

    The plans on sale of the basket's kinds, with their offering, their components and each component's prices
    valid on some day of the span ``first`` to ``last`` (newest first, as ``Component.price_on`` picks them)
    prefetched: three queries, whatever the basket holds. The largest placeable VM is asked of capacity at most
    once per standby variant.
    """

    def __init__(self, kinds: set[str], first: datetime.date, last: datetime.date) -> None:
        prices_in_span = Price.objects.filter(valid_from__lte=last).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=first)
        )
        plans = (
            Plan.objects.filter(offering__kind__in=kinds, offering__status=Offering.Status.AVAILABLE)
            .select_related("offering")
            .prefetch_related(
                Prefetch(
                    "components",
                    queryset=Component.objects.prefetch_related(
                        Prefetch("prices", queryset=prices_in_span.order_by("-valid_from"), to_attr="prices_in_span")
                    ),
                    to_attr="all_components",
                )
            )
        )
        self.plans_by_kind: dict[str, list[Plan]] = defaultdict(list)
        for plan in plans if kinds else []:
            self.plans_by_kind[plan.offering.kind].append(plan)
        self._largest: dict[bool, Largest] = {}

    def plan_for(self, item: Item) -> Plan:
        plans = self.plans_by_kind.get(item.kind)
        if not plans:
            raise ValidationError({"kind": _("Nothing of kind '%(k)s' is for sale.") % {"k": item.kind}})
        for plan in plans:
            if plan.code == item.plan:
                return plan
        field_name = "tier" if item.kind == Offering.Kind.CLOUD_VM else "plan"
        choices = ", ".join(plan.code for plan in plans)
        raise ValidationError(
            {
                field_name: _("Unknown %(f)s '%(p)s': choose one of %(c)s.")
                % {"f": field_name, "p": item.plan, "c": choices}
            }
        )

    def largest_vm(self, recovery_copy: bool) -> Largest:
        if recovery_copy not in self._largest:
            self._largest[recovery_copy] = largest_vm(recovery_copy=recovery_copy)
        return self._largest[recovery_copy]


def _check_vm_fits(item: Item, plan: Plan, catalogue: _Catalogue) -> None:
    # A gold VM keeps a standby on the recovery site, so it must fit there too.
    has_standby = any(component.code.startswith("standby") for component in plan.all_components)
    largest = catalogue.largest_vm(recovery_copy=has_standby)
    errors = {}
    for name, asked, most in (
        ("vcpu", item.vcpu, largest.vcpu),
        ("ram_gb", item.ram_gb, largest.ram_gb),
        ("disk_gb", item.disk_gb, largest.disk_gb),
    ):
        if asked > most:
            errors[name] = _("%(asked)s is more than the largest host can hold (%(most)s).") % {
                "asked": number(asked),
                "most": number(most),
            }
    if errors:
        raise ValidationError(errors)


def _unit_price(component: Component, plist: PriceList, day: datetime.date, item: Item) -> Decimal:
    if component.sized_by == Component.SizedBy.FACILITY_KWH and item.kwh_price is not None:
        base = item.kwh_price  # the customer's own electricity price assumption
    else:
        # Prefetched by _Catalogue: the prices valid in its span, newest first; the first valid on the day wins.
        valid = [p for p in component.prices_in_span if p.valid_from <= day and (p.valid_until or day) >= day]
        if not valid:
            raise ValidationError(
                {"date": _("%(c)s has no price on %(d)s.") % {"c": component, "d": formatting.day(day)}}
            )
        base = valid[0].amount
    return base * plist.factor


def _lines_for(item, plan, plist, day, fraction, pue) -> list[Line]:
    components = plan.all_components
    lines = []
    subscription = [c for c in components if c.per_period]
    if subscription:
        yearly = sum(item.size(c.sized_by, pue) * _unit_price(c, plist, day, item) for c in subscription)
        unit_price = rounding.period_unit_price(yearly, fraction)  # full precision: only the amount is rounded
        lines.append(
            Line(
                description=_describe(item, plan),
                quantity=Decimal(item.count),
                unit=_subscription_unit(item),
                unit_price_ht=unit_price,
                amount_ht=rounding.line_amount(Decimal(item.count), unit_price),
                vat_rate=subscription[0].vat_rate,
            )
        )
    for component in components:
        if component.per_period:
            continue
        quantity = item.size(component.sized_by, pue) * item.count
        if quantity == 0:
            continue
        unit_price = rounding.to_tariff(_unit_price(component, plist, day, item))
        description = localized(component, "name")
        if component.sized_by == Component.SizedBy.FACILITY_KWH:
            description = _("%(name)s: %(kwh)s kWh measured × PUE %(pue)s") % {
                "name": localized(component, "name"),
                "kwh": number(item.kwh * item.count),
                "pue": number(pue),
            }
        lines.append(
            Line(
                description=description,
                quantity=quantity,
                unit=localized(component, "unit"),
                unit_price_ht=unit_price,
                amount_ht=rounding.line_amount(quantity, unit_price),
                vat_rate=component.vat_rate,
            )
        )
    return lines


def _describe(item: Item, plan: Plan) -> str:
    if item.kind == Offering.Kind.CLOUD_VM:
        return _("VM %(tier)s, %(vcpu)s vCPU / %(ram)s GB RAM / %(disk)s GB disk") % {
            "tier": localized(plan, "name"),
            "vcpu": number(item.vcpu),
            "ram": number(item.ram_gb),
            "disk": number(item.disk_gb),
        }
    if item.storage_gb:
        return _("%(plan)s: %(gb)s GB") % {"plan": _plan_label(plan), "gb": number(item.storage_gb)}
    return _plan_label(plan)


def _plan_label(plan: Plan) -> str:
    return f"{localized(plan.offering, 'name')} — {localized(plan, 'name')}"


def _subscription_unit(item: Item) -> str:
    return {"cloud-vm": _("VM"), "rack": _("rack")}.get(item.kind, _("subscription"))
