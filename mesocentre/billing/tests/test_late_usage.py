"""Usage that arrives after its quarter was issued, hours ordered beside the committee's, and a draft's queries:
computed by hand, to the cent (the company's price list is the academic one × 1.15: a core-hour 0.0115 €, a GPU
hour 0.575 €; the world lives on 2026-06-15)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mesocentre.billing import invoicing, rating
from mesocentre.billing.models import PricedUsage
from mesocentre.billing.tests.test_rating import VM, held, midnight
from mesocentre.catalogue.models import Price
from mesocentre.metering.models import UsageRecord
from mesocentre.projects.models import Project
from mesocentre.projects.naming import account_name
from mesocentre.tenancy.models import Laboratory

Q1, Q2, Q3 = rating.Quarter(2026, 1), rating.Quarter(2026, 2), rating.Quarter(2026, 3)
D = datetime.date


def job(project, name: str, ended: datetime.datetime, core_hours: int, gpu_hours: int = 0) -> UsageRecord:
    return UsageRecord.objects.create(
        source="slurm:mesocentre",
        external_id=name,
        account=account_name(project.code),
        ended_at=ended,
        cpu_seconds=core_hours * 3600,
        gpu_seconds=gpu_hours * 3600,
    )


def company_project(w) -> Project:
    rnd = Laboratory.objects.create(code="rnd", name="R&D", theme=w.theme)
    rnd.establishments.set([w.company])
    return Project.objects.create(
        code="acme",
        title="Acme",
        laboratory=rnd,
        paying_establishment=w.company,
        theme=w.theme,
        starts_on=D(2026, 1, 1),
    )


def hours(draft):
    return [(line.quantity, line.amount_ht, line.period_start, line.period_end) for line in draft.lines]


def test_late_usage_goes_on_the_next_draft_on_its_own_dated_line_and_is_never_priced_twice(shop, time_machine):
    w = shop.w
    acme = company_project(w)
    a = job(acme, "a", midnight(2026, 2, 7) + datetime.timedelta(hours=12), 500, gpu_hours=5)
    q1 = invoicing.issue(w.company, Q1).invoice
    # 500 × 0.0115 = 5.75; 5 × 0.575 = 2.875 → 2.88.
    assert [(line.amount_ht, line.period_start) for line in q1.lines.all()] == [
        (Decimal("5.75"), D(2026, 2, 7)),
        (Decimal("2.88"), D(2026, 2, 7)),
    ]
    [link] = PricedUsage.objects.all()
    assert (link.record, link.line.position, link.gpu_line.position, link.annex_line) == (a, 1, 2, None)

    # The core-hour costs 0.02 € (academic) from 1 April; then two of Q1's jobs arrive, late, and one of Q2's.
    core = shop.hpc.components.get(code="core-hours")
    Price.objects.filter(component=core).update(valid_until=D(2026, 3, 31))
    Price.objects.bulk_create([Price(component=core, amount=Decimal("0.02"), valid_from=D(2026, 4, 1))])
    time_machine.move_to(datetime.datetime(2026, 6, 16, 9, tzinfo=datetime.UTC))
    b = job(acme, "b", midnight(2026, 3, 30) + datetime.timedelta(hours=8), 100)
    c = job(acme, "c", midnight(2026, 3, 31) + datetime.timedelta(hours=23), 200)  # 23:00 in Paris: still 31 March
    d = job(acme, "d", midnight(2026, 5, 10) + datetime.timedelta(hours=8), 1000)
    draft = rating.draft(w.company, Q2)
    # Late, at Q1's price: 300 × 0.0115 = 3.45, dated by its jobs; Q2's at the new one: 1 000 × 0.023 = 23.00.
    assert hours(draft) == [
        (300, Decimal("3.45"), D(2026, 3, 30), D(2026, 3, 31)),
        (1000, Decimal("23.00"), D(2026, 5, 10), D(2026, 5, 10)),
    ]
    assert draft.as_dict()["total_ht"] == "26.45"
    assert hours(rating.draft(w.company, Q1)) == [(300, Decimal("3.45"), D(2026, 3, 30), D(2026, 3, 31))], (
        "Q1 redrafted shows only what its invoice did not price"
    )

    time_machine.move_to(datetime.datetime(2026, 7, 2, 9, tzinfo=datetime.UTC))
    q2 = invoicing.issue(w.company, Q2).invoice
    assert (q2.number, q2.total_ht) == ("F-2026-000002", Decimal("26.45"))
    links = {p.record_id: (p.invoice_id, p.line.position) for p in PricedUsage.objects.exclude(invoice=q1)}
    assert links == {b.pk: (q2.pk, 1), c.pk: (q2.pk, 1), d.pk: (q2.pk, 2)}
    assert q2.lines.get(position=1).period_start == D(2026, 3, 30)

    # Never again: not on Q3's draft, not on Q2's or Q1's redrafted, not even once Q1 is credited (a credit note
    # corrects money, not usage).
    invoicing.credit(q1, "Wrong purchase order.")
    for quarter in (Q1, Q2, Q3):
        assert rating.draft(w.company, quarter).lines == []
    # And the database refuses to link a record twice.
    with pytest.raises(IntegrityError), transaction.atomic():
        PricedUsage.objects.bulk_create([PricedUsage(invoice=q2, record=b)])


def test_a_record_the_invoice_did_not_link_is_late_even_if_recorded_before_it_was_issued(shop, time_machine):
    """An import that inserted a record before the invoice was issued but committed after it: the invoice never
    saw it, so it goes on the next draft."""
    w = shop.w
    acme = company_project(w)
    job(acme, "seen", midnight(2026, 2, 7), 500)
    assert invoicing.issue(w.company, Q1).invoice
    time_machine.move_to(datetime.datetime(2026, 6, 16, 9, tzinfo=datetime.UTC))
    unseen = job(acme, "unseen", midnight(2026, 3, 2), 100)
    UsageRecord.objects.filter(pk=unseen.pk).update(collected_at=midnight(2026, 6, 1))
    assert hours(rating.draft(w.company, Q2)) == [(100, Decimal("1.15"), D(2026, 3, 2), D(2026, 3, 2))]


def test_of_an_invoice_issued_before_links_were_kept_only_the_records_recorded_after_it_are_late(shop, time_machine):
    """Such an invoice priced its quarter's records without links: they are its; those recorded since are late."""
    from mesocentre.billing.models import Invoice

    w = shop.w
    acme = company_project(w)
    job(acme, "old", midnight(2026, 2, 7), 500)
    Invoice.objects.bulk_create(  # as the migration left the invoices issued before it
        [
            Invoice(
                kind=Invoice.Kind.INVOICE,
                number="F-2026-000001",
                establishment=w.company,
                quarter="2026Q1",
                issued_at=timezone.now(),
                price_list="company",
                total_ht=Decimal("5.75"),
                total_vat=Decimal("1.15"),
                total_ttc=Decimal("6.90"),
                buyer_name="Acme",
                seller_name="Mesocentre",
                links_usage=False,
            )
        ]
    )
    time_machine.move_to(datetime.datetime(2026, 6, 16, 9, tzinfo=datetime.UTC))
    job(acme, "late", midnight(2026, 3, 2), 100)
    assert hours(rating.draft(w.company, Q2)) == [(100, Decimal("1.15"), D(2026, 3, 2), D(2026, 3, 2))]


def test_an_academic_projects_hours_are_charged_to_its_allocations_in_the_order_they_started(
    shop, decided, time_machine
):
    """The committee granted 100 000 core-hours from 1 January; the project ordered 1 000 more on 15 June. Its jobs
    use up the committee's first, then the ordered ones, and what goes beyond both is the last one's: invoiced."""
    from mesocentre.resources import orders
    from mesocentre.tenancy.models import Team, TeamMembership

    w = shop.w
    TeamMembership.objects.create(team=Team.standard("compute"), user=w.operator)
    orders.approve(
        orders.place(w.pi, w.project, "create", plan=shop.hpc, quantities={"core_hours": 1000}, name="h"), w.operator
    )
    job(w.project, "1", midnight(2026, 5, 1), 99_500)  # the committee's: 500 left
    split = job(w.project, "2", midnight(2026, 6, 20), 1_200)  # 500 the committee's, 700 ordered
    job(w.project, "3", midnight(2026, 6, 25), 800)  # 300 ordered, 500 beyond both: with the ordered
    draft = rating.draft(w.cnrs, Q2)
    # Invoiced: 700 + 800 = 1 500 core-hours × 0.01 = 15.00, dated by the jobs that used ordered hours.
    assert hours(draft) == [(1500, Decimal("15.00"), D(2026, 6, 20), D(2026, 6, 25))]
    [annex] = draft.annex
    # In the annex: 99 500 + 500 = 100 000 core-hours × 0.01 = 1 000.00, beside the 100 000 granted.
    assert (annex.quantity, annex.value_ht, annex.granted_core_hours) == (100_000, Decimal("1000.00"), 101_000)
    assert (annex.period_start, annex.period_end) == (D(2026, 5, 1), D(2026, 6, 20))

    time_machine.move_to(datetime.datetime(2026, 7, 2, 9, tzinfo=datetime.UTC))
    invoice = invoicing.issue(w.cnrs, Q2).invoice
    assert (invoice.total_ht, invoice.annex.get().value_ht) == (Decimal("15.00"), Decimal("1000.00"))
    link = PricedUsage.objects.get(record=split)
    assert (link.line.amount_ht, link.annex_line.position) == (Decimal("15.00"), 1), "split: on the line and annex"
    assert rating.draft(w.cnrs, Q2).lines == [] and rating.draft(w.cnrs, Q2).annex == []


def test_a_drafts_queries_do_not_grow_with_its_lines(shop):
    w = shop.w

    def queries(vms: int, first: int) -> int:
        for n in range(first, first + vms):  # each VM its own disk: each its own line
            held(w.project, shop.bronze, {**VM, "disk_gb": str(50 + n)}, midnight(2025, 1, 1), name=f"vm{n}")
        with CaptureQueriesContext(connection) as captured:
            draft = rating.draft(w.cnrs, Q1)
        assert len(draft.lines) == first + vms
        return len(captured)

    assert queries(2, 0) == queries(18, 2)


def test_late_kwh_goes_on_the_next_draft_and_each_measure_is_linked_to_its_line(shop, time_machine):
    """A 42U rack held since 2025 (7 000 € a year: 1 750.00 a quarter); electricity 0.20 € a kWh × PUE 1.5."""
    from mesocentre.capacity.models import Rack
    from mesocentre.metering.energy import import_kwh
    from mesocentre.resources.models import RackReservation

    w = shop.w
    rack = held(w.project, shop.rack, {"u": "42", "kw": "7"}, midnight(2025, 1, 1), name="r1")
    RackReservation.objects.create(resource=rack, rack=Rack.objects.get(pod__code="pod1", number=1), units=42)
    assert import_kwh(["pod1-01,2026-03-01,2026-03-31,1000"]).imported == 1
    q1 = invoicing.issue(w.cnrs, Q1).invoice
    assert [line.amount_ht for line in q1.lines.all()] == [Decimal("1750.00"), Decimal("300.00")]  # 1 000 × 0.30
    assert PricedUsage.objects.get().line.position == 2

    time_machine.move_to(datetime.datetime(2026, 6, 16, 9, tzinfo=datetime.UTC))
    report = import_kwh(["pod1-01,2026-02-01,2026-02-28,400", "pod1-01,2026-04-01,2026-04-30,500"])
    assert report.imported == 2
    draft = rating.draft(w.cnrs, Q2)
    # February's kWh, late: 400 × 1.5 × 0.20 = 120.00; April's: 500 × 1.5 × 0.20 = 150.00; the rack's quarter.
    assert hours(draft) == [
        (600, Decimal("120.00"), D(2026, 2, 1), D(2026, 2, 28)),
        (750, Decimal("150.00"), D(2026, 4, 1), D(2026, 4, 30)),
        (1, Decimal("1750.00"), D(2026, 4, 1), D(2026, 6, 30)),
    ]
    time_machine.move_to(datetime.datetime(2026, 7, 2, 9, tzinfo=datetime.UTC))
    q2 = invoicing.issue(w.cnrs, Q2).invoice
    assert sorted(p.line.amount_ht for p in PricedUsage.objects.filter(invoice=q2)) == [
        Decimal("120.00"),
        Decimal("150.00"),
    ]
    assert [line.amount_ht for line in rating.draft(w.cnrs, Q3).lines] == [Decimal("1750.00")], "the rack alone"


def test_late_committee_hours_get_their_own_dated_annex_entry(shop, decided, time_machine):
    w = shop.w
    job(w.project, "q1", midnight(2026, 2, 5), 100)
    q1 = invoicing.issue(w.cnrs, Q1).invoice
    assert PricedUsage.objects.get().annex_line == q1.annex.get()
    time_machine.move_to(datetime.datetime(2026, 6, 16, 9, tzinfo=datetime.UTC))
    job(w.project, "late", midnight(2026, 3, 10), 50)
    job(w.project, "q2", midnight(2026, 5, 5), 200)
    draft = rating.draft(w.cnrs, Q2)
    assert draft.lines == []
    # Granted: the 100 000 core-hours of the committee, on the last day of each entry's quarter.
    assert [(a.quantity, a.value_ht, a.period_start, a.period_end, a.granted_core_hours) for a in draft.annex] == [
        (50, Decimal("0.50"), D(2026, 3, 10), D(2026, 3, 10), 100_000),
        (200, Decimal("2.00"), D(2026, 5, 5), D(2026, 5, 5), 100_000),
    ]
    time_machine.move_to(datetime.datetime(2026, 7, 2, 9, tzinfo=datetime.UTC))
    q2 = invoicing.issue(w.cnrs, Q2).invoice
    assert [(a.position, a.period_start) for a in q2.annex.all()] == [(1, D(2026, 3, 10)), (2, D(2026, 5, 5))]
    assert rating.draft(w.cnrs, Q3).annex == []


def test_a_racks_kwh_go_to_the_project_that_held_it_on_the_measures_first_day_and_to_no_other(shop, time_machine):
    """A rack released by the CNRS's project on 15 February and taken by a company's on the 16th: January's kWh are
    the CNRS's, March's the company's, each once; both quarters issue."""
    from mesocentre.capacity.models import Rack
    from mesocentre.metering.energy import import_kwh
    from mesocentre.resources.models import RackReservation

    w = shop.w
    place = Rack.objects.get(pod__code="pod1", number=1)
    before = held(w.project, shop.rack, {"u": "42", "kw": "7"}, midnight(2025, 1, 1), name="r1")
    RackReservation.objects.create(resource=before, rack=place, units=42, released_at=midnight(2026, 2, 15))
    after = held(company_project(w), shop.rack, {"u": "42", "kw": "7"}, midnight(2026, 2, 16), name="r2")
    RackReservation.objects.create(resource=after, rack=place, units=42)
    assert import_kwh(["pod1-01,2026-01-01,2026-01-31,1000", "pod1-01,2026-03-01,2026-03-31,400"]).imported == 2

    def kwh_days(draft):
        return [(line.period_start, line.period_end) for line in draft.lines if "kWh" in line.description]

    assert kwh_days(rating.draft(w.cnrs, Q1)) == [(D(2026, 1, 1), D(2026, 1, 31))]
    assert kwh_days(rating.draft(w.company, Q1)) == [(D(2026, 3, 1), D(2026, 3, 31))]
    assert invoicing.issue(w.cnrs, Q1).invoice and invoicing.issue(w.company, Q1).invoice
    assert PricedUsage.objects.filter(energy__isnull=False).count() == 2
