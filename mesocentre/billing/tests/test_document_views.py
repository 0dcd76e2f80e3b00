"""The portal's downloads of an issued invoice (``billing:invoice-document``): its establishment's managers and the
operators get every format, in their language; a manager of another establishment, a member, or anyone asking for
an unknown format or number gets a 404; the anonymous the login page."""

import pytest
from django.test import Client
from django.urls import reverse

from mesocentre.billing.tests.test_documents import issued  # noqa: F401
from mesocentre.tenancy.models import Establishment, Membership


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(issued, user_factory, shop):  # noqa: F811
    invoice = issued[0]
    manager = user_factory("ehess-manager")
    Membership.objects.create(user=manager, establishment=invoice.establishment, role="manager")
    member = user_factory("ehess-member")
    Membership.objects.create(user=member, establishment=invoice.establishment, role="member")
    other = user_factory("other-manager")
    Membership.objects.create(user=other, establishment=Establishment.objects.get(code="cnrs"), role="manager")
    return invoice, manager, member, other, shop.w.operator


def url(number: str, format: str) -> str:
    return reverse("billing:invoice-document", kwargs={"number": number, "format": format})


def test_a_manager_downloads_each_format_and_another_establishments_manager_gets_a_404(people):
    invoice, manager, member, other, operator = people
    expected = {
        "pdf": ("application/pdf", "F-2026-000001.pdf", b"%PDF-"),
        "facturx": ("application/pdf", "F-2026-000001-facturx.pdf", b"%PDF-"),
        "xml": ("application/xml", "F-2026-000001-facturx.xml", b"<?xml"),
        "csv": ("text/csv; charset=utf-8", "F-2026-000001.csv", b"\xef\xbb\xbf"),
    }
    for user in (manager, operator):
        client = logged_in(user)
        for format, (content_type, filename, magic) in expected.items():
            response = client.get(url(invoice.number, format))
            assert response.status_code == 200, (user, format)
            assert response["Content-Type"] == content_type
            assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
            assert response.content.startswith(magic)
    french = logged_in(manager).get(url(invoice.number, "csv"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Montant HT" in french.content.decode("utf-8-sig").splitlines()[0]
    for user in (other, member):
        assert logged_in(user).get(url(invoice.number, "pdf")).status_code == 404, user
    assert logged_in(manager).get(url(invoice.number, "docx")).status_code == 404
    assert logged_in(manager).get(url("F-2026-999999", "pdf")).status_code == 404
    anonymous = Client().get(url(invoice.number, "pdf"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
