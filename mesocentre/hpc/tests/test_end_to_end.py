"""The whole path on the session's real Slurm: a decision, the worker, the limit in sacctmgr, a job, its usage in the
portal, and a job that would cross the limit kept waiting."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mesocentre.hpc import services
from mesocentre.hpc.models import Call, Round
from mesocentre.metering.tests.test_slurm_usage import wait_for_jobs_to_finish
from mesocentre.provisioning.models import SlurmCluster
from mesocentre.provisioning.slurm.testing import wait_until
from mesocentre.provisioning.tests.test_slurm_driver import run_worker, slurm_env, try_submit
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme


@pytest.mark.django_db(transaction=True)
def test_a_granted_allocation_reaches_slurm_runs_jobs_and_shows_their_usage(slurm_cluster, slurm, user_factory, client):
    name = slurm_cluster.name
    SlurmCluster.objects.create(name=name, slurm_conf=slurm_cluster.slurm_conf)
    theme = ScientificTheme.objects.create(code="e2e-theme", name="End to end")
    univ = Establishment.objects.create(code="e2e-univ", name="E2E university", kind="university")
    lab = Laboratory.objects.create(code="e2e-lab", name="E2E lab", theme=theme)
    lab.establishments.set([univ])
    operator = user_factory("e2e-op", is_operator=True)
    # The PI's Unix login is the ordinary user the session's Slurm runs test jobs as (never root: refused).
    pi = user_factory("e2e-pi", unix_login=slurm_cluster.job_user, charter_accepted_at=timezone.now())
    Membership.objects.create(user=pi, establishment=univ, laboratory=lab)
    now = timezone.now()
    call = Call.objects.create(code="e2e-call", name="E2E call")
    round_ = Round.objects.create(
        call=call,
        name="Open",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=9),
        cpu_budget=100,
    )
    project = services.create_project(
        pi, code="e2e-jets", title="Jets", laboratory=lab, paying_establishment=univ, theme=theme, starts_on=now.date()
    )
    request = services.submit_request(pi, project, round_, cpu_core_hours=2, justification="Runs.")
    services.decide(
        operator,
        request,
        cpu_core_hours=1,
        reason="One is enough.",
        starts_on=now.date(),
        ends_on=now.date() + datetime.timedelta(days=30),
        cluster=name,
    )

    assert "1 operation(s) processed" in run_worker("e2e", slurm_env(slurm_cluster))
    show = slurm.sacctmgr("show", "assoc", "where", "account=e2e-jets", f"cluster={name}", "format=user,grptresmins")
    assert "|cpu=60,gres/gpu=0" in show and f"{pi.unix_login}|" in show

    job = wait_until(lambda: try_submit(slurm, "e2e-jets", "--time=2", as_user=pi.unix_login), timeout=15)
    assert job, "a job within the grant is accepted"
    wait_for_jobs_to_finish(slurm, "e2e-jets", 1)
    out = io.StringIO()
    call_command("metering", "collect-slurm", "--cluster", name, "--slurm-conf", slurm_cluster.slurm_conf, stdout=out)
    [row] = services.consumption(project)
    assert row["consumed_cpu"] > 0 and row["granted_cpu"] == 1
    client.force_login(pi)
    page = client.get(reverse("projects:project_detail", kwargs={"code": "e2e-jets"})).content.decode()
    assert "of 1 core-hours consumed" in page, "the chart draws consumption against the grant"

    # 61 core-minutes could not run to completion within the 60 granted: Slurm keeps the job waiting.
    blocked = wait_until(lambda: try_submit(slurm, "e2e-jets", "--time=61", as_user=pi.unix_login), timeout=15)
    limited = wait_until(lambda: slurm.job_states([blocked])[str(blocked)][1] == "AssocGrpCPUMinutesLimit", 30)
    assert limited, slurm.job_states([blocked])
    slurm.run(["scancel", str(blocked)])
