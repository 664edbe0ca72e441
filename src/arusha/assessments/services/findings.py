"""Writes of findings (material for action planning) and of the field-visit log (mode 1)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments.access import MANAGE, rights_for
from arusha.assessments.models import (
    Assessment,
    FieldVisit,
    Finding,
    FindingKind,
    Mode,
    Priority,
    VisitKind,
)
from arusha.core.access import authorize
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.frameworks.models import Question

_FINDING_FIELDS = ("kind", "area_code", "title", "description", "recommendation", "priority")
_VISIT_FIELDS = ("date", "kind", "place", "people_met", "observations")


def _check_finding(
    actor: User,
    assessment: Assessment,
    kind: str,
    area_code: str,
    title: str,
    description: str,
    priority: str,
    questions: Sequence[Question],
) -> None:
    if kind not in FindingKind.values:
        raise DomainError(_("Choose a strength, a gap, a risk or an opportunity."), field="kind")
    if priority not in Priority.values:
        raise DomainError(_("Choose a high, medium or low priority."), field="priority")
    if not title.strip():
        raise DomainError(_("Give the finding a short title."), field="title")
    if not description.strip():
        raise DomainError(_("Describe what was found."), field="description")
    if area_code not in rights_for(assessment, actor).edit:
        raise DomainError(_("You may record findings only for the areas you answer."), field="area_code")
    for question in questions:
        if question.version_id != assessment.framework_version_id or question.area.code != area_code:
            raise DomainError(
                _("Question %(code)s is not in area %(area)s.") % {"code": question.code, "area": area_code},
                field="questions",
            )


def finding_create(
    *,
    actor: User,
    assessment: Assessment,
    kind: str,
    area_code: str,
    title: str,
    description: str,
    recommendation: str = "",
    priority: str = Priority.MEDIUM,
    questions: Sequence[Question] = (),
) -> Finding:
    with scope(organization=assessment.organization), transaction.atomic():
        _check_finding(actor, assessment, kind, area_code, title, description, priority, questions)
        finding = Finding.objects.create(
            assessment=assessment,
            kind=kind,
            area_code=area_code,
            title=title.strip(),
            description=description.strip(),
            recommendation=recommendation.strip(),
            priority=priority,
            created_by=actor,
        )
        finding.questions.set(questions)
        audit_change(
            actor=actor,
            action="arusha.assessment.finding.created",
            obj=finding,
            organization=assessment.organization,
            fields=_FINDING_FIELDS,
        )
        return finding


def finding_update(
    *,
    actor: User,
    finding: Finding,
    kind: str,
    area_code: str,
    title: str,
    description: str,
    recommendation: str,
    priority: str,
    questions: Sequence[Question],
    version: int | None = None,
) -> Finding:
    """Change a finding; `version` is the one the form was read at (a stale save is refused)."""
    assessment = finding.assessment
    with scope(organization=assessment.organization), transaction.atomic():
        # Moving a finding needs the right on the area it leaves as well as the one it joins.
        if finding.area_code not in rights_for(assessment, actor).edit:
            raise DomainError(_("You may record findings only for the areas you answer."), field="area_code")
        _check_finding(actor, assessment, kind, area_code, title, description, priority, questions)
        before = snapshot(finding, _FINDING_FIELDS)
        finding.kind, finding.area_code, finding.priority = kind, area_code, priority
        finding.title, finding.description = title.strip(), description.strip()
        finding.recommendation = recommendation.strip()
        save_versioned(finding, version=version, fields=_FINDING_FIELDS)
        finding.questions.set(questions)
        audit_change(
            actor=actor,
            action="arusha.assessment.finding.updated",
            obj=finding,
            organization=assessment.organization,
            fields=_FINDING_FIELDS,
            before=before,
        )
        return finding


def finding_delete(*, actor: User, finding: Finding) -> None:
    assessment = finding.assessment
    with scope(organization=assessment.organization), transaction.atomic():
        if finding.area_code not in rights_for(assessment, actor).edit:
            raise DomainError(_("You may record findings only for the areas you answer."))
        audit_record(
            actor=actor,
            action="arusha.assessment.finding.deleted",
            obj=finding,
            organization=assessment.organization,
            changes={"title": [finding.title, None]},
        )
        finding.delete()


def field_visit_add(
    *,
    actor: User,
    assessment: Assessment,
    date: datetime.date,
    kind: str,
    place: str,
    observations: str,
    people_met: str = "",
) -> FieldVisit:
    """Log an operational field visit; only in-country assessments (mode 1) make them."""
    authorize(actor, MANAGE, assessment)
    if assessment.mode != Mode.EXTERNAL_IN_COUNTRY:
        raise DomainError(_("Field visits are part of mode 1 assessments only (IDG Annex 4, activity 5.5)."))
    if kind not in VisitKind.values:
        raise DomainError(_("Choose the kind of visit."), field="kind")
    if not place.strip():
        raise DomainError(_("Name the place visited."), field="place")
    if not observations.strip():
        raise DomainError(_("Write what was observed."), field="observations")
    with scope(organization=assessment.organization), transaction.atomic():
        visit = FieldVisit.objects.create(
            assessment=assessment,
            date=date,
            kind=kind,
            place=place.strip(),
            people_met=people_met.strip(),
            observations=observations.strip(),
            recorded_by=actor,
        )
        audit_change(
            actor=actor,
            action="arusha.assessment.visit.added",
            obj=visit,
            organization=assessment.organization,
            fields=_VISIT_FIELDS,
        )
        return visit
