"""The reports cost the same number of queries with 2 projects as with 20 (each with its laboratory, its jobs, its
invoice line and, for some, two paying periods): the database sums, no query per project or per record."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mesocentre.projects.models import PayerPeriod, Project
from mesocentre.reports.tests.conftest import invoice, job
from mesocentre.tenancy.models import Laboratory

EXTRA = 18


def more_projects(w) -> None:
    lines = []
    for index in range(EXTRA):
        laboratory = Laboratory.objects.create(code=f"lab-more-{index}", name=f"More {index}", theme=w.alpha.theme)
        laboratory.establishments.set([w.alpha.establishment, w.beta.establishment])
        project = Project.objects.create(
            code=f"more-{index}",
            title="more",
            laboratory=laboratory,
            paying_establishment=w.alpha.establishment,
            theme=w.alpha.theme,
            starts_on=datetime.date(2025, 1, 1),
        )
        if index % 2:  # half of them moved to beta in the autumn
            PayerPeriod.objects.filter(project=project).update(valid_until=datetime.date(2025, 9, 30))
            PayerPeriod.objects.create(
                project=project, establishment=w.beta.establishment, valid_from=datetime.date(2025, 10, 1)
            )
        job(project, datetime.date(2025, 3, 1), 10, 1000 + 2 * index)
        job(project, datetime.date(2025, 11, 1), 10, 1001 + 2 * index)
        lines.append((project.code, "hpc", "1.00"))
    invoice(w.alpha.establishment, "F-2025-000003", "2025Q2", lines)


def count(client: Client, path: str, params: dict) -> tuple[int, int]:
    client.get(path, params)  # caches warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured), len(response.content)


@pytest.mark.parametrize("who", ["operator", "manager"])
@pytest.mark.parametrize("by", ["establishment", "laboratory", "theme", "offering"])
@pytest.mark.parametrize("name", ["reports:usage", "reports-api:usage"])
def test_usage_queries_do_not_grow_with_projects(two, who, by, name):
    client = Client()
    client.force_login(two.operator if who == "operator" else two.alpha.manager)
    path, params = reverse(name), {"by": by, "year": "2025"}
    before, length_before = count(client, path, params)
    more_projects(two)
    after, length_after = count(client, path, params)
    assert after == before, f"{before} queries with 2 projects, {after} with 20"
    if by == "laboratory":
        assert length_after > length_before, "the projects added are shown"


def test_utilisation_queries_do_not_grow_with_records(two):
    client = Client()
    client.force_login(two.operator)
    path, params = reverse("reports:utilisation"), {"year": "2025"}
    before, _length = count(client, path, params)
    more_projects(two)
    after, _length = count(client, path, params)
    assert after == before
