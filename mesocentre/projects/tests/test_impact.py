"""The PI and the project's managers record its publications and grants; the models validate what is recorded."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mesocentre.hpc import services
from mesocentre.projects import impact
from mesocentre.projects.models import Grant, Publication
from mesocentre.projects.models.projects import normalised_doi, publication_years


@pytest.mark.parametrize(
    "given, stored",
    [
        ("10.1000/xyz123", "10.1000/xyz123"),
        (" https://doi.org/10.1016/j.jcp.2020.109 ", "10.1016/j.jcp.2020.109"),
        ("http://dx.doi.org/10.1000.10/abc", "10.1000.10/abc"),
        ("doi:10.5281/zenodo.1", "10.5281/zenodo.1"),
    ],
)
def test_a_doi_is_stored_without_its_resolver(w, given, stored):
    publication = impact.add_publication(w.pi, w.project, title="Jets", doi=given, year=2025)
    assert Publication.objects.get(pk=publication.pk).doi == stored == normalised_doi(given)


@pytest.mark.parametrize("doi", ["11.1000/x", "10.abc/x", "10.1000", "10.1000/", "10.1000/a b"])
def test_a_doi_that_is_not_one_is_refused_naming_the_field(w, doi):
    with pytest.raises(ValidationError) as refused:
        impact.add_publication(w.pi, w.project, title="Jets", doi=doi, year=2025)
    assert "doi" in refused.value.message_dict and not Publication.objects.exists()


def test_the_years_a_publication_may_bear_count_from_the_day_given():
    assert publication_years(datetime.date(2026, 6, 15)) == (1900, 2027)
    assert publication_years(datetime.date(2031, 1, 1)) == (1900, 2032)


@pytest.mark.parametrize("year, ok", [(1899, False), (1900, True), (2027, True), (2028, False)])
def test_the_year_is_from_1900_to_next_year(w, year, ok):  # w's clock: 2026-06-15
    if ok:
        impact.add_publication(w.pi, w.project, title="Jets", url="https://example.org/p", year=year)
    else:
        with pytest.raises(ValidationError) as refused:
            impact.add_publication(w.pi, w.project, title="Jets", url="https://example.org/p", year=year)
        assert "year" in refused.value.message_dict
    assert Publication.objects.count() == int(ok)


def test_a_grant_has_an_amount_of_zero_or_more_and_dates_in_order(w):
    grant = impact.add_grant(w.pi, w.project, funder="ANR", reference="ANR-1", amount=Decimal("1500.50"),
                             starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2029, 12, 31))  # fmt: skip
    assert Grant.objects.get(pk=grant.pk).amount == Decimal("1500.50")
    with pytest.raises(ValidationError) as refused:
        impact.add_grant(w.pi, w.project, funder="ERC", reference="ERC-1", amount=Decimal("-0.01"))
    assert "amount" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        impact.add_grant(w.pi, w.project, funder="ERC", reference="ERC-2", starts_on=datetime.date(2026, 2, 1),
                         ends_on=datetime.date(2026, 1, 31))  # fmt: skip
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError):
        impact.add_grant(w.pi, w.project, funder="ANR", reference="ANR-1")  # the same reference twice
    assert Grant.objects.count() == 1


def test_only_the_pi_and_managers_record_and_delete(w):
    services.add_member(w.pi, w.project, w.student)
    publication = impact.add_publication(w.pi, w.project, title="Jets", doi="10.1000/j", year=2025)
    grant = impact.add_grant(w.pi, w.project, funder="ANR", reference="ANR-1")
    for who in (w.student, w.manager, w.outside):
        with pytest.raises(PermissionDenied):
            impact.add_publication(who, w.project, title="Mine", doi="10.1000/m", year=2025)
        with pytest.raises(PermissionDenied):
            impact.delete_publication(who, publication)
        with pytest.raises(PermissionDenied):
            impact.delete_grant(who, grant)
    services.add_member(w.pi, w.project, w.student, "manager")
    impact.delete_publication(w.student, publication)
    impact.delete_grant(w.operator, grant)
    assert not Publication.objects.exists() and not Grant.objects.exists()


def test_the_pages_record_refuse_with_400_and_delete(w, client):
    client.force_login(w.pi)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert reverse("projects:publication_create", args=["jets"]) in page
    assert reverse("projects:grant_create", args=["jets"]) in page
    create = reverse("projects:publication_create", args=["jets"])
    assert client.get(create).status_code == 200
    refused = client.post(create, {"title": "Jets", "doi": "not-a-doi", "url": "", "year": "2025"})
    assert refused.status_code == 400 and "doi" in refused.context["form"].errors
    refused = client.post(create, {"title": "Jets", "doi": "10.1000/x", "url": "", "year": "abc"})
    assert refused.status_code == 400 and "year" in refused.context["form"].errors
    assert not Publication.objects.exists()
    assert client.post(create, {"title": "Jets", "doi": "https://doi.org/10.1000/x", "year": "2025"}).status_code == 302
    grants = reverse("projects:grant_create", args=["jets"])
    refused = client.post(grants, {"funder": "ANR", "reference": "A", "amount": "-1"})
    assert refused.status_code == 400 and "amount" in refused.context["form"].errors
    refused = client.post(
        grants, {"funder": "ANR", "reference": "A", "starts_on": "2026-02-01", "ends_on": "2026-01-01"}
    )
    assert refused.status_code == 400 and "ends_on" in refused.context["form"].errors
    assert not Grant.objects.exists()
    assert client.post(grants, {"funder": "ANR", "reference": "A", "amount": "12000"}).status_code == 302
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert "doi:10.1000/x" in page and "ANR A" in page and "€12,000.00" in page
    publication, grant = Publication.objects.get(), Grant.objects.get()
    assert f'action="{reverse("projects:publication_delete", args=[publication.pk])}"' in page
    assert client.post(reverse("projects:publication_delete", args=[publication.pk])).status_code == 302
    assert client.post(reverse("projects:grant_delete", args=[grant.pk])).status_code == 302
    assert not Publication.objects.exists() and not Grant.objects.exists()


def test_a_member_reads_the_impact_but_gets_no_forms(w, client):
    services.add_member(w.pi, w.project, w.student)
    publication = impact.add_publication(w.pi, w.project, title="Jets", doi="10.1000/j", year=2025)
    client.force_login(w.student)
    page = client.get(reverse("projects:project_detail", args=["jets"])).content.decode()
    assert "doi:10.1000/j" in page and reverse("projects:publication_create", args=["jets"]) not in page
    assert client.get(reverse("projects:publication_create", args=["jets"])).status_code == 404
    assert client.post(reverse("projects:publication_delete", args=[publication.pk])).status_code == 403
    assert Publication.objects.exists()


def test_the_impact_lists_take_as_many_queries_for_2_rows_as_for_20(w, client):
    def page_with(n):
        for i in range(Publication.objects.count(), n):
            impact.add_publication(w.pi, w.project, title=f"Paper {i}", doi=f"10.1000/{i}", year=2025)
            impact.add_grant(w.pi, w.project, funder="ANR", reference=f"ANR-{i}", amount=Decimal(i))
        client.force_login(w.pi)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("projects:project_detail", args=["jets"])).status_code == 200
        return len(queries)

    assert page_with(2) == page_with(20)


def test_the_api_records_refuses_naming_the_field_and_deletes(w, api):
    api.force_authenticate(w.pi)
    listing = reverse("projects-api:publication-list")
    refused = api.post(
        listing, {"project": w.project.pk, "title": "Jets", "doi": "11.1/x", "year": 2025}, format="json"
    )
    assert refused.status_code == 400 and "doi" in refused.json() and not Publication.objects.exists()
    made = api.post(
        listing, {"project": w.project.pk, "title": "Jets", "doi": "doi:10.1/x", "year": 2025}, format="json"
    )
    assert made.status_code == 201 and made.json()["doi"] == "10.1/x"
    refused = api.post(reverse("projects-api:grant-list"), {"project": w.project.pk, "funder": "ANR", "reference": "A",
                       "amount": "-3"}, format="json")  # fmt: skip
    assert refused.status_code == 400 and "amount" in refused.json() and not Grant.objects.exists()
    publication = Publication.objects.get()
    assert api.delete(reverse("projects-api:publication-detail", args=[publication.pk])).status_code == 204
    assert not Publication.objects.exists()
