#!/usr/bin/env python3
"""Benchmark the main pages on PostgreSQL behind the production server (gunicorn).

Run with `make bench`: it starts a throw-away PostgreSQL server, seeds a realistic
volume of data, serves Arusha with gunicorn in production settings and measures, in
the same run, a bare Django view (the floor). Every page is reported as p50/p95
latency, its ratio to the floor's p50, and its query count.

Environment: BENCH_REQUESTS (per page, default 200), BENCH_PORT (default 8765),
BENCH_ONLY=plan (seed and time only the action plan pages and exports, for a quick run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from serving import ROOT, SERVED, gunicorn, production_environment, query_count, session_cookie

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ONLY_PLAN = os.environ.get("BENCH_ONLY") == "plan"

production_environment(**SERVED, ARUSHA_STATIC_ROOT=str(ROOT / "var/bench-static"))
if "DATABASE_URL" not in os.environ:
    sys.exit("Run through `make bench` (or scripts/with-postgres): DATABASE_URL is not set.")
from home import HOME_CASE, HOME_TARGET_MS, seed_home  # noqa: E402  (Django's settings are chosen only now)


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def seed() -> dict[str, str]:
    """A large administration: 120 divisions, 1,500 members, 6,000 audit events."""
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from arusha.core import audit_chain, services
    from arusha.core.models import AuditEvent, Membership, OrganizationKind, User

    org = services.organization_create(
        actor=None, slug="bench-customs", name="Bench Customs", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    owner = services.user_create(email="owner@bench.example", full_name="Bench Owner", password=None)
    services.membership_create(actor=None, organization=org, user=owner, roles=["administrator"])
    parents = [
        services.division_create(actor=owner, organization=org, name=f"Directorate {n}") for n in range(12)
    ]
    divisions = [
        services.division_create(actor=owner, organization=org, name=f"Office {p.pk}-{n}", parent=p)
        for p in parents
        for n in range(9)
    ]
    # "!" is Django's mark of an unusable password: these people never sign in.
    unusable = "!"
    users = User.objects.bulk_create(
        User(email=f"person{n}@bench.example", full_name=f"Person {n:04d}", password=unusable)
        for n in range(1500)
    )
    with scopes_disabled():
        Membership.objects.bulk_create(
            Membership(
                organization=org, user=u, roles=["contributor"], division=divisions[n % len(divisions)]
            )
            for n, u in enumerate(users)
        )
        first = AuditEvent.objects.filter(organization=org).first()
        assert first is not None
        # Through the chain: every event is numbered and sealed (bulk, one transaction).
        audit_chain.append(
            [
                AuditEvent(
                    organization=org,
                    actor=owner,
                    actor_label=str(owner),
                    action="arusha.division.updated",
                    content_type=first.content_type,
                    object_id=first.object_id,
                    object_repr=first.object_repr,
                    changes={"name": [f"Name {n}", f"Name {n + 1}"]},
                )
                for n in range(6000)
            ]
        )
    import datetime

    from arusha.assessments import services as assessment_services
    from arusha.frameworks.models import FrameworkVersion

    assessment = assessment_services.assessment_create(
        actor=owner,
        organization=org,
        title="Bench assessment",
        mode=1,
        scope_kind="comprehensive",
        framework_version=FrameworkVersion.objects.get(framework__code="rad-idg-2021"),
        planned_start=datetime.date(2027, 1, 4),
        planned_end=datetime.date(2027, 3, 26),
    )
    codes = list(assessment.framework_version.areas.values_list("code", flat=True))
    groups = [
        assessment_services.working_group_create(
            actor=owner, assessment=assessment, name=f"Group {n}", area_codes=codes[n * 3 : n * 3 + 3]
        )
        for n in range(5)
    ]
    for n, user in enumerate(users[:60]):
        assessment_services.participant_invite(
            actor=owner,
            assessment=assessment,
            email=user.email,
            full_name="",
            idg_role="IC",
            gender=("female", "male")[n % 2],
            expertise=f"Area {n % 7}",
            working_group=groups[n % 5],
        )
    if not ONLY_PLAN:
        _answer_everything(owner, assessment)
    plan = _monitored_plan(owner, assessment, users)
    return {
        "cookie": session_cookie(owner),
        "user": str(owner.pk),
        "plan": str(plan.pk),
    }


def _monitored_plan(owner, assessment, users):  # type: ignore[no-untyped-def]
    """Issue 4's volume: 300 activities, 100 KPIs measured over 24 monthly periods, adopted and monitored."""
    import datetime
    from decimal import Decimal

    from django_scopes import scope

    from arusha.monitoring import services as monitoring_services
    from arusha.monitoring.models import ActivityStatus, Measurement, ProgressReport, ReportingPeriod
    from arusha.planning import services as planning_services
    from arusha.planning.models import Activity

    org = assessment.organization
    plan = planning_services.plan_create(
        actor=owner,
        organization=org,
        assessment=assessment,
        title="Bench integrity action plan",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    objectives = [
        planning_services.objective_add(
            actor=owner,
            plan=plan,
            what=f"Objective {n}: fewer integrity breaches at the border",
            measure="Breaches recorded per thousand declarations",
            target="Half as many by the end of 2025",
            deadline=datetime.date(2025, 12, 31),
        )
        for n in range(20)
    ]
    codes = list(assessment.framework_version.areas.values_list("code", flat=True))
    for n in range(300):
        activity = planning_services.activity_create(
            actor=owner, plan=plan, title=f"Activity {n:03d}", objective=objectives[n % 20]
        )
        start = datetime.date(2024, 1 + n % 12, 1)
        planning_services.activity_update(
            actor=owner,
            activity=activity,
            values={
                "title": activity.title,
                "objective": objectives[n % 20],
                "performer": users[n % 40],
                "budget_amount": Decimal(1000 + n),
                "budget_currency": "XOF",
                "start_date": start,
                "due_date": start + datetime.timedelta(days=300),
            },
        )
        with scope(organization=org):
            Activity.objects.filter(pk=activity.pk).update(area_code=codes[n % len(codes)])
    for n in range(100):
        kpi = planning_services.kpi_save(
            actor=owner,
            organization=org,
            values={
                "code": f"K-{n:03d}",
                "name": f"Indicator {n}",
                "description": "Share of controls that found an irregularity.",
                "performance_dimension": "Integrity of controls",
                "formula": "A / B * 100",
                "variables": [{"name": "A", "label": "irregularities"}, {"name": "B", "label": "controls"}],
                "unit": "%",
                "typologies": ["outcome", "quantitative"],
                "source_of_verification": "Control register.",
                "periodicity": "monthly",
                "disaggregation": ["region"],
                "direction": "lower",
                "disclosure": "administration",
            },
            targets=[(datetime.date(2024, 6, 30), Decimal("8")), (datetime.date(2025, 6, 30), Decimal("5"))],
        )
        planning_services.kpi_link(actor=owner, objective=objectives[n % 20], kpi=kpi)
    day = datetime.date(2023, 12, 15)
    planning_services.plan_sign_off(actor=owner, plan=plan, stage="working_group", date=day, signed_by="WG")
    planning_services.plan_sign_off(actor=owner, plan=plan, stage="head", date=day, signed_by="DG")
    plan.refresh_from_db()
    monitoring_services.setup_save(actor=owner, plan=plan, frequency="monthly", coordinator=owner)
    with scope(organization=org):
        periods = list(ReportingPeriod.objects.filter(plan=plan))
        activities = list(Activity.objects.filter(plan=plan))
        kpis = list(plan.objectives.values_list("kpis", flat=True).distinct())
        statuses = [
            ActivityStatus.ON_TRACK,
            ActivityStatus.AT_RISK,
            ActivityStatus.DELAYED,
            ActivityStatus.DONE,
        ]
        ProgressReport.objects.bulk_create(
            ProgressReport(
                activity=a,
                period=p,
                percent_done=min(100, 5 * (i + 1)),
                status=statuses[(a.pk + i) % 4] if i == len(periods) - 1 else ActivityStatus.ON_TRACK,
                narrative=NARRATIVE,
                reported_by=owner,
            )
            for a in activities
            for i, p in enumerate(periods)
        )
        Measurement.objects.bulk_create(
            Measurement(
                kpi_id=k,
                period=p,
                variables={"A": str(3 + (k + i) % 7), "B": "100"},
                value=Decimal(3 + (k + i) % 7),
                disaggregated={"region": {"North": "2", "South": "1"}},
                entered_by=owner,
            )
            for k in kpis
            for i, p in enumerate(periods)
        )
    return plan


RATINGS = [
    {"exists": "yes", "designed": "yes", "implemented": "yes", "effective": "partly"},
    {"exists": "yes", "designed": "partly"},
    {"exists": "no"},
    {"exists": "yes", "designed": "yes", "implemented": "no"},
    {"exists": "yes", "designed": "yes", "implemented": "yes", "effective": "yes"},
    {"exists": "yes", "designed": "unknown"},
]
NARRATIVE = (
    "The measure is described in the integrity policy of 2024 and applied at the main offices; "
    "the working group reviewed the circulars, the registers and two audit reports. "
)


def _answer_everything(owner, assessment):  # type: ignore[no-untyped-def]
    """Every one of the 282 questions answered, half agreed, findings, and an earlier cycle."""
    import datetime

    from django_scopes import scope

    from arusha.assessments import services as assessment_services
    from arusha.frameworks.models import Question

    questions = list(Question.objects.filter(version=assessment.framework_version).select_related("area"))
    earlier = assessment_services.assessment_create(
        actor=owner,
        organization=assessment.organization,
        title="Bench assessment, first cycle",
        mode=3,
        scope_kind="comprehensive",
        framework_version=assessment.framework_version,
        planned_start=datetime.date(2025, 1, 6),
        planned_end=datetime.date(2025, 3, 28),
    )
    for cycle, target in ((0, earlier), (1, assessment)):
        for n, question in enumerate(questions):
            response = assessment_services.response_save(
                actor=owner,
                assessment=target,
                question=question,
                narrative=NARRATIVE * (1 + n % 4),
                ratings=RATINGS[(n + cycle) % len(RATINGS)],
            )
            if n % 2 == 0 and assessment_services.allowed_statuses(response, _rights(owner, target)):
                assessment_services.response_set_status(actor=owner, response=response, status="agreed")
    for n, question in enumerate(questions[::7]):
        assessment_services.finding_create(
            actor=owner,
            assessment=assessment,
            kind=("strength", "gap", "risk", "opportunity")[n % 4],
            area_code=question.area.code,
            title=f"Finding {n} on {question.code}",
            description=NARRATIVE,
            recommendation="Write the procedure down and train the supervisors.",
            priority=("high", "medium", "low")[n % 3],
            questions=[question],
        )
    with scope(organization=assessment.organization):
        assessment.previous = earlier
        assessment.save(update_fields=["previous"])


def _rights(owner, assessment):  # type: ignore[no-untyped-def]
    from arusha.assessments.access import rights_for

    return rights_for(assessment, owner)


PAGES = [
    ("floor (bare Django view)", "/bench/floor/"),
    ("home", "/"),
    ("organization overview", "/o/bench-customs/"),
    ("divisions (120)", "/o/bench-customs/divisions/"),
    ("members (1,500, page 1)", "/o/bench-customs/members/"),
    ("members search", "/o/bench-customs/members/?q=Person+01"),
    ("audit trail (6,000, page 1)", "/o/bench-customs/audit/"),
    ("assessment overview", "/o/bench-customs/assessments/1/"),
    ("assessment workplan", "/o/bench-customs/assessments/1/workplan/"),
    ("participants (60)", "/o/bench-customs/assessments/1/participants/"),
    ("working groups (5)", "/o/bench-customs/assessments/1/groups/"),
    ("analysis (282 answered)", "/o/bench-customs/assessments/1/analysis/"),
    ("results (282, two cycles)", "/o/bench-customs/assessments/1/results/"),
    ("one answer (KF8.I.1)", "/o/bench-customs/assessments/1/analysis/KF8.I.1/"),
    ("findings (41)", "/o/bench-customs/assessments/1/findings/"),
    ("frameworks", "/frameworks/"),
    ("pack: 14 areas", "/frameworks/rad-idg-2021/1.0.0/"),
    ("area KF8 (36 questions)", "/frameworks/rad-idg-2021/1.0.0/KF8/"),
    ("question search", "/frameworks/rad-idg-2021/1.0.0/?q=integrity+training"),
]


PLAN_PAGES = [
    ("plan dashboard (300, 100 KPIs x 24)", "/o/bench-customs/plans/{plan}/monitoring/"),
    ("activity list (300, page 1)", "/o/bench-customs/plans/{plan}/monitoring/activities/"),
    ("activity list, filtered", "/o/bench-customs/plans/{plan}/monitoring/activities/?state=late"),
    ("priority board (300)", "/o/bench-customs/plans/{plan}/board/"),
    ("reporting period (300 + 100)", "/o/bench-customs/plans/{plan}/monitoring/periods/{period}/"),
    ("plan page, Annex 9 (300)", "/o/bench-customs/plans/{plan}/"),
    ("timeline (300)", "/o/bench-customs/plans/{plan}/timeline/"),
    ("reporting periods (24)", "/o/bench-customs/plans/{plan}/monitoring/periods/"),
    ("evaluation (100 KPIs)", "/o/bench-customs/plans/{plan}/monitoring/evaluation/"),
    ("review", "/o/bench-customs/plans/{plan}/monitoring/review/"),
    ("KPI library (100)", "/o/bench-customs/plans/kpis/"),
]

# Targets of issues 3 and 4: p95 in milliseconds for pages, seconds for documents.
TARGETS = {
    "analysis (282 answered)": 300.0,
    "results (282, two cycles)": 300.0,
    "plan dashboard (300, 100 KPIs x 24)": 300.0,
    "activity list (300, page 1)": 300.0,
    # Issue 9: every page of the plan and its monitoring, the reporting period included.
    **{name: 300.0 for name, _ in PLAN_PAGES},
    # Issue 9: the home page of a person in 3 organizations with 20 things waiting.
    HOME_CASE: HOME_TARGET_MS,
}
REPORT_TARGET_S = 10.0
EXPORT_TARGET_S = 5.0


def export_seconds(plan_pk: str) -> dict[str, float]:
    """Time the Annex 9 exports of the 300-activity plan."""
    from django_scopes import scopes_disabled

    from arusha.planning import annex9
    from arusha.planning.models import ActionPlan

    timings = {}
    with scopes_disabled():
        plan = ActionPlan.objects.get(pk=plan_pk)
        for name, render in (("Annex 9 XLSX (300)", annex9.to_xlsx), ("Annex 9 DOCX (300)", annex9.to_docx)):
            start = time.perf_counter()
            render(plan)
            timings[name] = time.perf_counter() - start
    return timings


def report_seconds() -> tuple[float, float]:
    """Time the final report of the 282-answer assessment: PDF alone, then PDF and DOCX."""
    from django_scopes import scopes_disabled

    from arusha.assessments import final_report
    from arusha.assessments.models import Assessment

    with scopes_disabled():
        assessment = Assessment.objects.get(pk=1)
        start = time.perf_counter()
        report = final_report.build(assessment)
        final_report.to_pdf(report)
        pdf = time.perf_counter() - start
        final_report.to_docx(report)
        both = time.perf_counter() - start
    return pdf, both


def query_counts(user_pk: str, pages: list[tuple[str, str]]) -> dict[str, int]:
    from django.test import Client

    from arusha.core.models import User

    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(User.objects.get(pk=user_pk))
    return {name: query_count(client, path) for name, path in pages}


def main() -> None:
    manage("migrate", "--no-input", "-v0")
    manage("collectstatic", "--no-input", "-v0")
    manage("load_framework")
    info = seed()
    from django_scopes import scopes_disabled

    from arusha.monitoring.models import ReportingPeriod

    with scopes_disabled():
        period = ReportingPeriod.objects.filter(plan_id=info["plan"]).last()
    assert period is not None
    pages = (PAGES[:1] if ONLY_PLAN else PAGES) + [
        (n, p.format(plan=info["plan"], period=period.pk)) for n, p in PLAN_PAGES
    ]
    home = seed_home()
    counts = query_counts(info["user"], pages) | query_counts(home["user"], [(HOME_CASE, "/")])
    pdf_seconds, report_total = (0.0, 0.0) if ONLY_PLAN else report_seconds()
    exports = export_seconds(info["plan"])
    rows = []
    # Each page as the bench's administrator; the home case as its busy person.
    cases = [(name, path, info["cookie"]) for name, path in pages] + [(HOME_CASE, "/", home["cookie"])]
    with gunicorn(PORT, info["cookie"]) as server:
        for name, path, cookie in cases:
            rows.append((name, *server.timed(path, cookie, REQUESTS)))
    floor = rows[0][1]
    print(
        f"\n{REQUESTS} sequential requests per page, gunicorn (2 workers), PostgreSQL, production settings\n"
    )
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8} {'queries':>8}")
    for name, p50, p95 in rows:
        print(f"{name:<36} {p50:8.1f} {p95:8.1f} {p50 / floor:8.1f} {counts[name]:8d}")
    print("\nTargets")
    missed = []
    for name, _p50, p95 in rows:
        if name in TARGETS:
            ok = p95 < TARGETS[name]
            missed += [] if ok else [name]
            print(f"{name:<36} p95 {p95:7.1f} ms < {TARGETS[name]:.0f} ms  {'ok' if ok else 'MISSED'}")
    if not ONLY_PLAN:
        ok = pdf_seconds < REPORT_TARGET_S
        missed += [] if ok else ["report"]
        verdict = "ok" if ok else "MISSED"
        print(f"{'final report, PDF':<30} {pdf_seconds:7.2f} s  < {REPORT_TARGET_S:.0f} s    {verdict}")
        print(f"{'final report, PDF and DOCX':<30} {report_total:7.2f} s")
    for name, seconds in exports.items():
        ok = seconds < EXPORT_TARGET_S
        missed += [] if ok else [name]
        print(f"{name:<30} {seconds:7.2f} s  < {EXPORT_TARGET_S:.0f} s     {'ok' if ok else 'MISSED'}")
    # Issue 8: audit_verify over 100,000 events, on this database's real chain topped up.
    if subprocess.run([sys.executable, str(ROOT / "bench/audit_verify.py")], cwd=ROOT).returncode:
        missed.append("audit_verify")
    if missed:
        sys.exit(f"Targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
