"""The permission test's cases for invitations: managers (and a project's PI) invite and revoke, the invitee
answers (none of the five roles is one here: the outsider is), the link's page shows nothing to a forged token."""

from scoping_table import Case, Ctx, Write, api, by_role, of, patch
from scoping_world import AUTHENTICATED, EVERYONE, MANAGERS_A, NOBODY, OPERATOR

PI_A = frozenset({"member_a", "operator"})


def kwargs_of(answer: str | None = None):
    def kwargs(invitation) -> dict:
        return {"kind": "establishment", "pk": invitation.pk, **({"answer": answer} if answer else {})}

    return kwargs


def invitations_of(attr: str):
    def state(c: Ctx):
        target = getattr(getattr(c.w, c.tenant), attr)
        return sorted(target.invitations.values_list("pk", "status"))

    return state


def memberships_of_outsider(c: Ctx):
    return sorted(c.w.outsider.memberships.values_list("establishment_id", "role"))


INVITATION_CASES = [
    Case("tenancy:invitation_list", readers=AUTHENTICATED, tenant=False),
    Case(
        "tenancy:invitation_open",
        readers=EVERYONE,
        tenant=False,
        target=of("member"),  # the URL holds a token, here forged: it opens nothing
        kwargs=lambda o: {"token": "forged"},
        writes={"POST": Write(EVERYONE, patch(action="accept"), state=memberships_of_outsider, changes=False)},
        why="the e-mail's link; a forged token shows and changes nothing",
    ),
    Case(
        "tenancy:invitation_answer",
        readers=NOBODY,
        target=of("establishment_invitation"),
        kwargs=kwargs_of("accept"),
        writes={"POST": Write(NOBODY)},
        why="POST only, by the invitee (the outsider), not by whoever may see the invitation",
    ),
    Case(
        "tenancy:invitation_revoke",
        readers=NOBODY,
        target=of("establishment_invitation"),
        kwargs=kwargs_of(),
        writes={"POST": Write(MANAGERS_A)},
        why="POST only, by the establishment's managers",
    ),
    api(
        "tenancy-api:establishmentinvitation-list",
        readers=AUTHENTICATED,
        listing=by_role("tenancy.EstablishmentInvitation", manager_a=lambda w: [w.A.establishment_invitation]),
        writes={
            "POST": Write(
                MANAGERS_A,
                lambda c: {
                    "establishment": getattr(c.w, c.tenant).establishment.pk,
                    "to": "x@example.org",
                    "role": "member",
                },
                state=invitations_of("establishment"),
            )
        },  # fmt: skip
        why="managers invite to their establishment and see its invitations",
    ),
    api("tenancy-api:establishmentinvitation-detail", readers=MANAGERS_A, target=of("establishment_invitation")),
    *(
        api(
            f"tenancy-api:establishmentinvitation-{verb}",
            readers=NOBODY,
            target=of("establishment_invitation"),
            writes={"POST": Write(allowed)},
        )  # fmt: skip
        for verb, allowed in (("accept", NOBODY), ("decline", NOBODY), ("revoke", MANAGERS_A))
    ),
    api(
        "projects-api:projectinvitation-list",
        readers=AUTHENTICATED,
        listing=by_role("projects.ProjectInvitation", member_a=lambda w: [w.A.project_invitation]),
        writes={
            "POST": Write(
                PI_A,
                lambda c: {"project": getattr(c.w, c.tenant).project.pk, "to": "outsider", "role": "member"},
                state=invitations_of("project"),
            )
        },
        why="the PI invites to the project and sees its invitations; the establishment's manager does not",
    ),
    api("projects-api:projectinvitation-detail", readers=PI_A, target=of("project_invitation")),
    *(
        api(
            f"projects-api:projectinvitation-{verb}",
            readers=NOBODY,
            target=of("project_invitation"),
            writes={"POST": Write(allowed)},
        )  # fmt: skip
        for verb, allowed in (("accept", NOBODY), ("decline", NOBODY), ("revoke", PI_A))
    ),
]
assert OPERATOR <= MANAGERS_A and OPERATOR <= PI_A  # operators act for anyone, and may revoke
