import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from mesocentre.core.testing import WORLD_NOW
from mesocentre.hpc import services
from mesocentre.hpc.models import Call, Round
from mesocentre.tenancy.models import Establishment, Laboratory, Membership, ScientificTheme


@pytest.fixture
def w(db, user_factory, time_machine):
    """Two laboratories of one university, a PI who accepted the charter, a student who did not, a reviewer of the
    PI's laboratory and one from elsewhere, an operator, an open and a closed round; on 2026-06-15."""
    time_machine.move_to(WORLD_NOW, tick=True)
    now = timezone.now()
    x = SimpleNamespace()
    x.theme = ScientificTheme.objects.create(code="fluids", name="Fluid mechanics")
    x.other_theme = ScientificTheme.objects.create(code="chemistry", name="Chemistry")
    x.univ = Establishment.objects.create(code="univ", name="University", kind="university")
    x.cnrs = Establishment.objects.create(code="cnrs", name="CNRS", kind="research_organisation")
    x.company = Establishment.objects.create(code="company", name="Company", kind="company")
    x.lab = Laboratory.objects.create(code="lab", name="Lab", theme=x.theme)
    x.lab.establishments.set([x.univ, x.cnrs])
    x.other_lab = Laboratory.objects.create(code="other", name="Other lab", theme=x.other_theme)
    x.other_lab.establishments.set([x.univ])
    x.operator = user_factory("op", is_operator=True)
    x.pi = user_factory("pi", unix_login="pi", charter_accepted_at=now)
    x.student = user_factory("student", unix_login="student")
    x.manager = user_factory("estmanager")
    x.insider = user_factory("insider", is_reviewer=True)
    x.outside = user_factory("outside", is_reviewer=True)
    Membership.objects.create(user=x.pi, establishment=x.univ, laboratory=x.lab)
    Membership.objects.create(user=x.manager, establishment=x.cnrs, role="manager")
    Membership.objects.create(user=x.insider, establishment=x.univ, laboratory=x.lab)
    Membership.objects.create(user=x.outside, establishment=x.univ, laboratory=x.other_lab)
    x.call = Call.objects.create(code="call", name="Call")
    x.round = Round.objects.create(
        call=x.call,
        name="Open",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
        cpu_budget=1_000_000,
        gpu_budget=1_000,
    )
    x.closed = Round.objects.create(
        call=x.call,
        name="Closed",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        cpu_budget=1_000_000,
    )
    x.project = services.create_project(  # paid by the CNRS, which the PI is not part of: an operator's doing
        x.operator,
        pi=x.pi,
        code="jets",
        title="Jets",
        laboratory=x.lab,
        paying_establishment=x.cnrs,
        theme=x.theme,
        starts_on=datetime.date(2026, 1, 1),
    )
    return x


@pytest.fixture
def decided(w):
    """The project's request in the open round, decided: 100 000 of 120 000 core-hours, 500 GPU hours."""
    with transaction.atomic():
        request = services.submit_request(
            w.pi, w.project, w.round, cpu_core_hours=120_000, gpu_hours=500, justification="Runs."
        )
        allocation = services.decide(
            w.operator,
            request,
            cpu_core_hours=100_000,
            gpu_hours=500,
            reason="Budget.",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
    return allocation
