"""mesocentre invoices draft|issue|credit|list|show: each establishment's draft for a quarter, recomputed from what
its projects held and used (``billing.rating``); issuing it once the quarter has ended, crediting an issued invoice,
and reading the issued ones back (``billing.invoicing``).

    invoices draft --quarter 2026Q4 [--establishment CODE] [--json] [--progress]
    invoices issue --quarter 2026Q4 [--establishment CODE] [--purchase-order NUMBER] [--progress]
    invoices credit NUMBER --reason TEXT [--line N …]
    invoices list [--quarter 2026Q4] [--establishment CODE] [--json]
    invoices show NUMBER [--json]
    invoices export NUMBER --format pdf|facturx|xml|csv --output FILE [--language fr|en]
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mesocentre.billing import invoicing, rating
from mesocentre.billing.models import Invoice
from mesocentre.core.formatting import day, moment, money, number
from mesocentre.metering.management.commands.usage import Progress
from mesocentre.tenancy.models import Establishment


def _refusal(exc: ValidationError) -> CommandError:
    """A service's refusal as the command line says it: the option, then the rule; exit status 2."""
    options = {"quarter": "--quarter", "line": "--line", "reason": "--reason", "number": "NUMBER"}
    parts = [f"{options.get(field, field)}: {' '.join(messages)}" for field, messages in exc.message_dict.items()]
    return CommandError("; ".join(parts), returncode=2)


class Command(BaseCommand):
    help = "Invoices: the quarter's drafts per establishment, issuing them, credit notes, the issued ones."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        draft = verbs.add_parser("draft", help="compute each establishment's draft for a quarter")
        draft.add_argument("--quarter", required=True, help="the quarter, as 2026Q4")
        draft.add_argument("--establishment", help="one establishment's code (default: every one)")
        draft.add_argument("--json", action="store_true", help="print a JSON list of drafts")
        draft.add_argument("--progress", action="store_true", help="a progress bar on stderr even when not a terminal")
        issue = verbs.add_parser("issue", help="issue each establishment's invoice for an ended quarter")
        issue.add_argument("--quarter", required=True, help="the quarter, as 2026Q4")
        issue.add_argument("--establishment", help="one establishment's code (default: every one)")
        issue.add_argument(
            "--purchase-order", default="", help="the buyer's purchase-order (engagement) number; with --establishment"
        )
        issue.add_argument("--progress", action="store_true", help="a progress bar on stderr even when not a terminal")
        credit = verbs.add_parser("credit", help="issue a credit note correcting an invoice, in full or by line")
        credit.add_argument("number", help="the invoice's number, as F-2026-000001")
        credit.add_argument("--reason", required=True, help="why the invoice is corrected")
        credit.add_argument(
            "--line", type=int, action="append", dest="lines", help="a line's number as `show` prints it (repeatable)"
        )
        listing = verbs.add_parser("list", help="the issued invoices and credit notes")
        listing.add_argument("--quarter", help="only this quarter, as 2026Q4")
        listing.add_argument("--establishment", help="only this establishment's code")
        listing.add_argument("--json", action="store_true", help="print a JSON list")
        show = verbs.add_parser("show", help="one issued invoice or credit note, line by line")
        show.add_argument("number", help="its number, as F-2026-000001 or A-2026-000001")
        show.add_argument("--json", action="store_true", help="print it as JSON")
        export = verbs.add_parser("export", help="write an issued invoice or credit note as PDF, Factur-X or CSV")
        export.add_argument("number", help="its number, as F-2026-000001 or A-2026-000001")
        export.add_argument("--format", required=True, help="pdf, facturx (PDF/A-3 with its CII XML), xml or csv")
        export.add_argument("--output", required=True, help="the file to write")
        export.add_argument("--language", default=None, help="the document's language: fr or en (default: settings)")

    def handle(self, *args, **options):
        verb = options["verb"]
        if verb == "issue":
            return self._issue(options)
        if verb == "credit":
            return self._credit(options)
        if verb == "list":
            return self._list(options)
        if verb == "show":
            return self._show(options)
        if verb == "export":
            return self._export(options)
        return self._draft(options)

    def _quarter(self, text: str) -> rating.Quarter:
        try:
            return rating.Quarter.parse(text)
        except ValidationError as exc:
            raise CommandError(f"--quarter: {' '.join(exc.message_dict['quarter'])}", returncode=2) from None

    def _establishments(self, code: str | None):
        establishments = Establishment.objects.order_by("code")
        if code:
            establishments = establishments.filter(code=code)
            if not establishments.exists():
                raise CommandError(
                    _("--establishment: no establishment has the code %(code)s.") % {"code": code}, returncode=2
                )
        return establishments

    def _progress(self, total: int, forced: bool) -> Progress:
        """The usage import's bar, over establishments: on stderr when it is a terminal, or when asked."""
        progress = Progress(self.stderr, total)
        progress.on = progress.on or forced
        return progress

    def _invoice(self, number_: str) -> Invoice:
        invoice = Invoice.objects.for_listing().filter(number=number_).first()
        if invoice is None:
            raise CommandError(
                _("NUMBER: no invoice or credit note is numbered %(number)s.") % {"number": number_}, returncode=2
            )
        return invoice

    def _issue(self, options) -> None:
        quarter = self._quarter(options["quarter"])
        if options["purchase_order"] and not options.get("establishment"):
            raise CommandError(
                _("--purchase-order: a purchase order is one establishment's; give --establishment too."), returncode=2
            )
        try:
            invoicing.check_ended(quarter)
        except ValidationError as exc:
            raise _refusal(exc) from None
        establishments = self._establishments(options.get("establishment"))
        total = establishments.count()
        issued = 0
        progress = self._progress(total, options["progress"])
        for index, establishment in enumerate(establishments, start=1):
            # Each establishment in its own transaction: an interrupted run keeps what it issued, a rerun skips it.
            outcome = invoicing.issue(establishment, quarter, purchase_order=options["purchase_order"])
            progress.bytes_read(index)
            if outcome.invoice:
                issued += 1
                invoice = outcome.invoice
                self.stdout.write(
                    _("%(number)s issued to %(establishment)s for %(quarter)s: %(ttc)s TTC")
                    % {
                        "number": invoice.number,
                        "establishment": establishment.name,
                        "quarter": quarter,
                        "ttc": money(invoice.total_ttc, cents=True),
                    }
                )
            else:
                self.stdout.write(
                    _("%(establishment)s, %(quarter)s: %(why)s")
                    % {"establishment": establishment.name, "quarter": quarter, "why": outcome.skipped}
                )
        progress.end()
        self.stdout.write(
            _("%(issued)s invoices issued for %(quarter)s, of %(total)s establishments.")
            % {"issued": number(issued), "quarter": quarter, "total": number(total)}
        )

    def _credit(self, options) -> None:
        invoice = self._invoice(options["number"])
        try:
            note = invoicing.credit(invoice, options["reason"], options.get("lines"))
        except ValidationError as exc:
            raise _refusal(exc) from None
        self.stdout.write(
            _("%(note)s issued: credits %(ht)s HT (%(ttc)s TTC) of %(number)s.")
            % {
                "note": note.number,
                "ht": money(-note.total_ht, cents=True),
                "ttc": money(-note.total_ttc, cents=True),
                "number": invoice.number,
            }
        )

    def _list(self, options) -> None:
        invoices = Invoice.objects.for_listing().order_by("issued_at", "pk")
        if options.get("quarter"):
            invoices = invoices.filter(quarter=str(self._quarter(options["quarter"])))
        if options.get("establishment"):
            invoices = invoices.filter(establishment__in=self._establishments(options["establishment"]))
        if options["json"]:
            self.stdout.write(json.dumps([i.as_dict() for i in invoices], indent=2, ensure_ascii=False))
            return
        for invoice in invoices:
            self.stdout.write(self._heading(invoice))

    def _show(self, options) -> None:
        invoice = self._invoice(options["number"])
        if options["json"]:
            self.stdout.write(json.dumps(invoice.as_dict(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(self._heading(invoice))
        self.stdout.write(
            "  "
            + _("buyer: %(name)s, SIRET %(siret)s, VAT %(vat)s, service code %(service)s, purchase order %(po)s")
            % {
                "name": invoice.buyer_name,
                "siret": invoice.buyer_siret or "—",
                "vat": invoice.buyer_vat_number or "—",
                "service": invoice.buyer_service_code or "—",
                "po": invoice.purchase_order or "—",
            }
        )
        self.stdout.write(
            "  "
            + _("seller: %(name)s, SIRET %(siret)s, VAT %(vat)s")
            % {"name": invoice.seller_name, "siret": invoice.seller_siret, "vat": invoice.seller_vat_number}
        )
        if invoice.credits_id:
            self.stdout.write("  " + _("reason: %(reason)s") % {"reason": invoice.reason})
        for line in invoice.lines.all():
            self.stdout.write(
                f"  {line.position:>3}. {line.project:<20} {line.description:<60} {number(line.quantity):>12} "
                f"{line.unit:<12} {money(line.unit_price_ht):>16} {money(line.amount_ht, cents=True):>14}  "
                f"{day(line.period_start)} – {day(line.period_end)}"
            )
        self._annex(invoice.annex.all(), "granted")

    def _export(self, options) -> None:
        from mesocentre.billing.documents.exports import FORMATS, export

        if options["format"] not in FORMATS:
            raise CommandError(
                _("--format: unknown format %(format)s; choose one of %(formats)s.")
                % {"format": options["format"], "formats": ", ".join(FORMATS)},
                returncode=2,
            )
        languages = [code for code, _name in settings.LANGUAGES]
        language = options["language"] or settings.LANGUAGE_CODE
        if language not in languages:
            raise CommandError(
                _("--language: unknown language %(language)s; choose one of %(languages)s.")
                % {"language": language, "languages": ", ".join(languages)},
                returncode=2,
            )
        invoice = self._invoice(options["number"])
        document = export(invoice, options["format"], language)
        output = Path(options["output"])
        try:
            output.write_bytes(document.content)
        except OSError as exc:
            raise CommandError(
                _("--output: cannot write %(path)s: %(why)s.") % {"path": output, "why": exc.strerror or exc},
                returncode=2,
            ) from None
        self.stdout.write(
            _("%(number)s written to %(path)s (%(format)s, %(size)s bytes).")
            % {"number": invoice.number, "path": output, "format": options["format"], "size": len(document.content)}
        )

    def _heading(self, invoice: Invoice) -> str:
        values = {
            "number": invoice.number,
            "establishment": invoice.buyer_name,
            "quarter": invoice.quarter,
            "issued": moment(invoice.issued_at),
            "ht": money(invoice.total_ht, cents=True),
            "vat": money(invoice.total_vat, cents=True),
            "ttc": money(invoice.total_ttc, cents=True),
        }
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            values["credits"] = invoice.credits.number
            return (
                _(
                    "%(number)s credit note of %(credits)s, %(establishment)s, %(quarter)s, issued %(issued)s: "
                    "%(ht)s HT, %(vat)s VAT, %(ttc)s TTC"
                )
                % values
            )
        return (
            _(
                "%(number)s invoice, %(establishment)s, %(quarter)s, issued %(issued)s: %(ht)s HT, %(vat)s VAT, %(ttc)s TTC"
            )
            % values
        )

    def _annex(self, entries, granted_attr: str) -> None:
        for entry in entries:
            self.stdout.write(
                "  "
                + _("annex: %(project)s consumed %(hours)s core-hours of the %(granted)s granted, worth %(value)s")
                % {
                    "project": entry.project,
                    "hours": number(entry.quantity),
                    "granted": number(getattr(entry, granted_attr)),
                    "value": money(entry.value_ht, cents=True),
                }
            )

    def _draft(self, options) -> None:
        quarter = self._quarter(options["quarter"])
        establishments = self._establishments(options.get("establishment"))
        drafts = []
        progress = self._progress(establishments.count(), options["progress"])
        for index, establishment in enumerate(establishments, start=1):
            drafts.append(rating.draft(establishment, quarter))
            progress.bytes_read(index)
        progress.end()
        if options["json"]:
            self.stdout.write(json.dumps([d.as_dict() for d in drafts], indent=2, ensure_ascii=False))
            return
        for draft in drafts:
            self._write(draft)

    def _write(self, draft: rating.Draft) -> None:
        data = draft.as_dict()
        self.stdout.write(
            _("%(establishment)s, %(quarter)s (draft): %(ht)s HT, %(vat)s VAT, %(ttc)s TTC")
            % {
                "establishment": draft.establishment.name,
                "quarter": data["quarter"],
                "ht": money(draft.total_ht, cents=True),
                "vat": money(draft.total_vat, cents=True),
                "ttc": money(draft.total_ht + draft.total_vat, cents=True),
            }
        )
        for line in draft.lines:
            self.stdout.write(
                f"  {line.project:<20} {line.description:<60} {number(line.quantity):>12} {line.unit:<12} "
                f"{money(line.unit_price_ht):>16} {money(line.amount_ht, cents=True):>14}  "
                f"{day(line.period_start)} – {day(line.period_end)}"
            )
        self._annex(draft.annex, "granted_core_hours")
