"""The demo's first cycle: the 2024 self-assessment and its 2025 action plan, monitored.

Three quarters of 2025 are reported on, an indicator is measured and verified, the
steering committee has met; the next cycle's assessment (2027) starts from this plan.
Everything is made through the services, as the people named would do it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from arusha.assessments import services as assessment_services
from arusha.assessments.models import Assessment
from arusha.core.models import Division, Organization, User
from arusha.frameworks.models import FrameworkVersion, Question
from arusha.monitoring import selectors as monitoring_selectors
from arusha.monitoring import services as monitoring_services
from arusha.planning import services as planning_services
from arusha.planning.models import ActionPlan, Activity, Kpi

DAY = datetime.date

# (question, what the 2024 working group wrote, its Figure 5 evaluation)
EARLIER_ANSWERS = [
    (
        "KF1.I.1",
        "The integrity strategy of 2019 exists on paper; nobody reports on it and the staff we met "
        "did not know it.",
        {"exists": "yes", "designed": "partly", "implemented": "no", "effective": ""},
    ),
    (
        "KF2.I.1",
        "The code of conduct dates from 2008 and does not cover gifts from brokers or outside "
        "employment; it is not handed to new recruits.",
        {"exists": "yes", "designed": "no", "implemented": "", "effective": ""},
    ),
]


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _earlier_assessment(customs: Organization, division: Division, pack: FrameworkVersion) -> Assessment:
    ncp = _person("ncp@kilima.example")
    earlier = assessment_services.assessment_create(
        actor=ncp,
        organization=customs,
        title="Integrity self-assessment 2024",
        framework_version=pack,
        mode=3,
        scope_kind="comprehensive",
        planned_start=DAY(2024, 2, 5),
        planned_end=DAY(2024, 4, 26),
        responsible_division=division,
    )
    for code, narrative, ratings in EARLIER_ANSWERS:
        question = Question.objects.filter(version=pack, code=code).first()
        if question is None:
            continue
        response = assessment_services.response_save(
            actor=ncp, assessment=earlier, question=question, narrative=narrative, ratings=ratings
        )
        assessment_services.response_set_status(actor=ncp, response=response, status="proposed")
        assessment_services.response_set_status(actor=ncp, response=response, status="agreed")
    code_question = Question.objects.filter(version=pack, code="KF2.I.1").first()
    if code_question is not None:
        assessment_services.finding_create(
            actor=ncp,
            assessment=earlier,
            kind="gap",
            area_code="KF2",
            title="An outdated code of conduct",
            description="The code does not cover gifts from brokers or outside employment.",
            recommendation="Revise the code with staff representatives and train every officer on it.",
            priority="high",
            questions=[code_question],
        )
    return earlier


def load_first_cycle(
    customs: Organization, divisions: dict[str, Division], pack: FrameworkVersion
) -> ActionPlan:
    """The 2024 assessment, the 2025 plan adopted and monitored; returns the plan."""
    ncp, head = _person("ncp@kilima.example"), _person("head@kilima.example")
    coordinator, performer = _person("coordinator@kilima.example"), _person("performer@kilima.example")
    officer = _person("integrity@kilima.example")
    earlier = _earlier_assessment(customs, divisions["Integrity and Internal Affairs Unit"], pack)
    plan = planning_services.plan_create(
        actor=ncp,
        organization=customs,
        assessment=earlier,
        title="Integrity action plan 2025",
        period_start=DAY(2025, 1, 1),
        period_end=DAY(2025, 12, 31),
        strategic_plan="Strategic Plan (2023-2027)",
    )
    planning_services.plan_update_strategy(
        actor=ncp, plan=plan, national_strategy="National Anti-Corruption Strategy 2023-2027, pillar 3"
    )
    objective = planning_services.objective_add(
        actor=ncp,
        plan=plan,
        what="Every officer knows and applies a revised code of conduct",
        measure="Share of officers trained on the revised code",
        target="90 % of officers trained by December 2025",
        deadline=DAY(2025, 12, 31),
    )
    activities = []
    for title, who, division, start, due in (
        ("Revise the code of conduct with staff representatives", coordinator, "Legal Services", 1, 6),
        ("Train every officer on the revised code", performer, "Human Resources", 4, 11),
        (
            "Publish the code and the complaints channel at every office",
            performer,
            "Customs Operations",
            7,
            12,
        ),
    ):
        activity = planning_services.activity_create(actor=ncp, plan=plan, title=title, objective=objective)
        planning_services.activity_rate(
            actor=ncp, activity=activity, ratings={"importance": "high", "urgency": "medium", "cost": "low"}
        )
        activities.append(
            planning_services.activity_update(
                actor=ncp,
                activity=activity,
                values={
                    "title": title,
                    "objective": objective,
                    "performer": who,
                    "responsible_division": divisions[division],
                    "budget_amount": Decimal("15000"),
                    "budget_currency": "USD",
                    "budget_source": "Recurrent budget",
                    "start_date": DAY(2025, start, 1),
                    "due_date": DAY(2025, due, 28),
                },
            )
        )
    kpi = planning_services.kpi_save(
        actor=ncp,
        organization=customs,
        values={
            "code": "KIL-01",
            "name": "Officers trained on the code of conduct",
            "description": "Share of serving officers who completed the training on the revised code.",
            "performance_dimension": "Ethical awareness of staff",
            "formula": "A / B * 100",
            "variables": [
                {"name": "A", "label": "officers who completed the training"},
                {"name": "B", "label": "serving officers"},
            ],
            "unit": "%",
            "value_format": "percent",
            "typologies": ["output", "quantitative", "leading"],
            "source_of_verification": "Training register of Human Resources.",
            "periodicity": "quarterly",
            "disaggregation": ["gender", "region"],
            "direction": "higher",
            "disclosure": "public",
            "owner": officer,
            "data_custodian": "Human Resources",
            "data_steward": "Integrity and Internal Affairs Unit",
        },
        targets=[(DAY(2025, 6, 30), Decimal("40")), (DAY(2025, 12, 31), Decimal("90"))],
    )
    planning_services.kpi_link(actor=ncp, objective=objective, kpi=kpi)
    # Each activity has its own target, and the training its own KPI, as in IDG Annex 9.
    for activity, target, measured in (
        (activities[0], "Revised code agreed with staff representatives", []),
        (activities[1], "90 % of officers trained by December 2025", [kpi]),
        (activities[2], "Code and channel posted at every office", []),
    ):
        planning_services.activity_update(
            actor=ncp, activity=activity, values={"title": activity.title, "target": target}, kpis=measured
        )
    planning_services.plan_sign_off(
        actor=ncp,
        plan=plan,
        stage="working_group",
        date=DAY(2024, 12, 10),
        signed_by="Integrity working group",
    )
    planning_services.plan_sign_off(
        actor=ncp, plan=plan, stage="head", date=DAY(2024, 12, 18), signed_by=str(head)
    )
    plan.refresh_from_db()
    monitoring_services.setup_save(actor=ncp, plan=plan, frequency="quarterly", coordinator=coordinator)
    _report(plan, activities, coordinator, performer, officer, kpi)
    return plan


def _report(
    plan: ActionPlan, activities: list[Activity], coordinator: User, performer: User, officer: User, kpi: Kpi
) -> None:
    q1, q2, q3 = monitoring_selectors.periods_of(plan)[:3]
    code, training, publishing = activities
    for period, activity, who, percent, status, narrative, obstacles in (
        (q1, code, coordinator, 40, "on_track", "Two drafting sessions held with the staff union.", ""),
        (q2, code, coordinator, 100, "done", "The revised code was signed by the Commissioner General.", ""),
        (q2, training, performer, 20, "on_track", "Trainers trained; the first three sessions held.", ""),
        (
            q3,
            training,
            performer,
            45,
            "at_risk",
            "Sessions held at the port and the airport.",
            "The border posts cannot release officers during the harvest season.",
        ),
        (q3, publishing, performer, 10, "on_track", "Posters printed.", ""),
    ):
        monitoring_services.progress_report(
            actor=who,
            activity=activity,
            period=period,
            percent_done=percent,
            status=status,
            narrative=narrative,
            obstacles=obstacles,
        )
    for period, trained, verified in ((q2, "310", True), (q3, "540", False)):
        measurement = monitoring_services.measurement_enter(
            actor=officer,
            kpi=kpi,
            period=period,
            variables={"A": trained, "B": "1200"},
            disaggregated={
                "gender": {"women": str(int(trained) * 2 // 5), "men": str(int(trained) * 3 // 5)}
            },
        )
        if verified:
            monitoring_services.measurement_verify(actor=coordinator, measurement=measurement)
    meeting = monitoring_services.meeting_record(
        actor=coordinator,
        plan=plan,
        date=DAY(2025, 10, 14),
        attendees=[coordinator, performer, officer],
        other_attendees="A representative of the staff union",
        minutes="The committee reviewed the third quarter: the code is adopted, training is behind plan.",
        decisions="Run evening sessions at the border posts.",
    )
    monitoring_services.follow_up_add(
        actor=coordinator,
        meeting=meeting,
        action="Schedule evening sessions",
        owner=performer,
        due=DAY(2025, 11, 15),
    )
    monitoring_services.task_add(
        actor=coordinator,
        plan=plan,
        task="Collect the fourth-quarter reports and verify the measurement",
        assignee=coordinator,
        due=DAY(2026, 1, 31),
    )
