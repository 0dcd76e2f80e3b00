"""Figures as people read them, one way per language: core.formatting and its template filters."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import translation

from mesocentre.core.formatting import babel_locale, day, moment, money, number, percent

NNBSP, NBSP = "\u202f", "\u00a0"  # French groups thousands with the narrow one, and puts the plain one before €
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "decimals", "en", "fr"),
    [
        (1500000, None, "1,500,000", f"1{NNBSP}500{NNBSP}000"),
        (Decimal("1234.5"), None, "1,234.5", f"1{NNBSP}234,5"),
        (Decimal("-1234567.25"), None, "-1,234,567.25", f"-1{NNBSP}234{NNBSP}567,25"),
        (0, None, "0", "0"),
        (Decimal("0.366667"), None, "0.366667", "0,366667"),  # six decimals, all kept
        (Decimal("12.500000"), None, "12.5", "12,5"),  # no trailing zeros
        (1.1, None, "1.1", "1,1"),  # a float by its shortest repr
        ("42000", None, "42,000", f"42{NNBSP}000"),
        (Decimal("2.5"), 0, "3", "3"),  # half-up, as every rounding of the platform (half-even would say 2)
        (Decimal("24999.5"), 0, "25,000", f"25{NNBSP}000"),
        (Decimal("-0.4"), 0, "0", "0"),  # never '-0'
        (Decimal("12.345"), 1, "12.3", "12,3"),
        (Decimal("12.35"), 1, "12.4", "12,4"),
        (7, 2, "7.00", "7,00"),
        (None, None, "", ""),
        ("", None, "", ""),
    ],
)
def test_number(value, decimals, en, fr):
    assert number(value, decimals, language="en") == en
    assert number(value, decimals, language="fr") == fr


@pytest.mark.parametrize(
    ("value", "cents", "en", "fr"),
    [
        (Decimal("192.5"), False, "€192.50", f"192,50{NBSP}€"),
        (Decimal("1209.99"), False, "€1,209.99", f"1{NNBSP}209,99{NBSP}€"),
        (Decimal("0.366667"), False, "€0.366667", f"0,366667{NBSP}€"),  # a unit price keeps every decimal
        (Decimal("50.000000"), False, "€50.00", f"50,00{NBSP}€"),  # as the catalogue stores it: six decimals
        (Decimal("0.01"), False, "€0.01", f"0,01{NBSP}€"),
        (0, False, "€0.00", f"0,00{NBSP}€"),
        (Decimal("-15.5"), False, "-€15.50", f"-15,50{NBSP}€"),
        (Decimal("0.125"), True, "€0.13", f"0,13{NBSP}€"),  # an amount: half-up to the cent
        (Decimal("2.675"), True, "€2.68", f"2,68{NBSP}€"),
        (Decimal("1234567.005"), True, "€1,234,567.01", f"1{NNBSP}234{NNBSP}567,01{NBSP}€"),
        (Decimal("-0.004"), True, "€0.00", f"0,00{NBSP}€"),  # never '-€0.00'
        (None, False, "", ""),
        ("", True, "", ""),
    ],
)
def test_money(value, cents, en, fr):
    assert money(value, language="en", cents=cents) == en
    assert money(value, language="fr", cents=cents) == fr


@pytest.mark.parametrize(
    ("value", "decimals", "en", "fr"),
    [
        (Decimal("20.00"), None, "20%", f"20{NBSP}%"),
        (Decimal("5.50"), None, "5.5%", f"5,5{NBSP}%"),
        (Decimal("12.34"), 1, "12.3%", f"12,3{NBSP}%"),
        (15, None, "15%", f"15{NBSP}%"),
        (None, None, "", ""),
    ],
)
def test_percent(value, decimals, en, fr):
    assert percent(value, decimals, language="en") == en
    assert percent(value, decimals, language="fr") == fr


def test_a_date_reads_the_same_way_round_in_both_languages():
    assert day(datetime.date(2026, 12, 1), "en") == "1 Dec 2026"
    assert day(datetime.date(2026, 12, 1), "fr") == "1 déc. 2026"
    assert day("2026-07-14", "fr") == "14 juil. 2026"  # a date as the API writes it
    assert day(None) == day("") == ""


def test_a_datetime_is_read_in_the_centres_time_zone(settings):
    assert settings.TIME_ZONE == "Europe/Paris"
    late = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # already 1 December in Paris
    assert day(late, "en") == "1 Dec 2026"
    assert moment(late, "en") == "1 Dec 2026, 00:30"
    assert moment(late, "fr") == "1 déc. 2026, 00:30"
    assert moment(datetime.datetime(2026, 12, 1, 17, 5, tzinfo=UTC), "en") == "1 Dec 2026, 18:05"  # 24-hour clock
    # Whatever zone the value comes in, it is shown as the clock on the centre's wall.
    new_york = datetime.datetime(2026, 12, 1, 12, 5, tzinfo=ZoneInfo("America/New_York"))
    assert moment(new_york, "en") == "1 Dec 2026, 18:05"


@pytest.mark.parametrize(
    ("utc", "paris"),
    [
        # Summer time starts on 29 March 2026 at 01:00 UTC (02:00 → 03:00 in Paris) ...
        (datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29 Mar 2026, 01:30"),
        (datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29 Mar 2026, 03:30"),
        # ... and ends on 25 October 2026 at 01:00 UTC (03:00 → 02:00): 02:30 happens twice.
        (datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 Oct 2026, 02:30"),
        (datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 Oct 2026, 02:30"),
        (datetime.datetime(2026, 10, 25, 2, 30, tzinfo=UTC), "25 Oct 2026, 03:30"),
    ],
)
def test_moment_across_a_change_of_summer_time(utc, paris):
    assert moment(utc, "en") == paris


def test_remembered_figures_keep_their_language_decimals_and_day():
    # number and day remember what Babel wrote (a chart writes the same days and totals on every page): each
    # language, each number of decimals, each way of writing a value and each day is its own answer.
    assert [number(1500000, language="en"), number(1500000, language="fr")] == ["1,500,000", f"1{NNBSP}500{NNBSP}000"]
    assert [number(Decimal("2.5"), 0, "en"), number(Decimal("2.5"), None, "en"), number(2.5, 1, "en")] == [
        "3",
        "2.5",
        "2.5",
    ]
    assert [number(7, 2, "en"), number(Decimal("7.00"), None, "en"), number(7, None, "en")] == ["7.00", "7", "7"]
    late = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December in Paris: never the 30th's answer
    assert [day(datetime.date(2026, 11, 30), "en"), day(late, "en"), day(late, "fr")] == [
        "30 Nov 2026",
        "1 Dec 2026",
        "1 déc. 2026",
    ]


def test_moment_of_a_naive_datetime_and_of_a_date():
    # A naive datetime is taken as already in the centre's zone (Django's rule): shown as it is, not shifted.
    assert moment(datetime.datetime(2026, 12, 1, 18, 5), "fr") == "1 déc. 2026, 18:05"
    # A date has no time of day: it is written as a day.
    assert moment(datetime.date(2026, 12, 1), "fr") == "1 déc. 2026"
    assert moment(None) == moment("") == ""


def test_the_active_language_is_the_default():
    with translation.override("fr"):
        assert number(1500000) == f"1{NNBSP}500{NNBSP}000"
        assert money(Decimal("192.5")) == f"192,50{NBSP}€"
        assert day(datetime.date(2026, 12, 1)) == "1 déc. 2026"
    with translation.override("en"):
        assert number(1500000) == "1,500,000"
        assert money(Decimal("192.5")) == "€192.50"
    assert babel_locale("fr-ca") == babel_locale("fr_FR") == "fr_FR"
    assert babel_locale("de") == babel_locale("en-us") == "en_GB"  # English unless French


TEMPLATE = (
    "{% load mesocentre %}{{ hours|number }}|{{ share|number:1 }}|{{ price|money }}|{{ amount|money:'cents' }}|"
    "{{ rate|percent }}|{{ price|tariff }}|{{ d|day }}|{{ t|moment }}|{{ nothing|number }}|{{ nothing|day|default:'—' }}|"
    "{{ word|number }}"
)
CONTEXT = {
    "hours": 1500000,
    "share": Decimal("12.25"),
    "price": Decimal("0.366667"),
    "amount": Decimal("192.505"),
    "rate": Decimal("20.00"),
    "d": datetime.date(2026, 12, 1),
    "t": datetime.datetime(2026, 12, 1, 17, 5, tzinfo=UTC),
    "nothing": None,
    "word": "unlimited",  # not a figure: shown as it is, the page does not break
}


def test_the_filters_in_a_template():
    with translation.override("en"):
        assert Template(TEMPLATE).render(Context(CONTEXT)) == (
            "1,500,000|12.3|€0.366667|€192.51|20%|0.366667|1 Dec 2026|1 Dec 2026, 18:05||—|unlimited"
        )
    with translation.override("fr"):
        assert Template(TEMPLATE).render(Context(CONTEXT)) == (
            f"1{NNBSP}500{NNBSP}000|12,3|0,366667{NBSP}€|192,51{NBSP}€|20{NBSP}%|0,366667|1 déc. 2026|"
            "1 déc. 2026, 18:05||—|unlimited"
        )


def test_a_price_without_its_currency_keeps_its_decimals():
    """The ``tariff`` filter, for a column whose header says '(€)': at least two decimals, and all of a usage price's."""
    template = Template("{% load mesocentre %}{{ a|tariff }} {{ b|tariff }} {{ c|tariff }}")
    context = Context({"a": Decimal("1500.000000"), "b": Decimal("0.366667"), "c": None})
    with translation.override("fr"):
        assert template.render(context) == f"1{NNBSP}500,00 0,366667 "


STATUS_FIELDS = ("status", "state")


def status_choices():
    for model in apps.get_models():
        if not model.__module__.startswith("mesocentre."):
            continue
        for field in model._meta.get_fields():
            if getattr(field, "name", None) in STATUS_FIELDS and getattr(field, "choices", None):
                name = f"{model._meta.label}.{field.name}"
                yield pytest.param(name, field, id=name)


@pytest.mark.parametrize(("name", "field"), list(status_choices()))
def test_every_status_word_names_its_noun_for_the_translators(name, field):
    """'active' is 'actif' for a project and 'active' for an allocation: each status label carries a context
    (pgettext) naming what it qualifies, so that French can agree in gender."""
    for value, label in field.choices:
        args = getattr(label, "_args", ())  # a lazy pgettext keeps (context, message)
        assert len(args) == 2 and args[0].endswith(STATUS_FIELDS), f"{name} {value!r}: {label!r} has no context"


def test_status_words_agree_by_context_not_by_accident():
    from mesocentre.hpc.models import Allocation
    from mesocentre.projects.models import Project

    assert Project.Status.ACTIVE.label._args == ("project status", "active")
    assert Allocation.Status.ACTIVE.label._args == ("allocation status", "active")
    with translation.override("en"):
        assert str(Project.Status.ACTIVE.label) == str(Allocation.Status.ACTIVE.label) == "active"
