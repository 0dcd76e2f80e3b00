"""Numbered quotes (``billing.quotes``): issued from a calculator basket by the command line, the API and the
calculator page, numbered D-2026-000001… without a gap (a refused basket or a rolled-back issue takes no number),
equal to what the calculator says to the cent, frozen once issued, for the signed-in only. On the drafts' world
(2026-06-15), prices of that day."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from mesocentre.billing import quotes
from mesocentre.billing.api.serializers import QuoteRequestSerializer
from mesocentre.billing.models import QuoteDocument

BASKET = {
    "period": "year",
    "price_list": "academic",
    "date": "2026-06-15",
    "items": [
        {"kind": "cloud-vm", "tier": "gold", "vcpu": 2, "ram_gb": 4, "disk_gb": 50, "count": 3},
        {"kind": "backup", "storage_gb": "100"},
    ],
}
REFUSED = {**BASKET, "items": [{"kind": "cloud-vm", "tier": "platinum", "vcpu": 2, "ram_gb": 4, "disk_gb": 50}]}


def calculator(basket: dict, language: str = "en") -> dict:
    response = APIClient().post(reverse("billing-api:quote"), basket, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response.json()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def signed_in(shop):
    api, page = APIClient(), Client()
    api.force_authenticate(shop.w.pi)
    page.force_login(shop.w.pi)
    return api, page


def test_quotes_are_numbered_without_a_gap_whichever_way_they_are_issued(shop, signed_in, tmp_path, capsys):
    api, page = signed_in
    answered = api.post(reverse("billing-api:quote-issue"), BASKET, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert answered.status_code == 201 and answered["Content-Type"] == "application/pdf"
    assert answered["Content-Disposition"] == 'attachment; filename="D-2026-000001.pdf"'
    refused = api.post(reverse("billing-api:quote-issue"), REFUSED, format="json")
    assert refused.status_code == 400 and "tier" in refused.json()["items"]["0"]
    posted = page.post(reverse("billing:quote-issue"), {"basket": json.dumps(BASKET)})
    assert posted.status_code == 200 and posted["Content-Disposition"] == 'attachment; filename="D-2026-000002.pdf"'
    for bad in (json.dumps(REFUSED), "{not json", json.dumps([1, 2]), "x" * 70_000):
        answer = page.post(reverse("billing:quote-issue"), {"basket": bad})
        assert answer.status_code == 400, bad[:30]
    # A number taken in a transaction rolled back afterwards is given back.
    quote = QuoteRequestSerializer(data=BASKET)
    quote.is_valid(raise_exception=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert quotes.issue(quote.create_quote(), quote.validated_data).number == "D-2026-000003"
        raise RuntimeError("interrupted")
    output = tmp_path / "devis.pdf"
    call_command(
        "quote", "cloud-vm", "--tier", "gold", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50", "--count", "3",
        "--date", "2026-06-15", "--issue", "--output", str(output), "--language", "fr",
    )  # fmt: skip
    assert "D-2026-000003 issued" in capsys.readouterr().out
    assert list(QuoteDocument.objects.values_list("number", flat=True)) == [f"D-2026-00000{n}" for n in (1, 2, 3)]
    assert QuoteDocument.objects.get(number="D-2026-000001").requested_by == shop.w.pi.username
    assert output.read_bytes().startswith(b"%PDF-")


def test_a_numbered_quote_says_what_the_calculator_says_to_the_cent(shop, signed_in):
    api, _page = signed_in
    expected = calculator(BASKET, "fr")  # the lines' descriptions are in the language of the request
    pdf = api.post(reverse("billing-api:quote-issue"), BASKET, format="json", HTTP_ACCEPT_LANGUAGE="fr").content
    document = QuoteDocument.objects.get()
    assert (str(document.total_ht), str(document.total_vat), str(document.total_ttc)) == (
        expected["total_ht"],
        expected["total_vat"],
        expected["total_ttc"],
    )
    assert document.lines == [{k: v for k, v in line.items() if k != "display"} for line in expected["lines"]]
    assert document.vat == [{"rate": v["rate"], "amount": v["amount"]} for v in expected["vat"]]
    assert document.basket["items"][0]["plan"] == "gold" and document.prices_of.isoformat() == "2026-06-15"
    with pytest.raises(ValidationError):
        document.save()  # issued: never changed
    with pytest.raises(DatabaseError), transaction.atomic():
        QuoteDocument.objects.filter(pk=document.pk).update(total_ttc=0)  # nor by the database's hand
    text = text_of(pdf)
    for shown in ("D-2026-000001", "15 juin 2026", expected["display"]["total_ttc"], expected["display"]["total_ht"]):
        assert shown in text, f"{shown!r} not in the quote's PDF:\n{text}"


def test_the_anonymous_may_price_a_basket_but_not_take_a_number(shop):
    assert APIClient().post(reverse("billing-api:quote-issue"), BASKET, format="json").status_code in (401, 403)
    answer = Client().post(reverse("billing:quote-issue"), {"basket": json.dumps(BASKET)})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    assert not QuoteDocument.objects.exists()


def test_quote_issue_on_the_command_line_refuses_what_it_cannot_do_before_taking_a_number(shop, tmp_path):
    gold = ["quote", "cloud-vm", "--tier", "gold", "--vcpu", "2", "--ram-gb", "4", "--disk-gb", "50"]
    refusals = [
        (["--issue"], "--output"),
        (["--output", str(tmp_path / "x.pdf")], "--output"),
        (["--issue", "--output", str(tmp_path / "no" / "x.pdf")], "--output"),
        (["--issue", "--output", str(tmp_path / "x.pdf"), "--language", "de"], "--language"),
    ]
    for extra, option in refusals:
        with pytest.raises(CommandError, match=option) as refused:
            call_command(*gold, *extra)
        assert refused.value.returncode == 2
    assert not QuoteDocument.objects.exists()


def test_the_calculator_pages_numbered_quotes_count_against_the_apis_bound(shop, signed_in, monkeypatch):
    from django.core.cache import cache

    from mesocentre.billing.api.views import QuoteIssueThrottle

    cache.clear()
    monkeypatch.setattr(QuoteIssueThrottle, "rate", "2/hour")
    api, page = signed_in
    assert api.post(reverse("billing-api:quote-issue"), BASKET, format="json").status_code == 201
    assert page.post(reverse("billing:quote-issue"), {"basket": json.dumps(BASKET)}).status_code == 200
    refused = page.post(reverse("billing:quote-issue"), {"basket": json.dumps(BASKET)})
    assert refused.status_code == 429 and QuoteDocument.objects.count() == 2
    assert api.post(reverse("billing-api:quote-issue"), BASKET, format="json").status_code == 429
