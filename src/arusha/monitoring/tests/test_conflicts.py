"""No lost or doubled work in monitoring, evaluation and review (issue 8, point 6).

Edit forms: two people open the same form, both save; the second is refused with the
conflict message, the first's values stay, and the second finds their typed text in the
form again (400) beside "their version"; saving again, once compared, goes through.
Monitoring's rows (set-up, progress report, measurement, evaluation, gap entry) are
created by their first save, so the same holds when both opened the form before anything
was saved.

Create forms: the same form sent twice (a double click, a retried request) makes one row
and answers both times with the same redirect; a new form (a new key) makes another, or
is refused where only one may exist (the next cycle, its plan).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.forms import hidden_value, signed_in

from arusha.assessments.models import Assessment
from arusha.core.errors import DomainError
from arusha.monitoring import selectors, services
from arusha.monitoring.models import (
    Evaluation,
    FollowUp,
    GapEntry,
    Measurement,
    Meeting,
    MonitoringSetup,
    MonitoringTask,
    ProgressReport,
    ReviewIndicator,
)
from arusha.monitoring.tests.conftest import DAY
from arusha.planning.models import ActionPlan

pytestmark = pytest.mark.django_db


def _one(model: type[models.Model], **lookup: Any) -> models.Model:
    with scopes_disabled():
        return model._default_manager.get(**lookup)


def _url(name: str, c, m, *args: Any) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[c.customs.slug, m.plan.pk, *args])


def _report(c, m) -> None:  # type: ignore[no-untyped-def]
    services.progress_report(
        actor=c.owner,
        activity=m.late,
        period=m.periods[0],
        percent_done=20,
        status="on_track",
        narrative="Begun.",
    )


def _measure(c, m) -> None:  # type: ignore[no-untyped-def]
    services.measurement_enter(
        actor=c.member, kpi=m.kpi, period=m.periods[0], variables={"A": "2", "B": "40"}, note="First."
    )


def _evaluate(c, m) -> None:  # type: ignore[no-untyped-def]
    services.evaluation_save(
        actor=c.owner,
        plan=m.plan,
        objective=m.objective,
        relevance="high",
        success="low",
        cost_effectiveness="low",
        narrative="A first rating, written before the others.",
    )


def _analyse(c, m) -> None:  # type: ignore[no-untyped-def]
    services.gap_save(
        actor=c.owner, plan=m.plan, area_code="KF1", remaining_gap="Not analysed.", revisit=False
    )


# --- Edit forms -------------------------------------------------------------------------------


@dataclass
class Edit:
    name: str
    page: Callable[[Any, Any], str]
    data: Callable[[Any, Any], dict[str, Any]]
    field: str  # the name of the field both people type in (with its prefix)
    stored: Callable[[Any, Any], Any]
    post: Callable[[Any, Any], str] | None = None
    prefix: str = ""  # of the form's fields on a page of several forms
    before: Callable[[Any, Any], None] | None = None  # what is saved before both open the form
    first: str = "Written by the first person, who saved first."
    second: str = "Typed by the second person, from the older version."


RATINGS = {"relevance": "high", "success": "medium", "cost_effectiveness": "low"}


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{name}": value for name, value in values.items()}


EDITS = [
    Edit(
        "set-up",
        lambda c, m: _url("monitoring-setup", c, m),
        lambda c, m: {
            "frequency": "quarterly",
            "coordinator": c.owner.pk,
            "report_days": "15",
            "due_soon_days": "14",
        },
        "escalate_days",
        lambda c, m: str(_one(MonitoringSetup, plan=m.plan).escalate_days),  # type: ignore[attr-defined]
        first="9",
        second="12",
    ),
    Edit(
        "progress report (first report)",
        lambda c, m: _url("monitoring-progress", c, m, m.periods[0].pk, m.late.pk),
        lambda c, m: {"percent_done": "50", "status": "on_track"},
        "narrative",
        lambda c, m: _one(ProgressReport, activity=m.late, period=m.periods[0]).narrative,  # type: ignore[attr-defined]
    ),
    Edit(
        "progress report (changed)",
        lambda c, m: _url("monitoring-progress", c, m, m.periods[0].pk, m.late.pk),
        lambda c, m: {"percent_done": "50", "status": "on_track"},
        "narrative",
        lambda c, m: _one(ProgressReport, activity=m.late, period=m.periods[0]).narrative,  # type: ignore[attr-defined]
        before=_report,
    ),
    Edit(
        "measurement (first entry)",
        lambda c, m: _url("monitoring-measurement", c, m, m.periods[0].pk, m.kpi.pk),
        lambda c, m: {"var_A": "2", "var_B": "40"},
        "note",
        lambda c, m: _one(Measurement, kpi=m.kpi, period=m.periods[0]).note,  # type: ignore[attr-defined]
    ),
    Edit(
        "measurement (changed)",
        lambda c, m: _url("monitoring-measurement", c, m, m.periods[0].pk, m.kpi.pk),
        lambda c, m: {"var_A": "3", "var_B": "40"},
        "note",
        lambda c, m: _one(Measurement, kpi=m.kpi, period=m.periods[0]).note,  # type: ignore[attr-defined]
        before=_measure,
    ),
    Edit(
        "evaluation of an objective",
        lambda c, m: _url("monitoring-evaluation", c, m),
        lambda c, m: _prefixed(f"objective-{m.objective.pk}-", RATINGS),
        "narrative",
        lambda c, m: _one(Evaluation, plan=m.plan, objective=m.objective).narrative,  # type: ignore[attr-defined]
        post=lambda c, m: _url("monitoring-evaluate-objective", c, m, m.objective.pk),
        prefix="objective-{m.objective.pk}-",
        before=_evaluate,
    ),
    Edit(
        "evaluation of a KPI (first rating)",
        lambda c, m: _url("monitoring-evaluation", c, m),
        lambda c, m: _prefixed(f"kpi-{m.kpi.pk}-", RATINGS),
        "narrative",
        lambda c, m: _one(Evaluation, plan=m.plan, kpi=m.kpi).narrative,  # type: ignore[attr-defined]
        post=lambda c, m: _url("monitoring-evaluate-kpi", c, m, m.kpi.pk),
        prefix="kpi-{m.kpi.pk}-",
    ),
    Edit(
        "gap entry (first analysis)",
        lambda c, m: _url("monitoring-evaluation", c, m),
        lambda c, m: {},
        "remaining_gap",
        lambda c, m: _one(GapEntry, plan=m.plan, area_code="KF1").remaining_gap,  # type: ignore[attr-defined]
        post=lambda c, m: _url("monitoring-gap-save", c, m, "KF1"),
        prefix="gap-KF1-",
    ),
    Edit(
        "gap entry (changed)",
        lambda c, m: _url("monitoring-evaluation", c, m),
        lambda c, m: {},
        "remaining_gap",
        lambda c, m: _one(GapEntry, plan=m.plan, area_code="KF1").remaining_gap,  # type: ignore[attr-defined]
        post=lambda c, m: _url("monitoring-gap-save", c, m, "KF1"),
        prefix="gap-KF1-",
        before=_analyse,
    ),
]


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_the_second_save_from_the_same_version_is_refused_and_keeps_the_typed_text(
    cast, monitored, colleague, edit: Edit
) -> None:  # type: ignore[no-untyped-def]
    if edit.before is not None:
        edit.before(cast, monitored)
    first, second = signed_in(cast.owner), signed_in(colleague)
    page, post = edit.page(cast, monitored), (edit.post or edit.page)(cast, monitored)
    prefix = edit.prefix.format(m=monitored)
    version, typed = f"{prefix}version", f"{prefix}{edit.field}"
    base = edit.data(cast, monitored)
    read_by_first = hidden_value(first.get(page).content.decode(), version)
    read_by_second = hidden_value(second.get(page).content.decode(), version)
    assert read_by_first == read_by_second == ("1" if edit.before or edit.name == "set-up" else "0")

    saved = first.post(post, {**base, typed: edit.first, version: read_by_first})
    assert saved.status_code == 302
    refused = second.post(post, {**base, typed: edit.second, version: read_by_second})
    text = refused.content.decode()

    assert refused.status_code == 400
    assert "Olive Owner saved a newer version (" in text
    assert "Your text is kept: compare it with theirs, then save again." in text
    theirs = re.search(r'<section class="their-version".*?</section>', text, re.DOTALL)
    assert theirs is not None and edit.first in theirs.group(0)
    assert edit.second in text
    assert edit.stored(cast, monitored) == edit.first

    # Once compared, saving again goes through: the form now carries the current version.
    again = second.post(post, {**base, typed: edit.second, version: hidden_value(text, version)})
    assert again.status_code == 302
    assert edit.stored(cast, monitored) == edit.second


def test_a_refused_stale_entry_leaves_the_verification_in_place(cast, monitored, colleague) -> None:  # type: ignore[no-untyped-def]
    _measure(cast, monitored)
    measurement = selectors.measurement_of(monitored.kpi, monitored.periods[0])
    assert measurement is not None
    services.measurement_verify(actor=cast.owner, measurement=measurement)
    url = _url("monitoring-measurement", cast, monitored, monitored.periods[0].pk, monitored.kpi.pk)
    stale = hidden_value(signed_in(colleague).get(url).content.decode(), "version")
    # Someone else's entry with the same values: the verification stays, the version moves on.
    services.measurement_enter(
        actor=cast.member,
        kpi=monitored.kpi,
        period=monitored.periods[0],
        variables={"A": "2", "B": "40"},
        note="Same values, another note.",
    )
    refused = signed_in(colleague).post(url, {"var_A": "9", "var_B": "40", "version": stale})
    assert refused.status_code == 400
    kept = _one(Measurement, pk=measurement.pk)
    assert kept.verified_by_id == cast.owner.pk and kept.variables == {"A": "2", "B": "40"}  # type: ignore[attr-defined]
    # A changed entry from the current version still withdraws the verification.
    current = hidden_value(refused.content.decode(), "version")
    assert (
        signed_in(colleague).post(url, {"var_A": "9", "var_B": "40", "version": current}).status_code == 302
    )
    assert _one(Measurement, pk=measurement.pk).verified_by_id is None  # type: ignore[attr-defined]


def test_values_entered_after_the_page_was_read_are_not_verified_unseen(cast, monitored) -> None:  # type: ignore[no-untyped-def]
    _measure(cast, monitored)
    period = monitored.periods[0]
    coordinator = signed_in(cast.owner)
    sheet = coordinator.get(_url("monitoring-period", cast, monitored, period.pk)).content.decode()
    seen = hidden_value(sheet, "version")
    services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=period, variables={"A": "7", "B": "40"}
    )
    measurement = selectors.measurement_of(monitored.kpi, period)
    assert measurement is not None
    verify = _url("monitoring-verify", cast, monitored, measurement.pk)
    refused = coordinator.post(verify, {"version": seen}, follow=True)
    assert "The values changed since you opened the page" in refused.content.decode()
    assert _one(Measurement, pk=measurement.pk).verified_at is None  # type: ignore[attr-defined]
    assert coordinator.post(verify, {"version": str(measurement.version)}).status_code == 302
    assert _one(Measurement, pk=measurement.pk).verified_by_id == cast.owner.pk  # type: ignore[attr-defined]


def test_services_called_without_a_version_still_write_and_count_a_version(cast, monitored) -> None:  # type: ignore[no-untyped-def]
    """Imports, the demo and other services read no form: they save as before."""
    _report(cast, monitored)
    _report(cast, monitored)
    assert _one(ProgressReport, activity=monitored.late, period=monitored.periods[0]).version == 2  # type: ignore[attr-defined]


# --- Create forms -----------------------------------------------------------------------------


@dataclass
class Create:
    name: str
    page: Callable[[Any, Any], str]
    data: Callable[[Any, Any], dict[str, Any]]
    rows: Callable[[Any, Any], models.QuerySet[Any]]
    post: Callable[[Any, Any], str] | None = None
    before: Callable[[Any, Any], None] | None = None
    form: int = 0  # which creation key of the page, when it holds several create forms
    only_one: bool = False  # a second one, from a new form, is refused


def _meeting(c, m) -> None:  # type: ignore[no-untyped-def]
    services.meeting_record(
        actor=c.owner,
        plan=m.plan,
        date=DAY(2025, 4, 20),
        attendees=[c.owner],
        other_attendees="",
        minutes="Q1 reviewed.",
        decisions="",
    )


def _cycle(c, m) -> None:  # type: ignore[no-untyped-def]
    services.cycle_start(
        actor=c.owner,
        plan=m.plan,
        title="Second assessment",
        mode=3,
        planned_start=DAY(2026, 1, 12),
        planned_end=DAY(2026, 3, 27),
    )


CREATES = [
    Create(
        "meeting",
        lambda c, m: _url("monitoring-meetings", c, m),
        lambda c, m: {"date": "2025-04-20", "attendees": [c.owner.pk], "minutes": "Q1 reviewed."},
        lambda c, m: Meeting._default_manager.filter(plan=m.plan),
    ),
    Create(
        "follow-up action",
        lambda c, m: _url("monitoring-meeting", c, m, selectors.meetings_of(m.plan)[0].pk),
        lambda c, m: {"action": "Recruit a trainer", "owner": c.member.pk, "due": "2025-05-31"},
        lambda c, m: FollowUp._default_manager.filter(meeting__plan=m.plan),
        before=_meeting,
    ),
    Create(
        "work plan task",
        lambda c, m: _url("monitoring-workplan", c, m),
        lambda c, m: {"task": "Collect Q1 reports", "assignee": c.member.pk, "due": "2025-04-15"},
        lambda c, m: MonitoringTask._default_manager.filter(plan=m.plan),
    ),
    Create(
        "review indicator",
        lambda c, m: _url("monitoring-review", c, m),
        lambda c, m: {"kind": "complaints", "value": "42", "source": "Complaints register"},
        lambda c, m: ReviewIndicator._default_manager.filter(plan=m.plan),
    ),
    Create(
        "next cycle",
        lambda c, m: _url("monitoring-review", c, m),
        lambda c, m: {
            "title": "Second assessment",
            "mode": "3",
            "planned_start": "2026-01-12",
            "planned_end": "2026-03-27",
        },
        lambda c, m: Assessment._default_manager.filter(title="Second assessment"),
        post=lambda c, m: _url("monitoring-cycle-start", c, m),
        form=1,
        only_one=True,
    ),
    Create(
        "next plan",
        lambda c, m: _url("monitoring-next-plan", c, m),
        lambda c, m: {
            "title": "Integrity action plan 2026",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            f"carry_{m.late.pk}": "continue",
            f"carry_{m.soon.pk}": "continue",
            f"carry_{m.nobody.pk}": "drop",
            f"reason_{m.nobody.pk}": "Published already.",
        },
        lambda c, m: ActionPlan._default_manager.filter(title="Integrity action plan 2026"),
        before=_cycle,
        only_one=True,
    ),
]


def _key(page: str, form: int) -> str:
    keys = re.findall(r'name="idempotency_key" value="([\w-]+)"', page)
    assert len(keys) > form, "the form carries no creation key"
    return str(keys[form])


@pytest.mark.parametrize("create", CREATES, ids=[c.name for c in CREATES])
def test_the_same_create_form_sent_twice_makes_one_row_and_a_new_form_another(
    cast, monitored, create: Create
) -> None:  # type: ignore[no-untyped-def]
    if create.before is not None:
        create.before(cast, monitored)
    client = signed_in(cast.owner)
    page = create.page(cast, monitored)
    post = (create.post or create.page)(cast, monitored)
    data = create.data(cast, monitored)
    key = _key(client.get(page).content.decode(), create.form)

    answers = [client.post(post, {**data, "idempotency_key": key}) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302], answers[0].content.decode()[:2000]
    assert answers[0]["Location"] == answers[1]["Location"]
    with scopes_disabled():
        assert create.rows(cast, monitored).count() == 1

    # A new form (a new key) is a new request: another row, or a refusal where only one may exist.
    another = _key(client.get(page).content.decode(), create.form) if not create.only_one else "a" * 32
    assert another != key
    answer = client.post(post, {**data, "idempotency_key": another})
    with scopes_disabled():
        if create.only_one:
            assert answer.status_code == 400 and create.rows(cast, monitored).count() == 1
        else:
            assert answer.status_code == 302 and create.rows(cast, monitored).count() == 2


def test_closing_a_follow_up_or_a_task_twice_is_told_not_recorded_twice(cast, monitored) -> None:  # type: ignore[no-untyped-def]
    _meeting(cast, monitored)
    meeting = selectors.meetings_of(monitored.plan)[0]
    follow_up = services.follow_up_add(
        actor=cast.owner, meeting=meeting, action="Recruit a trainer", owner=cast.member, due=DAY(2025, 5, 31)
    )
    stale_copy = _one(FollowUp, pk=follow_up.pk)
    services.follow_up_close(actor=cast.member, follow_up=follow_up, outcome="Recruited in May.")
    with pytest.raises(DomainError, match="already closed"):
        services.follow_up_close(actor=cast.owner, follow_up=stale_copy, outcome="Another outcome.")  # type: ignore[arg-type]
    assert _one(FollowUp, pk=follow_up.pk).outcome == "Recruited in May."  # type: ignore[attr-defined]

    task = services.task_add(
        actor=cast.owner,
        plan=monitored.plan,
        task="Collect reports",
        assignee=cast.member,
        due=DAY(2025, 4, 15),
    )
    stale_task = _one(MonitoringTask, pk=task.pk)
    services.task_done(actor=cast.member, task=task)
    with pytest.raises(DomainError, match="already done"):
        services.task_done(actor=cast.owner, task=stale_task)  # type: ignore[arg-type]
