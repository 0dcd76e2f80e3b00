# ruff: noqa: F811 (the fixtures of the invoices' tests, imported: pytest passes them by name)
"""The Chorus Pro deposit driver, tested at its HTTP boundary: a local server plays PISTE and Chorus Pro
(``chorus_standin``), since the real service cannot be reached from here. The world of the invoices' tests
(2026-06-15: Q1 2026 has ended); EHESS is a public buyer with a SIRET and a Chorus Pro service code, the CNRS has
neither."""

import base64
import datetime
import json

import pytest

from mesocentre.billing import chorus, invoicing
from mesocentre.billing.chorus.client import ChorusClient, ChorusConfig, ChorusRefused, forget_tokens
from mesocentre.billing.models import ChorusDeposit, Invoice
from mesocentre.billing.tests.chorus_standin import CLIENT_ID, CLIENT_SECRET, FLUX, TOKEN_PATH, StandIn
from mesocentre.billing.tests.test_invoicing import Q1, billed, paying  # noqa: F401 (fixtures)
from mesocentre.provisioning import services
from mesocentre.provisioning.models import Operation

DEPOSIT, REPORT = "/cpro/factures/v1/deposer/flux", "/cpro/transverses/v1/consulterCRDetaille"


@pytest.fixture
def standin(settings):
    server = StandIn().start()
    settings.MESOCENTRE_CHORUS_TOKEN_URL = server.url + TOKEN_PATH
    settings.MESOCENTRE_CHORUS_API_URL = server.url + "/cpro"
    settings.MESOCENTRE_CHORUS_CLIENT_ID, settings.MESOCENTRE_CHORUS_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.MESOCENTRE_CHORUS_LOGIN, settings.MESOCENTRE_CHORUS_PASSWORD = "TECH_1234@cpro.fr", "s3cret:pw"
    settings.MESOCENTRE_CHORUS_TIMEOUT = 5
    forget_tokens()
    yield server
    forget_tokens()
    server.stop()


@pytest.fixture
def document(monkeypatch):
    """The Factur-X PDF deposited (its module is another's): bytes of the invoice's own."""
    monkeypatch.setattr(chorus, "document_for", lambda invoice: b"%PDF-1.7 factur-x of " + invoice.number.encode())


@pytest.fixture
def issued(billed, document):
    invoicing.issue(billed.w.cnrs, Q1)
    invoicing.issue(billed.ehess, Q1)
    return Invoice.objects.get(establishment=billed.ehess)


def apply_next(worker: str = "w1") -> Operation:
    return services.run_operation(services.claim_next(worker), worker)


def later(time_machine, minutes: int = 90) -> None:
    """Past the queue's backoff (at most an hour)."""
    time_machine.shift(datetime.timedelta(minutes=minutes))


def test_an_invoice_of_a_public_buyer_is_queued_with_its_issue_and_no_other(issued):
    [operation] = Operation.objects.filter(backend="chorus")
    assert (operation.resource_type, operation.resource_key, operation.state) == ("invoice", issued.number, "pending")
    assert operation.max_attempts == chorus.MAX_ATTEMPTS
    assert ChorusDeposit.objects.get().invoice == issued and ChorusDeposit.objects.get().status == "queued"
    cnrs = Invoice.objects.get(establishment__code="cnrs")
    assert not chorus.receives_through_chorus(cnrs.establishment), "no SIRET, no service code: not through Chorus"
    issued.establishment.kind = "company"
    assert not chorus.receives_through_chorus(issued.establishment)


def test_deposited_once_polled_until_integrated_then_done(issued, standin, time_machine):
    standin.report("IN_EN_ATTENTE_TRAITEMENT")
    claimed = services.claim_next("w1")
    assert services.claim_next("w2") is None, "a running operation is nobody else's"
    first = services.run_operation(claimed, "w1")
    assert (first.state, first.attempts, first.result["flux_number"]) == ("pending", 1, FLUX)
    assert "IN_EN_ATTENTE_TRAITEMENT" in first.last_error
    deposit = ChorusDeposit.objects.get()
    assert (deposit.status, deposit.flux_number, deposit.chorus_status) == (
        "deposited",
        FLUX,
        "IN_EN_ATTENTE_TRAITEMENT",
    )

    [sent] = standin.of(DEPOSIT)
    body = json.loads(sent["body"])
    assert base64.b64decode(body["fichierFlux"]) == b"%PDF-1.7 factur-x of " + issued.number.encode()
    assert (body["nomFichier"], body["syntaxeFlux"], body["avecSignature"]) == (
        f"{issued.number}.pdf",
        "IN_DP_E2_CII_FACTURX",
        False,
    )
    assert base64.b64decode(sent["headers"]["cpro-account"]) == b"TECH_1234@cpro.fr:s3cret:pw"
    assert sent["headers"]["authorization"] == "Bearer token-1"
    assert json.loads(standin.of(REPORT)[0]["body"]) == {"numeroFluxDepot": FLUX, "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}
    assert services.claim_next("w1") is None, "polled again only after the backoff"

    later(time_machine)
    standin.report("IN_INTEGRE", libelle="TRA_MSG_00.000")
    done = apply_next()
    assert (done.state, done.result["flux_number"], done.result["status"]) == ("done", FLUX, "IN_INTEGRE")
    assert len(standin.of(DEPOSIT)) == 1, "deposited once: the second attempt polled the flux it had"
    assert len(standin.of(TOKEN_PATH)) == 1, "one token for both attempts"
    deposit.refresh_from_db()
    assert (deposit.status, deposit.chorus_status) == ("integrated", "IN_INTEGRE")
    assert deposit.deposited_at and deposit.status_at


def test_a_rejection_fails_the_operation_for_good_with_chorus_reason(issued, standin):
    reason = "L'identifiant fournisseur de la demande de paiement n'est pas reference dans notre systeme."
    standin.report("IN_REJETE", listeErreurDP=[{"numeroDP": issued.number, "libelleErreurDP": reason}])
    failed = apply_next()
    assert failed.state == "failed" and reason in failed.last_error and FLUX in failed.last_error
    assert failed.result["flux_number"] == FLUX, "the flux number stays on the failed operation"
    deposit = ChorusDeposit.objects.get()
    assert (deposit.status, deposit.chorus_status, deposit.status_text) == ("rejected", "IN_REJETE", reason)
    assert Invoice.objects.get(pk=issued.pk).total_ht == issued.total_ht, "the invoice itself is untouched"


def test_a_server_error_is_retried_later_never_failed(issued, standin, time_machine):
    standin.deposit_answers.append((503, {"libelle": "Service indisponible"}))
    retried = apply_next()
    assert (retried.state, retried.attempts) == ("pending", 1)
    assert "503" in retried.last_error and "Service indisponible" in retried.last_error
    assert not (retried.result or {}).get("flux_number") and ChorusDeposit.objects.get().status == "queued"
    later(time_machine)
    standin.report("IN_INTEGRE")
    assert apply_next().state == "done"
    assert len(standin.of(DEPOSIT)) == 2


def test_a_401_is_retried_once_with_a_new_token(issued, standin, time_machine):
    standin.report("IN_RECU")
    apply_next()
    standin.revoke_tokens()  # PISTE revoked it before its time
    later(time_machine)
    standin.report("IN_INTEGRE")
    assert apply_next().state == "done"
    reports = standin.of(REPORT)
    assert [r["headers"]["authorization"] for r in reports] == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]
    assert standin.tokens_issued == 2


def test_the_token_is_renewed_before_it_expires(standin):
    now = [1000.0]
    client = ChorusClient(ChorusConfig.from_settings(), clock=lambda: now[0])
    standin.token_lifetime = 120
    assert client.token() == "token-1"
    now[0] += 59  # 61 s left, more than the margin: kept
    assert client.token() == "token-1"
    now[0] += 2  # 59 s left: renewed
    assert client.token() == "token-2"
    form = standin.of(TOKEN_PATH)[0]["body"].decode()
    assert "grant_type=client_credentials" in form and "scope=openid" in form


def test_wrong_credentials_are_refused_for_good(standin, settings):
    settings.MESOCENTRE_CHORUS_CLIENT_SECRET = "wrong"
    with pytest.raises(ChorusRefused, match="PISTE refused"):
        ChorusClient(ChorusConfig.from_settings()).token()


def test_without_credentials_the_deposit_waits_its_attempts_untouched(issued, settings):
    settings.MESOCENTRE_CHORUS_CLIENT_ID = ""
    waiting = apply_next()
    assert (waiting.state, waiting.attempts) == ("pending", 0)
    assert "MESOCENTRE_CHORUS_CLIENT_ID" in waiting.last_error


def test_the_deposit_is_the_invoices_own_facturx_pdf_with_its_xml(billed, standin):
    import base64
    import json

    import facturx
    from lxml import etree

    invoicing.issue(billed.ehess, Q1)
    apply_next()
    (deposit,) = standin.of(DEPOSIT)
    body = json.loads(deposit["body"])
    content = base64.b64decode(body["fichierFlux"])
    _name, xml = facturx.get_xml_from_pdf(content, check_xsd=True)
    root = etree.fromstring(xml)
    number = root.findtext(".//{*}ExchangedDocument/{*}ID")
    buyer_reference = root.findtext(".//{*}BuyerReference")
    assert number == Invoice.objects.get(establishment=billed.ehess).number
    assert buyer_reference == billed.ehess.chorus_service_code


def test_a_credit_note_goes_to_chorus_as_its_invoice_did_naming_the_invoice(billed, standin):
    import base64
    import json

    import facturx
    from lxml import etree

    invoice = invoicing.issue(billed.ehess, Q1).invoice
    apply_next()  # the invoice's deposit
    note = invoicing.credit(invoice, "wrong size")
    assert Operation.objects.filter(backend="chorus", resource_key=note.number).count() == 1
    apply_next()
    deposit = standin.of(DEPOSIT)[-1]
    _name, xml = facturx.get_xml_from_pdf(base64.b64decode(json.loads(deposit["body"])["fichierFlux"]))
    root = etree.fromstring(xml)
    assert root.findtext(".//{*}ExchangedDocument/{*}ID") == note.number
    assert root.findtext(".//{*}ExchangedDocument/{*}TypeCode") == "381"
    assert root.findtext(".//{*}InvoiceReferencedDocument/{*}IssuerAssignedID") == invoice.number


def test_the_invoice_shows_its_deposit_in_the_api(issued, standin, billed):
    from rest_framework.test import APIClient

    standin.report("IN_REJETE", listeErreurDP={"libelleErreurDP": "Service code unknown."})
    apply_next()
    client = APIClient()
    client.force_authenticate(billed.w.operator)
    rows = {row["number"]: row["chorus"] for row in client.get("/api/billing/invoices/").json()["results"]}
    assert rows[issued.number]["status"] == "rejected" and rows[issued.number]["flux_number"] == FLUX
    assert rows[issued.number]["status_text"] == "Service code unknown."
    assert [number for number, chorus in rows.items() if chorus is None] == ["F-2026-000001"]  # the CNRS's
