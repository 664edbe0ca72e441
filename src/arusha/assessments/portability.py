"""A whole assessment as JSON, to move it to another Arusha instance.

The document names the framework version by code, version and checksum: the target
instance must have loaded the same pack. Questions and areas are referred to by their
stable codes. People are per instance: the document lists the participants for the
record, but the import does not create accounts; it keeps the working groups,
answers, findings and texts, saved in the name of the person who imports.
Files (uploaded documents, evidence, generated reports) are not part of it.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from arusha.assessments import maturity
from arusha.assessments.models import (
    Assessment,
    FieldVisit,
    Finding,
    ReportText,
    Response,
    TermsOfReference,
)

FORMAT: Literal["arusha-assessment"] = "arusha-assessment"
FORMAT_VERSION: Literal[1] = 1

Rating = Literal["", "yes", "partly", "no", "unknown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Codes and names that are only compared, never stored, are bounded here so that an error
# message quoting them stays short; stored texts are checked against the model's fields.
Code = Annotated[str, Field(max_length=40)]
Short = Annotated[str, Field(max_length=300)]


class FrameworkRef(_Strict):
    code: Annotated[str, Field(max_length=60)]
    version: Code
    checksum: Annotated[str, Field(max_length=64)]


class Excluded(_Strict):
    area: Code
    reason: str = Field(min_length=1)


class TaskOut(_Strict):
    code: Code
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    completed_on: datetime.date | None = None
    note: str = ""


class Group(_Strict):
    name: str = Field(min_length=1, max_length=120)
    areas: list[Code] = []


class Person(_Strict):
    name: Short
    email: Short
    idg_role: Code
    working_group: Short = ""
    is_guest: bool = False


class Session(_Strict):
    date: datetime.date
    start_time: datetime.time
    end_time: datetime.time
    title: str = Field(min_length=1, max_length=200)
    location: str = ""
    lead: str = ""


class Document(_Strict):
    category: Code
    title: str = Field(min_length=1, max_length=200)
    url: str = ""
    summary: str = ""


class Answer(_Strict):
    question: Code
    narrative: str
    exists: Rating = ""
    designed: Rating = ""
    implemented: Rating = ""
    effective: Rating = ""
    status: Literal["draft", "proposed", "agreed"] = "draft"
    level: int | None = None
    version: int = 1


class FindingOut(_Strict):
    kind: Literal["strength", "gap", "risk", "opportunity"]
    area: Code
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    recommendation: str = ""
    priority: Literal["high", "medium", "low"]
    questions: list[Code] = []


class Visit(_Strict):
    date: datetime.date
    kind: Code
    place: str = Field(min_length=1, max_length=200)
    people_met: str = ""
    observations: str = Field(min_length=1)


class AssessmentOut(_Strict):
    title: str = Field(min_length=1, max_length=200)
    mode: Literal[1, 2, 3]
    scope: Literal["comprehensive", "targeted"]
    planned_start: datetime.date
    planned_end: datetime.date
    excluded: list[Excluded] = []


class ExportDocument(_Strict):
    format: Literal["arusha-assessment"]
    format_version: Literal[1]
    exported_at: datetime.datetime
    source_organization: Short
    framework: FrameworkRef
    assessment: AssessmentOut
    tasks: list[TaskOut] = []
    working_groups: list[Group] = []
    participants: list[Person] = []
    terms: dict[str, str] = {}
    agenda: list[Session] = []
    documents: list[Document] = []
    answers: list[Answer] = []
    findings: list[FindingOut] = []
    field_visits: list[Visit] = []
    key_messages: str = ""
    challenges: str = ""


def export_document(assessment: Assessment) -> dict[str, Any]:
    """The JSON-ready document of one assessment (call inside its organization's scope)."""
    version = assessment.framework_version
    groups = {g.pk: g.name for g in assessment.working_groups.all()}
    terms = TermsOfReference.objects.filter(assessment=assessment).first()
    text = ReportText.objects.filter(assessment=assessment).first()
    answers = Response.objects.filter(assessment=assessment, version__gt=0).select_related("question")
    document = ExportDocument(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        exported_at=timezone.now(),
        source_organization=assessment.organization.slug,
        framework=FrameworkRef(
            code=version.framework.code, version=version.version, checksum=version.checksum
        ),
        assessment=AssessmentOut(
            title=assessment.title,
            mode=assessment.mode,  # type: ignore[arg-type]
            scope=assessment.scope,  # type: ignore[arg-type]
            planned_start=assessment.planned_start,
            planned_end=assessment.planned_end,
            excluded=[Excluded(area=e.area_code, reason=e.reason) for e in assessment.excluded_areas.all()],
        ),
        tasks=[
            TaskOut(
                code=t.code,
                start_date=t.start_date,
                due_date=t.due_date,
                completed_on=t.completed_on,
                note=t.note,
            )
            for t in assessment.tasks.all()
        ],
        working_groups=[
            Group(name=g.name, areas=list(g.area_codes)) for g in assessment.working_groups.all()
        ],
        participants=[
            Person(
                name=p.user.full_name,
                email=p.user.email,
                idg_role=p.idg_role,
                working_group=groups.get(p.working_group_id or 0, ""),
                is_guest=p.is_guest,
            )
            for p in assessment.participants.filter(revoked_at__isnull=True).select_related("user")
        ],
        terms={name: getattr(terms, name) for name in TermsOfReference.FIELDS} if terms else {},
        agenda=[
            Session(
                date=s.date,
                start_time=s.start_time,
                end_time=s.end_time,
                title=s.title,
                location=s.location,
                lead=s.lead,
            )
            for s in assessment.sessions.all()
        ],
        documents=[
            Document(category=d.category, title=d.title, url=d.url, summary=d.summary)
            for d in assessment.documents.all()
        ],
        answers=[
            Answer(
                question=r.question.code,
                narrative=r.narrative,
                status=r.status,  # type: ignore[arg-type]
                level=r.level,
                version=r.version,
                **{name: getattr(r, name) for name in maturity.FIELDS},
            )
            for r in answers
        ],
        findings=[
            FindingOut(
                kind=f.kind,  # type: ignore[arg-type]
                area=f.area_code,
                title=f.title,
                description=f.description,
                recommendation=f.recommendation,
                priority=f.priority,  # type: ignore[arg-type]
                questions=[q.code for q in f.questions.all()],
            )
            for f in Finding.objects.filter(assessment=assessment).prefetch_related("questions")
        ],
        field_visits=[
            Visit(
                date=v.date, kind=v.kind, place=v.place, people_met=v.people_met, observations=v.observations
            )
            for v in FieldVisit.objects.filter(assessment=assessment)
        ],
        key_messages=text.key_messages if text else "",
        challenges=text.challenges if text else "",
    )
    return document.model_dump(mode="json")
