"""Every role's journey, end to end, in a real browser, in French and in English, with axe-core on every page it
visits: a PI creates a project and invites a member, who accepts the usage charter and the invitation; an operator
opens a call and a round; the PI asks for hours; the operator assigns a reviewer, who reviews; the operator decides;
the PI reads the reason on the project's page.

Fields are found by their ids (the same in both languages); what people read is checked against the catalogue of
the page's language (``gettext`` under ``translation.override``), so a missing French translation fails the French
run.
"""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import LOCALES, blocking_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "imft-waves"
REASON = "The scaling study first: the rest in the next round."


class Journey:
    """One language's walk: every page seen is checked by axe; the violations are gathered and reported at the end."""

    def __init__(self, page_factory, portal: str, language: str):
        self.page_factory, self.portal, self.language = page_factory, portal, language
        self.violations: list[str] = []

    def words(self, message: str, context: str | None = None) -> str:
        with translation.override(self.language):
            return pgettext(context, message) if context else gettext(message)

    def person(self, username: str):
        page = self.page_factory(LOCALES[self.language])
        log_in(page, self.portal, username)
        self.check(page, f"{username}'s home")
        return page

    def go(self, page, path: str, what: str):
        response = page.goto(f"{self.portal}{path}")
        assert response is not None and response.ok, f"{path}: {response.status if response else 'no answer'}"
        self.check(page, what)

    def check(self, page, what: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        self.violations += blocking_violations(page, f"{what} ({self.language})")

    def submit(self, page, what: str) -> None:
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator(".errorlist")).to_have_count(0)
        self.check(page, what)


def local_input(moment: datetime.datetime) -> str:
    """A datetime-local field's value: the centre's wall-clock time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("language", LOCALES)
def test_every_role_in_one_journey(page_factory, portal, language):
    from mesocentre.hpc.models import AllocationRequest, ReviewAssignment, Round
    from mesocentre.projects.models import Project, ProjectMembership
    from mesocentre.tenancy.models import CharterAcceptance

    j = Journey(page_factory, portal, language)

    # ---- a PI creates a project
    pi = j.person("pi-imft")
    j.go(pi, "/projects/new/", "the new project's form")
    pi.locator("#id_title").fill("Waves breaking on a sloping beach")
    pi.locator("#id_code").fill(CODE)
    pi.locator("#id_summary").fill("Two-phase simulations of breaking waves.")
    pi.locator("#id_laboratory").select_option(
        label=pi.locator("#id_laboratory option", has_text="imft").first.inner_text()
    )
    pi.locator("#id_paying_establishment").select_option(
        label=pi.locator("#id_paying_establishment option", has_text="CNRS").first.inner_text()
    )
    pi.locator("#id_theme").select_option(index=1)
    pi.locator("#id_data_management_plan_url").fill("https://dmp.example.org/plans/42")
    pi.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    j.submit(pi, "the new project's page")
    pi.wait_for_url(f"{portal}/projects/{CODE}/")
    project = Project.objects.get(code=CODE)
    assert ProjectMembership.objects.filter(project=project, user__username="pi-imft", role="pi").exists()

    # ---- … and invites a member, who accepts the usage charter and the invitation
    pi.locator("#invite_to").fill("member-irit")
    pi.locator("#invite_role").select_option("member")
    pi.locator("main form.form button[type=submit]").click()
    expect(pi.locator(".messages")).to_be_visible()
    j.check(pi, "the project's page with its invitation")

    member = j.person("member-irit")
    banner = member.locator("#charter-banner")
    expect(banner).to_contain_text(j.words("Accept the usage charter to use the clusters."))
    banner.get_by_role("link").click()
    j.check(member, "the usage charter")
    member.locator("main form button[type=submit]").click()
    member.wait_for_load_state()
    assert CharterAcceptance.objects.filter(user__username="member-irit").exists()
    expect(member.locator("#charter-banner")).to_have_count(0)
    j.go(member, "/tenancy/invitations/", "the member's invitations")
    member.get_by_role("button", name=j.words("Accept"), exact=True).click()
    member.wait_for_load_state()
    j.check(member, "after accepting the invitation")
    assert ProjectMembership.objects.filter(project=project, user__username="member-irit", role="member").exists()

    # ---- an operator opens a call and a round
    operator = j.person("operator")
    j.go(operator, "/hpc/calls/new/", "the new call's form")
    operator.locator("#id_code").fill("hpc-waves")
    operator.locator("#id_name").fill("HPC hours for coastal science")
    j.submit(operator, "the new call's page")
    j.go(operator, "/hpc/calls/hpc-waves/", "the call's page")
    operator.get_by_role("link", name=j.words("Add a round")).click()
    j.check(operator, "the new round's form")
    now = timezone.now()
    operator.locator("#id_name").fill("Spring")
    operator.locator("#id_opens_at").fill(local_input(now - datetime.timedelta(hours=1)))
    operator.locator("#id_closes_at").fill(local_input(now + datetime.timedelta(days=30)))
    operator.locator("#id_cpu_budget").fill("5000000")
    operator.locator("#id_gpu_budget").fill("0")
    j.submit(operator, "the call with its new round")
    round = Round.objects.get(call__code="hpc-waves", name="Spring")
    assert round.is_open and round.cpu_budget == 5_000_000

    # ---- the PI asks for hours in it
    j.go(pi, f"/hpc/projects/{CODE}/request/", "the request's form")
    pi.locator("#id_round").select_option(str(round.pk))
    pi.locator("#id_cpu_core_hours").fill("300000")
    pi.locator("#id_justification").fill("Twelve runs of 25,000 core-hours each.")
    j.submit(pi, "the project's page with its request")
    request = AllocationRequest.objects.get(project=project, round=round)
    assert request.status == "submitted"

    # ---- the operator assigns a reviewer, who reviews
    j.go(operator, f"/hpc/rounds/{round.pk}/", "the round's page")
    operator.locator("#assign-request").select_option(str(request.pk))
    operator.locator("#assign-reviewer").fill("reviewer")
    j.submit(operator, "the round's page with its reviewer")
    assert ReviewAssignment.objects.filter(request=request, reviewer__username="reviewer").exists()

    reviewer = j.person("reviewer")
    j.go(reviewer, "/hpc/assignments/", "the reviewer's assignments")
    row = reviewer.locator("#assignments tbody tr", has_text=CODE)
    row.get_by_role("link", name=j.words("Write the review")).click()
    j.check(reviewer, "the review's form")
    reviewer.locator("#id_score").select_option("4")
    reviewer.locator("#id_private_comment").fill("Sound method; the budget is tight.")
    reviewer.locator("#id_public_comment").fill("A clear plan of runs.")
    j.submit(reviewer, "after the review")
    assert request.assignments.get().review.score == 4

    # ---- the operator decides
    j.go(operator, f"/hpc/requests/{request.pk}/decide/", "the decision's form")
    operator.locator("#id_cpu_core_hours").fill("150000")
    operator.locator("#id_reason").fill(REASON)
    operator.locator("#id_starts_on").fill(timezone.localdate().isoformat())
    operator.locator("#id_ends_on").fill((timezone.localdate() + datetime.timedelta(days=365)).isoformat())
    j.submit(operator, "after the decision")
    request.refresh_from_db()
    assert request.status == "decided" and request.decision.cpu_core_hours == 150_000

    # ---- the PI reads the reason, with the figures in their language
    j.go(pi, f"/projects/{CODE}/", "the project's page with its decision")
    decision = pi.locator(f"#request-{request.pk}")
    expect(decision.locator(".decision-reason")).to_contain_text(REASON)
    with translation.override(language):
        granted = gettext("%(cpu)s of %(asked)s core-hours granted") % {
            "cpu": {"en": "150,000", "fr": "150\u202f000"}[language],
            "asked": {"en": "300,000", "fr": "300\u202f000"}[language],
        }
    expect(decision).to_contain_text(granted)
    expect(decision).to_contain_text(j.words("decided", "allocation request status"))
    expect(pi.locator("main")).not_to_contain_text("Sound method")  # the committee's comment stays the committee's
    if language == "fr":
        assert j.words("decided", "allocation request status") != "decided", "the French run reads French"

    assert not j.violations, report(j.violations)
