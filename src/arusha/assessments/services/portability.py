"""Importing an assessment exported from another Arusha instance: checked in full, then all or nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as FieldError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope
from pydantic import ValidationError

from arusha.assessments import maturity
from arusha.assessments.access import PERMISSION_MANAGE
from arusha.assessments.annex4 import activities_for
from arusha.assessments.models import (
    AgendaSession,
    Assessment,
    BackgroundDocument,
    DocumentCategory,
    FieldVisit,
    Finding,
    ReportText,
    Response,
    ResponseVersion,
    Task,
    TermsOfReference,
    VisitKind,
    WorkingGroup,
)
from arusha.assessments.portability import ExportDocument
from arusha.assessments.services.analysis import check_narrative, check_ratings
from arusha.assessments.services.setup import assessment_create
from arusha.core.access import authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.frameworks.models import Area, FrameworkVersion, Question


class ImportRejectedError(DomainError):
    """The document cannot be imported; `errors` names each problem by its place in the JSON."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("The assessment was not imported: %(count)s problems.") % {"count": len(errors)})
        self.errors = errors


def _parse(data: bytes) -> ExportDocument:
    limit = settings.ARUSHA_JSON_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportRejectedError(
            [_("The document is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]
        )
    try:
        # pydantic reads the JSON itself: bad UTF-8, wrong types and nesting deeper than its
        # recursion limit all come back as validation errors, never as exceptions of their own.
        document = ExportDocument.model_validate_json(data)
    except ValidationError as error:
        errors = []
        for problem in error.errors()[:_MAX_ERRORS]:
            place = ".".join(str(part) for part in problem["loc"]) or _("the document")
            errors.append(f"{place}: {problem['msg']}")
        raise ImportRejectedError(errors) from error
    nul = _first_nul(document.model_dump(), "")
    if nul is not None:
        raise ImportRejectedError([f"{nul or _('the document')}: " + _("the text holds a NUL character.")])
    return document


_MAX_ERRORS = 100


def _first_nul(value: Any, place: str) -> str | None:
    """The place of the first text holding a NUL character, which no database column accepts."""
    if isinstance(value, str):
        return place if "\x00" in value else None
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = _first_nul(key, place) or _first_nul(item, f"{place}.{key}" if place else str(key))
        if found is not None:
            return found
    return None


def _field_errors(place: str, model: type[models.Model], values: dict[str, Any]) -> list[str]:
    """The model's own checks (lengths, choices, links, dates) on the fields a row will be written with."""
    instance = model(**values)
    exclude = [f.name for f in model._meta.fields if f.name not in values]
    try:
        instance.clean_fields(exclude=exclude)
    except FieldError as error:
        return [f"{place}.{name}: {' '.join(problems)}" for name, problems in error.message_dict.items()]
    return []


def _check(document: ExportDocument, version: FrameworkVersion) -> tuple[dict[str, Question], list[str]]:
    errors: list[str] = []
    areas = set(Area.objects.filter(version=version).values_list("code", flat=True))
    questions = {q.code: q for q in Question.objects.filter(version=version).select_related("area")}
    left_out = {e.area for e in document.assessment.excluded}
    tasks = {activity.code for activity, _roles in activities_for(document.assessment.mode)}
    for index, task in enumerate(document.tasks):
        if task.code not in tasks:
            errors.append(
                f"tasks.{index}.code: " + _("%(code)s is not an activity of this mode.") % {"code": task.code}
            )
    for index, task in enumerate(document.tasks):
        errors += _field_errors(f"tasks.{index}", Task, {"code": task.code, "note": task.note})
    names: set[str] = set()
    for index, group in enumerate(document.working_groups):
        if group.name in names:
            errors.append(
                f"working_groups.{index}.name: " + _("%(name)s appears twice.") % {"name": group.name}
            )
        names.add(group.name)
        for code in group.areas:
            if code not in areas or code in left_out:
                errors.append(
                    f"working_groups.{index}.areas: "
                    + _("%(code)s is not an area in scope.") % {"code": code}
                )
    for index, session in enumerate(document.agenda):
        errors += _field_errors(f"agenda.{index}", AgendaSession, session.model_dump())
    for index, item in enumerate(document.documents):
        if item.category not in DocumentCategory.values:
            errors.append(
                f"documents.{index}.category: "
                + _("unknown category “%(value)s”.") % {"value": item.category}
            )
        else:
            errors += _field_errors(f"documents.{index}", BackgroundDocument, item.model_dump())
    answered: set[str] = set()
    for index, answer in enumerate(document.answers):
        question = questions.get(answer.question)
        if question is None or question.area.code in left_out:
            errors.append(
                f"answers.{index}.question: "
                + _("%(code)s is not a question in scope.") % {"code": answer.question}
            )
        elif answer.question in answered:
            errors.append(
                f"answers.{index}.question: " + _("%(code)s is answered twice.") % {"code": answer.question}
            )
        answered.add(answer.question)
        # The rules of the answer page: a real narrative, consistent ratings.
        try:
            check_narrative(answer.narrative)
        except DomainError as error:
            errors.append(f"answers.{index}.narrative: {error.message}")
        try:
            check_ratings(answer.model_dump())
        except DomainError as error:
            errors.append(f"answers.{index}.{error.field}: {error.message}")
    for index, finding in enumerate(document.findings):
        errors += _field_errors(
            f"findings.{index}",
            Finding,
            {
                "kind": finding.kind,
                "area_code": finding.area,
                "title": finding.title,
                "description": finding.description,
                "recommendation": finding.recommendation,
                "priority": finding.priority,
            },
        )
        if finding.area not in areas or finding.area in left_out:
            errors.append(
                f"findings.{index}.area: " + _("%(code)s is not an area in scope.") % {"code": finding.area}
            )
        for code in finding.questions:
            if code not in questions or questions[code].area.code != finding.area:
                errors.append(
                    f"findings.{index}.questions: "
                    + _("%(code)s is not a question of the area.") % {"code": code}
                )
    for index, visit in enumerate(document.field_visits):
        if visit.kind not in VisitKind.values:
            errors.append(
                f"field_visits.{index}.kind: " + _("unknown kind “%(value)s”.") % {"value": visit.kind}
            )
        else:
            errors += _field_errors(f"field_visits.{index}", FieldVisit, visit.model_dump())
    unknown_terms = sorted(set(document.terms) - set(TermsOfReference.FIELDS))
    if unknown_terms:
        errors.append("terms: " + _("unknown field %(field)s.") % {"field": unknown_terms[0]})
    else:
        errors += _field_errors("terms", TermsOfReference, dict(document.terms))
    return questions, errors[:_MAX_ERRORS]


def assessment_import(*, actor: User, organization: Organization, data: bytes) -> Assessment:
    """Create an assessment of `organization` from an exported document.

    The framework version must be loaded here with the same checksum. Everything is
    checked first; any problem rejects the document with every problem named by its
    place (`answers.12.question`), and nothing is written.
    """
    authorize_in(actor, PERMISSION_MANAGE, organization)
    document = _parse(data)
    ref = document.framework
    version = FrameworkVersion.objects.filter(framework__code=ref.code, version=ref.version).first()
    if version is None:
        raise ImportRejectedError(
            [
                _("framework: %(code)s %(version)s is not loaded on this instance.")
                % {"code": ref.code, "version": ref.version}
            ]
        )
    if version.checksum != ref.checksum:
        raise ImportRejectedError(
            [
                _("framework: this instance's copy of %(code)s %(version)s differs from the exported one.")
                % {"code": ref.code, "version": ref.version}
            ]
        )
    questions, errors = _check(document, version)
    if errors:
        raise ImportRejectedError(errors)
    with scope(organization=organization), transaction.atomic():
        head = document.assessment
        try:
            assessment = assessment_create(
                actor=actor,
                organization=organization,
                title=head.title,
                framework_version=version,
                mode=head.mode,
                scope_kind=head.scope,
                planned_start=head.planned_start,
                planned_end=head.planned_end,
                excluded={e.area: e.reason for e in head.excluded},
            )
        except DomainError as error:
            raise ImportRejectedError([f"assessment.{error.field or 'title'}: {error.message}"]) from error
        _restore(actor, assessment, document, questions)
        audit_record(
            actor=actor,
            action="arusha.assessment.imported",
            obj=assessment,
            organization=organization,
            changes={
                "imported": [
                    None,
                    {
                        "from": document.source_organization,
                        "exported_at": document.exported_at.isoformat(),
                        "answers": len(document.answers),
                        "findings": len(document.findings),
                    },
                ]
            },
        )
        return assessment


def _restore(
    actor: User, assessment: Assessment, document: ExportDocument, questions: dict[str, Question]
) -> None:
    """Write the parts of a checked document. A restore, so rows are created as they were."""
    tasks = {t.code: t for t in Task.objects.filter(assessment=assessment)}
    for item in document.tasks:
        task = tasks[item.code]
        task.start_date, task.due_date, task.completed_on, task.note = (
            item.start_date,
            item.due_date,
            item.completed_on,
            item.note,
        )
        task.save()
    for group in document.working_groups:
        WorkingGroup.objects.create(assessment=assessment, name=group.name, area_codes=group.areas)
    if document.terms:
        TermsOfReference.objects.create(assessment=assessment, **document.terms)
    AgendaSession.objects.bulk_create(
        AgendaSession(assessment=assessment, **session.model_dump()) for session in document.agenda
    )
    BackgroundDocument.objects.bulk_create(
        BackgroundDocument(assessment=assessment, added_by=actor, **item.model_dump())
        for item in document.documents
    )
    now = timezone.now()
    for answer in document.answers:
        question = questions[answer.question]
        ratings = {name: getattr(answer, name) for name in maturity.FIELDS}
        response = Response.objects.create(
            assessment=assessment,
            question=question,
            area_code=question.area.code,
            narrative=answer.narrative,
            level=maturity.level(ratings),
            status=answer.status,
            version=1,
            updated_by=actor,
            updated_at=now,
            **ratings,
        )
        ResponseVersion.objects.create(
            response=response,
            number=1,
            narrative=response.narrative,
            level=response.level,
            status=response.status,
            saved_by=actor,
            saved_at=now,
            **ratings,
        )
    for entry in document.findings:
        finding = Finding.objects.create(
            assessment=assessment,
            kind=entry.kind,
            area_code=entry.area,
            title=entry.title,
            description=entry.description,
            recommendation=entry.recommendation,
            priority=entry.priority,
            created_by=actor,
        )
        finding.questions.set([questions[code] for code in entry.questions])
    FieldVisit.objects.bulk_create(
        FieldVisit(assessment=assessment, recorded_by=actor, **visit.model_dump())
        for visit in document.field_visits
    )
    if document.key_messages or document.challenges:
        ReportText.objects.create(
            assessment=assessment, key_messages=document.key_messages, challenges=document.challenges
        )
