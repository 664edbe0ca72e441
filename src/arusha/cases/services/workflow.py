"""The life of a case: which step may follow which, and the guards between them.

    submitted → acknowledged → triage → (not admissible | redirected | resolved at intake
    | preliminary review → investigation → findings review → decision → action)
    → feedback → closed → archived → purged

Guards: no investigation without an approved plan; findings are reviewed by someone
other than the person who found them; every substantiated allegation has a sanction or
a reason for none before the decision is acted on. Statutory timers (acknowledge_by,
feedback_by) are set at intake and never move: a hold does not stop them.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.models import Allegation, Case, Finding, InvestigationPlan, Sanction, SanctionKind, Status
from arusha.core.access import authorize
from arusha.core.audit import audit_record
from arusha.core.concurrency import stale
from arusha.core.errors import DomainError
from arusha.core.models import User

S = Status
NEXT: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.ACKNOWLEDGED,),
    S.ACKNOWLEDGED: (S.TRIAGE,),
    S.TRIAGE: (S.NOT_ADMISSIBLE, S.REDIRECTED, S.RESOLVED_AT_INTAKE, S.PRELIMINARY_REVIEW),
    S.PRELIMINARY_REVIEW: (S.INVESTIGATION, S.NOT_ADMISSIBLE),
    S.INVESTIGATION: (S.FINDINGS_REVIEW,),
    S.FINDINGS_REVIEW: (S.DECISION, S.INVESTIGATION),
    S.DECISION: (S.ACTION,),
    S.ACTION: (S.FEEDBACK,),
    S.NOT_ADMISSIBLE: (S.FEEDBACK,),
    S.REDIRECTED: (S.FEEDBACK,),
    S.RESOLVED_AT_INTAKE: (S.FEEDBACK,),
    S.FEEDBACK: (S.CLOSED,),
    S.CLOSED: (S.ARCHIVED, S.TRIAGE),
    S.ARCHIVED: (),
    S.PURGED: (),
}
# Steps only a supervisor takes; the rest any assigned handler may take.
SUPERVISED = {S.NOT_ADMISSIBLE, S.REDIRECTED, S.ARCHIVED}
OPEN_STATUSES = tuple(s for s in Status.values if s not in (S.CLOSED, S.ARCHIVED, S.PURGED))


def next_steps(case: Case) -> tuple[str, ...]:
    return NEXT.get(case.status, ())


def outcome_of(case: Case) -> str:
    """How a closed case ended, for retention and statistics."""
    with scopes_disabled():
        findings = list(Allegation.objects.filter(case=case).values_list("finding", flat=True))
        ended_at = _last_outcome(case)
    if ended_at in (S.NOT_ADMISSIBLE, S.REDIRECTED):
        return str(ended_at)
    if Finding.SUBSTANTIATED in findings:
        return "substantiated"
    if findings:
        return "unsubstantiated"
    return "resolved"


def _last_outcome(case: Case) -> str:
    from arusha.core.models import AuditEvent

    with scopes_disabled():
        events = AuditEvent.objects.filter(object_id=str(case.pk), action="arusha.case.status").order_by(
            "-sequence"
        )
        for changes in events.values_list("changes", flat=True)[:20]:
            after = (changes or {}).get("status", [None, None])[1]
            if after in (S.NOT_ADMISSIBLE, S.REDIRECTED, S.RESOLVED_AT_INTAKE, S.DECISION):
                return str(after)
    return ""


def _guard(case: Case, actor: User, to: str) -> None:
    with scopes_disabled():
        if to == S.INVESTIGATION:
            plan = InvestigationPlan.objects.filter(case=case).first()
            if plan is None or plan.approved_at is None:
                raise DomainError(_("An investigation starts only once its plan is approved."))
        if to == S.FINDINGS_REVIEW:
            allegations = list(Allegation.objects.filter(case=case))
            if not allegations:
                raise DomainError(_("Record at least one allegation and its finding first."))
            if any(not a.finding for a in allegations):
                raise DomainError(_("Every allegation needs a finding before the findings are reviewed."))
        if to == S.DECISION:
            allegations = list(Allegation.objects.filter(case=case))
            if any(a.reviewed_at is None for a in allegations):
                raise DomainError(_("Every finding must be reviewed before the decision."))
            if any(a.reviewed_by_id == a.found_by_id for a in allegations):
                raise DomainError(
                    _("A finding must be reviewed by someone other than the person who made it.")
                )
        if to == S.ACTION:
            substantiated = Allegation.objects.filter(case=case, finding=Finding.SUBSTANTIATED)
            for allegation in substantiated:
                sanctions = Sanction.objects.filter(allegation=allegation)
                if not sanctions.exists():
                    raise DomainError(
                        _("Allegation %(number)d is substantiated: record a sanction, or none and why.")
                        % {"number": allegation.position}
                    )
                for sanction in sanctions:
                    if sanction.kind == SanctionKind.NONE and not sanction.reason_for_none:
                        raise DomainError(
                            _("Allegation %(number)d is substantiated: say why no sanction is given.")
                            % {"number": allegation.position}
                        )


def case_move(*, actor: User, case: Case, to: str, version: int | None = None) -> Case:
    """Move a case one step on, if the step may follow and its guard lets it."""
    authorize(actor, "supervise" if to in SUPERVISED else "handle", case)
    if to not in next_steps(case):
        raise DomainError(
            _("A case that is %(now)s cannot go to %(to)s.")
            % {"now": Status(case.status).label, "to": Status(to).label if to in Status.values else to},
            field="status",
        )
    _guard(case, actor, to)
    today = timezone.localdate()
    before = case.status
    fields: dict[str, object] = {"status": to}
    if to == S.ACKNOWLEDGED:
        fields["acknowledged_on"] = today
    if to == S.ACTION:
        fields["decided_on"] = today
    if to == S.CLOSED:
        fields["closed_on"] = today
        if case.feedback_on is None:
            fields["feedback_on"] = today
    if before == S.CLOSED and to == S.TRIAGE:
        fields["reopened"] = case.reopened + 1
        fields["closed_on"] = None
        fields["purge_after"] = None
    with transaction.atomic(), scopes_disabled():
        rows = Case.objects.filter(pk=case.pk, status=before)
        if version is not None:
            rows = rows.filter(version=version)
        from django.db.models import F

        if not rows.update(**fields, version=F("version") + 1):
            raise stale(case)
        case.refresh_from_db()
        if to == S.CLOSED:
            from arusha.cases.services.records import record_write

            record = record_write(case)
            case.purge_after = today + datetime.timedelta(days=retention_days(case, record.outcome))
            case.save(update_fields=["purge_after"])
        audit_record(
            actor=actor,
            action="arusha.case.status",
            obj=case,
            organization=case.organization,
            changes={"status": [before, to]},
        )
    return case


def retention_days(case: Case, outcome: str) -> int:
    rules = case.channel.retention or {}
    value = rules.get(outcome, rules.get("resolved", 730))
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 730


def case_hold(*, actor: User, case: Case, on: bool) -> Case:
    """Put a case on hold or take it off; statutory timers run on either way."""
    authorize(actor, "handle", case)
    with transaction.atomic(), scopes_disabled():
        Case.objects.filter(pk=case.pk).update(on_hold=on)
        case.on_hold = on
        audit_record(
            actor=actor,
            action="arusha.case.updated",
            obj=case,
            organization=case.organization,
            changes={"on_hold": [not on, on]},
        )
    return case


def case_classify(
    *, actor: User, case: Case, category_id: int | None, office_id: int | None, version: int | None
) -> Case:
    """Say what a case is about and where it happened: the statistics count cases by both."""
    from arusha.cases.models import Category
    from arusha.core.concurrency import save_versioned
    from arusha.core.models import Division

    authorize(actor, "handle", case)
    if case.status == S.PURGED:
        raise DomainError(_("This case is purged: nothing more is recorded on it."))
    with scopes_disabled():
        category = (
            Category.objects.filter(organization=case.organization, pk=category_id).first()
            if category_id
            else None
        )
        office = (
            Division.objects.filter(organization=case.organization, pk=office_id).first()
            if office_id
            else None
        )
    if category_id and category is None:
        raise DomainError(_("Choose one of the categories offered."), field="category")
    if office_id and office is None:
        raise DomainError(_("Choose one of the offices offered."), field="office")
    before = {
        "category": case.category.code if case.category else None,
        "office": str(case.office or "") or None,
    }
    case.category, case.office = category, office
    with transaction.atomic(), scopes_disabled():
        save_versioned(case, version=version, fields=("category", "office"))
        if case.status == S.CLOSED:
            from arusha.cases.services.records import record_write

            record_write(case)
        after = {"category": category.code if category else None, "office": str(office or "") or None}
        audit_record(
            actor=actor,
            action="arusha.case.updated",
            obj=case,
            organization=case.organization,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
    return case
