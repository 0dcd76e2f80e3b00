"""mesocentre quote KIND [options]: the cost calculator on the command line.

quote cloud-vm --tier gold --vcpu 2 --ram-gb 4 --disk-gb 50 [--json]
quote cloud-vm … --issue --output devis.pdf [--language fr]   a numbered quote (D-2026-000001) as PDF
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mesocentre.billing.api.serializers import QuoteRequestSerializer

# Each kind's options, as (option, field); every value is validated by the API's serializer, so the command
# line and the API accept and refuse exactly the same things.
KIND_OPTIONS = {
    "cloud-vm": [("--tier", "tier"), ("--vcpu", "vcpu"), ("--ram-gb", "ram_gb"), ("--disk-gb", "disk_gb")],
    "hpc": [("--core-hours", "core_hours"), ("--gpu-hours", "gpu_hours")],
    "gpu-booking": [("--node-hours", "node_hours")],
    "storage": [("--gb", "storage_gb")],
    "backup": [("--gb", "storage_gb")],
    "rack": [("--kwh", "kwh"), ("--kwh-price", "kwh_price")],
}
COMMON = [("--count", "count"), ("--plan", "plan")]


def option_for(field: str, kind: str) -> str:
    for option, name in KIND_OPTIONS.get(kind, []) + COMMON + [("--period", "period"), ("--price-list", "price_list")]:
        if name == field:
            return option
    return {"date": "--date", "kind": "KIND"}.get(field, field)


def flatten(errors, kind: str) -> list[str]:
    """DRF's nested errors → ['--vcpu: Ensure this value is greater than or equal to 1.']."""
    messages = []
    if isinstance(errors, list):
        for entry in errors:
            messages.extend(flatten(entry, kind) if isinstance(entry, dict | list) else [str(entry)])
        return messages
    for field, value in errors.items():
        if field in ("items", "non_field_errors") or isinstance(field, int):
            messages.extend(flatten(value, kind))
            continue
        texts = value if isinstance(value, list) else [value]
        messages.extend(f"{option_for(field, kind)}: {text}" for text in texts)
    return messages


class Command(BaseCommand):
    help = "Quote services from the catalogue, per quarter or per year, HT and TTC, line by line."

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, options in KIND_OPTIONS.items():
            sub = kinds.add_parser(kind, help=f"quote {kind}")
            for option, field in options + COMMON:
                sub.add_argument(option, dest=field)
            sub.add_argument("--period", default="year", help="year or quarter (default: year)")
            sub.add_argument("--price-list", dest="price_list", default="academic", help="academic or company")
            sub.add_argument("--date", help="prices valid on this day (YYYY-MM-DD), today by default")
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            sub.add_argument("--issue", action="store_true", help="issue it as a numbered quote (needs --output)")
            sub.add_argument("--output", help="with --issue: the PDF file to write")
            sub.add_argument("--language", help="with --issue: the PDF's language, fr or en (default: settings)")

    def handle(self, *args, **options):
        kind = options["kind"]
        language = self._check_issue(options)
        fields = [field for _, field in KIND_OPTIONS[kind] + COMMON]
        item = {"kind": kind, **{f: options[f] for f in fields if options.get(f) is not None}}
        request = {"period": options["period"], "price_list": options["price_list"], "items": [item]}
        if options.get("date"):
            request["date"] = options["date"]
        serializer = QuoteRequestSerializer(data=request)
        try:
            serializer.is_valid(raise_exception=True)
            quote = serializer.create_quote()
            result = quote.as_dict()
        except Exception as exc:
            detail = getattr(exc, "detail", None)
            if detail is None:
                raise
            raise CommandError("\n".join(flatten(detail, kind)), returncode=2) from None
        if options["issue"]:
            return self._issue(quote, serializer.validated_data, language, Path(options["output"]))
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(render_table(result))

    def _check_issue(self, options) -> str:
        """The PDF's language, once --issue, --output and --language are checked (before anything is numbered)."""
        if not options["issue"]:
            for option in ("output", "language"):
                if options.get(option):
                    raise CommandError(f"--{option}: only with --issue.", returncode=2)
            return ""
        if not options.get("output"):
            raise CommandError("--output: give the PDF file to write the numbered quote to.", returncode=2)
        if not Path(options["output"]).parent.is_dir():
            raise CommandError(f"--output: no directory {Path(options['output']).parent}.", returncode=2)
        languages = [code for code, _name in settings.LANGUAGES]
        language = options.get("language") or settings.LANGUAGE_CODE
        if language not in languages:
            raise CommandError(f"--language: choose one of {', '.join(languages)}.", returncode=2)
        return language

    def _issue(self, quote, basket: dict, language: str, output: Path) -> None:
        from mesocentre.billing import quotes
        from mesocentre.billing.documents.pdf import quote_pdf

        document = quotes.issue(quote, basket)
        try:
            output.write_bytes(quote_pdf(document, language))
        except OSError as exc:
            # The number stands (a quote is issued once numbered); its PDF can be written again from the row.
            raise CommandError(
                f"--output: {document.number} issued, but {output} cannot be written: {exc}", returncode=2
            ) from None
        self.stdout.write(f"{document.number} issued: {document.total_ttc} EUR TTC, written to {output}")


def render_table(result: dict) -> str:
    """The quote as a table, its figures as ``core.formatting`` writes them (the ``display`` of each part)."""
    header = ("Description", "Quantity", "Unit", "Unit price HT", "Amount HT")
    rows = [header] + [
        (
            line["description"],
            line["display"]["quantity"],
            line["unit"],
            line["display"]["unit_price_ht"],
            line["display"]["amount_ht"],
        )
        for line in result["lines"]
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    out = [f"Quote per {result['period']}, {result['price_list']} price list, prices of {result['display']['date']}"]
    for index, row in enumerate(rows):
        out.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    totals = (
        [("Total HT", result["display"]["total_ht"])]
        + [(f"VAT {vat['display']['rate']}", vat["display"]["amount"]) for vat in result["vat"]]
        + [("Total TTC", result["display"]["total_ttc"])]
    )
    figure = max(widths[-1], *(len(value) for _, value in totals))
    width = max(sum(widths) + 2 * (len(widths) - 1), figure + 2 + max(len(label) for label, _ in totals))
    for label, value in totals:
        out.append(label.rjust(width - figure - 2) + "  " + value.rjust(figure))
    return "\n".join(out)
