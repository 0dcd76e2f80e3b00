"""The ``chorus`` backend: one operation per invoice deposited (``chorus:invoice/<number>``).

Applying it deposits the invoice's Factur-X PDF once, then reads the deposit's report until Chorus Pro has made up
its mind. The flux number is written, as soon as Chorus gives it, to the operation's result (fenced on this attempt)
and to the invoice's ``ChorusDeposit``: an attempt that finds one polls instead of depositing again, so a retry, a
worker restarted or a lease taken over never deposits the invoice twice, except for a worker killed between
Chorus's answer and that write (at least once, as the mail backend; Chorus refuses a duplicate invoice number).

While Chorus processes it, the attempt ends in ``StillProcessing`` and the queue's backoff brings it back later;
``IN_INTEGRE`` ends it done, a rejection ends it failed for good with Chorus's reasons. Without credentials the
operation waits (``NotReady``), its attempts untouched.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from mesocentre.billing import chorus
from mesocentre.billing.chorus.client import ChorusClient, ChorusConfig
from mesocentre.billing.chorus.models import ChorusDeposit
from mesocentre.billing.invoice_models import Invoice
from mesocentre.provisioning.drivers import (
    DriftItem,
    Driver,
    DriverError,
    NotReady,
    PermanentError,
    checkpoint,
    register,
)
from mesocentre.provisioning.drivers.base import last_applied_target

INTEGRATED = {"IN_INTEGRE"}
# One invoice per flux: a partial integration integrated nothing of it.
REJECTED = {"IN_REJETE", "IN_INTEGRE_PARTIEL"}


class StillProcessing(DriverError):
    """Chorus Pro has the deposit and has not decided yet: the queue looks again after its backoff."""


@register
class ChorusDriver(Driver):
    name = chorus.BACKEND
    lease_seconds = 120  # two HTTP calls of at most MESOCENTRE_CHORUS_TIMEOUT (30 s) each, with a checkpoint before
    handles = {chorus.RESOURCE: "deposit"}

    def deposit(self, operation) -> dict:
        config = ChorusConfig.from_settings()
        if config.missing():
            raise NotReady(_("Chorus Pro is not configured: set %(names)s.") % {"names": ", ".join(config.missing())})
        invoice = Invoice.objects.filter(number=operation.resource_key).select_related("establishment").first()
        if invoice is None:
            raise PermanentError(_("No invoice is numbered %(number)s.") % {"number": operation.resource_key})
        record, _created = ChorusDeposit.objects.get_or_create(invoice=invoice)
        client = ChorusClient(config)
        flux = str((operation.result or {}).get("flux_number") or record.flux_number)
        if not flux:
            flux = self._deposit(operation, invoice, record, client)
        checkpoint()
        report = client.report(flux)
        return self._judge(record, flux, report)

    def _deposit(self, operation, invoice: Invoice, record: ChorusDeposit, client: ChorusClient) -> str:
        from mesocentre.provisioning.models import Operation

        content = chorus.document_for(invoice)
        checkpoint()
        answer = client.deposit(f"{invoice.number}.pdf", content)
        flux = str(answer["numeroFluxDepot"])
        now = timezone.now()
        ChorusDeposit.objects.filter(pk=record.pk).update(
            flux_number=flux, status=ChorusDeposit.Status.DEPOSITED, deposited_at=now, last_updated=now
        )
        # The checkpoint: the next attempt polls this flux instead of depositing again (only while this attempt is
        # still this worker's: a successor that took over writes its own).
        Operation.objects.filter(pk=operation.pk, state="running", attempts=operation.attempts).update(
            result={"flux_number": flux, "deposited_at": now.isoformat()}
        )
        operation.result = {"flux_number": flux, "deposited_at": now.isoformat()}
        return flux

    @staticmethod
    def _judge(record: ChorusDeposit, flux: str, report: dict) -> dict:
        state = str(report["etatCourantDepotFlux"])
        reasons = _reasons(report)
        if state in INTEGRATED:
            status = ChorusDeposit.Status.INTEGRATED
        elif state in REJECTED:
            status = ChorusDeposit.Status.REJECTED
        else:
            status = ChorusDeposit.Status.DEPOSITED
        now = timezone.now()
        ChorusDeposit.objects.filter(pk=record.pk).update(
            flux_number=flux, status=status, chorus_status=state, status_text=reasons, status_at=now, last_updated=now
        )
        if status == ChorusDeposit.Status.REJECTED:
            raise PermanentError(
                _("Chorus Pro rejected deposit %(flux)s (%(state)s): %(reasons)s")
                % {"flux": flux, "state": state, "reasons": reasons or _("no reason given")}
            )
        if status == ChorusDeposit.Status.DEPOSITED:
            raise StillProcessing(
                _("Chorus Pro is processing deposit %(flux)s (%(state)s); looked at again later.")
                % {"flux": flux, "state": state}
            )
        return {"backend_id": flux, "flux_number": flux, "status": state, "notes": reasons}

    def read_actual(self, resource_type: str, key: str) -> dict | None:
        """What was deposited is Chorus's: the target last integrated, as the queue recorded it."""
        return last_applied_target(self.name, resource_type, key)

    def reconcile(self) -> list[DriftItem]:
        # An invoice deposited is never changed (a correction is a credit note): nothing to converge.
        return []


def _reasons(report: dict) -> str:
    """Chorus's reasons: the report's errors (``listeErreurDP``, one object or a list), else its label."""
    errors = report.get("listeErreurDP") or []
    if isinstance(errors, dict):
        errors = [errors]
    texts = [str(e.get("libelleErreurDP", "")).strip() for e in errors if isinstance(e, dict)]
    texts = [t for t in texts if t]
    return " ".join(texts) if texts else str(report.get("libelle", "") or "")
