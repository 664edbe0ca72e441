"""The demo's corruption risk map: an assessment of 2024, closed, and the one of 2026, monitored.

Both cover examination, release, valuation, selectivity and human resources; their risks
come from the library's scenarios. The 2026 register has controls, treatments, an
accepted risk, key risk indicators (one green, one amber, and one whose red reading has
reopened its risk) and follows the 2024 register, so the dashboard shows the trend.
Made once, for an administration with no risk assessment yet.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from arusha.core import services
from arusha.core.models import Division, Membership, Organization, User
from arusha.core.permissions import PresetRole
from arusha.demo.data import DEMO_PASSWORD
from arusha.risks.models import Cycle, Matrix, Process, Risk, Scenario
from arusha.risks.services.cycles import cycle_advance, cycle_create, evidence_add, member_add, member_declare
from arusha.risks.services.indicators import indicator_save, reading_add
from arusha.risks.services.library import catalogue_install, matrix_install
from arusha.risks.services.register import risk_create, risk_rate
from arusha.risks.services.treatments import (
    acceptance_decide,
    acceptance_submit,
    control_save,
    treatment_save,
)
from arusha.risks.vocabulary import CycleStatus, EvidenceKind, MemberRole

OFFICER = "integrity@kilima.example"
HEAD = "head@kilima.example"
OWNER = "riskowner@kilima.example"
MEMBERS = ("contributor@kilima.example", "senior@kilima.example", "performer@kilima.example")
SCOPE = ("EXA", "REL", "VAL", "SEL", "HRM")
# (scenario, inherent, current, target) as (likelihood, impact) ranks of the 5x5 matrix.
RISKS_2024 = [
    ("EXA-S1", (5, 4), (4, 4), (2, 3)),
    ("REL-S1", (4, 4), (4, 3), (2, 2)),
    ("VAL-S1", (4, 5), (3, 4), (2, 3)),
    ("HRM-S1", (3, 3), (3, 3), (2, 2)),
]
RISKS_2026 = [
    ("EXA-S1", (5, 4), (3, 4), (2, 3)),
    ("EXA-S2", (4, 4), (3, 3), (2, 2)),
    ("REL-S1", (4, 4), (3, 3), (2, 2)),
    ("VAL-S1", (4, 5), (3, 4), (2, 3)),
    ("SEL-S1", (4, 3), (2, 3), (1, 2)),
    ("HRM-S1", (3, 4), (3, 3), (2, 2)),
]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _owner(customs: Organization) -> User:
    """The demo's risk owner, at the Port of Kilima (made here, after the first demo load)."""
    user = User.objects.filter(email=OWNER).first()
    if user is None:
        user = services.user_create(email=OWNER, full_name="Baraka Mollel", password=DEMO_PASSWORD)
    with scopes_disabled():
        if not Membership.objects.filter(organization=customs, user=user).exists():
            port = Division.objects.filter(organization=customs, code="OPS-PRT").first()
            services.membership_create(
                actor=None,
                organization=customs,
                user=user,
                roles=[PresetRole.RISK_OWNER],
                job_title="Head of the port's examination unit",
                division=port,
            )
    return user


def _cycle(
    customs: Organization,
    matrix: Matrix,
    title: str,
    start: datetime.date,
    previous: Cycle | None,
    officer: User,
) -> Cycle:
    with scopes_disabled():
        processes = list(Process.objects.filter(organization=customs, code__in=SCOPE))
        port = Division.objects.filter(organization=customs, code="OPS-PRT").first()
    cycle = cycle_create(
        actor=officer,
        organization=customs,
        title=title,
        matrix=matrix,
        processes=processes,
        scope_text="Clearance at the Port of Kilima and the posting of its staff.",
        offices=[port] if port is not None else [],
        starts_on=start,
        reassess_on=start.replace(year=start.year + 2),
        previous=previous,
    )
    group = [member_add(actor=officer, cycle=cycle, user=officer, role=MemberRole.CHAIR)]
    group += [member_add(actor=officer, cycle=cycle, user=_user(email)) for email in MEMBERS]
    for member in group:
        if member.user.email == "contributor@kilima.example":
            with scopes_disabled():
                release = Process.objects.get(organization=customs, code="REL")
            member_declare(
                actor=member.user,
                member=member,
                no_conflict=False,
                interests="A close relative works for a clearing agent at the port.",
                conflicts=[release],
            )
        else:
            member_declare(actor=member.user, member=member, no_conflict=True)
    return cycle_advance(actor=officer, cycle=cycle)


def _risks(
    cycle: Cycle, rows: list[tuple[str, tuple[int, int], tuple[int, int], tuple[int, int]]], owner: User
) -> list[Risk]:
    officer = _user(OFFICER)
    made = []
    with scopes_disabled():
        offices = list(cycle.offices.all())
    for code, _inherent, _current, _target in rows:
        with scopes_disabled():
            scenario = Scenario.objects.select_related("process").get(
                process__organization=cycle.organization, code=code
            )
        made.append(
            risk_create(
                actor=officer, cycle=cycle, values={"owner": owner}, scenario=scenario, offices=offices
            )
        )
    cycle = cycle_advance(actor=officer, cycle=cycle)
    for risk, (_code, inherent, current, target) in zip(made, rows, strict=True):
        risk_rate(
            actor=officer,
            risk=risk,
            ratings={"inherent": inherent, "current": current, "target": target},
            knowledge="moderate",
            reason="Working-group workshop",
        )
    return made


def _treat(risks: list[Risk], owner: User, due: datetime.date, accept: str = "") -> None:
    officer, head = _user(OFFICER), _user(HEAD)
    for risk in risks:
        risk.refresh_from_db()
        control_save(
            actor=officer,
            risk=risk,
            values={
                "kind": "detective",
                "description": "Supervisor reviews a sample of the day's decisions.",
                "design": "effective",
                "operation": "partly",
            },
        )
        if risk.scenario is not None and risk.scenario.code == accept:
            acceptance = acceptance_submit(
                actor=officer,
                risk=risk,
                reason="The posting rules are being rewritten nationally; a local treatment would be wasted.",
            )
            # The appetite names who accepts each level: senior management a medium one.
            decider = _user("senior@kilima.example") if risk.current_level == "medium" else head
            acceptance_decide(actor=decider, acceptance=acceptance, approve=True)
            continue
        if risk.current_level not in ("low", ""):
            treatment_save(
                actor=officer,
                risk=risk,
                values={
                    "title": f"Reduce: {risk.title}"[:200],
                    "owner": owner,
                    "due_on": due,
                    "status": "planned",
                },
            )


def _to_monitoring(cycle: Cycle) -> Cycle:
    officer, head = _user(OFFICER), _user(HEAD)
    while cycle.status != CycleStatus.MONITORING:
        actor = head if cycle.status in (CycleStatus.REVIEW, CycleStatus.APPROVED) else officer
        cycle = cycle_advance(actor=actor, cycle=cycle)
    return cycle


def load_risks_demo(customs: Organization) -> None:
    """Create the risk map once; running it again changes nothing."""
    with scopes_disabled():
        if Cycle.objects.filter(organization=customs).exists():
            return
    officer = _user(OFFICER)
    owner = _owner(customs)
    matrix = matrix_install(actor=officer, organization=customs, preset="5x5")
    catalogue_install(actor=officer, organization=customs, language="en")
    today = timezone.localdate()

    earlier = _cycle(
        customs, matrix, "Clearance corruption risk assessment 2024", datetime.date(2024, 3, 1), None, officer
    )
    _risks(earlier, RISKS_2024, owner)
    earlier = cycle_advance(actor=officer, cycle=earlier)
    with scopes_disabled():
        earlier_risks = list(earlier.risks.all())
    _treat(earlier_risks, owner, datetime.date(2025, 6, 30))
    earlier = _to_monitoring(earlier)
    earlier = cycle_advance(actor=officer, cycle=earlier)

    current = _cycle(
        customs,
        matrix,
        "Clearance corruption risk assessment 2026",
        datetime.date(2026, 3, 1),
        earlier,
        officer,
    )
    evidence_add(
        actor=officer,
        cycle=current,
        kind=EvidenceKind.INTERVIEW,
        title="Interviews with examiners of the port, March 2026",
        note="Examiners describe pressure from a few agents to shorten examinations.",
    )
    evidence_add(
        actor=officer,
        cycle=current,
        kind=EvidenceKind.CASES,
        title="Complaints about release delays, 2025",
        reference="cases.received",
    )
    risks = _risks(current, RISKS_2026, owner)
    current = cycle_advance(actor=officer, cycle=current)
    _treat(risks, owner, today + datetime.timedelta(days=120), accept="HRM-S1")
    current = _to_monitoring(current)

    start = today.replace(day=1) - datetime.timedelta(days=1)
    month = (start.replace(day=1), start)
    for risk, name, amber, red, value in (
        (risks[0], "Examinations whose findings changed after review (%)", "5", "10", "4"),
        (risks[2], "Release requests handled out of queue order (%)", "3", "6", "4.5"),
        (risks[3], "Valuation uplifts cancelled on appeal (%)", "10", "20", "24"),
    ):
        indicator = indicator_save(
            actor=officer,
            risk=risk,
            values={
                "name": name,
                "source": "manual",
                "direction": "up",
                "amber": Decimal(amber),
                "red": Decimal(red),
                "unit": "%",
            },
        )
        reading_add(
            actor=officer, indicator=indicator, period_start=month[0], period_end=month[1], value=value
        )
