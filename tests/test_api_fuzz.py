"""schemathesis, an independent OpenAPI client, fuzzes the whole API in-process (WSGI) as an operator and as a PI:
no server error, no response that contradicts the schema. A bounded number of examples per operation keeps it to a
few minutes on this machine. (Its pytest plugin's lazy schema does not work with pytest 9 yet: the operations are
walked here, each with Hypothesis.)"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def keep_the_connection() -> None:
    # In-process WSGI calls would end the test's transaction: Django's test client disconnects these too (and
    # connects them again after each of its own requests).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def in_process():
    keep_the_connection()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_schema_for_an_operator_and_a_pi(demo, in_process):
    from mesocentre.tenancy.models import User
    from mesocentre.tenancy.services import rotate_token
    from mesocentre.wsgi import application

    tokens = {name: rotate_token(User.objects.get(username=name)) for name in ("operator", "pi-irit")}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "the whole API is walked"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)  # fmt: skip
        def run(case):
            for token in tokens.values():
                with transaction.atomic():  # each call on its own: a write does not leak into the next example
                    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
                    transaction.set_rollback(True)

        def call(case):
            for token in tokens.values():
                with transaction.atomic():
                    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
                    transaction.set_rollback(True)

        cases = [run] + [lambda case=case: call(case) for case in probes(operation, tokens["operator"])]
        for attempt in cases:
            try:
                attempt()
            except Exception as exc:  # noqa: BLE001 - every operation is tried, and every failure reported
                failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
                break
    assert not failures, f"{len(failures)} operation(s) break the schema:\n\n" + "\n\n".join(failures)


HUGE = 10**20


def probes(operation, token: str) -> list:
    """What random examples seldom reach: a list asked for an absurd page, a detail of an object that exists (a
    random id is a 404, whose body says little about the 200's schema)."""
    names = {parameter.name for parameter in operation.iter_parameters()}
    if operation.method.upper() != "GET":
        return []
    if "limit" in names:
        return [operation.Case(query={"limit": HUGE}), operation.Case(query={"offset": HUGE, "limit": 1})]
    if "id" in names and "{id}" in operation.path:
        listing = operation.path.split("{id}")[0]
        from django.test import Client

        response = Client().get(listing, {"limit": 3}, HTTP_AUTHORIZATION=f"Token {token}")
        keep_the_connection()
        if response.status_code != 200:
            return []
        return [operation.Case(path_parameters={"id": row["id"]}) for row in response.json()["results"]]
    return []
