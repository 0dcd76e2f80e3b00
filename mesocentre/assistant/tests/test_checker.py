"""The checker refuses wrong answers: an over-full host, a standby on the primary's site, a non-minimal explanation,
one that does not forbid the request, a bad consolidation; and the assistant shows nothing it refused."""

import pytest

from mesocentre.assistant import checker, services
from mesocentre.assistant.placement import Answer
from mesocentre.assistant.tests.worlds import host, vm

STATE = {
    "hosts": [host("a", "1"), host("b", "1"), host("c", "2", ram_gb=40), host("d", "2", maintenance=True)],
    "vms": [vm("x", ram_gb=60, host="a")],
}


def test_a_right_placement_passes():
    checker.check_placement(STATE, vm("new", ram_gb=32, tier="gold"), "b", "c")


def test_an_over_full_host_is_refused():
    with pytest.raises(checker.Refused, match="capacity:ram:1"):
        checker.check_placement(STATE, vm("new", ram_gb=8), "a", None)


def test_a_standby_on_the_primarys_site_is_refused():
    with pytest.raises(checker.Refused, match="gold_standby"):
        checker.check_placement(STATE, vm("new", ram_gb=8, tier="gold"), "b", "a")


def test_a_copy_on_a_host_in_maintenance_is_refused():
    with pytest.raises(checker.Refused, match="maintenance:d"):
        checker.check_placement(STATE, vm("new", ram_gb=8, tier="gold"), "b", "d")


def test_a_gold_vm_without_standby_is_refused():
    with pytest.raises(checker.Refused):
        checker.check_placement(STATE, vm("new", tier="gold"), "b", None)


BIG_GOLD = vm("new", ram_gb=48, tier="gold", site="1")


def test_a_minimal_explanation_passes():
    checker.check_explanation(STATE, BIG_GOLD, ["capacity:ram:2", "gold_standby", "maintenance:d"])


def test_a_non_minimal_explanation_is_refused():
    with pytest.raises(checker.Refused, match="not minimal: without site_pin"):
        checker.check_explanation(STATE, BIG_GOLD, ["capacity:ram:2", "gold_standby", "maintenance:d", "site_pin"])


def test_a_wrong_explanation_is_refused():
    with pytest.raises(checker.Refused, match="do not forbid"):
        checker.check_explanation(STATE, BIG_GOLD, ["capacity:ram:2", "gold_standby"])  # d would take it


def test_rules_that_do_not_apply_are_refused():
    with pytest.raises(checker.Refused, match="do not apply"):
        checker.check_explanation(STATE, BIG_GOLD, ["capacity:ram:3"])
    with pytest.raises(checker.Refused):
        checker.check_explanation(STATE, BIG_GOLD, [])


def test_a_wrong_largest_is_refused():
    request = vm("new", tier="gold")
    checker.check_largest(STATE, request, {"vcpu": 16, "ram_gb": 40, "disk_gb": 1000})
    with pytest.raises(checker.Refused, match="ram_gb"):
        checker.check_largest(STATE, request, {"vcpu": 16, "ram_gb": 39, "disk_gb": 1000})
    with pytest.raises(checker.Refused, match="ram_gb"):
        checker.check_largest(STATE, request, {"vcpu": 16, "ram_gb": 41, "disk_gb": 1000})


def test_a_wrong_consolidation_is_refused():
    instance = {"hosts": [host("a", "1"), host("b", "2")], "vms": [vm("p", ram_gb=40), vm("q", ram_gb=40)]}
    good = {"placements": {"p": {"host": "a", "standby_host": None}, "q": {"host": "b", "standby_host": None}}}
    checker.check_consolidation(instance, {**good, "hosts_used": 2, "lower_bound": 2})
    with pytest.raises(checker.Refused, match="over-full"):
        full = {"p": {"host": "a", "standby_host": None}, "q": {"host": "a", "standby_host": None}}
        checker.check_consolidation(instance, {"placements": full, "hosts_used": 1, "lower_bound": 1})
    with pytest.raises(checker.Refused, match="hosts_used"):
        checker.check_consolidation(instance, {**good, "hosts_used": 1, "lower_bound": 1})
    with pytest.raises(checker.Refused, match="lower bound"):
        checker.check_consolidation(instance, {**good, "hosts_used": 2, "lower_bound": 3})


def test_the_assistant_shows_no_answer_the_checker_refused(monkeypatch):
    # A model gone wrong: it says x's host takes the new VM though it is full.
    monkeypatch.setattr(services, "place", lambda state, request, largest: Answer(True, "a", None))
    with pytest.raises(services.Uncertified, match="capacity:ram:1"):
        services.place_request(STATE, vm("new", ram_gb=8))
    monkeypatch.setattr(services, "place", lambda state, request, largest: Answer(False, rules=["capacity:ram:1"]))
    with pytest.raises(services.Uncertified, match="do not forbid"):
        services.place_request(STATE, vm("new", ram_gb=8))
