"""The home page asks the database as many times with 20 rows as with 2, whichever role reads it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mesocentre.tenancy.models import Establishment, Membership

pytestmark = pytest.mark.django_db


def queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return len(captured)


def grow(client, user, add) -> tuple[int, int]:
    """The queries of ``user``'s home with 2 rows of each kind ``add(n)`` makes, then with 20."""
    for n in range(2):
        add(n)
    few = queries(client, user)
    for n in range(2, 20):
        add(n)
    return few, queries(client, user)


def test_a_pis_home(client, w, make):
    def add(n):
        make.project(n, used_hours=10 * n, change=True, request=True)
        make.invitation(n, to=w.pi)

    few, many = grow(client, w.pi, add)
    assert few == many
    # And every one of the 20 projects is there, with its figures.
    assert client.get(reverse("portal:home")).content.decode().count('<meter min="0"') == 2 * 20


def test_an_establishment_managers_home(client, w, make):
    def add(n):
        make.project(100 + n).memberships.all().delete()  # without a PI
        make.establishment_invitation(n)
        make.member(n)
        other = Establishment.objects.create(code=f"est{n}", name=f"Establishment {n}", kind="university")
        Membership.objects.create(user=w.manager, establishment=other, role="manager")

    few, many = grow(client, w.manager, add)
    assert few == many


def test_a_reviewers_home(client, w, make):
    few, many = grow(client, w.outside, lambda n: make.assignment(n, w.outside))
    assert few == many


def test_an_operators_home(client, w, make):
    def add(n):
        make.operation(n, state=("pending", "failed", "done")[n % 3])
        make.task(n)
        make.project(n, change=True, request=True)
        make.cluster(n)
        make.operation(1000 + n, backend="slurm", key=f"cluster{n}:acc", state="failed", last_error="no")

    few, many = grow(client, w.operator, add)
    assert few == many
