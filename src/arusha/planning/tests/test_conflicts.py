"""No lost or doubled work, through every covered form of core, assessments and planning.

Edit forms: two people open the same form, both save; the second is refused with the
conflict message, the first's values stay, and the second finds their typed text in
the form again (400) beside "their version"; saving again, once compared, goes through.

Create forms: the same form sent twice (a double click, a retried request) makes one
row and answers both times with the same redirect; a new form (a new key) makes another.
Simultaneous submits on PostgreSQL are in src/arusha/core/tests/test_concurrency.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.forms import hidden_value, signed_in

from arusha.assessments.models import (
    AgendaSession,
    Assessment,
    BackgroundDocument,
    FieldVisit,
    Finding,
    Participant,
    Task,
    TermsOfReference,
    WorkingGroup,
)
from arusha.core.models import Comment, Division, Membership, Organization
from arusha.planning.models import (
    ActionPlan,
    Activity,
    Consultation,
    Kpi,
    Objective,
    Outcome,
    Stakeholder,
    StrategicObjective,
)

PASSWORD = "correct-horse-battery-staple"


def _saved(model: type[models.Model], pk: int, name: str) -> Any:
    with scopes_disabled():
        return getattr(model._default_manager.get(pk=pk), name)


def _org(c) -> str:  # type: ignore[no-untyped-def]
    return str(c.customs.slug)


def _a(w) -> list[Any]:  # type: ignore[no-untyped-def]
    return [_org_of(w), w.assessment.pk]


def _org_of(w) -> str:  # type: ignore[no-untyped-def]
    return str(w.assessment.organization.slug)


# --- Edit forms -------------------------------------------------------------------------------


@dataclass
class Edit:
    name: str
    page: Callable[[Any, Any], str]
    data: Callable[[Any, Any], dict[str, Any]]
    field: str
    stored: Callable[[Any, Any], Any]
    first: str = "Written by the first person, who saved first."
    second: str = "Typed by the second person, from the older version."
    post: Callable[[Any, Any], str] | None = None
    shown: str | None = None  # how the first's value reads under "Their version"
    kept: str | None = None  # how the second's typed value shows in the form again


TERMS = list(TermsOfReference.FIELDS)

EDITS = [
    Edit(
        "organization",
        lambda c, w: reverse("organization-edit", args=[_org(c)]),
        lambda c, w: {"country": "XA", "default_language": "en"},
        "name",
        lambda c, w: _saved(Organization, c.customs.pk, "name"),
        first="Customs of the Republic",
        second="Revenue and Customs",
    ),
    Edit(
        "division",
        lambda c, w: reverse("division-edit", args=[_org(c), c.division.pk]),
        lambda c, w: {"code": "OPS"},
        "name",
        lambda c, w: _saved(Division, c.division.pk, "name"),
    ),
    Edit(
        "membership",
        lambda c, w: reverse(
            "member-edit", args=[_org(c), Membership.objects.get(user=c.member, organization=c.customs).pk]
        ),
        lambda c, w: {"roles": ["contributor", "performer"], "division": c.division.pk, "is_active": "on"},
        "job_title",
        lambda c, w: Membership.objects.get(user=c.member, organization=c.customs).job_title,
        first="Senior officer",
        second="Junior officer",
    ),
    Edit(
        "plan details",
        lambda c, w: reverse("plan-edit", args=[_org(c), w.plan.pk]),
        lambda c, w: {
            "title": "Integrity action plan 2027-2029",
            "period_start": "2027-04-01",
            "period_end": "2029-12-31",
        },
        "strategic_plan",
        lambda c, w: _saved(ActionPlan, w.plan.pk, "strategic_plan"),
        first="Strategic Plan (2027-2029)",
        second="Strategic Plan (2026-2030)",
    ),
    Edit(
        "activity ratings",
        lambda c, w: reverse("plan-activity", args=[_org(c), w.plan.pk, w.activity.pk]),
        lambda c, w: {"urgency": "medium"},
        "importance",
        lambda c, w: _saved(Activity, w.activity.pk, "importance"),
        first="high",
        second="low",
        shown="High",
        kept='<option value="low" selected>',
    ),
    Edit(
        "activity details",
        lambda c, w: reverse("plan-activity", args=[_org(c), w.plan.pk, w.activity.pk]),
        lambda c, w: {"title": "Verify a sample of integrity statements"},
        "description",
        lambda c, w: _saved(Activity, w.activity.pk, "description"),
        post=lambda c, w: reverse("plan-activity-details", args=[_org(c), w.plan.pk, w.activity.pk]),
    ),
    Edit(
        "KPI",
        lambda c, w: reverse("kpi-edit", args=[_org(c), w.kpi.pk]),
        lambda c, w: {
            "code": "INT-1",
            "name": "Integrity compliance rate",
            "performance_dimension": "Advanced level of integrity",
            "variables_text": "A: cases disclosed\nB: audits completed",
            "formula": "A / B * 100",
            "source_of_verification": "Case register of the internal affairs unit.",
            "periodicity": "yearly",
            "direction": "lower",
            "disclosure": "administration",
        },
        "description",
        lambda c, w: _saved(Kpi, w.kpi.pk, "description"),
    ),
    Edit(
        "finding",
        lambda c, w: reverse("assessment-finding-edit", args=[*_a(w), w.finding.pk]),
        lambda c, w: {
            "kind": "gap",
            "area_code": "KF1",
            "title": "Statements are not checked",
            "priority": "high",
            "question_codes": "KF1.1",
        },
        "description",
        lambda c, w: _saved(Finding, w.finding.pk, "description"),
    ),
    Edit(
        "terms of reference",
        lambda c, w: reverse("assessment-terms-edit", args=_a(w)),
        lambda c, w: dict.fromkeys(TERMS, ""),
        "objective",
        lambda c, w: TermsOfReference._default_manager.get(assessment=w.assessment).objective,
    ),
    Edit(
        "working group",
        lambda c, w: reverse("assessment-group-edit", args=[*_a(w), w.group.pk]),
        lambda c, w: {"area_codes": ["KF1", "KF2"]},
        "name",
        lambda c, w: _saved(WorkingGroup, w.group.pk, "name"),
        first="Group A (leadership)",
        second="Group A (rules)",
    ),
    Edit(
        "participant",
        lambda c, w: reverse("assessment-participant-edit", args=[*_a(w), w.guest_participant.pk]),
        lambda c, w: {"idg_role": "XC", "stakeholder_group": "private_sector", "working_group": w.group.pk},
        "expertise",
        lambda c, w: _saved(Participant, w.guest_participant.pk, "expertise"),
        first="Customs brokerage",
        second="Freight forwarding",
    ),
    Edit(
        "workplan activity",
        lambda c, w: reverse("assessment-task-edit", args=[*_a(w), w.task.pk]),
        lambda c, w: {},
        "note",
        lambda c, w: _saved(Task, w.task.pk, "note"),
    ),
    Edit(
        "document review",
        lambda c, w: reverse("assessment-document-review", args=[*_a(w), w.document.pk]),
        lambda c, w: {},
        "summary",
        lambda c, w: _saved(BackgroundDocument, w.document.pk, "summary"),
    ),
]


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_the_second_save_from_the_same_version_is_refused_and_keeps_the_typed_text(
    cast, world, colleague, edit: Edit
) -> None:  # type: ignore[no-untyped-def]
    first, second = signed_in(cast.owner), signed_in(colleague)
    with scopes_disabled():
        page, post = edit.page(cast, world), (edit.post or edit.page)(cast, world)
        base = edit.data(cast, world)
    read_by_first = hidden_value(first.get(page).content.decode(), "version")
    read_by_second = hidden_value(second.get(page).content.decode(), "version")
    assert read_by_first == read_by_second

    saved = first.post(post, {**base, edit.field: edit.first, "version": read_by_first})
    assert saved.status_code == 302
    refused = second.post(post, {**base, edit.field: edit.second, "version": read_by_second})
    text = refused.content.decode()

    assert refused.status_code == 400
    assert "Olive Owner saved a newer version (" in text
    assert "Your text is kept: compare it with theirs, then save again." in text
    theirs = re.search(r'<section class="their-version".*?</section>', text, re.DOTALL)
    assert theirs is not None and (edit.shown or edit.first) in theirs.group(0)
    assert (edit.kept or edit.second) in text
    with scopes_disabled():
        assert edit.stored(cast, world) == edit.first

    # Once compared, saving again goes through: the form now carries the current version.
    again = second.post(post, {**base, edit.field: edit.second, "version": hidden_value(text, "version")})
    assert again.status_code == 302
    with scopes_disabled():
        assert edit.stored(cast, world) == edit.second


# --- Create forms -----------------------------------------------------------------------------


@dataclass
class Create:
    name: str
    page: Callable[[Any, Any], str]
    data: Callable[[Any, Any], dict[str, Any]]
    rows: Callable[[Any, Any], models.QuerySet[Any]]
    post: Callable[[Any, Any], str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _mode_one(c, w) -> Assessment:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        Assessment._default_manager.filter(pk=w.assessment.pk).update(mode=1)
    return w.assessment  # type: ignore[no-any-return]


CREATES = [
    Create(
        "action plan",
        lambda c, w: reverse("plan-create", args=[_org(c)]),
        lambda c, w: {
            "title": "Second plan",
            "assessment": w.assessment.pk,
            "period_start": "2027-04-01",
            "period_end": "2028-12-31",
        },
        lambda c, w: ActionPlan._default_manager.filter(title="Second plan"),
    ),
    Create(
        "outcome",
        lambda c, w: reverse("plan-outcome-add", args=[_org(c), w.plan.pk]),
        lambda c, w: {"level": "immediate", "statement": "Fewer bribes at the border"},
        lambda c, w: Outcome._default_manager.filter(plan=w.plan),
    ),
    Create(
        "objective",
        lambda c, w: reverse("plan-objective-add", args=[_org(c), w.plan.pk]),
        lambda c, w: {
            "what": "Checked statements",
            "measure": "Share",
            "target": "95 %",
            "deadline": "2028-12-31",
        },
        lambda c, w: Objective._default_manager.filter(plan=w.plan),
    ),
    Create(
        "activity",
        lambda c, w: reverse("plan-activity-add", args=[_org(c), w.plan.pk]),
        lambda c, w: {"title": "Publish the code of conduct", "description": ""},
        lambda c, w: Activity._default_manager.filter(plan=w.plan, title="Publish the code of conduct"),
    ),
    Create(
        "activity from a finding",
        lambda c, w: reverse("plan-findings", args=[_org(c), w.plan.pk]),
        lambda c, w: {"title": "Train the integrity unit", "finding": w.finding.pk},
        lambda c, w: Activity._default_manager.filter(title="Train the integrity unit"),
    ),
    Create(
        "KPI",
        lambda c, w: reverse("kpi-create", args=[_org(c)]),
        lambda c, w: {
            "code": "INT-2",
            "name": "Declarations filed on time",
            "description": "Share of asset declarations filed by the legal deadline.",
            "performance_dimension": "Advanced level of integrity",
            "variables_text": "F: declarations filed on time\nD: declarations due",
            "formula": "F / D * 100",
            "source_of_verification": "Register of declarations.",
            "periodicity": "yearly",
            "direction": "higher",
            "disclosure": "public",
        },
        lambda c, w: Kpi._default_manager.filter(code="INT-2"),
    ),
    Create(
        "stakeholder",
        lambda c, w: reverse("plan-stakeholders", args=[_org(c), w.plan.pk]),
        lambda c, w: {"action": "stakeholder", "name": "Chamber of commerce", "kind": "private_sector"},
        lambda c, w: Stakeholder._default_manager.filter(name="Chamber of commerce"),
    ),
    Create(
        "consultation",
        lambda c, w: reverse("plan-stakeholders", args=[_org(c), w.plan.pk]),
        lambda c, w: {
            "action": "consultation",
            "stakeholder": Stakeholder._default_manager.create(
                organization=c.customs, name="Brokers' association", kind="private_sector"
            ).pk,
            "date": "2027-05-02",
            "format": "meeting",
            "feedback": "Publish the fees.",
        },
        lambda c, w: Consultation._default_manager.filter(plan=w.plan),
    ),
    Create(
        "strategic objective",
        lambda c, w: reverse("plan-strategic-objectives", args=[_org(c)]),
        lambda c, w: {"code": "SO-1", "title": "A trusted administration"},
        lambda c, w: StrategicObjective._default_manager.filter(code="SO-1"),
    ),
    Create(
        "assessment",
        lambda c, w: reverse("assessment-create", args=[_org(c)]),
        lambda c, w: {
            "title": "Targeted review 2028",
            "framework_version": w.assessment.framework_version_id,
            "mode": 3,
            "scope_kind": "comprehensive",
            "planned_start": "2028-01-10",
            "planned_end": "2028-03-20",
        },
        lambda c, w: Assessment._default_manager.filter(title="Targeted review 2028"),
    ),
    Create(
        "finding",
        lambda c, w: reverse("assessment-finding-create", args=_a(w)),
        lambda c, w: {
            "kind": "risk",
            "area_code": "KF2",
            "title": "Rules change without notice",
            "description": "Traders learn of new rules at the counter.",
            "priority": "medium",
        },
        lambda c, w: Finding._default_manager.filter(title="Rules change without notice"),
    ),
    Create(
        "field visit",
        lambda c, w: reverse("assessment-visits", args=_a(_mode_one(c, w) and w)),
        lambda c, w: {
            "date": "2027-02-01",
            "kind": "port",
            "place": "Port gate 3",
            "observations": "Queues.",
        },
        lambda c, w: FieldVisit._default_manager.filter(place="Port gate 3"),
        post=lambda c, w: reverse("assessment-visit-add", args=_a(w)),
    ),
    Create(
        "agenda session",
        lambda c, w: reverse("assessment-terms", args=_a(w)),
        lambda c, w: {
            "date": "2027-01-13",
            "start_time": "09:00",
            "end_time": "10:00",
            "title": "Group work",
        },
        lambda c, w: AgendaSession._default_manager.filter(title="Group work"),
        post=lambda c, w: reverse("assessment-session-add", args=_a(w)),
    ),
    Create(
        "working group",
        lambda c, w: reverse("assessment-group-create", args=_a(w)),
        lambda c, w: {"name": "Group B", "area_codes": ["KF3"]},
        lambda c, w: WorkingGroup._default_manager.filter(name="Group B"),
    ),
    Create(
        "participant invitation",
        lambda c, w: reverse("assessment-invite", args=_a(w)),
        lambda c, w: {"email": "new.person@test.example", "full_name": "Nia New", "idg_role": "LF"},
        lambda c, w: Participant._default_manager.filter(user__email="new.person@test.example"),
    ),
    Create(
        "background document",
        lambda c, w: reverse("assessment-document-add", args=_a(w)),
        lambda c, w: {
            "category": "codes_of_conduct",
            "title": "Staff rules",
            "url": "https://example.org/rules",
        },
        lambda c, w: BackgroundDocument._default_manager.filter(title="Staff rules"),
    ),
    Create(
        "division",
        lambda c, w: reverse("division-create", args=[_org(c)]),
        lambda c, w: {"name": "Audit", "code": "AUD"},
        lambda c, w: Division._default_manager.filter(name="Audit"),
    ),
    Create(
        "comment",
        lambda c, w: reverse("division-detail", args=[_org(c), c.division.pk]),
        lambda c, w: {"body": "Who leads the audit?"},
        lambda c, w: Comment._default_manager.filter(body="Who leads the audit?"),
        post=lambda c, w: reverse("comment-create", args=[_org(c), "division", c.division.pk]),
    ),
]


@pytest.mark.parametrize("create", CREATES, ids=[c.name for c in CREATES])
def test_the_same_create_form_sent_twice_makes_one_row(cast, world, create: Create) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast.owner)
    page = create.page(cast, world)
    key = hidden_value(client.get(page).content.decode(), "idempotency_key")
    post = (create.post or create.page)(cast, world)
    with scopes_disabled():
        data = {**create.data(cast, world), "idempotency_key": key}
    answers = [client.post(post, data) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302], answers[0].content.decode()[:2000]
    assert answers[0]["Location"] == answers[1]["Location"]
    with scopes_disabled():
        assert create.rows(cast, world).count() == 1


def test_fifty_double_submits_make_fifty_rows_and_a_new_form_makes_another(cast, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast.owner)
    url = reverse("plan-outcome-add", args=[_org(cast), world.plan.pk])
    for n in range(50):
        key = hidden_value(client.get(url).content.decode(), "idempotency_key")
        form = {"level": "immediate", "statement": f"Outcome {n}", "idempotency_key": key}
        assert [client.post(url, form).status_code for _ in range(2)] == [302, 302]
    with scopes_disabled():
        outcomes = Outcome._default_manager.filter(plan=world.plan)
        assert outcomes.count() == 50
        assert outcomes.values("statement").distinct().count() == 50
    # The same statement from a new form (another key) is another outcome: nothing is merged by content.
    key = hidden_value(client.get(url).content.decode(), "idempotency_key")
    client.post(url, {"level": "immediate", "statement": "Outcome 0", "idempotency_key": key})
    with scopes_disabled():
        assert Outcome._default_manager.filter(plan=world.plan, statement="Outcome 0").count() == 2
