"""Reads of the results (step 5 to 6): maturity profile, distribution, heat map, changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from arusha.assessments import maturity
from arusha.assessments.models import Assessment, Response, ResponseStatus
from arusha.frameworks.models import Area, Question

UNDETERMINED = maturity.MAX_LEVEL + 1  # the last column of a distribution


@dataclass
class AreaResult:
    area: Area
    questions: int = 0
    answered: int = 0
    agreed: int = 0
    levels: list[int] = field(default_factory=list)
    # Counts of levels 0..4, then "not determined".
    distribution: list[int] = field(default_factory=lambda: [0] * (maturity.MAX_LEVEL + 2))
    # Per Figure 5 step: the share of "yes" (partly counts half) among the rated answers.
    heat: dict[str, float | None] = field(default_factory=dict)
    earlier: float | None = None

    @property
    def mean(self) -> float | None:
        return round(sum(self.levels) / len(self.levels), 1) if self.levels else None

    @property
    def change(self) -> float | None:
        if self.mean is None or self.earlier is None:
            return None
        return round(self.mean - self.earlier, 1)


@dataclass(frozen=True)
class QuestionChange:
    question: Question
    before: int | None
    after: int | None


@dataclass
class Results:
    areas: list[AreaResult]
    changes: list[QuestionChange]
    earlier_title: str = ""

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.areas)

    @property
    def questions(self) -> int:
        return sum(r.questions for r in self.areas)


def _answered(assessment: Assessment, *, agreed_only: bool) -> dict[int, Response]:
    rows = Response.objects.filter(assessment=assessment, version__gt=0).defer("narrative")
    if agreed_only:
        rows = rows.filter(status=ResponseStatus.AGREED)
    return {r.question_id: r for r in rows}


def results_of(
    assessment: Assessment, areas: list[Area], questions: list[Question], *, agreed_only: bool = False
) -> Results:
    """The results of the areas in scope, from their answers; and the changes since the earlier cycle."""
    responses = _answered(assessment, agreed_only=agreed_only)
    by_area = {a.pk: AreaResult(area=a) for a in areas}
    ratings: dict[int, dict[str, list[float]]] = {a.pk: {n: [] for n in maturity.FIELDS} for a in areas}
    for question in questions:
        result = by_area[question.area_id]
        result.questions += 1
        response = responses.get(question.pk)
        if response is None:
            continue
        result.answered += 1
        result.agreed += response.status == ResponseStatus.AGREED
        if response.level is None:
            result.distribution[UNDETERMINED] += 1
        else:
            result.levels.append(response.level)
            result.distribution[response.level] += 1
        for name in maturity.FIELDS:
            weight = maturity.WEIGHTS.get(maturity.Rating(getattr(response, name) or "unknown"))
            if weight is not None:
                ratings[question.area_id][name].append(weight)
    for pk, result in by_area.items():
        result.heat = {
            name: round(sum(values) / len(values), 2) if values else None
            for name, values in ratings[pk].items()
        }
    results = Results(areas=list(by_area.values()), changes=[])
    if assessment.previous_id:
        _compare(assessment, results, questions, responses, agreed_only=agreed_only)
    return results


def _compare(
    assessment: Assessment,
    results: Results,
    questions: list[Question],
    responses: dict[int, Response],
    *,
    agreed_only: bool,
) -> None:
    """Match the earlier cycle's answers by question code: packs keep their codes across versions."""
    previous = assessment.previous
    assert previous is not None
    results.earlier_title = previous.title
    earlier = Response.objects.filter(assessment=previous, version__gt=0)
    if agreed_only:
        earlier = earlier.filter(status=ResponseStatus.AGREED)
    # Only the code and the level: the questions' texts of the other version are not needed.
    earlier_levels = dict(earlier.values_list("question__code", "level"))
    per_area: dict[int, list[int]] = {}
    for question in questions:
        before = earlier_levels.get(question.code)
        if before is not None:
            per_area.setdefault(question.area_id, []).append(before)
        response = responses.get(question.pk)
        after = response.level if response else None
        if question.code in earlier_levels and before != after:
            results.changes.append(QuestionChange(question, before, after))
    for result in results.areas:
        levels = per_area.get(result.area.pk)
        result.earlier = round(sum(levels) / len(levels), 1) if levels else None
