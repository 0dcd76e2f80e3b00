"""Chorus Pro: issued invoices of French public buyers deposited through PISTE, by the operation queue.

- ``queue_deposit(invoice)`` (called by ``invoicing.issue`` in the transaction that issues the invoice) queues the
  operation ``chorus:invoice/<number>`` and its ``ChorusDeposit`` row when the buyer is a public body that receives
  through Chorus Pro: not a company, with a SIRET and a Chorus Pro service code (the service code is what an
  establishment gives when it wants its invoices there; a SIRET alone does not say so).
- ``driver.ChorusDriver`` (backend ``chorus``) deposits the Factur-X PDF, keeps the flux number, and polls the
  deposit's report until Chorus integrates or rejects it (``client.py`` speaks the API).
- ``document_for(invoice)`` is the Factur-X PDF deposited, made by ``billing.documents.facturx``.
"""

from __future__ import annotations

from mesocentre.billing.invoice_models import Invoice
from mesocentre.tenancy.models import Establishment

BACKEND = "chorus"
RESOURCE = "invoice"
# Polling a deposit goes through the queue's backoff (30 s doubling, capped at one hour): 60 attempts poll for
# about two days and a half, beyond which Chorus's silence is an operator's to look at (retry from the queue).
MAX_ATTEMPTS = 60


def receives_through_chorus(establishment: Establishment) -> bool:
    return (
        establishment.kind != Establishment.Kind.COMPANY
        and bool(establishment.siret)
        and bool(establishment.chorus_service_code)
    )


def queue_deposit(invoice: Invoice) -> None:
    """Queue the invoice's deposit if its buyer receives through Chorus Pro; call inside the issuing transaction."""
    from mesocentre.billing.chorus.models import ChorusDeposit
    from mesocentre.provisioning.services import enqueue

    if not receives_through_chorus(invoice.establishment):
        return
    ChorusDeposit.objects.create(invoice=invoice)
    target = {
        "number": invoice.number,
        "buyer_siret": invoice.buyer_siret,
        "buyer_service_code": invoice.buyer_service_code,
        "total_ttc": str(invoice.total_ttc),
    }
    enqueue(BACKEND, RESOURCE, invoice.number, target, max_attempts=MAX_ATTEMPTS)


def document_for(invoice: Invoice) -> bytes:
    """The invoice's Factur-X PDF, as deposited: the document ``invoices export --format facturx`` writes, in French
    (Chorus Pro's buyers are French public bodies)."""
    from mesocentre.billing.documents.exports import export

    return export(invoice, "facturx", "fr").content
