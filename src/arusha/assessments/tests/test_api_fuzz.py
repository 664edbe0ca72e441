"""The API answers as its OpenAPI schema says: schemathesis, every check, in-process through WSGI.

The fuzzer reads the project's schema from /api/schema/ and, for every operation,
generates requests that fit the schema and requests that do not (identifiers, pages,
headers, methods), with identifiers drawn at random and with a real assessment's. Each
answer goes through every schemathesis check: no server error, only documented status
codes, bodies and headers that match the schema, authentication not ignored. A few dozen
examples per operation keep it well under a minute.

Hypothesis is driven directly rather than through `schema.parametrize()`: schemathesis'
pytest plugin reaches for a pytest attribute that pytest 9 no longer has.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.result import Err, Ok

from arusha.accounts.services import api_token_create

load_all_checks()
ALL_CHECKS = CHECKS.get_all()
EXAMPLES = 40


@pytest.fixture
def api_token(cast, world) -> str:  # type: ignore[no-untyped-def]
    """A token of the owner of an administration that has assessments.

    The one place that knows how a test obtains a token: switch it here when the token
    service changes.
    """
    _token, key = api_token_create(
        actor=cast.owner, organization=cast.customs, scope="read", expires_in_days=1
    )
    return key


@pytest.fixture
def _keep_connection():  # type: ignore[no-untyped-def]
    """Calling the WSGI application directly would close the test's database connection at the
    end of each request (PostgreSQL then fails the next one); Django's test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _run(strategy: Any, token: str) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # nothing written to .hypothesis/ in the working tree
        suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same requests on every run: a failure is reproducible
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=ALL_CHECKS)

    check()


def test_the_api_answers_every_request_as_its_openapi_schema_documents(
    api_token, world, _keep_connection
) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    results = list(schema.get_all_operations())
    # Every operation of our own schema must load; an Err would name the broken one.
    assert [r.err() for r in results if isinstance(r, Err)] == []
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert {op.path for op in operations} >= {"/api/v1/assessments/", "/api/v1/assessments/{id}/responses/"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation.as_strategy(generation_mode=mode), api_token)
        if "{id}" in operation.path:
            real = operation.as_strategy(path_parameters={"id": world.assessment.pk})
            _run(real, api_token)
