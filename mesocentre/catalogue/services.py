"""The catalogue's verbs."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mesocentre.catalogue.models import Component, Price


@transaction.atomic
def set_price(component: Component, amount: Decimal, valid_from: datetime.date) -> Price:
    """Start a new tariff on ``valid_from``, closing the open one the day before. The past is untouched: the
    model refuses a start before today, which would end the current price on a day gone by."""
    current = component.prices.select_for_update().filter(valid_until__isnull=True).first()
    if current is not None and current.valid_from >= valid_from:
        raise ValidationError({"valid_from": _("A new tariff must start after the current one started.")})
    if current is not None:
        current.valid_until = valid_from - datetime.timedelta(days=1)
        current.save()
    return Price.objects.create(component=component, amount=amount, valid_from=valid_from)
