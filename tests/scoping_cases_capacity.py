"""The permission test's case for the cloud's occupancy page: infrastructure, the operators' only."""

from scoping_table import Case
from scoping_world import OPERATOR

CAPACITY_CASES: list[Case] = [
    Case(
        "occupancy:occupancy",
        readers=OPERATOR,
        tenant=False,
        shows=lambda w, role: ["Main site", "vCPU"] * (role == "operator"),
        why="the infrastructure's occupancy: operators only",
    ),
]
