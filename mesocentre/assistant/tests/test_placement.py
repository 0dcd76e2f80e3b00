"""One request placed exactly, or refused with a minimal set of rules, checked against an exhaustive search."""

import itertools
import math
import random

import pytest

from mesocentre.assistant.formats import parse_request, parse_state
from mesocentre.assistant.placement import place, rules_of
from mesocentre.assistant.services import place_request
from mesocentre.assistant.tests.worlds import host, random_world, vm

R = ("vcpu", "ram_gb", "disk_gb")
WORD = {"vcpu": "vcpu", "ram_gb": "ram", "disk_gb": "disk"}


def brute_placeable(state, request, rules) -> bool:
    """A third, deliberately naive reading of the rules: every (primary, standby) pair, every copy counted."""
    hosts = state["hosts"]
    others = [v for v in state["vms"] if v["name"] != request["name"]]
    gold = request["tier"] == "gold"
    for p in hosts:
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
                        v
                        for v in others
                        if v["group"] == group
                        for k in ("host", "standby_host")
                        if v.get(k) == h["name"]
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


@pytest.mark.parametrize("seed", range(60))
def test_random_small_states_against_exhaustive_search(seed):
    state_data, request = random_world(random.Random(seed))
    state = parse_state(state_data, placed=True)
    new = parse_request(request, state)
    rules = rules_of(state, new)
    answer = place(state, new)
    assert answer.feasible == brute_placeable(state_data, request, set(rules))
    if answer.feasible:
        return
    core = set(answer.rules)
    assert not brute_placeable(state_data, request, core)  # forbidding
    for rule in core:
        assert brute_placeable(state_data, request, core - {rule})  # each one needed
    # And every forbidding subset of the rules contains a minimal one; ours is among the minimal ones.
    minimal = [
        set(subset)
        for size in range(1, len(rules) + 1)
        for subset in itertools.combinations(rules, size)
        if not brute_placeable(state_data, request, set(subset))
        and all(brute_placeable(state_data, request, set(subset) - {r}) for r in subset)
    ]
    assert core in minimal


def world(*hosts, vms=()):
    return {"hosts": list(hosts), "vms": list(vms)}


def test_gold_needs_a_standby_on_the_other_site():
    state = world(host("a", "1"), host("b", "1"), host("c", "2", ram_gb=40))
    answer = place_request(state, vm("new", ram_gb=64, tier="gold", site="1"))
    assert not answer["feasible"]
    rules = [item["rule"] for item in answer["explanation"]]
    assert sorted(rules) == ["capacity:ram:2", "gold_standby"]
    text = dict((i["rule"], i["text"]) for i in answer["explanation"])["capacity:ram:2"]
    assert "40 GB of RAM" in text and "64 GB of RAM" in text
    ok = place_request(state, vm("new", ram_gb=32, tier="gold", site="1"))
    assert ok["feasible"] and ok["placement"]["standby_host"] == "c"
    assert ok["placement"]["host"] in ("a", "b")
    assert ok["largest"] == {"vcpu": 16, "ram_gb": 40, "disk_gb": 1000}


def test_anti_affinity_keeps_the_groups_copies_apart():
    state = world(host("a", "1"), host("b", "2"), vms=[vm("x", group="db", host="a")])
    answer = place_request(state, vm("new", group="db"))
    assert answer["placement"]["host"] == "b"
    answer = place_request(state, vm("new", group="db", tier="gold"))
    assert [i["rule"] for i in answer["explanation"]] == ["anti_affinity:db"]
    assert "db" in answer["explanation"][0]["text"]


def test_maintenance_takes_no_new_copy_but_keeps_its_own():
    state = world(host("a", "1", maintenance=True), host("b", "1"), vms=[vm("x", ram_gb=60, host="b")])
    answer = place_request(state, vm("new", ram_gb=8))
    assert sorted(i["rule"] for i in answer["explanation"]) == ["capacity:ram:1", "maintenance:a"]
    # The host in maintenance still counts what it holds: a resize of x may stay on b.
    assert place_request(state, vm("x", ram_gb=64))["placement"] == {"host": "b", "standby_host": None}


def test_site_pin():
    state = world(host("a", "1", ram_gb=16), host("b", "2"))
    answer = place_request(state, vm("new", ram_gb=32, site="1"))
    assert sorted(i["rule"] for i in answer["explanation"]) == ["capacity:ram:1", "site_pin"]
    assert place_request(state, vm("new", ram_gb=32))["placement"]["host"] == "b"


def test_ratios_and_reserved_make_the_usable_capacity():
    # floor((16 − 2) × 4.0) = 56 vCPU; floor((64 − 4) × 1.5) = 90 GB.
    state = world(host("a", "1", vcpu=16, ram_gb=64, reserved=(2, 4, 0), ratios=(4.0, 1.5, 1.0)))
    assert place_request(state, vm("new", vcpu=56, ram_gb=90))["feasible"]
    assert place_request(state, vm("new"))["largest"] == {"vcpu": 56, "ram_gb": 90, "disk_gb": 1000}
    refused = place_request(state, vm("new", vcpu=57, ram_gb=91))
    assert {i["rule"] for i in refused["explanation"]} in ({"capacity:vcpu:1"}, {"capacity:ram:1"})
