"""Builders for tests of the risks context: a library, a cycle with its working group, rated risks.

`field(cast)` adds to the common cast an integrity officer (who chairs the working group),
a head of administration, a risk owner, and three members of the working group; installs
the 5x5 preset matrix and the process library; and opens a cycle in planning with those
four in its group (all declared, nothing to declare) and EXA, REL and VAL in scope.
`to_identification`, `add_risk`, `rate` and `to_step` move it on; `following_cycle` opens
the next cycle with the same group and scope, `stays_out` declares a member's conflict of
interest, `draft_plan` gives an action plan to receive treatments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.core.models import Organization, User
    from arusha.frameworks.models import FrameworkVersion
    from arusha.planning.models import ActionPlan, Kpi, Objective
    from arusha.risks.models import Cycle, CycleMember, Matrix, Process, Risk


@dataclass
class Field:
    organization: Organization
    officer: User
    head: User
    owner: User
    members: list[User]
    matrix: Matrix
    processes: dict[str, Process]
    cycle: Cycle
    group: list[CycleMember] = dataclass_field(default_factory=list)


def person(cast: Cast, email: str, name: str, roles: Sequence[str], division: Any = None) -> User:
    from arusha.core import services

    user = services.user_create(email=email, full_name=name, password=None)
    services.membership_create(
        actor=None, organization=cast.customs, user=user, roles=list(roles), division=division
    )
    return user


def field(cast: Cast) -> Field:
    from django_scopes import scopes_disabled

    from arusha.core.permissions import PresetRole
    from arusha.risks.models import Process
    from arusha.risks.services.cycles import cycle_create
    from arusha.risks.services.library import catalogue_install, matrix_install

    officer = person(cast, "risks@test.example", "Rita Risks", [PresetRole.INTEGRITY_OFFICER])
    head = person(cast, "head-risks@test.example", "Hugo Head", [PresetRole.HEAD_OF_ADMINISTRATION])
    owner = person(
        cast, "owner-risks@test.example", "Omar Owner", [PresetRole.RISK_OWNER], division=cast.division
    )
    members = [
        person(cast, f"wg{n}@test.example", f"Working Member {n}", [PresetRole.CONTRIBUTOR])
        for n in (1, 2, 3)
    ]
    organization = cast.customs
    matrix = matrix_install(actor=officer, organization=organization, preset="5x5")
    catalogue_install(actor=officer, organization=organization)
    with scopes_disabled():
        processes = {p.code: p for p in Process.objects.filter(organization=organization)}
    scoped = [processes[code] for code in ("EXA", "REL", "VAL") if code in processes]
    cycle = cycle_create(
        actor=officer,
        organization=organization,
        title="Clearance corruption risks 2026",
        matrix=matrix,
        processes=scoped,
        scope_text="Examination, release and valuation at the port.",
    )
    group = working_group(officer, cycle, members)
    return Field(
        organization=organization,
        officer=officer,
        head=head,
        owner=owner,
        members=members,
        matrix=matrix,
        processes=processes,
        cycle=cycle,
        group=group,
    )


def working_group(chair: User, cycle: Cycle, members: Sequence[User]) -> list[CycleMember]:
    """The chair (who adds everyone) and the members, each declared with nothing to declare."""
    from arusha.risks.services.cycles import member_add, member_declare
    from arusha.risks.vocabulary import MemberRole

    group = [member_add(actor=chair, cycle=cycle, user=chair, role=MemberRole.CHAIR)]
    group += [member_add(actor=chair, cycle=cycle, user=user) for user in members]
    for member in group:
        member_declare(actor=member.user, member=member, no_conflict=True)
    return group


def following_cycle(f: Field, title: str, scope_text: str) -> Cycle:
    """A cycle that follows the field's, on its matrix, with its group and scope, at identification."""
    from django_scopes import scopes_disabled

    from arusha.risks.services.cycles import cycle_advance, cycle_create

    with scopes_disabled():
        processes = list(f.cycle.processes.all())
    cycle = cycle_create(
        actor=f.officer,
        organization=f.organization,
        title=title,
        matrix=f.matrix,
        processes=processes,
        scope_text=scope_text,
        previous=f.cycle,
    )
    working_group(f.officer, cycle, f.members)
    return cycle_advance(actor=f.officer, cycle=cycle)


def stays_out(member: CycleMember, processes: Sequence[Process], interests: str) -> CycleMember:
    """The member declares `interests` and stays out of `processes` (a conflict of interest)."""
    from arusha.risks.services.cycles import member_declare

    return member_declare(
        actor=member.user, member=member, no_conflict=False, interests=interests, conflicts=list(processes)
    )


def draft_plan(
    cast: Cast, pack: FrameworkVersion, *, title: str, objective: str, kpi: tuple[str, str]
) -> tuple[ActionPlan, Objective, Kpi]:
    """A draft action plan of this year and the next (after a self-assessment), with an objective,
    and a KPI (code, name) in the organization's library."""
    import datetime

    from django.utils import timezone

    from arusha.assessments import services as assessment_services
    from arusha.planning import services as planning_services

    year = timezone.localdate().year
    assessment = assessment_services.assessment_create(
        actor=cast.owner,
        organization=cast.customs,
        title="Self-assessment",
        framework_version=pack,
        mode=3,
        scope_kind="comprehensive",
        planned_start=datetime.date(year, 1, 5),
        planned_end=datetime.date(year, 3, 1),
    )
    plan = planning_services.plan_create(
        actor=cast.owner,
        organization=cast.customs,
        assessment=assessment,
        title=title,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year + 1, 12, 31),
    )
    goal = planning_services.objective_add(actor=cast.owner, plan=plan, what=objective)
    code, name = kpi
    measure = planning_services.kpi_save(
        actor=cast.owner, organization=cast.customs, values={"code": code, "name": name}
    )
    return plan, goal, measure


def to_identification(f: Field) -> Cycle:
    from arusha.risks.services.cycles import cycle_advance

    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    return f.cycle


def add_risk(f: Field, title: str = "Payment to skip a container's examination", **values: Any) -> Risk:
    from arusha.risks.services.register import risk_create

    process = values.pop("process", f.processes["EXA"])
    return risk_create(
        actor=f.officer,
        cycle=f.cycle,
        values={
            "title": title,
            "process": process,
            "who": "Examining officer",
            "with_whom": "Broker",
            "what": "Examination report",
            "how": "Reports goods as declared",
            "benefit": "Cash per container",
            "corruption_types": ["bribery"],
            "factors": ["KF6"],
            "risk_factors": ["discretion"],
            "owner": f.owner,
            **values,
        },
    )


def rate(
    f: Field,
    risk: Risk,
    inherent: tuple[int, int],
    current: tuple[int, int],
    target: tuple[int, int] | None = None,
) -> Risk:
    from arusha.risks.services.register import risk_rate

    ratings: dict[str, tuple[int | None, int | None]] = {"inherent": inherent, "current": current}
    if target is not None:
        ratings["target"] = target
    return risk_rate(actor=f.officer, risk=risk, ratings=ratings, knowledge="moderate")


def to_step(f: Field, status: str) -> Cycle:
    """Move the cycle on, one step at a time, until it reaches `status` (its guards must hold)."""
    from arusha.risks.services.cycles import cycle_advance
    from arusha.risks.vocabulary import CYCLE_ORDER, CycleStatus

    while CYCLE_ORDER.index(f.cycle.status) < CYCLE_ORDER.index(status):
        actor = f.head if f.cycle.status in (CycleStatus.REVIEW, CycleStatus.APPROVED) else f.officer
        f.cycle = cycle_advance(actor=actor, cycle=f.cycle)
    return f.cycle
