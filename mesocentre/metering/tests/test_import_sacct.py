"""`mesocentre usage import-sacct`: sacct's jobs recorded once each by (cluster, JobIDRaw, Submit), on the day they
ended in the cluster's time zone, the unknown accounts aside, the bad lines reported and the good ones kept."""

import datetime
import io
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mesocentre.metering.models import UsageRecord
from mesocentre.metering.sacct import import_sacct
from mesocentre.projects.models import Project
from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
HEADER = "JobIDRaw|Cluster|Account|User|Submit|Start|End|ElapsedRaw|AllocTRES|State"
JOBS = [
    "101|alpha|jets|alice|2026-03-01T08:00:00|2026-03-01T08:05:00|2026-03-01T10:05:00|7200|billing=8,cpu=8,mem=16G,node=1|COMPLETED",
    "102|alpha|jets|bob|2026-03-01T09:00:00|2026-03-01T09:00:10|2026-03-02T09:00:10|86400|cpu=64,gres/gpu=2,gres/gpu:v100=2,node=2|TIMEOUT",
    "103|alpha|waves|carol|2026-03-02T11:00:00|Unknown|2026-03-02T11:30:00|0||CANCELLED by 1000",
]  # fmt: skip


@pytest.fixture
def projects():
    theme, _ = ScientificTheme.objects.get_or_create(code="fluids", defaults={"name": "Fluids"})
    univ = Establishment.objects.create(code="univ", name="University", kind="university")
    lab = Laboratory.objects.create(code="lab", name="Lab", theme=theme)
    lab.establishments.set([univ])
    for code in ("jets", "waves"):
        Project.objects.create(code=code, title=code.title(), laboratory=lab, paying_establishment=univ,
                               theme=theme, starts_on=datetime.date(2026, 1, 1))  # fmt: skip


def write(tmp_path, lines, name="sacct.txt"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def run(path, *args):
    out = io.StringIO()
    call_command("usage", "import-sacct", path, "--json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def records():
    return {(r.source, r.external_id): r for r in UsageRecord.objects.order_by("source", "external_id", "submitted_at")}


def as_rows():
    return sorted(
        UsageRecord.objects.values_list(
            "source", "external_id", "submitted_at", "account", "user_login", "started_at", "ended_at", "day",
            "cpu_seconds", "gpu_seconds", "aside", "submit_known",
        )
    )  # fmt: skip


def test_jobs_are_recorded_with_their_seconds_day_and_key(tmp_path, projects):
    report = run(write(tmp_path, [HEADER, *JOBS]))
    assert report == {"file": report["file"], "imported": 3, "already_known": 0, "kept_aside": 0, "refused": 0,
                      "running": 0, "bad_lines": []}  # fmt: skip
    found = records()
    first = found[("slurm:alpha", "101")]
    assert (first.account, first.user_login, first.cpu_seconds, first.gpu_seconds) == ("jets", "alice", 57600, 0)
    # Paris is UTC+1 in March: sacct's local times become aware moments.
    assert first.submitted_at == datetime.datetime(2026, 3, 1, 7, tzinfo=UTC)
    assert first.ended_at == datetime.datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    assert first.day == datetime.date(2026, 3, 1) and not first.aside and first.submit_known
    # gres/gpu=2 and its typed twin gres/gpu:v100=2 are the same two GPUs: counted once.
    assert (found[("slurm:alpha", "102")].cpu_seconds, found[("slurm:alpha", "102")].gpu_seconds) == (
        86400 * 64,
        86400 * 2,
    )
    never_started = found[("slurm:alpha", "103")]
    assert never_started.started_at is None and never_started.cpu_seconds == 0


def test_columns_are_found_by_name_in_any_order(tmp_path, projects):
    run(write(tmp_path, [HEADER, *JOBS]))
    expected = as_rows()
    UsageRecord.objects.all().delete()
    order = [7, 0, 9, 3, 6, 1, 8, 4, 2, 5]
    shuffle = lambda line: "|".join(line.split("|")[i] for i in order)  # noqa: E731
    report = run(write(tmp_path, [shuffle(HEADER.lower()), *map(shuffle, JOBS)], "shuffled.txt"))
    assert report["imported"] == 3 and report["refused"] == 0
    assert as_rows() == expected


def test_the_cluster_column_wins_over_the_option_which_serves_files_without_it(tmp_path, projects):
    run(write(tmp_path, [HEADER, JOBS[0]]), "--cluster", "beta")
    assert set(records()) == {("slurm:alpha", "101")}
    without = lambda line: "|".join(f for i, f in enumerate(line.split("|")) if i != 1)  # noqa: E731
    path = write(tmp_path, [without(HEADER), without(JOBS[0])], "no-cluster.txt")
    assert run(path, "--cluster", "beta")["imported"] == 1
    assert set(records()) == {("slurm:alpha", "101"), ("slurm:beta", "101")}
    with pytest.raises(CommandError) as raised:
        run(path)
    assert raised.value.returncode == 2 and "Cluster" in str(raised.value) and "--cluster" in str(raised.value)
    # A line whose Cluster is empty, without --cluster, is a bad line; the others are imported.
    blank = JOBS[1].replace("|alpha|", "||")
    report = run(write(tmp_path, [HEADER, blank, JOBS[2]], "blank.txt"))
    assert report["bad_lines"] == [{"line": 2, "reason": "no cluster: the line's Cluster is empty and --cluster "
                                                         "was not given"}]  # fmt: skip
    assert report["imported"] == 1


def test_importing_again_changes_nothing(tmp_path, projects):
    path = write(tmp_path, [HEADER, *JOBS, JOBS[0].replace("jets", "nobody")])
    first = run(path)
    before = as_rows()
    again = run(path)
    assert (first["imported"], first["kept_aside"]) == (3, 0) and first["already_known"] == 1  # twice in the file
    assert (again["imported"], again["already_known"], again["kept_aside"], again["refused"]) == (0, 4, 0, 0)
    assert as_rows() == before


def test_a_job_id_given_again_by_slurm_is_another_job(tmp_path, projects):
    later = JOBS[0].replace("2026-03-01", "2026-05-20")
    run(write(tmp_path, [HEADER, JOBS[0], later]))
    jobs = UsageRecord.objects.filter(source="slurm:alpha", external_id="101").order_by("submitted_at")
    assert [r.day for r in jobs] == [datetime.date(2026, 3, 1), datetime.date(2026, 5, 20)]


def test_a_running_job_waits_until_it_ends(tmp_path, projects):
    running = JOBS[0].replace("2026-03-01T10:05:00", "Unknown").replace("COMPLETED", "RUNNING")
    report = run(write(tmp_path, [HEADER, running]))
    assert (report["running"], report["imported"]) == (1, 0) and not UsageRecord.objects.exists()
    report = run(write(tmp_path, [HEADER, JOBS[0]], "later.txt"))  # the next import, once it ended
    assert report["imported"] == 1


def test_a_job_counts_on_the_day_it_ended_in_the_clusters_time_zone(tmp_path, projects):
    midnight = "7|alpha|jets|alice|2025-12-31T22:00:00|2025-12-31T22:00:00|2026-01-01T00:30:00|9000|cpu=1|COMPLETED"
    run(write(tmp_path, [HEADER, midnight]))
    job = UsageRecord.objects.get()
    assert job.ended_at == datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 31 Dec in UTC …
    assert job.day == datetime.date(2026, 1, 1)  # … but 1 Jan where the cluster is
    UsageRecord.objects.all().delete()
    run(write(tmp_path, [HEADER, midnight], "ny.txt"), "--time-zone", "America/New_York")
    job = UsageRecord.objects.get()
    assert job.ended_at == datetime.datetime(2026, 1, 1, 5, 30, tzinfo=UTC) and job.day == datetime.date(2026, 1, 1)


def test_an_account_no_project_has_is_kept_aside_and_listed(tmp_path, projects):
    stranger = JOBS[0].replace("|jets|", "|ghost|").replace("101", "900")
    report = run(write(tmp_path, [HEADER, JOBS[0], stranger]))
    assert (report["imported"], report["kept_aside"]) == (1, 1)
    assert UsageRecord.objects.get(external_id="900").aside
    assert list(UsageRecord.objects.billable().values_list("external_id", flat=True)) == ["101"]
    out = io.StringIO()
    call_command("usage", "aside", "--json", stdout=out)
    assert json.loads(out.getvalue()) == [{"cluster": "alpha", "account": "ghost", "jobs": 1, "core_hours": "16",
                                          "gpu_hours": "0", "first_day": "2026-03-01",
                                          "last_day": "2026-03-01"}]  # fmt: skip
    out = io.StringIO()
    call_command("usage", "aside", stdout=out)
    assert out.getvalue() == "alpha ghost: 1 jobs, 16 core-hours, 0 GPU hours, from 1 Mar 2026 to 1 Mar 2026\n"


def test_bad_lines_are_reported_by_number_and_the_good_ones_imported(tmp_path, projects):
    lines = [
        HEADER,
        JOBS[0],
        "104|alpha|jets|alice|2026-03-01T08:00:00",  # line 3: too few fields
        JOBS[1].replace("|86400|", "|86,4k|"),  # line 4
        "",  # a blank line is no job
        JOBS[2].replace("2026-03-02T11:30:00", "2026-02-30T11:30:00"),  # line 6: no 30 February
        JOBS[2].replace("2026-03-02T11:00:00", "yesterday").replace("103", "105"),  # line 7
    ]
    out = io.StringIO()
    call_command("usage", "import-sacct", write(tmp_path, lines), stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines() == [
        "line 3: expected 10 fields, found 5",
        "line 4: ElapsedRaw is not a whole number of seconds: '86,4k'",
        "line 6: End is not a date and time (YYYY-MM-DDThh:mm:ss): '2026-02-30T11:30:00'",
        "line 7: Submit is not a date and time (YYYY-MM-DDThh:mm:ss): 'yesterday'",
        f"{tmp_path}/sacct.txt: 1 imported, 0 already known, 0 kept aside, 4 refused; 0 still running (recorded "
        "once they end).",
    ]
    assert list(UsageRecord.objects.values_list("external_id", flat=True)) == ["101"]


def test_the_bulk_path_and_the_python_path_record_the_same(tmp_path, projects):
    lines = [HEADER, *JOBS, JOBS[0].replace("|jets|", "|ghost|"), "1|alpha|jets", JOBS[1].replace("|alpha|", "||"),
             JOBS[2].replace("|0|", "|-5|"), JOBS[1].replace("cpu=64", "cpu=x")]  # fmt: skip
    text = "\n".join(lines) + "\n"
    bulk = import_sacct([text], bulk=True)
    bulk_rows = as_rows()
    UsageRecord.objects.all().delete()
    python = import_sacct([text], bulk=False)
    assert bulk.as_json() == python.as_json() and bulk.refused == 4
    assert as_rows() == bulk_rows


def test_records_collected_before_the_submit_time_was_kept_are_known(tmp_path, projects):
    UsageRecord.objects.create(  # as migration 0002 left a record collected before it: submitted_at = its start
        source="slurm:alpha", external_id="101", account="jets", started_at=datetime.datetime(2026, 3, 1, 7, 5, tzinfo=UTC),
        ended_at=datetime.datetime(2026, 3, 1, 9, 5, tzinfo=UTC), cpu_seconds=57600, submit_known=False,
    )  # fmt: skip
    for bulk in (True, False):
        report = import_sacct([f"{HEADER}\n{JOBS[0]}\n"], bulk=bulk)
        assert (report.imported, report.known) == (0, 1)
    assert UsageRecord.objects.count() == 1


def test_a_batch_the_database_refuses_is_not_written_at_all(tmp_path, projects):
    with connection.cursor() as cursor:  # a database that refuses one job, as a full disk would refuse them all
        cursor.execute(
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.account = 'boom' "
            "THEN RAISE EXCEPTION 'no room for boom'; END IF; RETURN NEW; END $$;"
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON metering_usagerecord FOR EACH ROW EXECUTE FUNCTION refuse_boom()"
        )
    boom = JOBS[2].replace("|waves|", "|boom|")
    path = write(tmp_path, [HEADER, JOBS[0], JOBS[1], boom])
    with pytest.raises(CommandError) as raised:
        run(path, "--batch-lines", "2")
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "refused lines 4 to 4" in message and "no room for boom" in message and "1 imported" not in message
    assert "2 imported" in message and "run the import again" in message
    assert set(UsageRecord.objects.values_list("external_id", flat=True)) == {"101", "102"}  # the first batch
    UsageRecord.objects.all().delete()
    with pytest.raises(CommandError):
        run(path)  # one batch: nothing of it
    assert not UsageRecord.objects.exists()


def test_a_missing_file_or_column_is_exit_status_2_and_nothing_imported(tmp_path, projects):
    with pytest.raises(CommandError) as raised:
        run(str(tmp_path / "nothing.txt"))
    assert raised.value.returncode == 2 and "no such file" in str(raised.value)
    no_elapsed = lambda line: "|".join(f for i, f in enumerate(line.split("|")) if i != 7)  # noqa: E731
    with pytest.raises(CommandError) as raised:
        run(write(tmp_path, [no_elapsed(HEADER), *map(no_elapsed, JOBS)]))
    assert raised.value.returncode == 2 and "ElapsedRaw" in str(raised.value)
    with pytest.raises(CommandError) as raised:
        run(write(tmp_path, [], "empty.txt"))
    assert raised.value.returncode == 2 and "header" in str(raised.value)
    assert not UsageRecord.objects.exists()


def test_collect_slurm_records_through_the_same_import(tmp_path, projects, monkeypatch):
    conf = tmp_path / "slurm.conf"
    conf.write_text("ClusterName=alpha\n")
    sacct = tmp_path / "bin" / "sacct"  # a stand-in printing what sacct -P -n prints for the columns asked
    sacct.parent.mkdir()
    sacct.write_text("#!/bin/sh\ncat <<'EOF'\n" + "\n".join(JOBS) + "\nEOF\n")
    sacct.chmod(0o755)
    monkeypatch.setenv("PATH", f"{sacct.parent}:{os.environ['PATH']}")
    out = io.StringIO()
    call_command("usage", "collect-slurm", "--cluster", "alpha", "--slurm-conf", str(conf), stdout=out)
    assert out.getvalue() == (
        "alpha: 3 imported, 0 already known, 0 kept aside, 0 refused; 0 still running (recorded once they end).\n"
    )
    collected = as_rows()
    UsageRecord.objects.all().delete()
    run(write(tmp_path, [HEADER, *JOBS]))
    assert [row[:11] for row in as_rows()] == [row[:11] for row in collected]
    err = io.StringIO()
    call_command("metering", "collect-slurm", "--cluster", "alpha", "--slurm-conf", str(conf), stdout=out, stderr=err)
    assert "deprecated" in err.getvalue() and "3 already known" in out.getvalue()
