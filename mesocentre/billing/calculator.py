"""The cost calculator: quotes a basket of services, line by line, HT and TTC (rules in ``money``)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing.money import to_cents, to_tariff
from mesocentre.capacity.services import largest_vm
from mesocentre.catalogue.models import Component, Offering, Plan, Price, PriceList
from mesocentre.core.formatting import localized, plain

PERIOD_FRACTIONS = {"year": Decimal(1), "quarter": Decimal("0.25")}


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
        bases: dict[Decimal, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            bases[line.vat_rate] += line.amount_ht
        return {rate: to_cents(base * rate / 100) for rate, base in sorted(bases.items())}

    @property
    def total_vat(self) -> Decimal:
        return sum(self.vat_by_rate.values(), Decimal("0.00"))

    @property
    def total_ttc(self) -> Decimal:
        return self.total_ht + self.total_vat

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "period": self.period,
            "price_list": self.price_list.code,
            "date": self.day.isoformat(),
            "lines": [line.as_dict() for line in self.lines],
            "vat": [{"rate": str(rate), "amount": str(amount)} for rate, amount in self.vat_by_rate.items()],
            "total_ht": str(self.total_ht),
            "total_vat": str(self.total_vat),
            "total_ttc": str(self.total_ttc),
        }


def quote(
    items: list[Item], period: str = "year", price_list: str = "academic", day: datetime.date | None = None
) -> Quote:
    """Price a basket on the price list and the prices valid on ``day`` (today by default).

    Raises ValidationError naming the field and the rule on anything the catalogue cannot sell.
    """
    if period not in PERIOD_FRACTIONS:
        raise ValidationError({"period": _("Unknown period '%(p)s': choose year or quarter.") % {"p": period}})
    try:
        plist = PriceList.objects.get(code=price_list)
    except PriceList.DoesNotExist:
        codes = ", ".join(PriceList.objects.values_list("code", flat=True))
        raise ValidationError(
            {
                "price_list": _("Unknown price list '%(c)s': choose one of %(codes)s.")
                % {"c": price_list, "codes": codes}
            }
        ) from None
    result = Quote(period=period, price_list=plist, day=day or timezone.localdate())
    pue = Decimal(str(settings.MESOCENTRE["PUE"]))
    for index, item in enumerate(items):
        try:
            plan = _plan_for(item)
            if item.kind == Offering.Kind.CLOUD_VM:
                _check_vm_fits(item, plan)
            result.lines.extend(_lines_for(item, plan, plist, result.day, PERIOD_FRACTIONS[period], pue))
        except ValidationError as exc:
            exc.item_index = index  # so the API can say which item of the basket is refused
            raise
    return result


def _plan_for(item: Item) -> Plan:
    plans = Plan.objects.filter(offering__kind=item.kind, offering__status=Offering.Status.AVAILABLE)
    if not plans.exists():
        raise ValidationError({"kind": _("Nothing of kind '%(k)s' is for sale.") % {"k": item.kind}})
    plan = plans.filter(code=item.plan).select_related("offering").first()
    if plan is None:
        field_name = "tier" if item.kind == Offering.Kind.CLOUD_VM else "plan"
        choices = ", ".join(plans.values_list("code", flat=True))
        raise ValidationError(
            {
                field_name: _("Unknown %(f)s '%(p)s': choose one of %(c)s.")
                % {"f": field_name, "p": item.plan, "c": choices}
            }
        )
    return plan


def _check_vm_fits(item: Item, plan: Plan) -> None:
    # A gold VM keeps a standby on the recovery site, so it must fit there too.
    has_standby = plan.components.filter(code__startswith="standby").exists()
    largest = largest_vm(recovery_copy=has_standby)
    errors = {}
    for name, asked, most in (
        ("vcpu", item.vcpu, largest.vcpu),
        ("ram_gb", item.ram_gb, largest.ram_gb),
        ("disk_gb", item.disk_gb, largest.disk_gb),
    ):
        if asked > most:
            errors[name] = _("%(asked)s is more than the largest host can hold (%(most)s).") % {
                "asked": asked,
                "most": most,
            }
    if errors:
        raise ValidationError(errors)


def _unit_price(component: Component, plist: PriceList, day: datetime.date, item: Item) -> Decimal:
    if component.sized_by == Component.SizedBy.FACILITY_KWH and item.kwh_price is not None:
        base = item.kwh_price  # the customer's own electricity price assumption
    else:
        try:
            base = component.price_on(day).amount
        except Price.DoesNotExist:
            raise ValidationError(
                {"date": _("%(c)s has no price on %(d)s.") % {"c": component, "d": day.isoformat()}}
            ) from None
    return base * plist.factor


def _lines_for(item, plan, plist, day, fraction, pue) -> list[Line]:
    components = list(plan.components.all())
    lines = []
    subscription = [c for c in components if c.per_period]
    if subscription:
        yearly = sum(item.size(c.sized_by, pue) * _unit_price(c, plist, day, item) for c in subscription)
        unit_price = to_cents(yearly * fraction)
        lines.append(
            Line(
                description=_describe(item, plan),
                quantity=Decimal(item.count),
                unit=_subscription_unit(item),
                unit_price_ht=unit_price,
                amount_ht=to_cents(unit_price * item.count),
                vat_rate=subscription[0].vat_rate,
            )
        )
    for component in components:
        if component.per_period:
            continue
        quantity = item.size(component.sized_by, pue) * item.count
        if quantity == 0:
            continue
        unit_price = to_tariff(_unit_price(component, plist, day, item))
        description = localized(component, "name")
        if component.sized_by == Component.SizedBy.FACILITY_KWH:
            description = _("%(name)s: %(kwh)s kWh measured × PUE %(pue)s") % {
                "name": localized(component, "name"),
                "kwh": _number(item.kwh * item.count),
                "pue": _number(pue),
            }
        lines.append(
            Line(
                description=description,
                quantity=quantity,
                unit=localized(component, "unit"),
                unit_price_ht=unit_price,
                amount_ht=to_cents(quantity * unit_price),
                vat_rate=component.vat_rate,
            )
        )
    return lines


def _describe(item: Item, plan: Plan) -> str:
    if item.kind == Offering.Kind.CLOUD_VM:
        return _("VM %(tier)s, %(vcpu)s vCPU / %(ram)s GB RAM / %(disk)s GB disk") % {
            "tier": localized(plan, "name"),
            "vcpu": item.vcpu,
            "ram": item.ram_gb,
            "disk": item.disk_gb,
        }
    if item.storage_gb:
        return _("%(plan)s: %(gb)s GB") % {"plan": _plan_label(plan), "gb": _number(item.storage_gb)}
    return _plan_label(plan)


def _plan_label(plan: Plan) -> str:
    return f"{localized(plan.offering, 'name')} — {localized(plan, 'name')}"


def _subscription_unit(item: Item) -> str:
    return {"cloud-vm": _("VM"), "rack": _("rack")}.get(item.kind, _("subscription"))


def _number(value: Decimal) -> str:
    """A quantity in a description: 50000, 1.5 (no trailing zeros)."""
    return format(value.normalize(), "f")
