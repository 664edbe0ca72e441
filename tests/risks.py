"""Builders for tests of the risks context: a library, a cycle with its working group, rated risks.

`field(cast)` adds to the common cast an integrity officer (who chairs the working group),
a head of administration, a risk owner, and three members of the working group; installs
the 5x5 preset matrix and the process library; and opens a cycle in planning with those
four in its group (all declared, nothing to declare) and EXA, REL and VAL in scope.
`to_identification`, `add_risk`, `rate` and `to_step` move it on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.core.models import Organization, User
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
    from arusha.risks.services.cycles import cycle_create, member_add, member_declare
    from arusha.risks.services.library import catalogue_install, matrix_install
    from arusha.risks.vocabulary import MemberRole

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
    group = [member_add(actor=officer, cycle=cycle, user=officer, role=MemberRole.CHAIR)]
    group += [member_add(actor=officer, cycle=cycle, user=user) for user in members]
    for member in group:
        member_declare(actor=member.user, member=member, no_conflict=True)
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
