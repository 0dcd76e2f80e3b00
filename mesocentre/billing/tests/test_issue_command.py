"""``mesocentre invoices draft|issue`` over establishments: a progress bar on stderr (a terminal's, or asked with
--progress), and issuing that is safe to interrupt and run again (each establishment in its own transaction, an
issued one skipped, a number taken by a rolled-back transaction given back)."""

import io

import pytest
from django.core.management import call_command

from mesocentre.billing import invoicing
from mesocentre.billing.models import Invoice
from mesocentre.billing.tests.test_invoicing import paying

ORDER = ["cnrs", "ehess", "ens", "inp"]  # those with something to invoice, in the order issuing takes them (codes)


@pytest.fixture
def four(billed):
    """Four establishments to invoice for Q1 2026 (and the world's two with nothing to)."""
    paying(billed, "ens")
    paying(billed, "inp", vms=2)
    return billed


def issued() -> list[tuple[str, str]]:
    return sorted(Invoice.objects.values_list("number", "establishment__code"))


def test_draft_and_issue_show_a_progress_bar_when_asked_and_none_in_a_pipe(four):
    err = io.StringIO()
    call_command("invoices", "draft", "--quarter", "2026Q1", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == "", "stderr is not a terminal: no bar"
    call_command("invoices", "draft", "--quarter", "2026Q1", "--progress", stdout=io.StringIO(), stderr=err)
    assert "\r[#########################] 100 %" in err.getvalue() and err.getvalue().endswith("\n")
    err = io.StringIO()
    call_command("invoices", "issue", "--quarter", "2026Q1", "--progress", stdout=io.StringIO(), stderr=err)
    bars = err.getvalue()
    assert bars.count("\r[") == 6 and "] 100 %" in bars, "one step per establishment (six of them)"


def test_issuing_twice_issues_nothing_the_second_time(four):
    out = io.StringIO()
    call_command("invoices", "issue", "--quarter", "2026Q1", stdout=out)
    first = issued()
    assert [code for _number, code in first] == ORDER
    out = io.StringIO()
    call_command("invoices", "issue", "--quarter", "2026Q1", stdout=out)
    assert issued() == first
    assert "0 invoices issued for 2026Q1, of 6 establishments." in out.getvalue()


def test_an_issue_interrupted_after_two_establishments_then_run_again_gives_the_same_invoices_without_gaps(
    four, monkeypatch
):
    """Interrupted (Ctrl-C) inside the third establishment's transaction, after its number was taken: the two
    first are issued, the third's number is given back with the rollback, and the rerun issues the rest in order."""
    taken = []
    real = invoicing.next_number

    def interrupted(kind, year):
        number = real(kind, year)
        taken.append(number)
        if len(taken) == 3:
            raise KeyboardInterrupt
        return number

    monkeypatch.setattr(invoicing, "next_number", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("invoices", "issue", "--quarter", "2026Q1", stdout=io.StringIO())
    assert issued() == [("F-2026-000001", "cnrs"), ("F-2026-000002", "ehess")]
    assert taken[-1] == "F-2026-000003", "the third's number was taken, then rolled back"

    monkeypatch.setattr(invoicing, "next_number", real)
    call_command("invoices", "issue", "--quarter", "2026Q1", stdout=io.StringIO())
    assert issued() == [(f"F-2026-{n:06d}", code) for n, code in enumerate(ORDER, start=1)]
