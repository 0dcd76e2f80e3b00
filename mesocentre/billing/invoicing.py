"""Issuing invoices and credit notes: the verbs the command line (and, next, the portal) call.

- **Numbering.** Two series (and the numbered quotes' D, ``quotes``), each continuous per calendar year of issue: ``F-2026-000001`` for invoices,
  ``A-2026-000001`` for credit notes (avoirs). The next number is taken from the series' counter row, locked with
  ``SELECT … FOR UPDATE`` in the transaction that inserts the invoice, after everything else is computed: two
  issuers wait for each other there, never get the same number, and a transaction rolled back gives its number
  back (nothing was committed), so the sequence has no gap.
- **Issuing** freezes the establishment's draft (``rating.draft``) once its quarter has ended: its lines, its annex,
  its totals, the buyer's identity and purchase order, the seller's (``settings.MESOCENTRE_SELLER_*``). An
  establishment's quarter is invoiced once (a unique constraint); an empty draft is not issued.
- **What it priced.** Issuing links every usage record and measured energy the draft priced to its line (and a
  record of the committee's hours to its annex line: ``PricedUsage``), in the same transaction: a record is
  accounted for once (a unique constraint), and later drafts price only the records nobody accounted for.
- **Credit notes** take back an invoice in full or line by line, never more than what was invoiced minus what
  earlier credit notes took back: each of their lines is the negation of the remainder of the line it corrects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing import chorus, money, rating
from mesocentre.billing.invoice_models import Invoice, InvoiceAnnexLine, InvoiceCounter, InvoiceLine
from mesocentre.billing.priced_models import PricedUsage
from mesocentre.core.formatting import day
from mesocentre.core.formatting import money as written
from mesocentre.tenancy.models import Establishment

QUOTE = "quote"  # numbered quotes (``quotes.issue``) take their numbers here too, series D
SERIES = {Invoice.Kind.INVOICE: "F", Invoice.Kind.CREDIT_NOTE: "A", QUOTE: "D"}
ZERO = Decimal("0.00")


@dataclass
class Outcome:
    """What issuing did for one establishment: ``invoice`` when it issued one, else why not (``skipped``)."""

    establishment: Establishment
    invoice: Invoice | None = None
    skipped: str = ""


def next_number(kind: str, year: int) -> str:
    """The next number of the kind's series (an invoice's kind, or QUOTE) for the year, taken under the counter row's
    lock: call it inside the transaction that inserts the document, as late as possible (the lock is held until it
    commits). ``numbered`` chooses the year."""
    series = SERIES[kind]
    InvoiceCounter.objects.bulk_create([InvoiceCounter(series=series, year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    InvoiceCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    return f"{series}-{year}-{counter.last:06d}"


def numbered(kind: str) -> tuple[str, datetime.datetime]:
    """The next number of the kind's series and the moment of issue, in the same year: the year of the moment of
    issue in the platform's time zone, whatever quarter is invoiced (an invoice of 2026Q4 issued on 5 January 2027
    is in 2027's sequence, so numbers and days of issue go in the same order, as French law asks). The moment is
    read once the year's counter is locked; should the wait for the lock have crossed new year's midnight, the
    number is taken from the new year's series instead (the old year's counter is left as it was: no gap)."""
    series = SERIES[kind]
    while True:
        year = timezone.localtime().year
        InvoiceCounter.objects.bulk_create([InvoiceCounter(series=series, year=year)], ignore_conflicts=True)
        InvoiceCounter.objects.select_for_update().get(series=series, year=year)  # wait for the other issuers
        moment = timezone.now()
        if timezone.localtime(moment).year == year:
            return next_number(kind, year), moment  # the row is ours already: no second wait


def check_ended(quarter: rating.Quarter) -> None:
    today = timezone.localdate()
    if today < quarter.end:
        raise ValidationError(
            {
                "quarter": _("%(quarter)s ends on %(last)s: it is invoiced from %(first)s on, not before.")
                % {
                    "quarter": quarter,
                    "last": day(quarter.end - datetime.timedelta(days=1)),
                    "first": day(quarter.end),
                }
            }
        )


def seller() -> dict:
    """The seller's identity (``settings.MESOCENTRE_SELLER_*``) as an invoice or a numbered quote freezes it."""
    return {
        "seller_name": settings.MESOCENTRE_SELLER_NAME,
        "seller_siret": settings.MESOCENTRE_SELLER_SIRET,
        "seller_vat_number": settings.MESOCENTRE_SELLER_VAT_NUMBER,
        "seller_address": settings.MESOCENTRE_SELLER_ADDRESS,
    }


def _quantity(value: Decimal) -> Decimal:
    """A draft's quantity at the column's precision (hours are seconds ÷ 3600: finer than anyone bills)."""
    return money.to_tariff(value)


def already_issued(establishment: Establishment, quarter: rating.Quarter) -> Invoice | None:
    return Invoice.objects.filter(establishment=establishment, quarter=str(quarter), kind=Invoice.Kind.INVOICE).first()


def issue(establishment: Establishment, quarter: rating.Quarter, *, purchase_order: str = "") -> Outcome:
    """Issue the establishment's invoice for an ended quarter, in one transaction; an outcome says what was done.

    Refused (``ValidationError`` on ``quarter``) before the quarter has ended; skipped when already issued or when
    the draft is empty."""
    check_ended(quarter)
    existing = already_issued(establishment, quarter)
    if existing:
        return Outcome(establishment, skipped=_("already issued as %(number)s") % {"number": existing.number})
    draft = rating.draft(establishment, quarter)
    if not draft.lines and not draft.annex:
        return Outcome(establishment, skipped=_("nothing to invoice (no line, no annex): not issued"))
    try:
        with transaction.atomic():
            invoice = Invoice(
                kind=Invoice.Kind.INVOICE,
                establishment=establishment,
                quarter=str(quarter),
                price_list=establishment.price_list_code,
                total_ht=draft.total_ht,
                total_vat=draft.total_vat,
                total_ttc=draft.total_ht + draft.total_vat,
                buyer_name=establishment.name,
                buyer_siret=establishment.siret,
                buyer_vat_number=establishment.vat_number,
                buyer_service_code=establishment.chorus_service_code,
                buyer_address=establishment.address,
                purchase_order=purchase_order,
                **seller(),
            )
            # The number last: its counter stays locked until this transaction commits.
            invoice.number, invoice.issued_at = numbered(Invoice.Kind.INVOICE)
            invoice.save()
            lines = InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        invoice=invoice,
                        position=position,
                        project=line.project,
                        offering=line.offering,
                        description=line.description,
                        quantity=_quantity(line.quantity),
                        unit=line.unit,
                        unit_price_ht=line.unit_price_ht,
                        amount_ht=line.amount_ht,
                        vat_rate=line.vat_rate,
                        period_start=line.period_start,
                        period_end=line.period_end,
                    )
                    for position, line in enumerate(draft.lines, start=1)
                ]
            )
            annex = InvoiceAnnexLine.objects.bulk_create(
                [
                    InvoiceAnnexLine(
                        invoice=invoice,
                        position=position,
                        project=entry.project,
                        quantity=_quantity(entry.quantity),
                        unit=entry.unit,
                        value_ht=entry.value_ht,
                        granted=_quantity(entry.granted_core_hours),
                        gpu_hours=_quantity(entry.gpu_hours),
                        granted_gpu_hours=_quantity(entry.granted_gpu_hours),
                        period_start=entry.period_start,
                        period_end=entry.period_end,
                    )
                    for position, entry in enumerate(draft.annex, start=1)
                ]
            )
            PricedUsage.objects.bulk_create(priced_usage(invoice, draft, lines, annex))
            # A public buyer's invoice goes to Chorus Pro: its deposit is queued with it, or neither is.
            chorus.queue_deposit(invoice)
    except (IntegrityError, ValidationError):
        # Another issuer got there first (the unique constraint, checked by the model under the counter's lock, or
        # by the database): its number stands, ours was given back with the rollback.
        existing = already_issued(establishment, quarter)
        if not existing:
            raise
        return Outcome(establishment, skipped=_("already issued as %(number)s") % {"number": existing.number})
    return Outcome(establishment, invoice=invoice)


def priced_usage(
    invoice: Invoice, draft: rating.Draft, lines: list[InvoiceLine], annex: list[InvoiceAnnexLine]
) -> list[PricedUsage]:
    """The links of what the draft priced to the invoice's lines and annex lines (in the draft's order)."""
    links = {pk: PricedUsage(invoice=invoice, record_id=pk) for pk in draft.records}
    energies = []
    for drafted, line in zip(draft.lines, lines, strict=True):
        for pk in drafted.records:
            setattr(links[pk], "gpu_line" if drafted.measure == "gpu" else "line", line)
        energies += [PricedUsage(invoice=invoice, energy_id=pk, line=line) for pk in drafted.energies]
    for drafted, entry in zip(draft.annex, annex, strict=True):
        for pk in drafted.records:
            links[pk].annex_line = entry
    return [*links.values(), *energies]


def credited(invoice: Invoice) -> dict[int, Decimal]:
    """Per line of the invoice (by its pk), what its credit notes took back so far (a positive amount HT)."""
    rows = (
        InvoiceLine.objects.filter(credits_line__invoice=invoice)
        .values("credits_line")
        .annotate(taken=Sum("amount_ht"))
        .values_list("credits_line", "taken")
    )
    return {pk: -taken for pk, taken in rows}


def credit(invoice: Invoice, reason: str, lines: list[int] | None = None) -> Invoice:
    """A credit note taking back the invoice in full (``lines`` None: what is left of every line) or the given
    lines (their numbers as printed, from 1), each for what is left of it. Refused, with the figures, for a line
    nothing is left of, a line the invoice does not have, a credit note, or an empty reason."""
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(
            {"number": _("%(number)s is a credit note: credit the invoice it corrects.") % {"number": invoice.number}}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A credit note says why it corrects the invoice.")})
    with transaction.atomic():
        # Credit notes of one invoice one at a time: what is left is read under the invoice's lock.
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        own = list(invoice.lines.order_by("position"))
        taken = credited(invoice)
        by_position = {line.position: line for line in own}
        if lines:
            unknown = sorted(set(lines) - set(by_position))
            if unknown:
                raise ValidationError(
                    {
                        "line": _("%(number)s has lines 1 to %(last)s; no line %(lines)s.")
                        % {
                            "number": invoice.number,
                            "last": len(own),
                            "lines": ", ".join(str(n) for n in unknown),
                        }
                    }
                )
            chosen = [by_position[n] for n in sorted(set(lines))]
            errors = []
            for line in chosen:
                left = line.amount_ht - taken.get(line.pk, ZERO)
                if left <= 0:
                    errors.append(
                        _(
                            "line %(line)s was invoiced %(invoiced)s HT and earlier credit notes took back "
                            "%(taken)s: %(left)s is left to credit."
                        )
                        % {
                            "line": line.position,
                            "invoiced": written(line.amount_ht, cents=True),
                            "taken": written(taken.get(line.pk, ZERO), cents=True),
                            "left": written(max(left, ZERO), cents=True),
                        }
                    )
            if errors:
                raise ValidationError({"line": errors})
        else:
            chosen = [line for line in own if line.amount_ht - taken.get(line.pk, ZERO) > 0]
            if not chosen:
                total_taken = sum(taken.values(), ZERO)
                raise ValidationError(
                    {
                        "number": _(
                            "%(number)s was invoiced %(invoiced)s HT and earlier credit notes took back %(taken)s: "
                            "nothing is left to credit."
                        )
                        % {
                            "number": invoice.number,
                            "invoiced": written(invoice.total_ht, cents=True),
                            "taken": written(total_taken, cents=True),
                        }
                    }
                )
        negated = []
        for line in chosen:
            # A line is taken back whole: its negation (a line is credited once; what is left of it is all of it).
            negated.append(
                InvoiceLine(
                    position=len(negated) + 1,
                    project=line.project,
                    offering=line.offering,
                    description=line.description,
                    quantity=-line.quantity,
                    unit=line.unit,
                    unit_price_ht=line.unit_price_ht,
                    amount_ht=-(line.amount_ht - taken.get(line.pk, ZERO)),
                    vat_rate=line.vat_rate,
                    period_start=line.period_start,
                    period_end=line.period_end,
                    credits_line=line,
                )
            )
        total_ht = sum((line.amount_ht for line in negated), ZERO)
        total_vat = sum(money.vat_by_rate((line.vat_rate, line.amount_ht) for line in negated).values(), ZERO)
        note = Invoice(
            kind=Invoice.Kind.CREDIT_NOTE,
            establishment=invoice.establishment,
            quarter=invoice.quarter,
            price_list=invoice.price_list,
            total_ht=total_ht,
            total_vat=total_vat,
            total_ttc=total_ht + total_vat,
            buyer_name=invoice.buyer_name,
            buyer_siret=invoice.buyer_siret,
            buyer_vat_number=invoice.buyer_vat_number,
            buyer_service_code=invoice.buyer_service_code,
            buyer_address=invoice.buyer_address,
            purchase_order=invoice.purchase_order,
            seller_name=invoice.seller_name,
            seller_siret=invoice.seller_siret,
            seller_vat_number=invoice.seller_vat_number,
            seller_address=invoice.seller_address,
            credits=invoice,
            reason=reason.strip(),
        )
        note.number, note.issued_at = numbered(Invoice.Kind.CREDIT_NOTE)
        note.save()
        for line in negated:
            line.invoice = note
        InvoiceLine.objects.bulk_create(negated)
        # A public buyer receives its credit notes through Chorus Pro as it received the invoice.
        chorus.queue_deposit(note)
    return note
