"""The declarative table of the permission test (`test_scoping.py`): one `Case` per URL name of the project.

Two establishments, A and B, are seeded with everything the platform holds (`seed()`); the test then plays five
roles against every URL: `anonymous`, `member_a`, `manager_a` (members of establishment A), `reviewer` (committee,
member of neither) and `operator` (datacenter staff). A case says, for the object of establishment A:

- who may read it (`readers`) and who may write it with which method (`writes`);
- for lists, exactly which ids each role must find in the JSON results (`listing`);
- what must appear on the page for a role (`shows`).

"Not theirs" is derived, not declared: for a case with ``tenant=True`` the object of establishment B may be read and
written by operators only, whatever `readers` and `writes` say for A; for reference data (``tenant=False``: the
catalogue, the themes, the infrastructure) A and B are two objects with the same rules. On top of that, no body a
role reads (HTML page, browsable API, JSON) may contain the marker of a tenant that is not theirs (``tenantb``; and
``tenanta`` for the reviewer and the anonymous client) nor a link to an object of that tenant.

Adding a case for a new view: append a `Case` to `CASES` (here; the projects app's go to scoping_cases_projects.py)
with the URL name exactly as `reverse()` takes it, a `target` that returns the object of A and of B (or nothing for a page or a list), its `kwargs`, its readers, and a
`Write` per method the view accepts. The payload of a write must be valid for at least one role it allows: the
test checks that this role succeeds, so a refusal (even a 400) of the others means a refusal, not a typo.
"""

import dataclasses

from django.apps import apps
from scoping_cases_budgets import BUDGET_CASES
from scoping_cases_capacity import CAPACITY_CASES
from scoping_cases_invitations import INVITATION_CASES
from scoping_cases_invoices import INVOICE_CASES
from scoping_cases_projects import PROJECT_CASES
from scoping_cases_projects_api import PROJECT_API_CASES
from scoping_cases_reports import REPORT_CASES
from scoping_cases_resources_api import RESOURCE_API_CASES
from scoping_cases_resources_portal import RESOURCE_PORTAL_CASES
from scoping_cases_teams import TEAM_AND_PLACE_CASES
from scoping_table import (
    Case,
    Ctx,
    Write,
    api,
    api_detail,
    by_role,
    everything,
    patch,
    reference,
    tenant_list,
)
from scoping_world import AUTHENTICATED, EVERYONE, MANAGERS_A, NOBODY, OF_A, OPERATOR, all_ids


def prices_of(c: Ctx):
    return sorted(c.obj.prices.values_list("pk", "amount", "valid_from", "valid_until"))


def charter_acceptances_of_b(c: Ctx):
    from mesocentre.tenancy.models import CharterAcceptance

    return sorted(
        CharterAcceptance.objects.filter(user__memberships__establishment=c.w.B.establishment).values_list("pk")
    )


def charter_versions(c: Ctx):
    from mesocentre.tenancy.models import CharterVersion

    return CharterVersion.objects.count()


def tokens_of_b(c: Ctx):
    from mesocentre.tenancy.models import ApiToken

    return sorted(ApiToken.objects.filter(user__memberships__establishment=c.w.B.establishment).values_list("digest"))


def invitations_here(c: Ctx):
    return sorted(c.obj.invitations.values_list("pk", flat=True))


def emails_of_b(c: Ctx):
    from mesocentre.tenancy.models import User

    return sorted(User.objects.filter(memberships__establishment=c.w.B.establishment).values_list("email"))


def home_shows(w, role: str) -> list[str]:
    """The offer for everyone; each signed-in role's dashboard, with its own rows (and never the others')."""
    return ["Offering a"] + {
        "anonymous": ["The regional research datacenter, in one place"],
        "member_a": ['id="dashboard-projects"', f'data-project="{w.A.project.code}"'],
        "manager_a": ['id="dashboard-establishments"', f'data-establishment="{w.A.establishment.code}"'],
        "reviewer": ['id="dashboard-reviews"', "No review waits for you."],
        "operator": ['id="dashboard-operations"', w.A.task.title, w.B.task.title],
    }[role]


QUOTE = {"period": "year", "price_list": "academic", "items": [{"kind": "hpc", "core_hours": "1000"}]}

CASES: list[Case] = [
    # ---- public pages
    Case("portal:home", readers=EVERYONE, shows=lambda w, role: home_shows(w, role)),
    Case("portal:favicon", readers=EVERYONE),
    Case("catalogue:offering_list", readers=EVERYONE, shows=lambda w, role: ["Offering a", "Offering b"]),
    Case(
        "catalogue:offering_detail",
        readers=EVERYONE,
        tenant=False,
        target=lambda w, t: getattr(w, t).offering,
        kwargs=lambda o: {"code": o.code},
    ),
    Case("billing:calculator", readers=EVERYONE),
    Case(
        "catalogue:tariff_create",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).component,
        writes={"POST": Write(OPERATOR, patch(amount="2.50", valid_from="2031-01-01"), state=prices_of)},
        why="operators start a new tariff from the catalogue page; POST only",
    ),
    Case("login", readers=EVERYONE),
    Case(
        "logout",
        readers=NOBODY,
        tenant=False,
        writes={"POST": Write(EVERYONE, check_state=False)},
        why="Django 5 logs out on POST only; GET answers 405",
    ),
    Case(
        "set_language",
        readers=EVERYONE,
        tenant=False,
        writes={"POST": Write(EVERYONE, patch(language="fr", next="/"), check_state=False)},
    ),
    Case("javascript-catalog", readers=EVERYONE),
    Case("schema", readers=EVERYONE),
    Case("api-docs", readers=EVERYONE),
    Case("api-redoc", readers=EVERYONE),
    Case("healthz", readers=EVERYONE),
    Case(
        "metrics",
        readers=EVERYONE,
        why="the test client comes from 127.0.0.1, which the development default allows; tests/test_metrics.py "
        "checks the refusals",
    ),
    api(
        "billing-api:quote",
        readers=NOBODY,
        tenant=False,
        writes={"POST": Write(EVERYONE, patch(**QUOTE), check_state=False)},
        why="the public cost calculator: POST only, computes, stores nothing",
    ),
    # ---- tenancy portal
    Case(
        "tenancy:establishment_list",
        readers=AUTHENTICATED,
        shows=lambda w, role: (
            [w.A.establishment.name] * (role in OF_A) + [w.B.establishment.name] * (role == "operator")
        ),
    ),
    Case(
        "tenancy:establishment_detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).establishment,
        kwargs=lambda o: {"code": o.code},
        writes={"POST": Write(MANAGERS_A, patch(to="someone@example.org", role="member"), state=invitations_here)},
        shows=lambda w, role: [w.A.member.username] if role in OF_A else [],
        why="managers invite members from this page",
    ),
    Case(
        "tenancy:membership_delete",
        readers=NOBODY,
        target=lambda w, t: getattr(w, t).membership,
        writes={"POST": Write(MANAGERS_A)},
        why="POST only; a member sees their own membership but may not remove it",
    ),
    Case(
        "tenancy:account",
        readers=AUTHENTICATED,
        tenant=False,
        writes={"POST": Write(AUTHENTICATED, state=tokens_of_b, changes=False)},
        why="POST rotates the caller's own token: B's tokens never change",
    ),
    Case(
        "tenancy:email_change",
        readers=NOBODY,
        tenant=False,
        writes={"POST": Write(AUTHENTICATED, patch(email="new@example.org"), state=emails_of_b, changes=False)},
        why="POST only: sends a link to the new address; nobody's address changes before it is followed",
    ),
    Case(
        "tenancy:email_confirm",
        readers=EVERYONE,
        tenant=False,
        target=lambda w, t: getattr(w, t).member,  # the URL holds no object, only a (here forged) token
        kwargs=lambda o: {"token": "forged"},
        writes={"POST": Write(EVERYONE, state=emails_of_b, changes=False)},
        why="the link's page; a forged token changes nothing",
    ),
    Case(
        "tenancy:charter",
        readers=AUTHENTICATED,
        tenant=False,
        writes={
            "POST": Write(
                AUTHENTICATED,
                lambda c: {"version": apps.get_model("tenancy", "CharterVersion").objects.in_force().pk},
                state=charter_acceptances_of_b,
                changes=False,
            )
        },
        why="POST accepts the version in force (the one read) for the caller only: B's people accept nothing",
    ),
    Case(
        "tenancy:charter_create",
        readers=OPERATOR,
        tenant=False,
        writes={
            "POST": Write(OPERATOR, patch(text="Version 2.", text_fr="", in_force_from=""), state=charter_versions)
        },
        why="operators publish the charter's versions",
    ),
    api(
        "tenancy-api:charterversion-list",
        readers=AUTHENTICATED,
        tenant=False,
        listing=lambda w, role: everything("tenancy.CharterVersion")(w, role) if role in AUTHENTICATED else set(),
    ),
    api("tenancy-api:charterversion-detail", readers=AUTHENTICATED, tenant=False, target=lambda w, t: w.charter),
    api(
        "tenancy-api:charterversion-accept",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: w.charter,
        writes={"POST": Write(AUTHENTICATED, state=charter_acceptances_of_b, changes=False)},
        why="POST only: the caller accepts the version in force for themself; B's people accept nothing",
    ),
    Case(
        "tenancy:person_list",
        readers=OPERATOR,
        tenant=False,
        shows=lambda w, role: [w.A.member.username, w.B.member.username] * (role == "operator"),
        why="the operators' list of everyone with an account",
    ),
    # ---- audit portal
    Case("audit:entry_list", readers=OPERATOR, shows=lambda w, role: [w.B.establishment.name] * (role == "operator")),
    # ---- API roots
    *(
        api(f"{ns}:api-root", readers=AUTHENTICATED)
        for ns in ("tenancy-api", "catalogue-api", "capacity-api", "audit-api")
    ),
    # ---- tenancy API
    *reference(
        "tenancy-api:scientifictheme",
        "theme",
        EVERYONE,
        "tenancy.ScientificTheme",
        create={"code": "new-theme", "name": "New theme"},
        change={"name": "Changed"},
    ),
    api(
        "tenancy-api:establishment-list",
        readers=AUTHENTICATED,
        listing=tenant_list("establishment"),
        writes={"POST": Write(OPERATOR, patch(code="new-est", name="New establishment", kind="company"))},
    ),
    api(
        "tenancy-api:establishment-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).establishment,
        writes=api_detail(OPERATOR, {"address": "Changed"}, delete=NOBODY),
        why="an establishment that pays for projects cannot be deleted (409), not even by operators",
    ),
    api(
        "tenancy-api:laboratory-list",
        readers=AUTHENTICATED,
        listing=tenant_list("laboratory"),
        writes={
            "POST": Write(
                OPERATOR,
                lambda c: {
                    "code": f"new-lab-{c.tenant}".lower(),
                    "name": "New lab",
                    "establishments": [getattr(c.w, c.tenant).establishment.pk],
                },
            )
        },
    ),
    api(
        "tenancy-api:laboratory-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).laboratory,
        writes=api_detail(OPERATOR, {"name": "Changed"}, delete=NOBODY),
        why="a laboratory with projects cannot be deleted (409), not even by operators",
    ),
    api(
        "tenancy-api:user-list",
        readers=AUTHENTICATED,
        listing=by_role(
            "tenancy.User",
            member_a=lambda w: [w.A.member],
            manager_a=lambda w: [w.A.manager, w.A.member],
            reviewer=lambda w: [w.reviewer],
        ),
        writes={"POST": Write(NOBODY, lambda c: {"username": f"new-user-{c.tenant}".lower()})},
        why="everyone sees themself; managers see their establishment's members; people join by invitation",
    ),
    api(
        "tenancy-api:user-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).member,
        writes=api_detail(frozenset({"member_a", "operator"}), {"first_name": "Changed"}, delete=OPERATOR),
        why="a user edits their own profile, operators anyone's; the manager reads but does not edit",
    ),
    api(
        "tenancy-api:user-erase",
        readers=NOBODY,
        target=lambda w, t: getattr(w, t).member,
        writes={"POST": Write(OPERATOR)},
        why="POST only: operators erase (GDPR); nobody their own account, not even its owner",
    ),
    api(
        "tenancy-api:membership-list",
        readers=AUTHENTICATED,
        listing=by_role(
            "tenancy.Membership",
            member_a=lambda w: [w.A.membership],
            manager_a=lambda w: [w.A.membership, w.A.manager_membership],
        ),
        writes={
            "POST": Write(
                NOBODY,
                lambda c: {"user": c.w.outsider.pk, "establishment": getattr(c.w, c.tenant).establishment.pk},
            )
        },
        why="members see their own membership; managers see their establishment's; people join by invitation",
    ),
    api(
        "tenancy-api:membership-detail",
        readers=OF_A,
        target=lambda w, t: getattr(w, t).membership,
        writes=api_detail(MANAGERS_A, {"role": "manager"}),
    ),
    # ---- catalogue API: everyone reads, even anonymous; operators write
    *reference(
        "catalogue-api:pricelist",
        "price_list",
        EVERYONE,
        "catalogue.PriceList",
        create={"code": "new-list", "name": "New"},
        change={"margin_percent": "99.00"},
    ),
    *reference(
        "catalogue-api:offering",
        "offering",
        EVERYONE,
        "catalogue.Offering",
        create={"code": "new-offering", "name": "New", "kind": "storage"},
        change={"name": "Changed"},
    ),
    *reference(
        "catalogue-api:plan",
        "plan",
        EVERYONE,
        "catalogue.Plan",
        create=lambda w: {"offering": w.A.offering.pk, "code": "new-plan", "name": "New"},
        change={"name": "Changed"},
    ),
    *reference(
        "catalogue-api:component",
        "component",
        EVERYONE,
        "catalogue.Component",
        create=lambda w: {
            "plan": w.plan.pk,
            "code": "new-component",
            "name": "New",
            "unit": "GB",
            "billing_type": "usage",
        },
        change={"name": "Changed"},
    ),
    *reference(
        "catalogue-api:price",
        "price",
        EVERYONE,
        "catalogue.Price",
        create=lambda w: {"component": w.A.component.pk, "amount": "1.00", "valid_from": "2030-01-01"},
        change={"amount": "1000.000000"},
    )[:1],
    api(
        "catalogue-api:price-detail",
        readers=EVERYONE,
        tenant=False,
        target=lambda w, t: getattr(w, t).price,
        writes=api_detail(NOBODY, {"amount": "1000.000000"}),
        why="A's and B's prices ended in 2020 and 2021: history, which nobody rewrites (operators get a 400)",
    ),
    # ---- capacity API: operators only
    *reference(
        "capacity-api:site",
        "site",
        OPERATOR,
        "capacity.Site",
        create={"code": "new-site", "name": "New"},
        change={"name": "Changed"},
    ),
    *reference(
        "capacity-api:host",
        "host",
        OPERATOR,
        "capacity.Host",
        create=lambda w: {"site": w.A.site.pk, "name": "new-host", "vcpu": 1, "ram_gb": 1},
        change={"in_maintenance": True},
    ),
    # ---- provisioning: operators only
    Case("provisioning:operation_list", readers=OPERATOR, tenant=False),
    Case("provisioning:operation_detail", readers=OPERATOR, tenant=False, target=lambda w, t: getattr(w, t).operation),
    Case(
        "provisioning:operation_retry",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).operation,
        writes={"POST": Write(OPERATOR)},
        why="POST only: an operator puts a failed operation back in the queue",
    ),
    Case("provisioning:task_list", readers=OPERATOR, tenant=False),
    Case(
        "provisioning:task_detail",
        readers=OPERATOR,
        tenant=False,
        target=lambda w, t: getattr(w, t).task,
        writes={"POST": Write(OPERATOR, patch(outcome="done", backend_id="fw-a:22", comment="Rules opened."))},
        why="an operator marks the task done or failed from its page",
    ),
    api("provisioning-api:api-root", readers=AUTHENTICATED),
    api(
        "provisioning-api:operation-list",
        readers=OPERATOR,
        tenant=False,
        listing=lambda w, role: all_ids(type(w.A.operation)) if role == "operator" else set(),
    ),
    api(
        "provisioning-api:operation-detail", readers=OPERATOR, tenant=False, target=lambda w, t: getattr(w, t).operation
    ),
    api(
        "provisioning-api:operation-retry",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).operation,
        writes={"POST": Write(OPERATOR)},
    ),
    api(
        "provisioning-api:manualtask-list",
        readers=OPERATOR,
        tenant=False,
        listing=lambda w, role: all_ids(type(w.A.task)) if role == "operator" else set(),
    ),
    api("provisioning-api:manualtask-detail", readers=OPERATOR, tenant=False, target=lambda w, t: getattr(w, t).task),
    api(
        "provisioning-api:manualtask-complete",
        readers=NOBODY,
        tenant=False,
        target=lambda w, t: getattr(w, t).task,
        writes={"POST": Write(OPERATOR, patch(done=True, backend_id="fw-a:22", comment="Rules opened."))},
    ),
    # ---- audit API: operators read, nobody writes
    api(
        "audit-api:auditentry-list",
        readers=OPERATOR,
        listing=lambda w, role: all_ids(type(w.A.audit_entry)) if role == "operator" else set(),
        writes={"POST": Write(NOBODY, patch(action="create"))},
    ),
    api(
        "audit-api:auditentry-detail",
        readers=OPERATOR,
        target=lambda w, t: getattr(w, t).audit_entry,
        writes=api_detail(NOBODY, {"actor": "someone else"}),
        why="append-only: even operators get 405",
    ),
]


CASES += PROJECT_CASES + PROJECT_API_CASES
CASES += INVITATION_CASES
CASES += TEAM_AND_PLACE_CASES + CAPACITY_CASES
CASES += RESOURCE_API_CASES + RESOURCE_PORTAL_CASES
CASES += INVOICE_CASES
CASES += REPORT_CASES
CASES += BUDGET_CASES
# The HPC endpoints' old paths (/api/projects/calls/…), answered for one release beside /api/hpc/: the same views,
# so the same rules, played again at the old address.
CASES += [
    dataclasses.replace(case, name=case.name.replace("hpc-api:", "projects-api-legacy:", 1))
    for case in PROJECT_API_CASES
    if case.name.startswith("hpc-api:") and not case.name.endswith(":api-root")
]

CASES_BY_NAME = {case.name: case for case in CASES}
