"""The catalogue's verbs."""

import datetime
from decimal import Decimal

from django.db import transaction

from mesocentre.catalogue.models import Component, Price


@transaction.atomic
def set_price(component: Component, amount: Decimal, valid_from: datetime.date) -> Price:
    """Start a new tariff on ``valid_from``, closing the open one the day before. The past is untouched."""
    current = component.prices.select_for_update().filter(valid_until__isnull=True).first()
    if current is not None and current.valid_from >= valid_from:
        from django.core.exceptions import ValidationError

        raise ValidationError({"valid_from": "A new tariff must start after the current one started."})
    if current is not None:
        current.valid_until = valid_from - datetime.timedelta(days=1)
        current.save()
    return Price.objects.create(component=component, amount=amount, valid_from=valid_from)
