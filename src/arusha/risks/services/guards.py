"""What stops an assessment cycle from taking its next step (arusha.risks.services.cycles.cycle_advance).

At planning, the working group (a chair, at least three members besides, every one
declared), the scope and the matrix; at identification, a risk; at rating, the inherent
and current levels of every risk; at treatment planning and review, an answer for every
risk above appetite (a treatment, or an acceptance in force), and at review the
acceptances still waiting for a decision.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.risks.access import process_ancestors
from arusha.risks.appetite import scale_of, standing
from arusha.risks.matrices import Scale
from arusha.risks.models import Acceptance, Cycle, Risk
from arusha.risks.vocabulary import AcceptanceStatus, CycleStatus, Decision, MemberRole, TreatmentStatus

S = CycleStatus
MINIMUM_MEMBERS = 3


def _planning_blockers(cycle: Cycle) -> list[str]:
    found = []
    members = list(cycle.members.filter(active=True).select_related("user"))
    if not any(m.role == MemberRole.CHAIR for m in members):
        found.append(_("The working group needs a chair."))
    others = [m for m in members if m.role != MemberRole.CHAIR]
    if len(others) < MINIMUM_MEMBERS:
        found.append(
            _("The working group needs at least %(count)d members besides the chair; it has %(have)d.")
            % {"count": MINIMUM_MEMBERS, "have": len(others)}
        )
    undeclared = [str(m.user) for m in members if not m.declared]
    if undeclared:
        found.append(_("Still to declare their interests: %(names)s.") % {"names": ", ".join(undeclared)})
    if not cycle.processes.exists():
        found.append(_("Choose the processes in scope."))
    if cycle.matrix is None:
        found.append(_("Choose the risk matrix."))
    return found


def _live_acceptance(acceptance: Acceptance, today: datetime.date) -> bool:
    if acceptance.status == AcceptanceStatus.SUBMITTED:
        return True
    return acceptance.status == AcceptanceStatus.APPROVED and not (
        acceptance.expires_on is not None and acceptance.expires_on < today
    )


def uncovered(risk: Risk, scale: Scale, process_codes: list[str] | None = None) -> str | None:
    """Why a risk above appetite still lacks an answer, or None when it needs none or has one.

    A risk above appetite is answered by a treatment that is not cancelled (whatever the
    decision, unless it is to accept), or, when the decision is to accept, by an acceptance
    submitted or approved and not expired. A zero-tolerance risk is never answered by an
    acceptance. Reads the risk's `treatments` and `acceptances` (prefetch them for many);
    `process_codes`: the risk's process and its ancestors, when the caller has them.
    """
    place = standing(risk, scale, process_codes)
    if not place.above:
        return None
    if risk.decision == Decision.ACCEPT:
        if place.zero_tolerance is not None:
            return str(
                _("%(risk)s falls under a zero-tolerance rule: it cannot be accepted; plan a treatment.")
                % {"risk": risk.code}
            )
        today = timezone.localdate()
        if any(_live_acceptance(a, today) for a in risk.acceptances.all()):
            return None
        return str(
            _("%(risk)s is to be accepted, but no acceptance is submitted or in force.") % {"risk": risk.code}
        )
    if any(t.status != TreatmentStatus.CANCELLED for t in risk.treatments.all()):
        return None
    return str(
        _("%(risk)s is above appetite: plan a treatment or submit an acceptance.") % {"risk": risk.code}
    )


class ProcessCodes:
    """The codes of a risk's process and its ancestors, looked up once per process."""

    def __init__(self) -> None:
        self._known: dict[int, list[str]] = {}

    def of(self, risk: Risk) -> list[str]:
        if risk.process_id not in self._known:
            self._known[risk.process_id] = [p.code for p in process_ancestors(risk.process)]
        return self._known[risk.process_id]


def _treatment_blockers(cycle: Cycle) -> list[str]:
    scale = scale_of(cycle)
    if scale is None:
        return [_("Choose the risk matrix.")]
    risks = cycle.risks.select_related("process").prefetch_related("treatments", "acceptances")
    codes = ProcessCodes()
    found = (uncovered(risk, scale, codes.of(risk)) for risk in risks)
    return [reason for reason in found if reason is not None]


def blockers(cycle: Cycle) -> list[str]:
    """What stops the cycle from taking its next step (empty: it may go on)."""
    with scopes_disabled():
        status = cycle.status
        if status == S.PLANNING:
            return _planning_blockers(cycle)
        if status == S.IDENTIFICATION and not cycle.risks.exists():
            return [_("Identify at least one risk.")]
        if status == S.RATING:
            unrated = [r.code for r in cycle.risks.all() if not (r.rated("inherent") and r.rated("current"))]
            if unrated:
                return [
                    _("Rate the inherent and current levels of: %(codes)s.") % {"codes": ", ".join(unrated)}
                ]
        if status == S.TREATMENT:
            return _treatment_blockers(cycle)
        if status == S.REVIEW:
            found: list[str] = []
            pending = cycle.risks.filter(acceptances__status=AcceptanceStatus.SUBMITTED).values_list(
                "code", flat=True
            )
            if pending:
                found.append(
                    _("Decide the acceptances still waiting: %(codes)s.")
                    % {"codes": ", ".join(sorted(set(pending)))}
                )
            # A refused acceptance leaves its risk without an answer: send the cycle back.
            return found + _treatment_blockers(cycle)
        return []
