"""The due-process review of a flagged signal: explanation, then no issue or a case.

    open ──explain──► explained ──close──► closed (no issue)
      │                  │
      └──────refer───────┴──────refer────► referred (a case is recorded)
    closed | referred ──reopen──► explained (or open, when no explanation was recorded)

Closing with no issue needs the officer's explanation first: nobody is cleared or
suspected without being heard. A referral may come before it, so that an investigation
at arm's length is never tipped off. Every step is a versioned edit
(arusha.core.concurrency): a reviewer who read the review before someone else saved it
is refused and shown the newer version, never silently overwritten. Every step is
audited; the explanation and the conclusion are encrypted and never enter the audit
trail (Review.AUDIT_SENSITIVE_FIELDS).

A referral records a case through the cases context's intake service
(arusha.cases.services.intake.report_record) on a channel the reviewer chooses. The
case's narrative names the signal by its indicator, its pseudonym and its period, never
the person behind the pseudonym.

Nothing here, nor anywhere else, follows from a score by itself: a flag opens a review
(arusha.analytics.services.signals) and that is all.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.analytics.models import Review
from arusha.analytics.selectors.indicators import indicator_text
from arusha.analytics.vocabulary import EntityKind, ReviewStatus
from arusha.core.access import access_of, authorize
from arusha.core.audit import audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Division, User

if TYPE_CHECKING:
    from arusha.cases.models import Case, Channel

MAX_TEXT = 20_000
REVIEW_FIELDS = ("status", "explanation", "explained_at", "conclusion", "closed_at", "reviewer")


def _text(value: str, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(what, field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(_("Keep it under %(count)s characters.") % {"count": f"{MAX_TEXT:,}"}, field=field)
    return text


def review_explain(*, actor: User, review: Review, explanation: str, version: int | None) -> Review:
    """Record the officer's (or the firm's) explanation, as the reviewer heard or received it."""
    authorize(actor, "review", review)
    text = _text(explanation, "explanation", _("Write the explanation that was given."))
    if review.status not in (ReviewStatus.OPEN, ReviewStatus.EXPLAINED):
        raise DomainError(_("This review is decided: reopen it to record another explanation."))
    with scope(organization=review.organization), transaction.atomic():
        before = snapshot(review, REVIEW_FIELDS)
        review.explanation = text
        review.explained_at = timezone.now()
        review.status = ReviewStatus.EXPLAINED
        review.reviewer = actor
        save_versioned(review, version=version, fields=REVIEW_FIELDS)
        _audit(review, actor, "arusha.analytics.review.explained", before)
    return review


def review_close(*, actor: User, review: Review, conclusion: str, version: int | None) -> Review:
    """Close the review with no issue, saying why; kept to recalibrate the indicator."""
    authorize(actor, "review", review)
    text = _text(conclusion, "conclusion", _("Say why the signal needs no further action."))
    if review.status != ReviewStatus.EXPLAINED:
        if review.status == ReviewStatus.OPEN:
            raise DomainError(
                _("Record the officer's explanation before closing the review."), field="conclusion"
            )
        raise DomainError(_("This review is already decided."))
    with scope(organization=review.organization), transaction.atomic():
        before = snapshot(review, REVIEW_FIELDS)
        review.conclusion = text
        review.closed_at = timezone.now()
        review.status = ReviewStatus.CLOSED
        review.reviewer = actor
        save_versioned(review, version=version, fields=REVIEW_FIELDS)
        _audit(review, actor, "arusha.analytics.review.closed", before)
    return review


def may_refer(actor: User, review: Review) -> bool:
    """Whether the person may record a case (cases.case.supervise) in the review's organization."""
    from arusha.cases.access import SUPERVISE

    return access_of(actor, review.organization).has(SUPERVISE)


def referral_channels(actor: User, review: Review) -> list[Channel]:
    """The case channels a referral may go through now (open, with an intake officer who can read it)."""
    if not may_refer(actor, review):
        return []
    from arusha.cases.selectors import channels_of
    from arusha.cases.services.intake import channel_refusal

    with scope(organization=review.organization):
        return [channel for channel in channels_of(review.organization) if channel_refusal(channel) is None]


def case_narrative(review: Review, conclusion: str) -> str:
    """What the case says about the signal: indicator, pseudonym, period and numbers, no identity."""
    signal = review.signal
    text = indicator_text(signal.indicator)
    kind = EntityKind(signal.entity_kind).label if signal.entity_kind in EntityKind.values else ""
    lines = [
        _("Risk signal referred from integrity analytics. A risk signal is for review, never a verdict."),
        "",
        _("Indicator: %(name)s (%(code)s, version %(version)s)")
        % {"name": text.name, "code": signal.indicator, "version": signal.indicator_version},
        _("Entity: %(kind)s %(pseudonym)s") % {"kind": kind, "pseudonym": signal.entity},
        _("Period: %(period)s") % {"period": signal.period},
        _("Office: %(office)s") % {"office": signal.office_code or "—"},
        _("Observed %(numerator)s of %(denominator)s; baseline %(baseline)s; effect %(effect)s; q %(q)s")
        % {
            "numerator": _number(signal.numerator),
            "denominator": _number(signal.denominator),
            "baseline": _number(signal.baseline),
            "effect": _number(signal.effect),
            "q": _number(signal.q),
        },
        _("Analytics review no. %(review)s, run no. %(run)s") % {"review": review.pk, "run": signal.run_id},
        "",
        _("Reasons for the referral:"),
        conclusion,
        "",
        _(
            "The entity is named by its pseudonym. Re-identifying it needs the right to "
            "re-identify and a recorded purpose, in integrity analytics."
        ),
    ]
    return "\n".join(str(line) for line in lines)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _office_id(review: Review) -> int | None:
    code = review.signal.office_code
    if not code:
        return None
    with scopes_disabled():
        return (
            Division.objects.filter(organization_id=review.organization_id, code=code)
            .values_list("pk", flat=True)
            .first()
        )


def review_refer(
    *,
    actor: User,
    review: Review,
    channel: Channel,
    conclusion: str,
    version: int | None,
    received_on: datetime.date | None = None,
) -> Case:
    """Refer the signal to a case: the case is recorded on `channel` and linked to the review."""
    from arusha.cases.services.intake import Report, report_record

    authorize(actor, "review", review)
    text = _text(conclusion, "conclusion", _("Say why the signal is referred to a case."))
    if review.status not in (ReviewStatus.OPEN, ReviewStatus.EXPLAINED):
        raise DomainError(_("This review is already decided."))
    if not may_refer(actor, review):
        raise DomainError(
            _("Recording a case needs the right to supervise cases: ask a case supervisor."), field="channel"
        )
    if channel.organization_id != review.organization_id:
        raise DomainError(_("Choose a channel of this organization."), field="channel")
    report = Report(channel=channel, narrative=case_narrative(review, text), office_id=_office_id(review))
    with scope(organization=review.organization), transaction.atomic():
        before = snapshot(review, REVIEW_FIELDS)
        review.conclusion = text
        review.closed_at = timezone.now()
        review.status = ReviewStatus.REFERRED
        review.reviewer = actor
        # The versioned write comes first: it holds the review's row until the case is made.
        save_versioned(review, version=version, fields=REVIEW_FIELDS)
        try:
            submitted = report_record(
                actor=actor, report=report, received_on=received_on or timezone.localdate()
            )
        except DomainError as refused:
            # A channel whose questionnaire asks what a referral cannot answer, or that closed meanwhile.
            raise DomainError(
                _("This channel cannot take the referral: %(reason)s") % {"reason": refused.message},
                field="channel",
            ) from refused
        review.case = submitted.case
        review.save(update_fields=["case"])
        _audit(review, actor, "arusha.analytics.review.referred", before, case=str(submitted.case.reference))
    return submitted.case


def review_reopen(*, actor: User, review: Review, version: int | None) -> Review:
    """Reopen a decided review; its explanation and any case stay, the audit trail keeps the decision."""
    authorize(actor, "review", review)
    if review.status not in (ReviewStatus.CLOSED, ReviewStatus.REFERRED):
        raise DomainError(_("This review is not decided: there is nothing to reopen."))
    with scope(organization=review.organization), transaction.atomic():
        before = snapshot(review, REVIEW_FIELDS)
        review.status = ReviewStatus.EXPLAINED if review.explanation else ReviewStatus.OPEN
        review.closed_at = None
        review.reviewer = actor
        save_versioned(review, version=version, fields=REVIEW_FIELDS)
        _audit(review, actor, "arusha.analytics.review.reopened", before)
    return review


def _audit(review: Review, actor: User, action: str, before: dict[str, object], case: str = "") -> None:
    changes = diff(before, snapshot(review, REVIEW_FIELDS))
    if case:
        changes["case"] = [None, case]
    audit_record(actor=actor, action=action, obj=review, organization=review.organization, changes=changes)
