"""A round's figures: asked vs granted vs budget, in all, by theme and by laboratory."""

from collections import defaultdict
from decimal import Decimal

from mesocentre.hpc.models import AllocationRequest


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def round_summary(round) -> dict:
    """Asked vs granted vs budget, in all, by theme and by laboratory (ints; shares of the budget as Decimal %);
    a theme's or laboratory's row has its own budget and what is left of it when the round sets one (else None)."""
    # A draft was never asked, a withdrawn request no longer is.
    requests = round.requests.exclude(
        status__in=(AllocationRequest.Status.DRAFT, AllocationRequest.Status.WITHDRAWN)
    ).select_related("project__theme", "project__laboratory", "decision")
    blank = {"requests": 0, "asked_cpu": 0, "asked_gpu": 0, "granted_cpu": 0, "granted_gpu": 0}
    total = dict(blank)
    groups = {"theme": defaultdict(lambda: dict(blank)), "laboratory": defaultdict(lambda: dict(blank))}
    labels = {}
    for request in requests:
        decision = getattr(request, "decision", None)
        figures = {
            "requests": 1,
            "asked_cpu": request.cpu_core_hours,
            "asked_gpu": request.gpu_hours,
            "granted_cpu": decision.cpu_core_hours if decision else 0,
            "granted_gpu": decision.gpu_hours if decision else 0,
        }
        theme, lab = request.project.theme, request.project.laboratory
        labels[("theme", theme.code)], labels[("laboratory", lab.code)] = theme.name, lab.name
        for row in (total, groups["theme"][theme.code], groups["laboratory"][lab.code]):
            for name, value in figures.items():
                row[name] += value

    # A theme or laboratory with a budget line shows, requests or not, with what is left of its line.
    lines = {}
    for line in round.budgets.select_related("theme", "laboratory"):
        subject = line.subject
        labels[(line.kind, subject.code)] = subject.name
        groups[line.kind].setdefault(subject.code, dict(blank))
        lines[(line.kind, subject.code)] = line

    def budget(kind, code, row):
        line = lines.get((kind, code))
        if line is None:
            return {"budget_cpu": None, "budget_gpu": None, "remaining_cpu": None, "remaining_gpu": None}
        return {
            "budget_cpu": line.cpu_budget,
            "budget_gpu": line.gpu_budget,
            "remaining_cpu": line.cpu_budget - row["granted_cpu"],
            "remaining_gpu": line.gpu_budget - row["granted_gpu"],
        }

    def rows(kind):
        return [
            {
                "code": code,
                "name": labels[(kind, code)],
                **row,
                "share_of_cpu_budget": _percent(row["granted_cpu"], round.cpu_budget),
                **budget(kind, code, row),
            }
            for code, row in sorted(groups[kind].items())
        ]

    return {
        "budget_cpu": round.cpu_budget,
        "budget_gpu": round.gpu_budget,
        **total,
        "remaining_cpu": round.cpu_budget - total["granted_cpu"],
        "remaining_gpu": round.gpu_budget - total["granted_gpu"],
        "share_of_cpu_budget": _percent(total["granted_cpu"], round.cpu_budget),
        "share_of_gpu_budget": _percent(total["granted_gpu"], round.gpu_budget),
        "by_theme": rows("theme"),
        "by_laboratory": rows("laboratory"),
        "budgeted_by_theme": any(kind == "theme" for kind, _code in lines),
        "budgeted_by_laboratory": any(kind == "laboratory" for kind, _code in lines),
    }
