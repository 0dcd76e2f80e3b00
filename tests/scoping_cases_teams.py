"""The permission test's cases for the operations teams and the places of physical hosting (PODs, racks): the
operators' business, read and written by them only (members of a team are operators)."""

from scoping_table import Case, reference
from scoping_world import OPERATOR

TEAM_AND_PLACE_CASES: list[Case] = [
    # ---- places: operators only (infrastructure)
    *reference(
        "capacity-api:pod",
        "pod",
        OPERATOR,
        "capacity.Pod",
        create=lambda w: {"code": "new-pod", "name": "New POD", "site": w.site.pk},
        change={"name": "Changed"},
    ),
    *reference(
        "capacity-api:rack",
        "rack",
        OPERATOR,
        "capacity.Rack",
        create=lambda w: {"pod": w.A.pod.pk, "number": 1, "power_budget_kw": "12.50"},
        change={"power_budget_kw": "25.00"},
    ),
    Case(
        "capacity:pod_list",
        readers=OPERATOR,
        tenant=False,
        shows=lambda w, role: ["POD a", "POD b", "Main POD"] * (role == "operator"),
        why="the infrastructure: operators only",
    ),
    # ---- teams: the operators' (their members are operators)
    *reference(
        "tenancy-api:team",
        "team",
        OPERATOR,
        "tenancy.Team",
        create=lambda w: {"code": "new-team", "name": "New team", "kind": "cloud", "members": [w.operator.pk]},
        change={"name": "Changed"},
    ),
    Case(
        "tenancy:team_list",
        readers=OPERATOR,
        tenant=False,
        shows=lambda w, role: ["Team a", "Team b", "Hosting team"] * (role == "operator"),
        why="the operations teams and their members, for operators",
    ),
]
