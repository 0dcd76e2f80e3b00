"""Decisions: strict booleans, budgets, scheduled allocations, closed projects, and what the pages say."""

import pytest

from mesocentre.projects import services
from mesocentre.projects.models import ChangeRequest


def _more_hours(w, allocation) -> ChangeRequest:
    return services.request_change(
        w.pi, allocation, change_type="more_hours", extra_cpu_core_hours=100, justification="More."
    )


@pytest.mark.parametrize(
    ("body", "as_form", "status"),
    [
        ({"approve": "no"}, False, "refused"),
        ({"approve": "False"}, False, "refused"),
        ({"approve": "off"}, False, "refused"),
        ({"approve": "False"}, True, "refused"),
        ({"approve": False}, False, "refused"),
        ({"approve": "yes"}, True, "approved"),
        ({"approve": True}, False, "approved"),
    ],
)
def test_approving_a_change_parses_the_boolean_strictly(w, decided, api, body, as_form, status):
    change = _more_hours(w, decided)
    api.force_authenticate(w.operator)
    response = api.post(
        f"/api/projects/change-requests/{change.pk}/approve/", body, format="multipart" if as_form else "json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == status


@pytest.mark.parametrize("body", [{"approve": "perhaps"}, {"approve": "nein"}, {}, {"approve": ""}])
def test_an_unknown_or_missing_approve_is_a_400_and_decides_nothing(w, decided, api, body):
    change = _more_hours(w, decided)
    api.force_authenticate(w.operator)
    response = api.post(f"/api/projects/change-requests/{change.pk}/approve/", body, format="json")
    assert response.status_code == 400 and "approve" in response.json()
    change.refresh_from_db()
    assert change.status == "pending"


def test_every_action_with_a_body_has_it_in_the_schema(db, api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    approve = schema["paths"]["/api/projects/change-requests/{id}/approve/"]["post"]
    ref = approve["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "approve" in schema["components"]["schemas"][ref]["properties"]
    assert "approve" in schema["components"]["schemas"][ref]["required"]
