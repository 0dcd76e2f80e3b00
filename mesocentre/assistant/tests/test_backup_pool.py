"""The backup pools as a rule of the model: a silver or gold VM's backups (its disk size) take room in the pool of the
site other than its primary's, ``capacity:backup:<site>``, explained in words and certified by the checker; answers
checked against an exhaustive search on small states."""

import itertools
import math
import random

import pytest

from mesocentre.assistant import checker
from mesocentre.assistant.formats import FormatError, parse_request, parse_state
from mesocentre.assistant.placement import place, rules_of
from mesocentre.assistant.services import place_request
from mesocentre.assistant.tests.worlds import host, random_world, vm

R = ("vcpu", "ram_gb", "disk_gb")
WORD = {"vcpu": "vcpu", "ram_gb": "ram", "disk_gb": "disk"}


def pool_of(state, primary_site):
    return next((p["site"] for p in state["pools"] if p["site"] != primary_site), None)


def brute_placeable(state, request, rules) -> bool:
    """A naive reading of every rule, the pools included: every (primary, standby) pair, every copy counted."""
    hosts = state["hosts"]
    by_name = {h["name"]: h for h in hosts}
    others = [v for v in state["vms"] if v["name"] != request["name"]]
    pool_used = {p["site"]: 0 for p in state["pools"]}
    for v in others:
        if v["tier"] != "bronze":
            pool_used[v.get("backup_site") or pool_of(state, by_name[v["host"]]["site"])] += v["disk_gb"]
    gold = request["tier"] == "gold"
    for p in hosts:
        pool = pool_of(state, p["site"]) if request["tier"] != "bronze" else None
        if pool is not None and f"capacity:backup:{pool}" in rules:
            room = next(x["backup_gb"] for x in state["pools"] if x["site"] == pool) - pool_used[pool]
            if request["disk_gb"] > room:
                continue
        for s in hosts if gold else [None]:
            ok = True
            for h in hosts:
                mine = [c for c in (p, s) if c is h]
                if not mine:
                    continue
                if f"maintenance:{h['name']}" in rules and h["maintenance"]:
                    ok = False
                for r in R:
                    cap = math.floor((h[r] - h["reserved"][r]) * h["ratios"][r])
                    used = sum(v[r] for v in others for k in ("host", "standby_host") if v.get(k) == h["name"])
                    if f"capacity:{WORD[r]}:{h['site']}" in rules and used + len(mine) * request[r] > cap:
                        ok = False
                group = request["group"]
                if f"anti_affinity:{group}" in rules:
                    members = [
                        v for v in others if v["group"] == group and h["name"] in (v["host"], v.get("standby_host"))
                    ]
                    if members or len(mine) > 1:
                        ok = False
            if gold and "gold_standby" in rules and p["site"] == s["site"]:
                ok = False
            if "site_pin" in rules and p["site"] != request["site"]:
                ok = False
            if ok:
                return True
    return False


def pooled_world(seed: int):
    """A random small state with two small pools, so that the backups often decide."""
    rng = random.Random(seed)
    state, request = random_world(rng)
    state["pools"] = [{"site": "2", "backup_gb": rng.choice([0, 100, 250])}, {"site": "1", "backup_gb": 200}]
    return state, request


@pytest.mark.parametrize("seed", range(80))
def test_random_pooled_states_against_exhaustive_search(seed):
    state_data, request = pooled_world(seed)
    state = parse_state(state_data, placed=True)
    new = parse_request(request, state)
    rules = rules_of(state, new)
    answer = place(state, new)
    assert answer.feasible == brute_placeable(state_data, request, set(rules))
    if answer.feasible:
        expected = pool_of(state_data, state.host(answer.host).site) if request["tier"] != "bronze" else None
        assert answer.backup_site == expected
        return
    core = set(answer.rules)
    assert not brute_placeable(state_data, request, core)
    for rule in core:
        assert brute_placeable(state_data, request, core - {rule})
    minimal = [
        set(subset)
        for size in range(1, len(rules) + 1)
        for subset in itertools.combinations(rules, size)
        if not brute_placeable(state_data, request, set(subset))
        and all(brute_placeable(state_data, request, set(subset) - {r}) for r in subset)
    ]
    assert core in minimal
    checker.check_explanation(state_data, request, answer.rules)  # the checker agrees


def test_some_pooled_worlds_are_decided_by_the_pools():
    """The seeds above do exercise the rule: some answers name it, some placements are pushed by it."""
    named = 0
    for seed in range(80):
        state_data, request = pooled_world(seed)
        state = parse_state(state_data, placed=True)
        answer = place(state, parse_request(request, state))
        named += any(rule.startswith("capacity:backup:") for rule in answer.rules)
    assert named >= 3


def two_sites(pool_1=1000, pool_2=1000, vms=()):
    return {
        "hosts": [host("a", "1", ram_gb=64), host("b", "2", ram_gb=64)],
        "vms": list(vms),
        "pools": [{"site": "1", "backup_gb": pool_1}, {"site": "2", "backup_gb": pool_2}],
    }


def test_a_full_pool_pushes_the_primary_to_the_other_site_then_forbids_with_words():
    # Site 2's pool has 100 GB left (a silver VM on site 1 keeps 300 GB there): a silver VM of 200 GB goes to site 2,
    # its backups to site 1.
    state = two_sites(pool_2=400, vms=[vm("old", disk_gb=300, tier="silver", host="a")])
    ok = place_request(state, vm("new", disk_gb=200, tier="silver"))
    assert ok["placement"] == {"host": "b", "standby_host": None, "backup_site": "1"}
    # Pinned to site 1, it cannot: the minimal rules are the pool and the pin, each in words with the figures.
    refused = place_request(state, vm("new", disk_gb=200, tier="silver", site="1"))
    assert [item["rule"] for item in refused["explanation"]] == ["capacity:backup:2", "site_pin"]
    assert refused["explanation"][0]["text"] == (
        "A silver VM keeps its backups (its disk) on site 2 when its primary runs on site 1; that backup pool has "
        "100 GB of disk free, the VM needs 200 GB of disk."
    )
    # A bronze VM keeps no backups: it goes anywhere; a resize frees its own backups first.
    assert place_request(state, vm("new", disk_gb=200, tier="bronze", site="1"))["feasible"]
    assert place_request(state, vm("old", disk_gb=400, tier="silver", site="1"))["feasible"]
    # Both pools too full: the two pool rules forbid it.
    both = two_sites(pool_1=100, pool_2=100)
    refused = place_request(both, vm("new", disk_gb=200, tier="gold"))
    assert sorted(item["rule"] for item in refused["explanation"]) == ["capacity:backup:1", "capacity:backup:2"]
    # The largest disk that fits now: the pool's room.
    assert place_request(both, vm("new", disk_gb=10, tier="silver"))["largest"]["disk_gb"] == 100


def test_the_checker_refuses_wrong_backup_answers():
    state = two_sites(pool_2=400, vms=[vm("old", disk_gb=300, tier="silver", host="a")])
    request = vm("new", disk_gb=200, tier="silver")
    checker.check_placement(state, request, "b", None, "1")
    with pytest.raises(checker.Refused, match="its backups go to the pool of 1"):
        checker.check_placement(state, request, "b", None, "2")  # the backups on its primary's site
    with pytest.raises(checker.Refused, match="breaks a rule: capacity:backup:2"):
        checker.check_placement(state, request, "a", None, "2")  # site 2's pool over-full
    with pytest.raises(checker.Refused, match="its backups go to the pool of None"):
        checker.check_placement(state, vm("new", tier="bronze"), "a", None, "2")  # a bronze VM keeps none
    pinned = vm("new", disk_gb=200, tier="silver", site="1")
    checker.check_explanation(state, pinned, ["capacity:backup:2", "site_pin"])
    with pytest.raises(checker.Refused, match="do not forbid"):
        checker.check_explanation(state, pinned, ["site_pin"])  # without the pool rule, it fits on a
    with pytest.raises(checker.Refused, match="not minimal"):
        checker.check_explanation(state, pinned, ["capacity:backup:2", "capacity:disk:1", "site_pin"])


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda s: s["pools"].append({"site": "1", "backup_gb": 5}), "pools[2].site"),
        (lambda s: s["pools"][0].update(backup_gb=-1), "pools[0].backup_gb"),
        (lambda s: s["pools"][0].pop("backup_gb"), "pools[0].backup_gb"),
        (lambda s: s["vms"][0].update(backup_site="3"), "vms[0].backup_site"),
        (lambda s: s["vms"][0].update(tier="bronze", backup_site="2"), "vms[0].backup_site"),
    ],
)
def test_bad_pools_name_the_field(change, path):
    state = two_sites(vms=[vm("old", tier="silver", host="a")])
    change(state)
    with pytest.raises(FormatError) as refused:
        parse_state(state, placed=True)
    assert refused.value.path == path
