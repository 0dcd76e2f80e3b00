"""Hosted racks' places: the U and power a rack-hosting resource holds in a rack of a POD, reserved under the racks'
locks so that two orders never share the last U (``reserve_rack``), and what no rack could hold refused when it is
ordered (``check_fits``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from mesocentre.capacity.models import Pod, Rack
from mesocentre.core import formatting
from mesocentre.resources.models import RackReservation, Resource
from mesocentre.resources.sizing import FULL_RACK_U


def check_fits(quantities: dict, pod: Pod | None) -> None:
    """Refuse at once what no rack could hold: more U than the tallest rack, more power than its budget."""
    racks = Rack.objects.filter(pod=pod) if pod is not None else Rack.objects.all()
    tallest = racks.aggregate(height=Max("height_u"), power=Max("power_budget_kw"))
    units, power = rack_size(quantities)
    if tallest["height"] is None or units > tallest["height"]:
        raise ValidationError(
            {
                "quantities": _("u: %(units)s U is more than a rack holds (%(most)s U).")
                % {"units": units, "most": tallest["height"] or 0}
            }
        )
    if power > tallest["power"]:
        raise ValidationError(
            {
                "quantities": _("kw: %(kw)s kW is more than a rack's power budget (%(most)s kW).")
                % {"kw": formatting.number(power), "most": formatting.number(tallest["power"])}
            }
        )


def reserve_rack(resource: Resource, quantities: dict, pod: Pod | None) -> RackReservation:
    """Reserve the U and the power a hosted rack needs in the first rack (of ``pod``, if given) with room for both,
    under the racks' locks (taken before what they hold is read, so two reservations never share the last U)."""
    units, power = rack_size(quantities)
    racks = Rack.objects.select_for_update().order_by("pod__code", "number")
    if pod is not None:
        racks = racks.filter(pod=pod)
    racks = list(racks)
    held = held_in_racks(exclude=resource)
    for rack in racks:
        used_units, used_power = held.get(rack.pk, (0, Decimal(0)))
        if rack.height_u - used_units >= units and rack.power_budget_kw - used_power >= power:
            reservation, _created = RackReservation.objects.update_or_create(
                resource=resource, defaults={"rack": rack, "units": units, "power_kw": power, "released_at": None}
            )
            return reservation
    where = pod.code if pod else _("any POD")
    raise ValidationError(
        {
            "quantities": _("No rack in %(where)s has %(units)s U and %(kw)s kW free.")
            % {"where": where, "units": units, "kw": formatting.number(power)}
        }
    )


def rack_size(quantities: dict) -> tuple[int, Decimal]:
    return int(Decimal(str(quantities.get("u", FULL_RACK_U)))), Decimal(str(quantities.get("kw", "0")))


def held_in_racks(exclude: Resource) -> dict[int, tuple[int, Decimal]]:
    """The U and kW each rack's live reservations hold (``exclude``'s own aside: a resize may stay where it is)."""
    rows = (
        RackReservation.objects.filter(released_at__isnull=True)
        .exclude(resource=exclude)
        .values("rack")
        .annotate(units=Sum("units"), power=Sum("power_kw"))
        .values_list("rack", "units", "power")
    )
    return {rack: (units or 0, power or Decimal(0)) for rack, units, power in rows}
