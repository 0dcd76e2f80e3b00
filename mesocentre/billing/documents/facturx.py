"""The Factur-X XML (UN/CEFACT CII, profile EN 16931) of an issued invoice or credit note, built with lxml, and the
Factur-X PDF: the invoice's PDF/A-3 with that XML embedded by the ``factur-x`` library.

Where things go (EN 16931 business terms): the number BT-1; 380 (invoice) or 381 (credit note) BT-3, a credit note
written with positive figures (its type carries the sign) and the invoice it corrects in BT-25/BT-26; the Chorus
Pro service code as the buyer reference BT-10; the engagement number as the purchase order BT-13; each party's
SIRET as its private identifier (scheme 0009, BT-29/BT-46) and its SIREN — the SIRET's first nine digits — as its
legal registration (scheme 0002, BT-30/BT-47: the French rules BR-FR-32 want nine digits there) and its electronic
address (scheme 0225, BT-34/BT-49); the VAT breakdown per rate (BG-23), the quarter as the billing period (BG-14).

The French CTC rules (BR-FR, Flux 2) ask besides for the business process S1 (services, BT-23) and the three legal
mentions in notes (PMT, PMD, AAB), and allow at most 4 decimals to a quantity and 6 to a unit price: a quantity
finer than that (hours from seconds) is written rounded to 4 decimals, and a unit price with 7 or 8 decimals (the
tariff's precision) is written per 100 units (base quantity BT-149), exactly; the line's amount is the invoice's.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

import facturx as library
from django.utils import timezone
from lxml import etree

from mesocentre.billing.invoice_models import Invoice

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {Invoice.Kind.INVOICE: "380", Invoice.Kind.CREDIT_NOTE: "381"}
# The legal mentions of a French invoice (Code de commerce L441-10, D441-5), which BR-FR-05 wants as notes.
LEGAL_NOTES = {
    "PMT": "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €.",
    "PMD": "Pénalités de retard : taux d'intérêt de la BCE majoré de 8 points.",
    "AAB": "Pas d'escompte pour paiement anticipé.",
}
PAYMENT_DAYS = 30  # the public sector's legal payment term
# UN/ECE Recommendation 20 codes of the catalogue's units; anything else is counted in ones (C62).
UNIT_CODES = (("kwh", "KWH"), ("hour", "HUR"), ("heure", "HUR"), ("gb", "E34"), ("go", "E34"))
QUANTITY_DECIMALS = Decimal("0.0001")


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def _add(parent, name: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, _q(name), {k.replace("_", ""): v for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _date(parent, name: str, value: datetime.date) -> None:
    _add(_add(parent, name), "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def _plain(value: Decimal) -> str:
    """A quantity, a unit price or a rate with no trailing zero: 1, 48.125, 20."""
    return format(value.normalize(), "f")


def unit_code(unit: str) -> str:
    lowered = unit.lower()
    return next((code for word, code in UNIT_CODES if word in lowered), "C62")


def _address(parent, text: str) -> None:
    """A postal address from the free text the platform holds: a line '75005 Paris' gives the postcode and the
    city, the others the street lines; the country is France unless a last line names another."""
    address = _add(parent, "ram:PostalTradeAddress")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[-1].lower() in ("france", "fr"):
        lines.pop()
    postcode = city = None
    street = []
    for line in lines:
        match = re.fullmatch(r"(\d{5})\s+(.+)", line)
        if match and postcode is None:
            postcode, city = match.groups()
        else:
            street.append(line)
    if postcode:
        _add(address, "ram:PostcodeCode", postcode)
    for name, line in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), street, strict=False):
        _add(address, name, line)
    if city:
        _add(address, "ram:CityName", city)
    _add(address, "ram:CountryID", "FR")


def _party(parent, name: str, party_name: str, siret: str, vat_number: str, address: str) -> None:
    party = _add(parent, name)
    if siret:
        _add(party, "ram:GlobalID", siret, schemeID="0009")
    _add(party, "ram:Name", party_name)
    if siret:
        _add(_add(party, "ram:SpecifiedLegalOrganization"), "ram:ID", siret[:9], schemeID="0002")
    _address(party, address)
    if siret:
        _add(_add(party, "ram:URIUniversalCommunication"), "ram:URIID", siret[:9], schemeID="0225")
    if vat_number:
        _add(_add(party, "ram:SpecifiedTaxRegistration"), "ram:ID", vat_number, schemeID="VA")


def _line(parent, line, sign: int) -> None:
    item = _add(parent, "ram:IncludedSupplyChainTradeLineItem")
    _add(_add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(line.position))
    product = _add(item, "ram:SpecifiedTradeProduct")
    _add(product, "ram:Name", line.description[:200])
    _add(product, "ram:Description", f"{line.project} / {line.offering}")
    price = _add(_add(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    unit = unit_code(line.unit)
    if line.unit_price_ht == line.unit_price_ht.quantize(Decimal("0.000001")):
        _add(price, "ram:ChargeAmount", _plain(line.unit_price_ht))
    else:  # 7 or 8 decimals: per 100 units, exactly (BR-FR-DEC-03 allows 6)
        _add(price, "ram:ChargeAmount", _plain(line.unit_price_ht * 100))
        _add(price, "ram:BasisQuantity", "100", unitCode=unit)
    quantity = (sign * line.quantity).quantize(QUANTITY_DECIMALS, rounding=ROUND_HALF_UP)
    _add(_add(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", _plain(quantity), unitCode=unit)
    settlement = _add(item, "ram:SpecifiedLineTradeSettlement")
    tax = _add(settlement, "ram:ApplicableTradeTax")
    _add(tax, "ram:TypeCode", "VAT")
    _add(tax, "ram:CategoryCode", "S")
    _add(tax, "ram:RateApplicablePercent", _plain(line.vat_rate))
    period = _add(settlement, "ram:BillingSpecifiedPeriod")
    _date(period, "ram:StartDateTime", line.period_start)
    _date(period, "ram:EndDateTime", line.period_end)
    summation = _add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _add(summation, "ram:LineTotalAmount", _amount(sign * line.amount_ht))


def vat_breakdown(lines, sign: int = 1) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, basis HT, VAT) per rate, as ``billing.money.vat_by_rate`` computes the invoice's VAT."""
    from mesocentre.billing import money

    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        bases[line.vat_rate] = bases.get(line.vat_rate, Decimal("0.00")) + sign * line.amount_ht
    vat = money.vat_by_rate(bases.items())
    return [(rate, bases[rate], vat[rate]) for rate in vat]


def build_xml(invoice: Invoice) -> bytes:
    """The invoice's CII XML, EN 16931 profile, UTF-8."""
    sign = -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1
    lines = list(invoice.lines.all())
    issued = timezone.localtime(invoice.issued_at).date()
    root = etree.Element(_q("rsm:CrossIndustryInvoice"), nsmap=NSMAP)
    context = _add(root, "rsm:ExchangedDocumentContext")
    _add(_add(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", "S1")
    _add(_add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    document = _add(root, "rsm:ExchangedDocument")
    _add(document, "ram:ID", invoice.number)
    _add(document, "ram:TypeCode", TYPE_CODES[invoice.kind])
    _date(document, "ram:IssueDateTime", issued)
    if invoice.reason:
        _add(_add(document, "ram:IncludedNote"), "ram:Content", invoice.reason)
    for subject, text in LEGAL_NOTES.items():
        note = _add(document, "ram:IncludedNote")
        _add(note, "ram:Content", text)
        _add(note, "ram:SubjectCode", subject)
    transaction = _add(root, "rsm:SupplyChainTradeTransaction")
    for line in lines:
        _line(transaction, line, sign)
    agreement = _add(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.buyer_service_code:
        _add(agreement, "ram:BuyerReference", invoice.buyer_service_code)
    _party(
        agreement,
        "ram:SellerTradeParty",
        invoice.seller_name,
        invoice.seller_siret,
        invoice.seller_vat_number,
        invoice.seller_address,
    )
    _party(
        agreement,
        "ram:BuyerTradeParty",
        invoice.buyer_name,
        invoice.buyer_siret,
        invoice.buyer_vat_number,
        invoice.buyer_address,
    )
    if invoice.purchase_order:
        _add(_add(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", invoice.purchase_order)
    _add(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(transaction, invoice, lines, sign, issued)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _settlement(transaction, invoice: Invoice, lines, sign: int, issued: datetime.date) -> None:
    settlement = _add(transaction, "ram:ApplicableHeaderTradeSettlement")
    _add(settlement, "ram:InvoiceCurrencyCode", "EUR")
    for rate, basis, vat in vat_breakdown(lines, sign):
        tax = _add(settlement, "ram:ApplicableTradeTax")
        _add(tax, "ram:CalculatedAmount", _amount(vat))
        _add(tax, "ram:TypeCode", "VAT")
        _add(tax, "ram:BasisAmount", _amount(basis))
        _add(tax, "ram:CategoryCode", "S")
        _add(tax, "ram:RateApplicablePercent", _plain(rate))
    if lines:
        period = _add(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", min(line.period_start for line in lines))
        _date(period, "ram:EndDateTime", max(line.period_end for line in lines))
    terms = _add(settlement, "ram:SpecifiedTradePaymentTerms")
    _date(terms, "ram:DueDateDateTime", issued + datetime.timedelta(days=PAYMENT_DAYS))
    summation = _add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _add(summation, "ram:LineTotalAmount", _amount(sign * invoice.total_ht))
    _add(summation, "ram:TaxBasisTotalAmount", _amount(sign * invoice.total_ht))
    _add(summation, "ram:TaxTotalAmount", _amount(sign * invoice.total_vat), currencyID="EUR")
    _add(summation, "ram:GrandTotalAmount", _amount(sign * invoice.total_ttc))
    _add(summation, "ram:DuePayableAmount", _amount(sign * invoice.total_ttc))
    if invoice.credits_id:
        corrected = _add(settlement, "ram:InvoiceReferencedDocument")
        _add(corrected, "ram:IssuerAssignedID", invoice.credits.number)
        formatted = _add(corrected, "ram:FormattedIssueDateTime")
        day = timezone.localtime(invoice.credits.issued_at).date()
        _add(formatted, "qdt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def facturx_pdf(invoice: Invoice, pdf: bytes, language: str) -> bytes:
    """The invoice's PDF/A-3 with its CII XML embedded (``factur-x.xml``), checked against the library's XSD."""
    kind = "Invoice" if invoice.kind == Invoice.Kind.INVOICE else "Credit note"
    metadata = {
        "author": invoice.seller_name,
        "keywords": "Factur-X, " + kind,
        "title": f"{invoice.seller_name}: {kind} {invoice.number}",
        "subject": f"{kind} {invoice.number} to {invoice.buyer_name}",
    }
    return library.generate_from_binary(
        pdf,
        build_xml(invoice),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata=metadata,
        lang="fr-FR" if language.startswith("fr") else "en-GB",
    )
