"""Invoice numbers at the turn of the year: a number is in the sequence of the year of its day of issue (in the
platform's time zone, Europe/Paris), whatever quarter it invoices."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from mesocentre.billing import invoicing, rating
from mesocentre.billing.models import InvoiceCounter
from mesocentre.billing.tests.test_rating import VM, held, midnight

PARIS = ZoneInfo("Europe/Paris")
Q3, Q4 = rating.Quarter(2026, 3), rating.Quarter(2026, 4)


def test_an_invoice_issued_on_new_years_day_is_the_first_of_the_new_years_sequence(shop, time_machine):
    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2025, 1, 1))
    time_machine.move_to(datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=PARIS), tick=False)
    q3 = invoicing.issue(w.cnrs, Q3).invoice
    assert q3.number == "F-2026-000001" and timezone.localtime(q3.issued_at).year == 2026
    time_machine.move_to(datetime.datetime(2027, 1, 1, 0, 0, 0, tzinfo=PARIS), tick=False)
    q4 = invoicing.issue(w.cnrs, Q4).invoice  # 2026's last quarter, issued in 2027
    assert (q4.number, q4.quarter) == ("F-2027-000001", "2026Q4")
    note = invoicing.credit(q3, "Wrong address.")
    assert note.number == "A-2027-000001", "a credit note too: the year it is issued in"


def test_a_wait_for_the_counter_across_midnight_takes_the_new_years_number_and_leaves_no_gap(
    shop, time_machine, monkeypatch
):
    w = shop.w
    held(w.project, shop.bronze, VM, midnight(2025, 1, 1))
    time_machine.move_to(datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=PARIS), tick=False)
    lock = InvoiceCounter.objects.select_for_update

    def wait_past_midnight():  # another issuer held 2026's counter until after midnight
        time_machine.move_to(datetime.datetime(2027, 1, 1, 0, 0, 1, tzinfo=PARIS), tick=False)
        return lock()

    monkeypatch.setattr(InvoiceCounter.objects, "select_for_update", wait_past_midnight)
    invoice = invoicing.issue(w.cnrs, Q3).invoice
    assert invoice.number == "F-2027-000001" and timezone.localtime(invoice.issued_at).date() == datetime.date(
        2027, 1, 1
    )
    assert InvoiceCounter.objects.get(series="F", year=2026).last == 0, "2026's sequence keeps no hole"
