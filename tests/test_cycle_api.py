"""The API of the cycle (issue 9, part 6): plans, activities, KPIs, measurements and progress.

Reads for whoever may see the plan; writes of measurements and progress reports with a
read-and-write token, through the services the forms use, their refusals answered 400
with the field they name.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from arusha.accounts.services import api_token_create
from arusha.core.models import AuditEvent
from arusha.monitoring.models import Measurement, ProgressReport
from arusha.monitoring.tests import conftest as monitoring_fixtures
from arusha.planning import services as planning_services

# The adopted plan of 2025, monitored quarterly, that the monitoring tests share, and its
# KPI of women in senior posts over senior posts, computed from its parts per grade.
monitored = monitoring_fixtures.monitored
women = monitoring_fixtures.women


def _token(user, organization, scope_: str = "write") -> str:  # type: ignore[no-untyped-def]
    _token_row, key = api_token_create(actor=user, organization=organization, scope=scope_, expires_in_days=1)
    return f"Token {key}"


def _get(client, token: str, url: str, **params: Any):  # type: ignore[no-untyped-def]
    return client.get(url, params, HTTP_AUTHORIZATION=token)


def _put(client, token: str, url: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.put(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=token)


def test_plans_activities_and_kpis_are_read_with_a_token(client, cast, world, monitored) -> None:  # type: ignore[no-untyped-def]
    planning_services.reference_add(
        actor=cast.owner,
        kpi=monitored.kpi,
        label="Regional average",
        source="WCO regional survey 2024",
        date=datetime.date(2024, 12, 31),
        value="2.5",
    )
    token = _token(cast.member, cast.customs, "read")
    plans = _get(client, token, reverse("api-plans")).json()
    assert sorted(p["title"] for p in plans["results"]) == [
        "Integrity action plan 2025",
        "Integrity action plan 2027-2029",
    ]
    plan = _get(client, token, reverse("api-plan", args=[monitored.plan.pk])).json()
    assert plan["status"] == "adopted" and plan["objectives"][0]["kpis"] == [monitored.kpi.pk]
    activities = _get(client, token, reverse("api-plan-activities", args=[monitored.plan.pk])).json()
    late = next(a for a in activities["results"] if a["title"] == "Train the auditors")
    assert late["performer"] == "Mark Member" and late["responsible_division"] == "Operations"
    assert "kpis" in late and "target" in late and "target_value" in late
    kpi = _get(client, token, reverse("api-kpi", args=[monitored.kpi.pk])).json()
    assert (kpi["code"], kpi["decimals"], kpi["value_format"]) == ("INT-1", 1, "number")
    assert kpi["reference_values"][0]["label"] == "Regional average"
    assert [t["value"] for t in kpi["targets"]] == ["5.000000", "3.000000", "2.000000"]
    periods = _get(client, token, reverse("api-plan-periods", args=[monitored.plan.pk])).json()
    assert [p["label"] for p in periods["results"]] == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
    # Another organization's token, and a person who may not see the plan: 404, as on the screens.
    foreign = _token(cast.foreigner, cast.other, "read")
    assert _get(client, foreign, reverse("api-plan", args=[monitored.plan.pk])).status_code == 404
    assert _get(client, foreign, reverse("api-kpi", args=[monitored.kpi.pk])).status_code == 404
    assert _get(client, foreign, reverse("api-plans")).json()["count"] == 0


def test_measurements_are_written_through_the_service_with_a_write_token(  # type: ignore[no-untyped-def]
    client,
    cast,
    monitored,
) -> None:
    q1 = monitored.periods[0]
    url = reverse("api-plan-measurement", args=[monitored.plan.pk, q1.pk, monitored.kpi.pk])
    token = _token(cast.member, cast.customs)
    refused = _put(client, token, url, {"variables": {"A": 3}})
    assert refused.status_code == 400 and refused.json() == {"variables.B": ["Give a value."]}
    refused = _put(client, token, url, {"variables": {"A": 3, "B": 0}})
    assert refused.status_code == 400 and "divides by zero" in refused.json()["variables"][0]
    body = {
        "variables": {"A": 3, "B": "60"},
        "disaggregated": {"region": {"North": 2, "South": "1"}},
        "version": 0,
    }
    created = _put(client, token, url, body)
    assert created.status_code == 201
    measurement = created.json()
    assert (measurement["value"], measurement["value_shown"], measurement["version"]) == (
        "5.000000",
        "5.0 %",
        1,
    )
    assert measurement["categories"][0] == {
        "dimension": "region",
        "category": "North",
        "value": "2.000000",
        "variables": {},
    }
    # Sending the version read refuses to overwrite a newer one; a second PUT replaces the first.
    assert _put(client, token, url, body).status_code == 409
    replaced = _put(client, token, url, {**body, "variables": {"A": 6, "B": 60}, "version": 1})
    assert replaced.status_code == 200 and replaced.json()["value"] == "10.000000"
    listed = _get(client, token, reverse("api-plan-measurements", args=[monitored.plan.pk]), period=q1.pk)
    assert [m["kpi_code"] for m in listed.json()["results"]] == ["INT-1"]
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="arusha.monitoring.measurement.entered").count() == 2
    # A read-only token reads, and may not write.
    reader = _token(cast.member, cast.customs, "read")
    assert _get(client, reader, url).json()["value"] == "10.000000"
    assert _put(client, reader, url, body).status_code == 403
    with scope(organization=cast.customs):
        assert Measurement.objects.get(kpi=monitored.kpi, period=q1).version == 2


def test_a_rate_by_category_comes_back_naming_the_category_at_fault(client, cast, monitored, women) -> None:  # type: ignore[no-untyped-def]
    url = reverse("api-plan-measurement", args=[monitored.plan.pk, monitored.periods[0].pk, women.pk])
    token = _token(cast.member, cast.customs)
    grades = {"A": {"W": 1, "S": 4}, "B": {"W": 0, "S": 0}}
    refused = _put(client, token, url, {"disaggregated": {"grade": grades}})
    assert refused.status_code == 400
    assert refused.json() == {"disaggregated.grade.B.S": ["grade B: senior posts is zero."]}
    saved = _put(client, token, url, {"disaggregated": {"grade": {**grades, "B": {"W": 2, "S": 6}}}}).json()
    assert (saved["value"], saved["value_shown"]) == ("30.000000", "30.0 %")
    assert [(c["category"], c["value"], c["variables"]) for c in saved["categories"]] == [
        ("A", "25.000000", {"W": "1", "S": "4"}),
        ("B", "33.333333", {"W": "2", "S": "6"}),
    ]


def test_progress_reports_are_written_through_the_service(client, cast, world, monitored) -> None:  # type: ignore[no-untyped-def]
    q2 = monitored.periods[1]
    mine = reverse("api-plan-progress-report", args=[monitored.plan.pk, q2.pk, monitored.late.pk])
    token = _token(cast.member, cast.customs)
    refused = _put(
        client, token, mine, {"percent_done": 40, "status": "at_risk", "narrative": "Half the trainers."}
    )
    assert refused.status_code == 400 and refused.json() == {"obstacles": ["Say what stands in the way."]}
    assert (
        _put(client, token, mine, {"percent_done": 140, "status": "on_track", "narrative": "x"}).status_code
        == 400
    )
    report = {
        "percent_done": 40,
        "status": "at_risk",
        "narrative": "Half the trainers.",
        "obstacles": "No room.",
    }
    assert _put(client, token, mine, report).status_code == 201
    assert _put(client, token, mine, {**report, "percent_done": 50}).json()["percent_done"] == 50
    # The member reports on their own activities only; another's answers 403.
    theirs = reverse("api-plan-progress-report", args=[monitored.plan.pk, q2.pk, monitored.soon.pk])
    assert _put(client, token, theirs, report).status_code == 403
    listed = _get(
        client, token, reverse("api-plan-progress", args=[monitored.plan.pk]), activity=monitored.late.pk
    )
    assert [(r["period_label"], r["percent_done"]) for r in listed.json()["results"]] == [("2025 Q2", 50)]
    assert (
        _get(client, token, reverse("api-plan-progress", args=[monitored.plan.pk]), period="abc").status_code
        == 400
    )
    # An activity or a period of another plan is not found in this one.
    other = reverse("api-plan-progress-report", args=[monitored.plan.pk, q2.pk, world.activity.pk])
    assert _put(client, token, other, report).status_code == 404
    foreign = _token(cast.foreigner, cast.other)
    assert _put(client, foreign, mine, report).status_code == 404
    with scope(organization=cast.customs):
        assert ProgressReport.objects.filter(activity=monitored.late).count() == 1


def test_the_openapi_schema_documents_the_cycle_and_its_writes(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    put = schema["paths"]["/api/v1/plans/{id}/periods/{period}/measurements/{kpi}/"]["put"]
    assert {"200", "201", "400", "401", "403", "404", "409"} <= set(put["responses"])
    assert "/api/v1/kpis/{id}/" in schema["paths"] and "/api/v1/plans/{id}/activities/" in schema["paths"]
    assert "/api/v1/plans/{id}/periods/{period}/progress/{activity}/" in schema["paths"]
