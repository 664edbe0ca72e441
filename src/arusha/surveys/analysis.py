"""The survey analysis: factor indices per wave, group and breakdown, suppressed (docs/surveys-method.md).

Screens, exports and KPIs call `results()`, `compare()` and `trend()` and get the
classes of arusha.surveys.results, already suppressed. Callers check access first
(SurveyPolicy "results"); these functions read without a tenant scope.

- `results(wave, by=(), weighted=False) -> Table`: every factor (and OVERALL) x EVERYONE,
  every group (parents before their subgroups) and, with `by` (one or two demographic
  item names), each value of each item. Breakdown tuples follow `Table.by`: `()` is the
  group's total, `("30-44",)` one value; with two items `("30-44", "f")` a cross cell,
  and `ANY` ("") in a position means every value of that item (the margin), e.g.
  `("30-44", ANY)`.
- `compare(earlier, later, weighted=False) -> list[Difference]`: per factor x group
  (group totals), Welch's t-test on the respondents' factor scores, Benjamini-Hochberg q
  over the comparison's tests; items compared by lineage (only items of both versions).
- `trend(survey, group=EVERYONE) -> list[Table]`: each wave with responses, in order,
  restricted to the group's total cells.
- `respondent_scores(wave) -> Scores`: per respondent and factor, numpy arrays.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.errors import DomainError
from arusha.surveys.form import FormSpec
from arusha.surveys.models import (
    SMALLEST_CELL,
    ItemKind,
    ItemRole,
    Population,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Special,
    Survey,
    Wave,
)
from arusha.surveys.results import EVERYONE, OVERALL, Cell, Difference, Suppression, Table
from arusha.surveys.stats import benjamini_hochberg, t_quantile, welch, whole_df
from arusha.surveys.suppression import ANY as ANY_INDEX
from arusha.surveys.suppression import Layout, layout, suppress

ANY = ""  # in a Cell's breakdown: every value of that item
SIGNIFICANCE = 0.05
# How special answers are coded in the answer matrix (rescaled answers are 0..100).
DONT_KNOW, REFUSED, NOT_APPLICABLE = -1.0, -2.0, -3.0
_SPECIAL: dict[str, float] = {
    Special.DONT_KNOW: DONT_KNOW,
    Special.REFUSED: REFUSED,
    Special.NOT_APPLICABLE: NOT_APPLICABLE,
}


class AnalysisError(DomainError):
    """A request the analysis cannot answer (an unknown breakdown, weights without populations)."""


@dataclass
class Scores:
    """Each respondent's factor scores and answer counts, for one wave (arrays in response order)."""

    wave_id: int
    survey_id: int
    factors: list[str]  # "KF1"..., then OVERALL
    groups: list[str]  # group codes in table order (parents before their subgroups)
    parents: list[int | None]  # index of each group's parent in `groups`
    group: np.ndarray  # per respondent: index into `groups`
    demographics: list[dict[str, Any]]  # per respondent, under the wave version's item names
    bands: dict[str, list[str]]  # demographic item -> its values, in order
    score: dict[str, np.ndarray] = field(default_factory=dict)  # NaN: no score
    dont_know: dict[str, np.ndarray] = field(default_factory=dict)
    answers: dict[str, np.ndarray] = field(default_factory=dict)  # incl. special codes
    favourable: dict[str, np.ndarray] = field(default_factory=dict)
    substantive: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def respondents(self) -> int:
        return int(self.group.size)


def _factor_key(factor: str) -> tuple[int, str]:
    digits = "".join(ch for ch in factor if ch.isdigit())
    return (int(digits) if digits else 0, factor)


def _likert_columns(spec: FormSpec, lineages: Collection[uuid.UUID] | None) -> dict[uuid.UUID, str]:
    """lineage -> factor, for the version's Likert questions that enter the indices."""
    return {
        item.lineage: item.factor
        for item in spec.items
        if item.kind == ItemKind.LIKERT
        and item.role == ItemRole.QUESTION
        and item.factor
        and len(spec.scale(item)) > 1
        and (lineages is None or item.lineage in lineages)
    }


def _codes(spec: FormSpec, choice_list: str) -> dict[str, float]:
    """A list's answers as numbers: rescaled 0..100 (not yet reversed) or a special code."""
    scale = [name for name, special in spec.choices.get(choice_list, {}).items() if not special]
    steps = len(scale) - 1
    codes: dict[str, float] = {}
    for rank, name in enumerate(scale):
        codes[name] = rank / steps * 100.0
    for name, special in spec.choices.get(choice_list, {}).items():
        if special:
            codes[name] = _SPECIAL.get(special, NOT_APPLICABLE)
    return codes


def _groups(survey_id: int) -> tuple[list[str], list[int | None], dict[int, int]]:
    rows = list(
        RespondentGroup.objects.filter(survey_id=survey_id).values_list("pk", "code", "parent_id", "position")
    )
    kids: dict[int | None, list[tuple[int, str, int | None, int]]] = {}
    for row in rows:
        kids.setdefault(row[2], []).append(row)
    ordered: list[tuple[int, str, int | None, int]] = []

    def walk(parent: int | None) -> None:
        for row in sorted(kids.get(parent, []), key=lambda r: (r[3], r[1])):
            ordered.append(row)
            walk(row[0])

    walk(None)
    position = {row[0]: n for n, row in enumerate(ordered)}
    parents = [None if row[2] is None else position[row[2]] for row in ordered]
    return [row[1] for row in ordered], parents, position


@dataclass
class _Answers:
    """A wave's Likert answers as a matrix (respondent x item, coded), read once and cached."""

    lineages: list[uuid.UUID]  # per column
    factors: list[str]  # per column
    matrix: np.ndarray  # rescaled 0..100, or DONT_KNOW / REFUSED / NOT_APPLICABLE, NaN: no answer
    group_ids: np.ndarray  # RespondentGroup pk per respondent
    demographics: list[dict[str, Any]]  # under the wave version's item names
    bands: dict[str, list[str]]


_CACHE: OrderedDict[tuple[Any, ...], _Answers] = OrderedDict()
_CACHE_SIZE = 6
_LOCK = threading.Lock()


def _fingerprint(wave: Wave) -> tuple[Any, ...]:
    """What identifies a wave's responses: they are only ever added (or removed), never edited."""
    with scopes_disabled():
        counted = Response.objects.filter(wave_id=wave.pk).aggregate(n=Count("pk"), top=Max("pk"))
        last = (
            Response.objects.filter(wave_id=wave.pk)
            .order_by("-pk")
            .values_list("envelope__response_id", flat=True)
            .first()
        )
    return (wave.pk, wave.questionnaire_id, counted["n"], counted["top"], last)


def clear_cache() -> None:
    """Forget the answer matrices kept between calls (benchmarks measure cold runs with it)."""
    with _LOCK:
        _CACHE.clear()


def _answers(wave: Wave) -> _Answers:
    key = _fingerprint(wave)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    loaded = _load(wave)
    with _LOCK:
        _CACHE[key] = loaded
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return loaded


def _load(wave: Wave) -> _Answers:
    with scopes_disabled():
        base = FormSpec.of(QuestionnaireVersion.objects.get(pk=wave.questionnaire_id))
        rows = list(
            Response.objects.filter(wave_id=wave.pk)
            .order_by("pk")
            .values_list("group_id", "questionnaire_id", "demographics", "answers")
        )
        others = {row[1] for row in rows} - {base.version_id}
        specs = {base.version_id: base}
        for version in QuestionnaireVersion.objects.filter(pk__in=others):
            specs[version.pk] = FormSpec.of(version)
    factor_of = _likert_columns(base, None)
    columns = {lineage: n for n, lineage in enumerate(factor_of)}
    demographic = {
        item.lineage: item.name
        for item in base.items
        if item.role == ItemRole.DEMOGRAPHIC and item.kind == ItemKind.SINGLE
    }
    bands = {item.name: base.scale(item) for item in base.items if item.lineage in demographic}
    count = len(rows)
    matrix = np.full((count, len(columns)), np.nan)
    demographics: list[dict[str, Any]] = [row[2] for row in rows]
    nan = math.nan
    for version_id, spec in specs.items():
        chosen = [n for n, row in enumerate(rows) if row[1] == version_id]
        if not chosen:
            continue
        index = np.array(chosen, dtype=np.int64)
        given = [rows[n][3] for n in chosen]
        likert = [
            item
            for item in spec.items
            if item.kind == ItemKind.LIKERT and item.lineage in columns and len(spec.scale(item)) > 1
        ]
        for choice_list in sorted({item.choice_list for item in likert}):
            items = [item for item in likert if item.choice_list == choice_list]
            names = [item.name for item in items]
            lut, missing = _codes(spec, choice_list), [nan] * len(names)
            # Respondent by respondent (each answers dict is read while it is in the CPU's
            # cache), mapping in C: answers -> values -> codes, NaN when not answered.
            coded = [list(map(lut.get, map(a.get, names), missing)) for a in given]
            block = np.array(coded, dtype=float).reshape(len(chosen), len(names))
            for j, item in enumerate(items):
                if item.polarity == -1:  # reversed: 100 - x for substantive answers only
                    block[:, j] = np.where(block[:, j] >= 0, 100.0 - block[:, j], block[:, j])
            targets = np.array([columns[item.lineage] for item in items], dtype=np.int64)
            matrix[np.ix_(index, targets)] = block
        if version_id != base.version_id:
            renamed = {
                item.name: demographic[item.lineage] for item in spec.items if item.lineage in demographic
            }
            for n in chosen:
                demographics[n] = {renamed[k]: v for k, v in rows[n][2].items() if k in renamed}
    return _Answers(
        lineages=list(factor_of),
        factors=list(factor_of.values()),
        matrix=matrix,
        group_ids=np.fromiter((row[0] for row in rows), dtype=np.int64, count=count),
        demographics=demographics,
        bands=bands,
    )


def respondent_scores(wave: Wave, *, lineages: Collection[uuid.UUID] | None = None) -> Scores:
    """Every response of the wave as factor scores, vectorised (only items of `lineages` if given)."""
    loaded = _answers(wave)
    with scopes_disabled():
        codes, parents, position = _groups(wave.survey_id)
    lookup = np.full(int(loaded.group_ids.max(initial=0)) + 1, 0, dtype=np.int64)
    for pk, index in position.items():
        if pk < lookup.size:
            lookup[pk] = index
    count = loaded.matrix.shape[0]
    keep = [n for n, lineage in enumerate(loaded.lineages) if lineages is None or lineage in lineages]
    factors = sorted({loaded.factors[n] for n in keep}, key=_factor_key)
    scores = Scores(
        wave_id=wave.pk,
        survey_id=wave.survey_id,
        factors=[*factors, OVERALL],
        groups=codes,
        parents=parents,
        group=lookup[loaded.group_ids] if count else np.zeros(0, dtype=np.int64),
        demographics=loaded.demographics,
        bands=loaded.bands,
    )
    total_sum = np.zeros(count)
    total_count = np.zeros(count)
    every = {name: np.zeros(count, dtype=np.int64) for name in ("dk", "ans", "fav", "sub")}
    for factor in factors:
        part = loaded.matrix[:, [n for n in keep if loaded.factors[n] == factor]]
        substantive = part >= 0
        counted = substantive.sum(axis=1)
        summed = np.where(substantive, part, 0.0).sum(axis=1)
        score = np.where(counted > 0, summed / np.maximum(counted, 1), np.nan)
        has = counted > 0
        total_sum[has] += score[has]
        total_count[has] += 1
        scores.score[factor] = score
        scores.dont_know[factor] = (part == DONT_KNOW).sum(axis=1)
        scores.answers[factor] = (~np.isnan(part)).sum(axis=1)
        scores.favourable[factor] = (part > 50).sum(axis=1)
        scores.substantive[factor] = counted
        every["dk"] += scores.dont_know[factor]
        every["ans"] += scores.answers[factor]
        every["fav"] += scores.favourable[factor]
        every["sub"] += counted
    scores.score[OVERALL] = np.where(total_count > 0, total_sum / np.maximum(total_count, 1), np.nan)
    scores.dont_know[OVERALL] = every["dk"]
    scores.answers[OVERALL] = every["ans"]
    scores.favourable[OVERALL] = every["fav"]
    scores.substantive[OVERALL] = every["sub"]
    return scores


def _k(survey_id: int) -> int:
    with scopes_disabled():
        k = Survey.objects.filter(pk=survey_id).values_list("minimum_cell", flat=True).first()
    return max(int(k or SMALLEST_CELL), SMALLEST_CELL)


def _weights(wave: Wave, scores: Scores) -> np.ndarray:
    """Post-stratification: each respondent of group g weighs population(g) / respondents(g)."""
    with scopes_disabled():
        population = dict(Population.objects.filter(wave_id=wave.pk).values_list("group__code", "count"))
    counts = np.bincount(scores.group, minlength=len(scores.groups))
    per_group = np.zeros(len(scores.groups))
    for g, code in enumerate(scores.groups):
        if counts[g] == 0:
            continue
        if not population.get(code):
            raise AnalysisError(
                _(
                    "The results cannot be weighted: the group “%(group)s” has no population count "
                    "for this wave."
                )
                % {"group": code}
            )
        per_group[g] = population[code] / counts[g]
    weights: np.ndarray = per_group[scores.group]
    return weights


@dataclass
class _Built:
    table: Table
    # (factor, group, breakdown) -> (mean, sample variance, effective n) of published cells
    moments: dict[tuple[str, str, tuple[str, ...]], tuple[float, float, float]]


def _interval(mean: float, variance: float, n_eff: float) -> tuple[float | None, float | None]:
    """mean ± t(0.975, df) x sd / sqrt(n), df = n - 1 rounded down (n: the effective n when weighted)."""
    df = whole_df(n_eff - 1)
    if df < 1 or not math.isfinite(variance):
        return None, None
    half = t_quantile(0.975, df) * math.sqrt(max(variance, 0.0) / n_eff)
    return mean - half, mean + half


def _build(scores: Scores, *, by: Sequence[str], weights: np.ndarray | None, k: int, wave_id: int) -> _Built:
    by = list(by)
    if len(by) > 2 or len(set(by)) != len(by):
        raise AnalysisError(_("Results can be broken down by one or two different items."))
    for name in by:
        if name not in scores.bands:
            raise AnalysisError(_("“%(item)s” is not a demographic item of this wave.") % {"item": name})
    sizes_by = [len(scores.bands[name]) for name in by]
    grid: Layout = layout(scores.parents, sizes_by)
    coordinates: list[np.ndarray] = []
    for name, size in zip(by, sizes_by, strict=True):
        where = {value: n for n, value in enumerate(scores.bands[name])}
        coordinates.append(
            np.fromiter((where.get(str(d.get(name)), size) for d in scores.demographics), dtype=np.int64)
            if scores.respondents
            else np.zeros(0, dtype=np.int64)
        )
    atom = grid.atom_of(scores.group, coordinates)
    atoms = grid.atoms
    membership = grid.membership
    respondents = membership @ np.bincount(atom, minlength=atoms).astype(float)
    sizes = [round(float(n)) for n in respondents]
    memo: dict[frozenset[int], set[int]] = {}
    base = suppress(sizes, grid.partitions, k, shown=grid.shown, memo=memo)
    start = {cell: why for cell, why in enumerate(base) if why != Suppression.NONE and grid.shown[cell]}
    labels = [EVERYONE, *scores.groups]
    shown_cells = [c for c, visible in enumerate(grid.shown) if visible]
    names = []
    for c in shown_cells:
        node, combo = grid.keys[c]
        values = tuple(ANY if v == ANY_INDEX else scores.bands[by[j]][v] for j, v in enumerate(combo))
        names.append((labels[node], () if all(v == ANY for v in values) else values))
    w = np.ones(scores.respondents) if weights is None else weights
    cells: list[Cell] = []
    moments: dict[tuple[str, str, tuple[str, ...]], tuple[float, float, float]] = {}
    for factor in scores.factors:
        score = scores.score[factor]
        valid = ~np.isnan(score)
        y = np.where(valid, score - 50.0, 0.0)  # shifted for a stable variance
        wv = np.where(valid, w, 0.0)
        per_atom = np.stack(
            [
                np.bincount(atom, weights=valid.astype(float), minlength=atoms),
                np.bincount(atom, weights=wv, minlength=atoms),
                np.bincount(atom, weights=wv * wv, minlength=atoms),
                np.bincount(atom, weights=wv * y, minlength=atoms),
                np.bincount(atom, weights=wv * y * y, minlength=atoms),
                np.bincount(atom, weights=w * scores.dont_know[factor], minlength=atoms),
                np.bincount(atom, weights=w * scores.answers[factor], minlength=atoms),
                np.bincount(atom, weights=w * scores.favourable[factor], minlength=atoms),
                np.bincount(atom, weights=w * scores.substantive[factor], minlength=atoms),
            ],
            axis=1,
        )
        stats = membership @ per_atom
        n_factor = [round(float(n)) for n in stats[:, 0]]
        hidden = suppress(n_factor, grid.partitions, k, shown=grid.shown, start=start, memo=memo)
        for c, (group, breakdown) in zip(shown_cells, names, strict=True):
            _n, sw, sw2, swy, swy2, dk, ans, fav, sub = (float(v) for v in stats[c])
            why = hidden[c]
            if why != Suppression.NONE:
                cells.append(Cell(wave_id, factor, group, breakdown, suppression=why))
                continue
            if n_factor[c] == 0 or sw <= 0:
                cells.append(
                    Cell(wave_id, factor, group, breakdown, n=0, dont_know=100.0 * dk / ans if ans else None)
                )
                continue
            mean_y = swy / sw
            n_eff = sw * sw / sw2
            denominator = sw - sw2 / sw
            variance = max(swy2 - sw * mean_y * mean_y, 0.0) / denominator if denominator > 0 else math.nan
            index = mean_y + 50.0
            low, high = _interval(index, variance, n_eff)
            moments[(factor, group, breakdown)] = (index, variance, n_eff)
            cells.append(
                Cell(
                    wave_id,
                    factor,
                    group,
                    breakdown,
                    n=n_factor[c],
                    index=index,
                    ci_low=low,
                    ci_high=high,
                    dont_know=100.0 * dk / ans if ans else None,
                    favourable=100.0 * fav / sub if sub else None,
                )
            )
    everyone = 0  # the first cell of the layout: EVERYONE, no breakdown
    table = Table(
        wave_id=wave_id,
        k=k,
        factors=list(scores.factors),
        groups=labels,
        by=by,
        weighted=weights is not None,
        respondents=sizes[everyone] if base[everyone] == Suppression.NONE else None,
        cells=cells,
    )
    return _Built(table, moments)


def results(wave: Wave, *, by: Sequence[str] = (), weighted: bool = False) -> Table:
    """The wave's indices by factor x group (and up to two breakdown items), suppressed."""
    scores = respondent_scores(wave)
    weights = _weights(wave, scores) if weighted else None
    return _build(scores, by=by, weights=weights, k=_k(wave.survey_id), wave_id=wave.pk).table


def _lineages(version_id: int) -> set[uuid.UUID]:
    with scopes_disabled():
        return set(
            QuestionnaireVersion.objects.get(pk=version_id)
            .items.filter(kind=ItemKind.LIKERT, role=ItemRole.QUESTION)
            .exclude(factor="")
            .values_list("lineage", flat=True)
        )


def compare(earlier: Wave, later: Wave, *, weighted: bool = False) -> list[Difference]:
    """Each factor's change per group between two waves of a survey, with BH-corrected p-values."""
    if earlier.survey_id != later.survey_id:
        raise AnalysisError(_("Only waves of the same survey can be compared."))
    common = _lineages(earlier.questionnaire_id) & _lineages(later.questionnaire_id)
    k = _k(later.survey_id)
    built = []
    for wave in (earlier, later):
        scores = respondent_scores(wave, lineages=common)
        weights = _weights(wave, scores) if weighted else None
        built.append(_build(scores, by=(), weights=weights, k=k, wave_id=wave.pk))
    first, second = built
    factors = [f for f in second.table.factors if f in first.table.factors]
    pairs: list[tuple[str, str, Cell, Cell]] = []
    for factor in factors:
        for group in second.table.groups:
            a = first.table.cell(factor, group)
            b = second.table.cell(factor, group)
            if a is not None and b is not None:
                pairs.append((factor, group, a, b))
    tests: list[tuple[int, float]] = []
    differences: list[Difference] = []
    for number, (factor, group, a, b) in enumerate(pairs):
        diff = None
        if not a.suppressed and not b.suppressed and a.index is not None and b.index is not None:
            diff = b.index - a.index
            m1, v1, n1 = first.moments[(factor, group, ())]
            m2, v2, n2 = second.moments[(factor, group, ())]
            tested = welch(m1, v1, n1, m2, v2, n2)
            if tested is not None:
                tests.append((number, tested[1]))
        differences.append(Difference(factor, group, a, b, difference=diff))
    q = benjamini_hochberg([p for _n, p in tests])
    for (number, p), qi in zip(tests, q, strict=True):
        d = differences[number]
        differences[number] = Difference(
            d.factor, d.group, d.earlier, d.later, d.difference, p=p, q=qi, significant=qi < SIGNIFICANCE
        )
    return differences


def trend(survey: Survey, *, group: str = EVERYONE) -> list[Table]:
    """Each wave of the survey that has responses, in order, with the group's total cells only."""
    with scopes_disabled():
        waves = list(
            Wave.objects.filter(survey=survey, responses__isnull=False)
            .distinct()
            .select_related("questionnaire")
            .order_by("number")
        )
    tables = []
    for wave in waves:
        table = results(wave)
        table.groups = [g for g in table.groups if g == group]
        table.cells = [c for c in table.cells if c.group == group and c.breakdown == ()]
        tables.append(table)
    return tables


def breakdowns(wave: Wave) -> dict[str, list[str]]:
    """The demographic items a wave's results can be broken down by, with their values in order."""
    with scopes_disabled():
        spec = FormSpec.of(wave.questionnaire)
    return {
        item.name: spec.scale(item)
        for item in spec.items
        if item.role == ItemRole.DEMOGRAPHIC and item.kind == ItemKind.SINGLE
    }


__all__ = [
    "ANY",
    "AnalysisError",
    "Scores",
    "breakdowns",
    "compare",
    "respondent_scores",
    "results",
    "trend",
]
