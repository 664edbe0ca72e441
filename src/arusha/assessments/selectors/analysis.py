"""Reads of the situational analysis: questions in scope, answers, progress, versions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.http import Http404

from arusha.assessments.models import (
    Assessment,
    Response,
    ResponseDraft,
    ResponseStatus,
    ResponseVersion,
    WorkingGroup,
)
from arusha.assessments.selectors.setup import areas_in_scope
from arusha.core.models import User
from arusha.frameworks.models import Area, Question


def areas_of(assessment: Assessment) -> list[Area]:
    """The areas in scope, in framework order: two queries."""
    left_out = set(assessment.excluded_areas.values_list("area_code", flat=True))
    areas = Area.objects.filter(version_id=assessment.framework_version_id)
    return [a for a in areas if a.code not in left_out]


def questions_in_scope(assessment: Assessment, areas: list[Area]) -> list[Question]:
    """The questions of those areas, in framework order, with their area; guidance left out."""
    by_id = {a.pk: a for a in areas}
    questions = list(
        Question.objects.filter(version_id=assessment.framework_version_id, area_id__in=by_id)
        .defer("guidance", "search_text")
        .order_by("order")
    )
    for question in questions:
        question.area = by_id[question.area_id]
    return questions


def question_get(assessment: Assessment, code: str) -> Question:
    question = (
        Question.objects.filter(version=assessment.framework_version, code=code)
        .select_related("area")
        .first()
    )
    if question is None or question.area.code not in areas_in_scope(assessment):
        raise Http404
    return question


def responses_of(assessment: Assessment) -> dict[int, Response]:
    """Every answer of the assessment, by question id; the narrative is left out for speed."""
    rows = Response.objects.filter(assessment=assessment).defer("narrative").select_related("updated_by")
    return {r.question_id: r for r in rows}


@dataclass(frozen=True)
class Pager:
    """Where one question stands among those in scope: the one before, the one after, "3 of 12 in KF1"."""

    previous: Question | None
    next: Question | None
    position: int
    area_total: int


def question_pager(assessment: Assessment, question: Question) -> Pager:
    """The neighbours of a question in framework order, across areas: two queries."""
    areas = areas_of(assessment)
    questions = questions_in_scope(assessment, areas)
    index = next((n for n, q in enumerate(questions) if q.pk == question.pk), None)
    if index is None:
        return Pager(None, None, 0, 0)
    same_area = [q for q in questions if q.area_id == question.area_id]
    return Pager(
        previous=questions[index - 1] if index > 0 else None,
        next=questions[index + 1] if index + 1 < len(questions) else None,
        position=next(n for n, q in enumerate(same_area, start=1) if q.pk == question.pk),
        area_total=len(same_area),
    )


def response_of(assessment: Assessment, question: Question) -> Response | None:
    return (
        Response.objects.filter(assessment=assessment, question=question).prefetch_related("evidence").first()
    )


def draft_of(assessment: Assessment, question: Question, user: User) -> ResponseDraft | None:
    return ResponseDraft.objects.filter(assessment=assessment, question=question, user=user).first()


def versions_of(response: Response) -> list[ResponseVersion]:
    return list(response.versions.select_related("saved_by"))


def version_get(response: Response, number: int) -> ResponseVersion:
    version = response.versions.filter(number=number).select_related("saved_by").first()
    if version is None:
        raise Http404
    return version


@dataclass
class Progress:
    """How far the answers of an area, or of a working group, have come."""

    label: str
    code: str
    total: int = 0
    answered: int = 0
    proposed: int = 0
    agreed: int = 0
    areas: list[str] = field(default_factory=list)

    @property
    def percent_answered(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def percent_agreed(self) -> int:
        return round(100 * self.agreed / self.total) if self.total else 0


def progress(
    assessment: Assessment, questions: list[Question], responses: dict[int, Response]
) -> tuple[list[Progress], list[Progress]]:
    """Progress per area in scope and per working group, from rows already read."""
    by_area: dict[str, Progress] = {}
    for question in questions:
        row = by_area.setdefault(
            question.area.code, Progress(label=question.area.code, code=question.area.code)
        )
        row.total += 1
        response = responses.get(question.pk)
        if response is None or response.version == 0:
            continue
        row.answered += 1
        if response.status == ResponseStatus.PROPOSED:
            row.proposed += 1
        elif response.status == ResponseStatus.AGREED:
            row.agreed += 1
    groups = []
    for group in WorkingGroup.objects.filter(assessment=assessment):
        row = Progress(label=group.name, code=str(group.pk), areas=list(group.area_codes))
        for code in group.area_codes:
            area = by_area.get(code)
            if area is None:
                continue
            row.total += area.total
            row.answered += area.answered
            row.proposed += area.proposed
            row.agreed += area.agreed
        groups.append(row)
    return list(by_area.values()), groups


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "removed" or "added"
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """The changes from one text to another, word by word, keeping the spaces."""
    # Each word keeps its trailing space, so a changed phrase is one removal and one addition.
    a, b = re.findall(r"\S+\s*|\s+", old), re.findall(r"\S+\s*|\s+", new)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", "".join(b[j1:j2])))
    return segments


def answers_with_text(assessment: Assessment) -> dict[int, Response]:
    """Every answer with its narrative, by question id: for exports."""
    return {r.question_id: r for r in Response.objects.filter(assessment=assessment)}


def questions_by_code(assessment: Assessment, codes: list[str]) -> dict[str, Question]:
    """The questions of the assessment's framework with these codes, with their area."""
    found = Question.objects.filter(version_id=assessment.framework_version_id, code__in=codes)
    return {q.code: q for q in found.select_related("area")}
