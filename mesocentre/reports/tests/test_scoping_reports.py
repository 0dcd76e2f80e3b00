"""Whose figures each reader gets: a manager of alpha never reads beta's rows, through the page, its CSV or the API;
a project changing hands mid-year counts for each payer on its own days; members are refused."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from mesocentre.reports.periods import Period
from mesocentre.reports.usage import usage_report


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_operator_reads_every_establishment_each_on_its_days(two):
    report = usage_report("establishment", Period(2025), None)
    assert {r.key: r.core_hours for r in report.rows} == {"est-alpha": 4800, "est-beta": 4200}
    assert {r.key: r.amount_ht for r in report.rows} == {"est-alpha": Decimal("38.00"), "est-beta": Decimal("62.00")}
    assert {r.key: r.gpu_hours for r in report.rows} == {"est-alpha": 10, "est-beta": 0}
    assert report.total.core_hours == 9000 and report.total.amount_ht == Decimal("100.00")
    themes = usage_report("theme", Period(2025), None)
    assert {r.key: r.core_hours for r in themes.rows} == {"theme-alpha": 4000, "theme-beta": 5000}
    assert {r.key: r.amount_ht for r in themes.rows} == {
        "theme-alpha": Decimal("30.00"),
        "theme-beta": Decimal("70.00"),
    }
    quarter = usage_report("laboratory", Period(2025, 3), None)
    assert {r.key: r.core_hours for r in quarter.rows} == {"lab-alpha": 3000, "lab-beta": 800}


def test_a_manager_reads_only_their_establishments_days(two):
    scope = frozenset({two.alpha.establishment.pk})
    report = usage_report("establishment", Period(2025), scope)
    assert [(r.key, r.core_hours, r.amount_ht) for r in report.rows] == [("est-alpha", 4800, Decimal("38.00"))]
    labs = usage_report("laboratory", Period(2025), scope)
    # The moved project's laboratory is beta's, but alpha paid for its July: that is alpha's to see, no more.
    assert {r.key: r.core_hours for r in labs.rows} == {"lab-alpha": 4000, "lab-beta": 800}
    assert labs.total.core_hours == 4800
    assert {r.key: r.core_share for r in labs.rows} == {"lab-alpha": Decimal(4000) * 100 / 4800,
                                                      "lab-beta": Decimal(800) * 100 / 4800}  # fmt: skip


@pytest.mark.parametrize("by", ["establishment", "laboratory", "theme", "offering"])
def test_a_manager_never_sees_the_other_establishment_through_page_csv_or_api(two, by):
    client = client_of(two.alpha.manager)
    page = client.get(reverse("reports:usage"), {"by": by, "year": "2025"})
    csv_text = client.get(reverse("reports:usage"), {"by": by, "year": "2025", "format": "csv"})
    api = client.get(reverse("reports-api:usage"), {"by": by, "year": "2025"})
    assert page.status_code == csv_text.status_code == api.status_code == 200
    assert csv_text["Content-Type"].startswith("text/csv")
    for body in (page.content, csv_text.content, api.content):
        text = body.decode()
        assert "est-beta" not in text and "Establishment beta" not in text and "proj-beta" not in text
    rows = list(csv.DictReader(io.StringIO(csv_text.content.decode())))
    assert Decimal(rows[-1]["core_hours"]) == 4800 and rows[-1]["key"] == "total"
    assert api.json()["total"]["core_hours"] == "4800"
    # The operator, the same page: both.
    operator = client_of(two.operator).get(reverse("reports-api:usage"), {"by": by, "year": "2025"})
    assert operator.json()["total"]["core_hours"] == "9000"


def test_members_and_strangers_are_refused(two):
    for path in (reverse("reports:usage"), reverse("reports:utilisation")):
        assert client_of(two.alpha.member).get(path, {"year": "2025"}).status_code == 403
        assert Client().get(path).status_code == 302  # to the login page
    for path in (reverse("reports-api:usage"), reverse("reports-api:utilisation")):
        assert client_of(two.alpha.member).get(path, {"year": "2025"}).status_code == 403
        assert Client().get(path).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "colour", "year": "2025"}, "by"),
        ({"year": "25"}, "year"),
        ({"year": "2025.0"}, "year"),
        ({"year": "2025", "quarter": "0"}, "quarter"),
        ({"year": "2025", "quarter": "x"}, "quarter"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(two, params, field):
    client = client_of(two.operator)
    api = client.get(reverse("reports-api:usage"), params)
    assert api.status_code == 400 and field in api.json()
    page = client.get(reverse("reports:usage"), params)
    assert page.status_code == 400 and b'role="alert"' in page.content


def test_utilisation_bad_and_unknown_cluster(two):
    client = client_of(two.operator)
    assert client.get(reverse("reports-api:utilisation"), {"year": "2025", "cluster": "a b"}).json().keys() == {
        "cluster"
    }
    unknown = client.get(reverse("reports-api:utilisation"), {"year": "2025", "cluster": "nowhere"})
    assert unknown.status_code == 400 and "cluster" in unknown.json()
    page = client.get(reverse("reports:utilisation"), {"year": "3000"})
    assert page.status_code == 400


def test_utilisation_of_a_cluster_without_declared_cores(two, settings):
    settings.MESOCENTRE = {**settings.MESOCENTRE, "CLUSTER_CORES": {"testcluster": 10}}
    data = client_of(two.alpha.manager).get(reverse("reports-api:utilisation"), {"year": "2025"}).json()
    [cluster] = data
    assert cluster["cores"] == 10 and cluster["total"]["available_core_hours"] == 10 * 8760
    assert cluster["months"][1]["used_core_hours"] == "1000"  # February: alpha's first job
    assert Decimal(cluster["total"]["used_core_hours"]) == 9000
    assert sum(Decimal(m["used_core_hours"]) for m in cluster["months"]) == 9000
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client_of(two.operator)
                .get(reverse("reports:utilisation"), {"year": "2025", "format": "csv"})
                .content.decode()
            )
        )
    )
    assert [r["month"] for r in csv_rows] == [str(m) for m in range(1, 13)] + ["year"]
    page = client_of(two.operator).get(reverse("reports:utilisation"), {"year": "2025"})
    assert page.status_code == 200 and b"<svg" in page.content and b"<table" in page.content


def test_the_pages_draw_a_chart_with_its_table_and_link_their_csv(two):
    page = client_of(two.operator).get(reverse("reports:usage"), {"by": "theme", "year": "2025", "quarter": "3"})
    body = page.content.decode()
    assert '<svg role="img"' in body and "<caption>" in body and "Theme alpha" in body
    assert "format=csv" in body and "quarter=3" in body
    home = client_of(two.alpha.manager).get(reverse("portal:home")).content.decode()
    assert reverse("reports:usage") in home


def test_the_schema_documents_the_reports(two):
    schema = client_of(two.operator).get("/api/schema/").content
    assert b"/api/reports/usage/" in schema and b"/api/reports/utilisation/" in schema
