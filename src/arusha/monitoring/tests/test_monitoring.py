"""Monitoring (IDG Parts IV and V): periods, progress, measurements, meetings, alerts, dashboard."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import TypedDict

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from arusha.core.errors import DomainError
from arusha.core.models import Notification
from arusha.monitoring import alerts, periods, selectors, services
from arusha.monitoring.models import Alert, Measurement
from arusha.monitoring.tests.conftest import DAY

pytestmark = pytest.mark.django_db


class ProgressValues(TypedDict):
    percent_done: int
    status: str
    narrative: str


@pytest.mark.parametrize(
    ("frequency", "labels", "first", "last"),
    [
        ("monthly", ["2025-02", "2025-03", "2025-04"], DAY(2025, 2, 10), DAY(2025, 4, 30)),
        (
            "quarterly",
            ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1"],
            DAY(2025, 2, 10),
            DAY(2026, 2, 28),
        ),
        ("half_yearly", ["2025 H1", "2025 H2", "2026 H1"], DAY(2025, 2, 10), DAY(2026, 2, 28)),
        ("yearly", ["2025", "2026"], DAY(2025, 2, 10), DAY(2026, 2, 28)),
    ],
)
def test_periods_follow_the_calendar_and_are_clipped_to_the_plan(frequency, labels, first, last) -> None:  # type: ignore[no-untyped-def]
    spans = periods.spans(frequency, first, last)
    assert [s.label for s in spans] == labels
    assert spans[0].start == first and spans[-1].end == last
    assert all(b.start == a.end + datetime.timedelta(days=1) for a, b in itertools.pairwise(spans))


def test_monitoring_starts_on_an_adopted_plan_and_lays_out_its_periods(cast, world, monitored) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="adopted"):
        services.setup_save(actor=cast.owner, plan=world.plan, frequency="yearly", coordinator=cast.owner)
    with pytest.raises(PermissionDenied):
        services.setup_save(
            actor=cast.member, plan=monitored.plan, frequency="yearly", coordinator=cast.owner
        )
    with pytest.raises(DomainError) as refused:
        services.setup_save(
            actor=cast.owner, plan=monitored.plan, frequency="yearly", coordinator=cast.outsider
        )
    assert refused.value.field == "coordinator"
    assert [p.label for p in monitored.periods] == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
    assert monitored.periods[0].report_due == DAY(2025, 4, 15)
    # Nothing reported yet: the rhythm may still change, and the periods follow it.
    services.setup_save(
        actor=cast.owner, plan=monitored.plan, frequency="half_yearly", coordinator=cast.owner
    )
    assert [p.label for p in selectors.periods_of(monitored.plan)] == ["2025 H1", "2025 H2"]
    half = selectors.periods_of(monitored.plan)[0]
    services.progress_report(
        actor=cast.member,
        activity=monitored.late,
        period=half,
        percent_done=10,
        status="on_track",
        narrative="Begun.",
    )
    with pytest.raises(DomainError) as refused:
        services.setup_save(
            actor=cast.owner, plan=monitored.plan, frequency="monthly", coordinator=cast.owner
        )
    assert refused.value.field == "frequency"
    # The reporting delay may still change: the deadlines move, the periods stay.
    services.setup_save(
        actor=cast.owner, plan=monitored.plan, frequency="half_yearly", coordinator=cast.owner, report_days=30
    )
    assert [p.report_due for p in selectors.periods_of(monitored.plan)] == [
        DAY(2025, 7, 30),
        DAY(2026, 1, 30),
    ]
    assert selectors.periods_of(monitored.plan)[0].pk == half.pk


def test_performers_report_progress_on_their_own_activities(cast, monitored) -> None:  # type: ignore[no-untyped-def]
    q1, q2 = monitored.periods[:2]
    with pytest.raises(PermissionDenied):
        services.progress_report(
            actor=cast.member,
            activity=monitored.soon,
            period=q1,
            percent_done=5,
            status="on_track",
            narrative="x",
        )
    refusals: tuple[tuple[ProgressValues, str], ...] = (
        ({"percent_done": 90, "status": "done", "narrative": "Finished."}, "percent_done"),
        ({"percent_done": 30, "status": "at_risk", "narrative": "Slow."}, "obstacles"),
        ({"percent_done": 30, "status": "on_track", "narrative": "  "}, "narrative"),
        ({"percent_done": 130, "status": "on_track", "narrative": "Fast."}, "percent_done"),
    )
    for values, field in refusals:
        with pytest.raises(DomainError) as refused:
            services.progress_report(actor=cast.member, activity=monitored.late, period=q1, **values)
        assert refused.value.field == field
    services.progress_report(
        actor=cast.member,
        activity=monitored.late,
        period=q1,
        percent_done=20,
        status="on_track",
        narrative="Two sessions held.",
        evidence=[SimpleUploadedFile("attendance.pdf", b"%PDF-1.4 list")],
    )
    report = services.progress_report(
        actor=cast.member,
        activity=monitored.late,
        period=q1,
        percent_done=25,
        status="at_risk",
        narrative="Two sessions held, a third postponed.",
        obstacles="The trainer left.",
    )
    assert [(r.percent_done, r.status) for r in selectors.activity_reports(monitored.late)] == [
        (25, "at_risk")
    ]
    from arusha.core import selectors as core_selectors

    with scope(organization=cast.customs):
        assert [a.name for a in core_selectors.attachments_on(cast.customs, report)] == ["attendance.pdf"]
    # The coordinator reports for anyone, the activity without a performer included.
    services.progress_report(
        actor=cast.owner,
        activity=monitored.nobody,
        period=q2,
        percent_done=0,
        status="not_started",
        narrative="Later.",
    )


def _measure(cast, monitored, period, a, b, **extra):  # type: ignore[no-untyped-def]
    return services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=period, variables={"A": a, "B": b}, **extra
    )


def test_measurements_compute_the_formula_and_a_coordinator_verifies_them(cast, world, monitored) -> None:  # type: ignore[no-untyped-def]
    q1 = monitored.periods[0]
    with pytest.raises(DomainError) as refused:
        _measure(cast, monitored, q1, "3", "")
    assert refused.value.field == "var_B"
    with pytest.raises(DomainError) as refused:
        _measure(cast, monitored, q1, "3", "0")
    assert "divides by zero" in str(refused.value.message)
    with pytest.raises(DomainError) as refused:
        _measure(cast, monitored, q1, "3", "60", disaggregated={"gender": {"women": "1"}})
    assert refused.value.field == "disaggregated"
    measurement = _measure(
        cast,
        monitored,
        q1,
        "3",
        "60",
        disaggregated={"region": {"North": "2", "South": "1,0"}},
        note="From the register.",
    )
    assert measurement.value == Decimal("5")
    assert measurement.disaggregated == {"region": {"North": "2", "South": "1.0"}}
    # Verification: the coordinator, never the person who entered it.
    with pytest.raises(PermissionDenied):
        services.measurement_verify(actor=cast.member, measurement=measurement)
    services.measurement_verify(actor=cast.owner, measurement=measurement)
    own = services.measurement_enter(
        actor=cast.owner, kpi=monitored.kpi, period=monitored.periods[1], variables={"A": 1, "B": 50}
    )
    with pytest.raises(DomainError, match="Someone other"):
        services.measurement_verify(actor=cast.owner, measurement=own)
    # A change withdraws the verification; re-entering the same figures keeps it.
    _measure(cast, monitored, q1, "3", "60", disaggregated={"region": {"North": "2", "South": "1.0"}})
    with scope(organization=cast.customs):
        assert Measurement.objects.get(pk=measurement.pk).verified_at is not None
    _measure(cast, monitored, q1, "4", "60")
    with scope(organization=cast.customs):
        assert Measurement.objects.get(pk=measurement.pk).verified_at is None
    # A KPI that measures none of the plan's objectives has nothing to do in its periods.
    with scope(organization=cast.customs):
        world.plan.objectives.all().delete()
    with scope(organization=cast.customs):
        assert services.kpi_in_plan(monitored.plan, monitored.kpi)
        assert not services.kpi_in_plan(world.plan, monitored.kpi)


def test_the_steering_committee_records_meetings_and_tracks_follow_ups(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.meeting_record(
            actor=cast.owner,
            plan=monitored.plan,
            date=DAY(2025, 4, 20),
            attendees=[],
            other_attendees="",
            minutes="x",
            decisions="",
        )
    assert refused.value.field == "attendees"
    client.force_login(cast.owner)
    url = reverse("monitoring-meetings", args=[cast.customs.slug, monitored.plan.pk])
    response = client.post(
        url,
        {
            "date": "2025-04-20",
            "attendees": [cast.owner.pk, cast.member.pk],
            "other_attendees": "A representative of the brokers",
            "minutes": "Progress of Q1 reviewed.",
            "decisions": "Recruit a new trainer.",
        },
    )
    assert response.status_code == 302
    meeting = selectors.meetings_of(monitored.plan)[0]
    assert {str(p) for p in meeting.attendees.all()} == {"Olive Owner", "Mark Member"}
    detail = reverse("monitoring-meeting", args=[cast.customs.slug, monitored.plan.pk, meeting.pk])
    assert (
        client.post(
            detail, {"action": "Recruit a trainer", "owner": cast.member.pk, "due": "2025-04-01"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            detail, {"action": "Recruit a trainer", "owner": cast.member.pk, "due": "2025-05-31"}
        ).status_code
        == 302
    )
    follow_up = selectors.open_follow_ups(monitored.plan)[0]
    # The owner closes it, saying what came of it.
    client.force_login(cast.member)
    close = reverse("monitoring-follow-up-close", args=[cast.customs.slug, monitored.plan.pk, follow_up.pk])
    client.post(close, {"outcome": ""})
    assert selectors.open_follow_ups(monitored.plan) == [follow_up]
    client.post(close, {"outcome": "A trainer from the academy started in May."})
    assert selectors.open_follow_ups(monitored.plan) == []
    page = client.get(detail).content.decode()
    assert "A trainer from the academy started in May." in page and "A representative of the brokers" in page


def test_the_work_plan_says_who_does_what_by_when(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("monitoring-workplan", args=[cast.customs.slug, monitored.plan.pk])
    assert (
        client.post(
            url, {"task": "Collect reports", "assignee": cast.member.pk, "due": "2025-04-15"}
        ).status_code
        == 403
    )
    client.force_login(cast.owner)
    assert client.post(url, {"task": "", "assignee": cast.member.pk, "due": "2025-04-15"}).status_code == 400
    assert (
        client.post(
            url, {"task": "Collect Q1 reports", "assignee": cast.member.pk, "due": "2025-04-15"}
        ).status_code
        == 302
    )
    task = selectors.tasks_of(monitored.plan)[0]
    client.force_login(cast.member)
    client.post(reverse("monitoring-task-done", args=[cast.customs.slug, monitored.plan.pk, task.pk]))
    assert selectors.tasks_of(monitored.plan)[0].done_on is not None
    assert "Collect Q1 reports" in client.get(url).content.decode()


def test_alerts_are_raised_once_escalated_when_ignored_and_resolved(
    cast, monitored, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    q1 = monitored.periods[0]
    mail.outbox.clear()
    _measure(cast, monitored, q1, "3", "50")  # 6 %, above the target of 5: lower is better
    # E-mails leave when the alerts are committed (the callbacks stand for the commit).
    with django_capture_on_commit_callbacks(execute=True):
        summary = alerts.run(DAY(2025, 5, 1))
    with scope(organization=cast.customs):
        raised = {a.key: a for a in Alert.objects.filter(plan=monitored.plan)}
    assert summary.raised == len(raised) and summary.plans == 1
    late_missing = f"missing:activity:{monitored.late.pk}:period:{q1.pk}"
    off_target = f"off_target:kpi:{monitored.kpi.pk}:period:{q1.pk}"
    assert late_missing in raised and off_target in raised
    # The owner's activity starts in April, the third in October: no report was due from them for Q1.
    assert not [
        k
        for k in raised
        if k.startswith(
            (f"missing:activity:{monitored.soon.pk}:", f"missing:activity:{monitored.nobody.pk}:")
        )
    ]
    assert raised[late_missing].recipient == cast.member and raised[off_target].recipient == cast.member
    assert (
        raised[off_target].kind == "kpi_off_target"
        and "is 6 in 2025 Q1 against a target of 5" in raised[off_target].subject
    )
    assert {m.to[0] for m in mail.outbox} == {"member@test.example"}
    with scope(organization=cast.customs):
        assert Notification.objects.filter(recipient=cast.member).count() == len(raised)
    # The same day again: nothing new is said.
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = alerts.run(DAY(2025, 5, 1))
    assert again.raised == 0 and len(mail.outbox) == sent
    # The member acknowledges the off-target alert; the missing report is ignored and escalates.
    services.alert_acknowledge(actor=cast.member, alert=raised[off_target])
    from arusha.core.models import AuditEvent

    with scope(organization=cast.customs):
        assert (
            AuditEvent.objects.filter(
                action="arusha.monitoring.alert.acknowledged", actor=cast.member
            ).count()
            == 1
        )
    with django_capture_on_commit_callbacks(execute=True):
        summary = alerts.run(DAY(2025, 5, 8))
    assert summary.escalated == 1 and mail.outbox[-1].to == ["owner@test.example"]
    assert "Mark Member" in mail.outbox[-1].subject
    assert alerts.run(DAY(2025, 5, 20)).escalated == 0
    # Reporting resolves it; a new measurement on target resolves the other.
    services.progress_report(
        actor=cast.member,
        activity=monitored.late,
        period=q1,
        percent_done=30,
        status="on_track",
        narrative="Done late.",
    )
    _measure(cast, monitored, q1, "2", "50")
    summary = alerts.run(DAY(2025, 5, 21))
    assert summary.resolved == 2
    with scope(organization=cast.customs):
        open_keys = set(
            Alert.objects.filter(plan=monitored.plan, resolved_on__isnull=True).values_list("key", flat=True)
        )
    assert late_missing not in open_keys and off_target not in open_keys
    # Later in the year: the member's activity is overdue, the owner's due soon.
    alerts.run(DAY(2025, 12, 5))
    keys = set(
        selectors.alerts_of(monitored.plan, user=cast.owner, everyone=True).values_list("key", flat=True)
    )
    assert f"overdue:activity:{monitored.late.pk}:2025-06-30" in keys
    assert f"due_soon:activity:{monitored.soon.pk}:2025-12-15" in keys


def test_the_daily_command_reports_what_it_did(cast, monitored) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_alerts", "--date", "2025-07-20", stdout=out)
    assert out.getvalue().startswith("2025-07-20: 1 plans checked,")
    with pytest.raises(Exception, match="--date"):
        call_command("send_alerts", "--date", "someday")


def test_the_dashboard_counts_states_and_draws_each_kpi_against_its_targets(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    q1, q2, q3 = monitored.periods[:3]
    services.progress_report(
        actor=cast.owner,
        activity=monitored.soon,
        period=q3,
        percent_done=100,
        status="done",
        narrative="All sampled.",
    )
    services.progress_report(
        actor=cast.owner,
        activity=monitored.nobody,
        period=q3,
        percent_done=10,
        status="at_risk",
        narrative="Slow.",
        obstacles="No budget.",
    )
    _measure(cast, monitored, q1, "3", "60")
    _measure(cast, monitored, q2, "2", "50")
    client.force_login(cast.member)
    url = reverse("monitoring-dashboard", args=[cast.customs.slug, monitored.plan.pk])
    page = client.get(url).content.decode()
    # In mid-October 2025 the member's activity is past due and unreported: late.
    totals, total = selectors.state_totals(monitored.plan, selectors.Filters(), DAY(2025, 10, 15))
    assert {label: count for _state, label, count in totals} == {
        "On track": 0,
        "At risk": 1,
        "Late": 1,
        "Done": 1,
    }
    rows = selectors.activity_rows(monitored.plan, selectors.Filters(), DAY(2025, 10, 15))
    assert total == 3 and sorted(r.state for r in rows) == ["at_risk", "done", "late"]
    assert "<svg" in page and "INT-1 Integrity compliance rate" in page
    # Rounded as the KPI says (one decimal), with its unit.
    assert "<td>2025 Q2</td><td>4.0 %</td><td>5.0 %</td><td>not yet</td>" in page.replace("\n", "")
    # Filters: by performer, by division, by factor.
    filtered = client.get(url, {"performer": cast.member.pk}).content.decode()
    assert "1 activity" in filtered
    assert "1 activity" in client.get(url, {"division": cast.division.pk}).content.decode()
    assert "1 activity" in client.get(url, {"area": "KF1"}).content.decode()
    listing = client.get(
        reverse("monitoring-activities", args=[cast.customs.slug, monitored.plan.pk]), {"state": "done"}
    )
    assert "Sample the statements" in listing.content.decode()
    assert "Train the auditors" not in listing.content.decode()
    csv = client.get(
        reverse("monitoring-activities", args=[cast.customs.slug, monitored.plan.pk]), {"format": "csv"}
    )
    exported = b"".join(csv.streaming_content).decode()
    assert "Sample the statements" in exported and ",Done" in exported


def test_dashboard_and_activity_list_use_a_bounded_number_of_queries(
    client, cast, monitored, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from arusha.planning.models import Activity

    q1 = monitored.periods[0]
    for n in range(20):
        with scope(organization=cast.customs):  # the plan is adopted: made directly, as data
            extra = Activity.objects.create(plan=monitored.plan, title=f"Extra {n}", performer=cast.member)
        services.progress_report(
            actor=cast.owner, activity=extra, period=q1, percent_done=n, status="on_track", narrative="Going."
        )
    client.force_login(cast.owner)
    dashboard = reverse("monitoring-dashboard", args=[cast.customs.slug, monitored.plan.pk])
    listing = reverse("monitoring-activities", args=[cast.customs.slug, monitored.plan.pk])
    # The access check (membership, roles, grants) is part of the count.
    with django_assert_max_num_queries(28):
        assert client.get(dashboard).status_code == 200
    with django_assert_max_num_queries(23):
        assert client.get(listing).status_code == 200


def test_forms_name_the_field_in_error_and_refuse_others_work(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    q1 = monitored.periods[0]
    client.force_login(cast.member)
    progress = reverse(
        "monitoring-progress", args=[cast.customs.slug, monitored.plan.pk, q1.pk, monitored.late.pk]
    )
    response = client.post(progress, {"percent_done": "50", "status": "delayed", "narrative": "Half."})
    assert response.status_code == 400 and "Say what stands in the way." in response.content.decode()
    other = reverse(
        "monitoring-progress", args=[cast.customs.slug, monitored.plan.pk, q1.pk, monitored.soon.pk]
    )
    assert (
        client.post(other, {"percent_done": "50", "status": "on_track", "narrative": "Half."}).status_code
        == 403
    )
    measurement = reverse(
        "monitoring-measurement", args=[cast.customs.slug, monitored.plan.pk, q1.pk, monitored.kpi.pk]
    )
    response = client.post(measurement, {"var_A": "2", "var_B": "x", "dis_region": "North 2"})
    assert response.status_code == 400
    assert "Line 1: write “category: value”." in response.content.decode()
    response = client.post(measurement, {"var_A": "2", "var_B": "x", "dis_region": "North: 2"})
    assert response.status_code == 400 and "“x” is not a number." in response.content.decode()
    assert (
        client.post(measurement, {"var_A": "2", "var_B": "40", "dis_region": "North: 2"}).status_code == 302
    )
    with scope(organization=cast.customs):
        assert Measurement.objects.get(kpi=monitored.kpi, period=q1).value == Decimal("5")
