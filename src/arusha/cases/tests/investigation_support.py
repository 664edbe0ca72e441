"""What the investigation tests share: a case walked to a step, people assigned, an unlocked browser."""

from __future__ import annotations

from django_scopes import scopes_disabled
from tests.cases import Desk

from arusha.cases.keys import Keyring
from arusha.cases.models import AssignmentRole, Case, Status
from arusha.cases.services import investigation as inv
from arusha.cases.services import people
from arusha.cases.services.intake import Report, report_submit
from arusha.cases.services.workflow import case_move
from arusha.core.models import User

CANARY = "Zq-canary-4471-Kilimanjaro"
S = Status
TO_REVIEW = [S.ACKNOWLEDGED, S.TRIAGE, S.PRELIMINARY_REVIEW]


def new_case(
    d: Desk, *, narrative: str = "Cash was asked at gate 4.", identity: dict[str, str] | None = None
) -> Case:
    with scopes_disabled():
        return report_submit(
            Report(channel=d.channel, answers={"where": "Port"}, narrative=narrative, identity=identity)
        ).case


def move(d: Desk, case: Case, *steps: str, actor: User | None = None) -> Case:
    for step in steps:
        case = case_move(actor=actor or d.officer, case=case, to=step)
    return case


def assigned(d: Desk, case: Case, user: User, role: str = AssignmentRole.INVESTIGATOR) -> Keyring:
    """Assign `user` (through the people services) and attest for them: they now hold the case key."""
    assignment = people.assign(keyring=d.keyring(d.officer), case=case, user=user, role=role)
    people.attest(keyring=d.keyring(user), assignment=assignment, no_conflict=True)
    return d.keyring(user)


def in_review(d: Desk) -> Case:
    """A case at preliminary review: the officer (intake officer) holds its key."""
    return move(d, new_case(d), *TO_REVIEW)


def investigating(d: Desk) -> Case:
    """A case under investigation: the officer wrote the plan, the supervisor (assigned) approved it."""
    case = in_review(d)
    inv.plan_write(keyring=d.keyring(d.officer), case=case, text="Hear the officers of gate 4.", version=0)
    inv.plan_approve(
        keyring=assigned(d, case, d.supervisor, AssignmentRole.REVIEWER), case=case, version=None
    )
    return move(d, case, S.INVESTIGATION)
