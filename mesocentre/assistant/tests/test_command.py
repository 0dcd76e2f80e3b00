"""`mesocentre assistant place|consolidate` on files: answers, consolidation against its bound, bad input."""

import json
import random
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mesocentre.assistant import checker
from mesocentre.assistant.consolidate import consolidate, lower_bound
from mesocentre.assistant.formats import parse_state
from mesocentre.assistant.tests.worlds import host, vm

STATE = {
    "hosts": [host("s1a", "1"), host("s1b", "1", maintenance=True), host("s2a", "2", ram_gb=40)],
    "vms": [vm("x", ram_gb=16, tier="gold", host="s1a", standby_host="s2a")],
}


def run(tmp_path, capsys, *args, **files):
    paths = []
    for option, data in files.items():
        path = tmp_path / f"{option}.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        paths += [f"--{option.replace('_', '-')}", str(path)]
    call_command("assistant", *args, *paths)
    return capsys.readouterr().out


def test_place_json(tmp_path, capsys):
    out = run(tmp_path, capsys, "place", "--json", state=STATE, vm=vm("new", ram_gb=64, tier="gold", site="1"))
    answer = json.loads(out)
    assert answer["feasible"] is False and answer["placement"] is None
    assert sorted(item["rule"] for item in answer["explanation"]) == ["capacity:ram:2", "gold_standby"]
    assert answer["largest"] == {"vcpu": None, "ram_gb": 24, "disk_gb": None}
    out = run(tmp_path, capsys, "place", "--json", state=STATE, vm=vm("new", ram_gb=16, tier="gold"))
    where = json.loads(out)["placement"]
    assert {where["host"], where["standby_host"]} == {"s1a", "s2a"}  # s1b is in maintenance


def test_place_text_is_readable(tmp_path, capsys):
    out = run(tmp_path, capsys, "place", state=STATE, vm=vm("new", ram_gb=4000, site="2"))
    assert "Not feasible" in out and "4,000 GB of RAM" in out and "[site_pin]" in out


def refusal(tmp_path, capsys, verb, **files) -> str:
    with pytest.raises(CommandError) as caught:
        run(tmp_path, capsys, verb, **files)
    assert caught.value.returncode == 2
    return str(caught.value)


GOOD_VM = vm("new")


@pytest.mark.parametrize(
    ("state", "request_", "expected"),
    [
        (STATE, {**GOOD_VM, "vcpu": -1}, "vcpu: must be a whole number from 1"),
        (STATE, {**GOOD_VM, "ram_gb": 1.5}, "ram_gb: must be a whole number"),
        (STATE, {**GOOD_VM, "disk_gb": True}, "disk_gb: must be a whole number"),
        (STATE, {**GOOD_VM, "vcpu": 10**10}, "vcpu: must be a whole number from 1 to 1000000000"),
        (STATE, {**GOOD_VM, "tier": "platinum"}, "tier: must be one of bronze, silver, gold"),
        (STATE, {**GOOD_VM, "site": "3"}, "site: must be a site of the hosts"),
        (STATE, {k: v for k, v in GOOD_VM.items() if k != "group"}, "group: is missing"),
        (STATE, {**GOOD_VM, "colour": "red"}, "colour: is not a known key"),
        (STATE, [], "$: must be a JSON object"),
        ("{not json", GOOD_VM, "--state: is not valid JSON"),
        ({**STATE, "vms": [{**STATE["vms"][0], "host": "nowhere"}]}, GOOD_VM, "vms[0].host: names no host"),
        ({**STATE, "vms": [{**STATE["vms"][0], "standby_host": None}]}, GOOD_VM, "vms[0].standby_host: is missing"),
        ({**STATE, "hosts": STATE["hosts"] + [host("s1a", "1")]}, GOOD_VM, "hosts[3].name: repeats the host"),
        (
            {**STATE, "hosts": [{**STATE["hosts"][0], "ratios": {"vcpu": 0, "ram_gb": 1, "disk_gb": 1}}]},
            GOOD_VM,
            "hosts[0].ratios.vcpu: must be a number above 0",
        ),
        (
            {**STATE, "hosts": [{**STATE["hosts"][0], "reserved": {"vcpu": 99, "ram_gb": 0, "disk_gb": 0}}]},
            GOOD_VM,
            "hosts[0].reserved.vcpu: must not exceed",
        ),
        (
            {**STATE, "hosts": [{**STATE["hosts"][0], "maintenance": "no"}]},
            GOOD_VM,
            "hosts[0].maintenance: must be true or false",
        ),
        ({"hosts": [], "vms": []}, GOOD_VM, "hosts: must hold at least one host"),
    ],
)
def test_bad_input_names_the_field(tmp_path, capsys, state, request_, expected):
    assert expected in refusal(tmp_path, capsys, "place", state=state, vm=request_)


def test_a_missing_file_and_a_bad_time_limit(tmp_path, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("assistant", "place", "--state", str(tmp_path / "none.json"), "--vm", str(tmp_path / "x"))
    assert caught.value.returncode == 2 and "--state: cannot be read" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(tmp_path, capsys, "consolidate", "--time-limit", "-3", instance={"hosts": [host("a", "1")], "vms": []})
    assert caught.value.returncode == 2 and "--time-limit: must be" in str(caught.value)


def test_exit_status_2_and_one_line_from_the_command_line(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(STATE))
    (tmp_path / "v.json").write_text(json.dumps({**GOOD_VM, "vcpu": -4}))
    done = subprocess.run(
        [sys.executable, "-m", "mesocentre.cli", "assistant", "place", "--state", str(tmp_path / "s.json")]
        + ["--vm", str(tmp_path / "v.json")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == ["CommandError: vcpu: must be a whole number from 1 to 1000000000"]


def instance(seed: int, n_vms: int = 14):
    rng = random.Random(seed)
    hosts = [host(f"h{i}", "1" if i < 6 else "2", ram_gb=64, vcpu=32, maintenance=(i == 11)) for i in range(12)]
    vms = [
        vm(
            f"v{i}",
            vcpu=rng.choice([1, 2, 4, 8]),
            ram_gb=rng.choice([4, 8, 16, 24]),
            disk_gb=rng.choice([20, 100]),
            tier=rng.choice(["bronze", "silver", "gold"]),
            group=rng.choice([None, None, None, "ha", "db"]),
            site=rng.choice([None, None, "1", "2"]),
        )
        for i in range(n_vms)
    ]
    return {"hosts": hosts, "vms": vms}


@pytest.mark.parametrize("seed", range(4))
def test_consolidate_is_checked_and_not_below_the_bound(tmp_path, capsys, seed):
    data = instance(seed)
    out = json.loads(run(tmp_path, capsys, "consolidate", "--json", "--time-limit", "10", instance=data))
    checker.check_consolidation(data, out)
    assert out["lower_bound"] <= out["hosts_used"] <= 11
    assert set(out) == {"placements", "hosts_used", "lower_bound"}


def test_consolidation_is_optimal_on_a_small_instance():
    # Four VMs of half a host: two hosts; a gold one forces the second site.
    hosts = [host(f"h{i}", "1" if i < 3 else "2") for i in range(6)]
    vms = [vm(f"v{i}", ram_gb=32) for i in range(4)]
    result = consolidate(parse_state({"hosts": hosts, "vms": vms}, placed=False), time_limit=10)
    assert result.hosts_used == result.lower_bound == 2 and result.optimal
    vms[0] = vm("v0", ram_gb=32, tier="gold", site="1")
    state = parse_state({"hosts": hosts, "vms": vms}, placed=False)
    assert lower_bound(state) == 3  # 5 half-hosts of RAM in all
    result = consolidate(state, time_limit=10)
    assert result.hosts_used == 3 and result.placements["v0"]["standby_host"] in ("h3", "h4", "h5")


def test_the_bound_counts_only_what_the_vms_sizes_can_fill():
    # Hosts of 64 GB; VMs of 24 GB fill at most 48 GB of each: 5 VMs (120 GB) need 3 hosts, not ⌈120 / 64⌉ = 2.
    hosts = [host(f"h{i}", "1") for i in range(5)]
    vms = [vm(f"v{i}", vcpu=1, ram_gb=24, disk_gb=0) for i in range(5)]
    state = parse_state({"hosts": hosts, "vms": vms}, placed=False)
    assert lower_bound(state) == 3
    result = consolidate(state, time_limit=10)
    assert result.hosts_used == 3 and result.optimal
    # With one VM of 16 GB among them the sizes' gcd is 8: 64 GB hosts are filled whole again (24 + 24 + 16).
    vms[4] = vm("v4", vcpu=1, ram_gb=16, disk_gb=0)
    assert lower_bound(parse_state({"hosts": hosts, "vms": vms}, placed=False)) == 2
