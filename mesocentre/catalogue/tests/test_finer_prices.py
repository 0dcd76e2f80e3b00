"""The backup price to eight decimals (issue 13): a new price from a stated day, never an edit of the one in force —
by migration 0007 on an installation that had the six-decimal price, by the demo's schedule on a new one."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mesocentre.audit.models import AuditEntry
from mesocentre.catalogue import demo as catalogue_demo
from mesocentre.catalogue.models import Component, Price
from mesocentre.catalogue.services import set_price
from mesocentre.core.testing import WORLD_NOW

MIGRATION = import_module("mesocentre.catalogue.migrations.0007_finer_backup_price")
OLD, FINER = Decimal("0.366667"), Decimal("0.36666667")


@pytest.fixture
def backups(demo, time_machine) -> list[Component]:
    """The demo's three backup components as an installation of the previous release holds them: 0.366667 since
    2019, open, on 2026-06-15."""
    time_machine.move_to(WORLD_NOW, tick=True)
    components = list(Component.objects.filter(code="backup").order_by("pk"))
    for component in components:
        component.prices.get(valid_from=catalogue_demo.FINER_FROM).delete()  # not started yet: it may go
        old = component.prices.get()
        old.valid_until = None
        old.save()
    return components


def run_migration() -> None:
    state = MigrationExecutor(connection).loader.project_state(("catalogue", "0007_finer_backup_price"))
    MIGRATION.finer_prices(state.apps, None)


def schedule(component: Component) -> list[tuple]:
    return list(component.prices.order_by("valid_from").values_list("valid_from", "valid_until", "amount"))


def test_the_migration_ends_the_old_price_and_starts_the_finer_one_on_the_stated_day(backups):
    assert [c.plan.code for c in backups] == ["silver", "gold", "standard"]
    audited = AuditEntry.objects.filter(object_type="catalogue.price").count()
    run_migration()
    for component in backups:
        assert schedule(component) == [
            (catalogue_demo.START, datetime.date(2026, 12, 31), OLD),
            (datetime.date(2027, 1, 1), None, FINER),
        ]
        assert component.price_on(datetime.date(2026, 12, 31)).amount == OLD
        assert component.price_on(datetime.date(2027, 1, 1)).amount == FINER
    entries = AuditEntry.objects.filter(object_type="catalogue.price").order_by("pk")[audited:]
    assert [e.action for e in entries] == ["update", "create"] * 3
    assert entries[0].before["valid_until"] is None and entries[0].after["valid_until"] == "2026-12-31"
    assert entries[1].after["amount"] == "0.36666667" and entries[1].actor == MIGRATION.ACTOR
    # Run again: nothing left to do. The demo's loader, run after it, adds nothing either.
    run_migration()
    catalogue_demo.load(datetime.date(2026, 6, 15))
    assert AuditEntry.objects.filter(object_type="catalogue.price").count() == audited + 6
    assert all(len(schedule(component)) == 2 for component in backups)


def test_an_upgrade_after_the_stated_day_starts_the_finer_price_next_quarter(backups, time_machine):
    time_machine.move_to(datetime.datetime(2027, 2, 10, 12, tzinfo=datetime.UTC), tick=True)
    run_migration()
    for component in backups:
        # The days gone by since 2027-01-01 keep the price they had.
        assert schedule(component) == [
            (catalogue_demo.START, datetime.date(2027, 3, 31), OLD),
            (datetime.date(2027, 4, 1), None, FINER),
        ]
    # The demo's schedule (the finer price from 2027-01-01) does not overlap what the migration did.
    catalogue_demo.load(datetime.date(2026, 6, 15))
    assert all(len(schedule(component)) == 2 for component in backups)


@pytest.mark.parametrize(
    ("today", "first"),
    [
        ("2026-06-15", "2027-01-01"),
        ("2026-12-31", "2027-01-01"),
        ("2027-01-01", "2027-04-01"),
        ("2027-06-30", "2027-07-01"),
        ("2027-11-30", "2028-01-01"),
    ],
)
def test_the_first_day_of_the_finer_price(today, first):
    assert MIGRATION.first_day(datetime.date.fromisoformat(today)) == datetime.date.fromisoformat(first)


def test_an_operators_own_price_is_left_alone(backups):
    silver = backups[0]
    Price.objects.filter(component=silver).update(valid_until=datetime.date(2026, 6, 30))
    Price.objects.create(component=silver, amount=Decimal("0.40"), valid_from=datetime.date(2026, 7, 1))
    run_migration()
    assert schedule(silver) == [
        (catalogue_demo.START, datetime.date(2026, 6, 30), OLD),
        (datetime.date(2026, 7, 1), None, Decimal("0.40")),
    ]
    assert schedule(backups[1])[-1] == (datetime.date(2027, 1, 1), None, FINER)


def test_a_new_demo_has_both_prices(demo):
    for component in Component.objects.filter(code="backup"):
        assert schedule(component) == [
            (catalogue_demo.START, datetime.date(2026, 12, 31), OLD),
            (datetime.date(2027, 1, 1), None, FINER),
        ]


def test_the_price_holds_eight_decimals(demo, time_machine):
    time_machine.move_to(WORLD_NOW, tick=True)
    component = Component.objects.get(plan__code="bronze", code="disk")
    price = set_price(component, Decimal("0.12345678"), datetime.date(2040, 1, 1))
    price.refresh_from_db()
    assert price.amount == Decimal("0.12345678")
