"""Each role's section of the home page shows what it must, and nothing of anyone else's."""

import datetime
import re

import pytest
from django.urls import reverse

from mesocentre.hpc.models import Review
from mesocentre.provisioning.models import Operation
from mesocentre.tenancy.models import User

pytestmark = pytest.mark.django_db
HOME = reverse("portal:home")


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, key: str) -> str:
    """The HTML of one dashboard section (empty when the page has none)."""
    found = re.search(rf'<section class="dashboard" id="{key}".*?</section>', body, re.S)
    return found.group(0) if found else ""


def section_ids(body: str) -> list[str]:
    return re.findall(r'<section class="dashboard" id="(\w+)"', body)


def test_a_visitor_gets_the_catalogue_as_before(client, w):
    from mesocentre.catalogue.models import Offering

    Offering.objects.create(code="storage", name="Storage", kind="storage", description="Disks.")
    body = client.get(HOME).content.decode()
    assert "The regional research datacenter, in one place" in body
    assert 'class="card"' in body and "Storage" in body and "Disks." in body
    assert 'class="dashboard"' not in body


def test_a_signed_in_person_keeps_the_offer_one_step_away(client, w):
    from mesocentre.catalogue.models import Offering

    Offering.objects.create(code="storage", name="Storage", kind="storage")
    body = home(client, w.pi)
    offer = re.search(r'id="dashboard-offer".*?</section>', body, re.S).group(0)
    assert reverse("catalogue:offering_detail", args=["storage"]) in offer
    assert reverse("catalogue:offering_list") in offer and reverse("billing:calculator") in offer


def test_the_pi_sees_hours_consumed_against_granted(client, w, make):
    make.project(1, granted=1_000_000, used_hours=250_000)
    projects = section(home(client, w.pi), "projects")
    row = re.search(r'<tr data-project="proj1">.*?</tr>', projects, re.S).group(0)
    assert "250,000 of 1,000,000" in row and "(25%)" in row
    assert 'value="25"' in row and "<meter" in row  # and the bar says it in text too
    assert "25,000 of 100,000" in row  # GPU hours
    assert "principal investigator" in row
    assert 'data-project="jets"' in projects  # their project without allocations is listed too
    assert "No hours granted yet." in projects


def test_approved_changes_count_and_scheduled_allocations_do_not(client, w, make, decided):
    from mesocentre.hpc import services

    change = services.request_change(w.pi, decided, change_type="more_hours", extra_cpu_core_hours=20_000,
                                     justification="More.")  # fmt: skip
    services.approve_change_request(w.operator, change)
    from mesocentre.hpc.models import Allocation

    Allocation.objects.create(project=w.project, cpu_core_hours=7, starts_on=datetime.date(2026, 9, 1),
                              ends_on=datetime.date(2026, 12, 31))  # fmt: skip
    row = re.search(r'<tr data-project="jets">.*?</tr>', home(client, w.pi), re.S).group(0)
    assert "0 of 120,000" in row


def test_the_pi_sees_no_other_project(client, w, make, user_factory):
    other = user_factory("other-pi")
    make.project(1, pi=other, granted=777_000, used_hours=123_000, change=True, request=True)
    body = home(client, w.pi)
    assert "proj1" not in body and "777,000" not in body and "123,000" not in body


def test_what_waits_for_a_pi(client, w, make):
    make.project(1, ends_on=datetime.date(2026, 7, 10), change=True, request=True)
    make.project(2, ends_on=datetime.date(2026, 8, 1))  # 47 days away: not yet
    make.invitation(1, to=w.pi)
    projects = section(home(client, w.pi), "projects")
    asks = re.search(r'<ul class="can-ask">.*?</ul>', projects, re.S).group(0)
    # The open round, for each project they lead that has no request in it yet.
    for code in ("jets", "proj1", "proj2"):
        assert reverse("hpc:request_create", args=[code]) in asks
    ending = re.search(r'<ul class="ending">.*?</ul>', projects, re.S).group(0)
    assert "proj1 on mesocentre ends on 10 Jul 2026" in ending and "proj2" not in ending
    assert "Requests not decided yet" in projects and "Closed" in projects
    assert "more hours" in re.search(r'<ul class="changes">.*?</ul>', projects, re.S).group(0)
    assert "Join the project « Jets » as member" in projects.replace("\u00a0", " ")
    assert reverse("tenancy:invitation_list") in projects
    assert "Accept the usage charter" not in projects  # they accepted it


def test_a_request_already_made_leaves_the_round_off(client, w, decided):
    assert "can-ask" not in section(home(client, w.pi), "projects")


def test_a_member_is_asked_for_the_charter_and_asks_no_hours(client, w):
    from mesocentre.hpc import services

    services.add_member(w.pi, w.project, w.student)
    projects = section(home(client, w.student), "projects")
    assert "Accept the usage charter" in projects
    assert "can-ask" not in projects and 'data-project="jets"' in projects


def test_the_establishment_manager_sees_their_establishment(client, w, make):
    make.project(1)
    make.establishment_invitation(1)
    make.member(1)
    leaderless = make.project(2)
    leaderless.memberships.all().delete()
    establishments = section(home(client, w.manager), "establishments")
    card = re.search(r'<article class="establishment" data-establishment="cnrs".*?</article>', establishments, re.S)
    card = card.group(0)
    assert "3 projects, 3 active" in card  # jets, proj1, proj2: cnrs pays for them
    assert re.search(r'class="members">2<', card)  # the manager and the new member
    assert "1 waiting for an answer" in card
    assert reverse("tenancy:establishment_detail", args=["cnrs"]) in card
    assert reverse("projects:project_detail", args=["proj2"]) in re.search(r'class="leaderless">.*?</ul>', card).group(
        0
    )
    assert "univ" not in establishments  # they manage cnrs only


def test_a_member_of_an_establishment_gets_no_manager_section(client, w):
    assert "establishments" not in section_ids(home(client, w.pi))


def test_the_reviewer_sees_assignments_due_first(client, w, make):
    from mesocentre.hpc.models import Round

    later = Round.objects.create(call=w.call, name="Later", opens_at=w.round.opens_at,
                                 closes_at=w.round.closes_at + datetime.timedelta(days=30), cpu_budget=1000)  # fmt: skip
    late = make.assignment(1, w.outside, later)
    soon = make.assignment(2, w.outside)
    done = make.assignment(3, w.outside)
    Review.objects.create(assignment=done, score=3)
    reviews = section(home(client, w.outside), "reviews")
    links = re.findall(r'href="([^"]+/review/)"', reviews)
    assert links == [reverse("hpc:review_form", args=[a.pk]) for a in (soon, late)]
    assert "25 Jun 2026" in reviews  # the open round closes 10 days after 15 June


def test_a_rounds_own_due_date_orders_the_reviews(client, w, make):
    """A round that closes later but wants its reviews sooner comes first, with its own due day."""
    from mesocentre.hpc.models import Round

    later = Round.objects.create(call=w.call, name="Later", opens_at=w.round.opens_at,
                                 closes_at=w.round.closes_at + datetime.timedelta(days=30), cpu_budget=1000,
                                 reviews_due_on=w.round.closes_at.date() + datetime.timedelta(days=31))  # fmt: skip
    Round.objects.filter(pk=w.round.pk).update(reviews_due_on=w.round.closes_at.date() + datetime.timedelta(days=60))
    soon = make.assignment(1, w.outside, later)
    late = make.assignment(2, w.outside)
    reviews = section(home(client, w.outside), "reviews")
    links = re.findall(r'href="([^"]+/review/)"', reviews)
    assert links == [reverse("hpc:review_form", args=[a.pk]) for a in (soon, late)]
    assert "26 Jul 2026" in reviews and "24 Aug 2026" in reviews  # their own due days, not their closes


def test_a_reviewer_without_assignments_is_told_so(client, w):
    assert "No review waits for you." in section(home(client, w.insider), "reviews")


def test_the_operator_sees_the_desk(client, w, make, decided):
    make.operation(1, state="failed", last_error="the rack did not fit")
    make.operation(2)  # pending
    task = make.task(1)  # its operation awaits the operator: after the pending and failed ones
    undecided = make.project(1, change=True, request=True).requests.get()
    cluster = make.cluster(1)
    ok = make.operation(3, backend="slurm", key="cluster1:acc", state="done")
    Operation.objects.filter(pk=ok.pk).update(finished_at=datetime.datetime(2026, 6, 14, 16, 5, tzinfo=datetime.UTC))
    make.operation(4, backend="slurm", key="cluster1:other", state="failed", last_error="sacctmgr: no")
    make.operation(5, backend="slurm", key="cluster10:acc")  # another cluster, whose name starts alike
    desk = section(home(client, w.operator), "operations")
    queue = re.search(r'class="queue-table".*?</table>', desk, re.S).group(0)
    assert re.search(r'data-state="failed">.*?<td class="num">2</td>', queue, re.S)
    table = re.search(r'class="waiting-table".*?</table>', desk, re.S).group(0)
    waiting = [int(pk) for pk in re.findall(r'href="/provisioning/operations/(\d+)/">#', table)]
    assert waiting[:-1] == sorted(waiting[:-1]) and waiting[-1] == task.operation_id  # oldest first
    assert "Open the firewall 1" in desk and "1 manual task to do" in desk
    assert reverse("hpc:decide", args=[w.project.requests.get().pk]) not in desk  # decided already
    assert reverse("hpc:decide", args=[undecided.pk]) in desk
    assert "1 request of a closed round waits for a decision." in desk
    assert reverse("hpc:change_request_list") in desk and "1 change request waiting" in desk
    row = re.search(rf'<tr data-cluster="{cluster.name}">.*?</tr>', desk, re.S).group(0)
    assert "14 Jun 2026, 18:05" in row and "sacctmgr: no" in row
    assert re.search(r'class="num open">0<', row)  # cluster10's pending operation is not cluster1's
    assert "cluster10" in desk  # named by an operation, declared nowhere


@pytest.mark.parametrize("who", ["pi", "manager", "outside", "student"])
def test_nobody_else_sees_the_desk(client, w, who):
    body = home(client, getattr(w, who))
    assert "operations" not in section_ids(body) and "/provisioning/" not in body


def test_every_section_that_applies_the_most_actionable_first(client, w, make):
    person = User.objects.get(username="estmanager")
    person.is_reviewer = True
    person.save()
    make.project(1, pi=person)  # a PI too, with the open round to ask hours in: one thing to do
    assert section_ids(home(client, person)) == ["projects", "reviews", "establishments"]
    for n in (2, 3, 4):
        make.assignment(n, person)
    assert section_ids(home(client, person)) == ["reviews", "projects", "establishments"]


def test_someone_with_no_role_is_told_so(client, w, user_factory):
    body = home(client, user_factory("nobody"))
    assert section_ids(body) == [] and "Nothing waits for you here yet" in body
