"""The analysis gives the figures docs/surveys-method.md defines, as a plain-Python reference does.

The reference below is written separately from arusha.surveys.analysis: loops over
responses and items, the statistics module, and its own Student t quantile (Simpson's
rule on the density, then bisection). It reads the questionnaire from the database.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

import pytest
from django_scopes import scopes_disabled
from tests.surveys import build_questionnaire, field

from arusha.surveys import analysis, synthetic
from arusha.surveys.analysis import ANY, AnalysisError
from arusha.surveys.models import (
    Choice,
    Item,
    ItemKind,
    Population,
    RespondentGroup,
    Response,
    Special,
    Survey,
    Wave,
)
from arusha.surveys.results import EVERYONE, OVERALL, Suppression
from arusha.surveys.stats import benjamini_hochberg, t_cdf, t_quantile

pytestmark = pytest.mark.django_db
T_975_4 = 2.7764451051977987  # Student's t, 97.5 %, 4 degrees of freedom (tables)
T_975_7 = 2.3646242515927849


# --- the reference ---------------------------------------------------------------


def _density(x: float, df: float) -> float:
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return float(c * (1 + x * x / df) ** (-(df + 1) / 2))


def ref_cdf(t: float, df: float, steps: int = 600) -> float:
    h = abs(t) / steps
    inner = sum((4 if i % 2 else 2) * _density(i * h, df) for i in range(1, steps))
    half = (_density(0.0, df) + inner + _density(abs(t), df)) * h / 3
    return 0.5 + half if t >= 0 else 0.5 - half


_QUANTILES: dict[float, float] = {}


def ref_quantile(df: float) -> float:
    if df not in _QUANTILES:
        low, high = 0.0, 20.0
        while high - low > 1e-11:
            middle = (low + high) / 2
            low, high = (middle, high) if ref_cdf(middle, df) < 0.975 else (low, middle)
        _QUANTILES[df] = (low + high) / 2
    return _QUANTILES[df]


def reference(
    wave: Wave, by: Sequence[str] = (), population: dict[str, int] | None = None
) -> dict[tuple[str, str, tuple[str, ...]], dict[str, float]]:
    """Every cell's figures, the long way round."""
    with scopes_disabled():
        items = list(
            Item.objects.filter(questionnaire_id=wave.questionnaire_id, kind=ItemKind.LIKERT)
            .exclude(factor="")
            .order_by("position")
        )
        choices: dict[str, list[tuple[str, str]]] = {}
        for choice in Choice.objects.filter(questionnaire_id=wave.questionnaire_id).order_by("position"):
            choices.setdefault(choice.list_name, []).append((choice.name, choice.special))
        groups = {g.pk: g for g in RespondentGroup.objects.filter(survey_id=wave.survey_id)}
        responses = list(Response.objects.filter(wave=wave))
    factors = sorted({item.factor for item in items}, key=lambda f: int(f[2:]))
    people: list[tuple[list[str], dict[str, Any], dict[str, dict[str, Any]], str]] = []
    for response in responses:
        chain = [EVERYONE]
        group: RespondentGroup | None = groups[response.group_id]
        while group is not None:
            chain.append(group.code)
            group = groups.get(group.parent_id) if group.parent_id else None
        per_factor: dict[str, dict[str, Any]] = {}
        for factor in factors:
            values, dk, answered = [], 0, 0
            for item in items:
                if item.factor != factor or item.name not in response.answers:
                    continue
                value = response.answers[item.name]
                answered += 1
                ordinary = [name for name, special in choices[item.choice_list] if not special]
                special = dict(choices[item.choice_list]).get(value)
                if special == Special.DONT_KNOW:
                    dk += 1
                if value in ordinary:
                    x = (ordinary.index(value) + 1 - 1) / (len(ordinary) - 1) * 100
                    values.append(100 - x if item.polarity == -1 else x)
            per_factor[factor] = {
                "score": statistics.fmean(values) if values else None,
                "dk": dk,
                "answered": answered,
                "favourable": sum(1 for v in values if v > 50),
                "substantive": len(values),
            }
        scores = [p["score"] for p in per_factor.values() if p["score"] is not None]
        per_factor[OVERALL] = {
            "score": statistics.fmean(scores) if scores else None,
            **{
                key: sum(p[key] for p in list(per_factor.values()))
                for key in ("dk", "answered", "favourable", "substantive")
            },
        }
        people.append((chain, response.demographics, per_factor, groups[response.group_id].code))
    weight = {}
    if population is not None:
        counts: dict[str, int] = {}
        for _chain, _d, _p, own in people:
            counts[own] = counts.get(own, 0) + 1
        weight = {code: population[code] / n for code, n in counts.items()}
    cells: dict[tuple[str, str, tuple[str, ...]], dict[str, float]] = {}
    keys: set[tuple[str, tuple[str, ...]]] = set()
    for chain, demographics, _p, _own in people:
        for code in chain:
            options = [[ANY, demographics.get(name)] for name in by]
            for combo in _product(options):
                if any(v is None for v in combo):
                    continue
                keys.add((code, tuple(combo)))
    for code, wanted in keys:
        members = [
            p
            for p in people
            if code in p[0]
            and all(v == ANY or p[1].get(name) == v for name, v in zip(by, wanted, strict=True))
        ]
        breakdown: tuple[str, ...] = () if all(v == ANY for v in wanted) else wanted
        for factor in [*factors, OVERALL]:
            scored = [
                (p[2][factor]["score"], weight.get(p[3], 1.0))
                for p in members
                if p[2][factor]["score"] is not None
            ]
            w_all = [weight.get(p[3], 1.0) for p in members]
            dk = sum(w * p[2][factor]["dk"] for w, p in zip(w_all, members, strict=True))
            answered = sum(w * p[2][factor]["answered"] for w, p in zip(w_all, members, strict=True))
            favourable = sum(w * p[2][factor]["favourable"] for w, p in zip(w_all, members, strict=True))
            substantive = sum(w * p[2][factor]["substantive"] for w, p in zip(w_all, members, strict=True))
            figures: dict[str, float] = {"n": len(scored)}
            if answered:
                figures["dont_know"] = 100 * dk / answered
            if substantive:
                figures["favourable"] = 100 * favourable / substantive
            if len(scored) >= 2:
                if population is None:
                    xs = [x for x, _w in scored]
                    mean, n_eff, sd = statistics.fmean(xs), float(len(xs)), statistics.stdev(xs)
                else:
                    sw = sum(w for _x, w in scored)
                    sw2 = sum(w * w for _x, w in scored)
                    mean = sum(w * x for x, w in scored) / sw
                    sd = math.sqrt(sum(w * (x - mean) ** 2 for x, w in scored) / (sw - sw2 / sw))
                    n_eff = sw * sw / sw2
                # Degrees of freedom rounded down to a whole number, as a spreadsheet's T.INV does.
                half = ref_quantile(math.floor(n_eff - 1 + 1e-9)) * sd / math.sqrt(n_eff)
                figures.update(index=mean, ci_low=mean - half, ci_high=mean + half, sd=sd, n_eff=n_eff)
            cells[(factor, code, breakdown)] = figures
    return cells


def _product(options: list[list[Any]]) -> list[list[Any]]:
    result: list[list[Any]] = [[]]
    for option in options:
        result = [[*r, o] for r in result for o in option]
    return result


def _assert_matches(table: Any, expected: dict[tuple[str, str, tuple[str, ...]], dict[str, float]]) -> int:
    checked = 0
    for cell in table.cells:
        if cell.suppressed or not cell.n:
            continue
        figures = expected[(cell.factor, cell.group, cell.breakdown)]
        assert cell.n == figures["n"]
        for name in ("index", "ci_low", "ci_high", "dont_know", "favourable"):
            assert getattr(cell, name) == pytest.approx(figures[name], abs=1e-6), (cell, name)
        checked += 1
    return checked


# --- fixtures ----------------------------------------------------------------------


def _synthetic_wave(f: Any, number: int, n: int, *, seed: int, shift: dict[str, float] | None = None) -> Wave:
    with scopes_disabled():
        version = f.survey.versions.filter(number=7).first() or synthetic.questionnaire(
            f.survey, 7, factors=4, per_factor=3
        )
        wave = Wave.objects.create(
            survey=f.survey, name=f"Round {number}", number=number, questionnaire=version
        )
    synthetic.write_responses(wave, synthetic.payloads(wave, n, seed=seed, shift=shift, tiny=3))
    return wave


def _smallest_cell(f: Any, k: int) -> None:
    with scopes_disabled():
        Survey.objects.filter(pk=f.survey.pk).update(minimum_cell=k)


def _answers(wave: Wave, rows: list[tuple[str, dict[str, str]]]) -> None:
    from tests.surveys import payload

    synthetic.write_responses(wave, [payload(group=group, answers=answers) for group, answers in rows])


# --- tests -------------------------------------------------------------------------


def test_a_hand_computed_wave(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    _answers(
        f.wave,
        [
            ("staff", {"kf1_fair": "5", "kf2_rules": "4", "kf3_bribe": "1"}),
            ("staff", {"kf1_fair": "4", "kf2_rules": "98", "kf3_bribe": "2"}),
            ("staff", {"kf1_fair": "3", "kf2_rules": "2", "kf3_bribe": "99"}),
            ("staff", {"kf1_fair": "2", "kf2_rules": "5", "kf3_bribe": "5", "kf3_why": "cash"}),
            ("staff", {"kf1_fair": "98", "kf2_rules": "1", "kf3_bribe": "4", "kf3_why": "gifts"}),
            ("staff", {"kf1_fair": "1", "kf2_rules": "3", "kf3_bribe": "1"}),
        ],
    )
    table = analysis.results(f.wave)
    assert table.respondents == 6 and table.k == 5
    assert table.factors == ["KF1", "KF2", "KF3", OVERALL]
    assert table.groups == [EVERYONE, "staff", "private", "broker", "importer", "carrier"]
    kf1 = table.cell("KF1", "staff")
    assert kf1 is not None and kf1.n == 5  # "don't know" gives no score
    assert kf1.index == pytest.approx(50.0)  # 100, 75, 50, 25, 0
    half = T_975_4 * math.sqrt(1562.5) / math.sqrt(5)
    assert kf1.ci_low == pytest.approx(50 - half)
    assert kf1.ci_high == pytest.approx(50 + half)
    assert kf1.dont_know == pytest.approx(100 / 6)  # 1 of 6 answers
    assert kf1.favourable == pytest.approx(40.0)  # 100 and 75 of 5
    kf3 = table.cell("KF3", "staff")  # reversed: "1" is 100, "5" is 0; "99" (refused) no score
    assert kf3 is not None and kf3.n == 5 and kf3.dont_know == 0.0
    assert kf3.index == pytest.approx(60.0)
    assert kf3.favourable == pytest.approx(60.0)
    overall = table.cell(OVERALL, EVERYONE)
    assert overall is not None and overall.n == 6
    assert overall.index == pytest.approx((275 / 3 + 75 + 37.5 + 125 / 3 + 12.5 + 50) / 6)
    assert overall.dont_know == pytest.approx(200 / 18)
    assert overall.favourable == pytest.approx(700 / 15)
    private = table.cell("KF1", "private")
    assert private is not None and not private.suppressed and private.n == 0 and private.index is None


def test_indices_and_intervals_match_the_reference_computation(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    wave = _synthetic_wave(f, 2, 500, seed=5)
    for by in ((), ("age",), ("age", "gender")):
        table = analysis.results(wave, by=by)
        checked = _assert_matches(table, reference(wave, by))
        assert checked >= 20 * (len(by) + 1)
        assert any(c.suppressed for c in table.cells)  # the tiny group and its complement
    table = analysis.results(wave, by=("age", "gender"))
    assert table.cell("KF1", "staff", ("18-29", ANY)) is not None
    assert table.cell("KF1", "staff", (ANY, "woman")) is not None


def test_weighted_indices_match_the_reference_and_a_hand_computation(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    _answers(f.wave, [("staff", {"kf1_fair": "5"})] * 5 + [("broker", {"kf1_fair": "1"})] * 5)
    with pytest.raises(AnalysisError, match="staff"):
        analysis.results(f.wave, weighted=True)
    with scopes_disabled():
        for code, count in (("staff", 300), ("broker", 100)):
            Population.objects.create(wave=f.wave, group=RespondentGroup.objects.get(code=code), count=count)
    plain = analysis.results(f.wave).cell("KF1", EVERYONE)
    table = analysis.results(f.wave, weighted=True)
    cell = table.cell("KF1", EVERYONE)
    assert table.weighted and plain is not None and cell is not None
    assert plain.index == pytest.approx(50.0)
    assert cell.index == pytest.approx(75.0)  # (300 x 100 + 100 x 0) / 400
    assert cell.n == 10  # respondents, not the effective n (8)
    half = T_975_7 * math.sqrt(750_000 / 350 / 8)
    assert cell.ci_low == pytest.approx(75 - half)
    assert cell.ci_high == pytest.approx(75 + half)

    wave = _synthetic_wave(f, 2, 400, seed=9)
    population = {"staff": 4000, "broker": 900, "importer": 700, "carrier": 60}
    with scopes_disabled():
        for code, count in population.items():
            Population.objects.create(wave=wave, group=RespondentGroup.objects.get(code=code), count=count)
    assert _assert_matches(analysis.results(wave, weighted=True), reference(wave, (), population)) > 10


def test_responses_on_another_version_count_through_lineage(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    with scopes_disabled():
        second = build_questionnaire(f.survey, 2)
        for item in Item.objects.filter(questionnaire=second):
            item.lineage = Item.objects.get(questionnaire=f.questionnaire, name=item.name).lineage
            item.name = f"{item.name}_v2" if item.name == "kf2_rules" else item.name
            item.save()
        later = Wave.objects.create(survey=f.survey, name="Round 2", number=2, questionnaire=second)
    bodies = synthetic.payloads(f.wave, 60, seed=3, tiny=0)
    synthetic.write_responses(f.wave, bodies)
    again = [{**body, "response_id": str(__import__("uuid").uuid4())} for body in bodies]
    synthetic.write_responses(later, again)  # answered on version 1, counted in a wave on version 2
    first, second_table = analysis.results(f.wave), analysis.results(later)
    assert [(c.factor, c.group, c.n) for c in first.cells] == [
        (c.factor, c.group, c.n) for c in second_table.cells
    ]
    assert [c.index for c in second_table.cells] == pytest.approx([c.index for c in first.cells])
    kf2 = second_table.cell("KF2", EVERYONE)
    assert kf2 is not None and kf2.n is not None and kf2.n > 40
    differences = analysis.compare(f.wave, later)
    assert all(d.difference in (None, pytest.approx(0.0)) for d in differences)


def test_a_planted_change_is_found_and_q_values_are_benjamini_hochberg(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    earlier = _synthetic_wave(f, 2, 500, seed=21)
    later = _synthetic_wave(f, 3, 500, seed=22, shift={"KF2": 15.0})
    differences = analysis.compare(earlier, later)
    found = {(d.factor, d.group) for d in differences if d.significant}
    assert ("KF2", EVERYONE) in found
    assert not {factor for factor, group in found if group == EVERYONE} - {"KF2", OVERALL}
    tested = [d for d in differences if d.p is not None]
    assert [d.q for d in tested] == pytest.approx(benjamini_hochberg([d.p for d in tested]))  # type: ignore[misc]
    assert all(d.p is None and d.q is None and not d.significant for d in differences if d.suppressed)
    assert any(d.suppressed for d in differences)  # the tiny carrier group
    # Welch's test by hand, on the reference's figures.
    a = reference(earlier)[("KF2", EVERYONE, ())]
    b = reference(later)[("KF2", EVERYONE, ())]
    va, vb = a["sd"] ** 2 / a["n"], b["sd"] ** 2 / b["n"]
    t = (b["index"] - a["index"]) / math.sqrt(va + vb)
    df = math.floor((va + vb) ** 2 / (va**2 / (a["n"] - 1) + vb**2 / (b["n"] - 1)))
    kf2 = next(d for d in differences if (d.factor, d.group) == ("KF2", EVERYONE))
    assert kf2.difference == pytest.approx(b["index"] - a["index"])
    assert kf2.p == pytest.approx(2 * (1 - ref_cdf(abs(t), df, steps=4000)), abs=1e-9)
    # A smaller change, whose p-value is not nearly 0, checked the same way.
    a, b = reference(earlier)[("KF1", "staff", ())], reference(later)[("KF1", "staff", ())]
    va, vb = a["sd"] ** 2 / a["n"], b["sd"] ** 2 / b["n"]
    t = (b["index"] - a["index"]) / math.sqrt(va + vb)
    df = math.floor((va + vb) ** 2 / (va**2 / (a["n"] - 1) + vb**2 / (b["n"] - 1)))
    kf1 = next(d for d in differences if (d.factor, d.group) == ("KF1", "staff"))
    assert kf1.p is not None and 0.001 < kf1.p < 1
    assert kf1.p == pytest.approx(2 * (1 - ref_cdf(abs(t), df, steps=4000)), abs=1e-9)


def test_benjamini_hochberg_by_hand():
    # Ranked 0.01, 0.03, 0.04, 0.20 of m = 4: 0.04, 0.06, 0.0533, 0.20, then the running minimum from the top.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.20]) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert benjamini_hochberg([0.5, 0.9]) == pytest.approx([0.9, 0.9])
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995, 0.9995])
def test_the_t_quantile_matches_closed_forms(p):
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-10)
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-10)
    alpha = 4 * p * (1 - p)
    q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
    assert t_quantile(p, 4) == pytest.approx(2 * math.sqrt(q - 1), rel=1e-10)
    assert t_cdf(t_quantile(p, 7.3), 7.3) == pytest.approx(p, abs=1e-12)
    assert t_quantile(1 - p, 9) == pytest.approx(-t_quantile(p, 9))


@pytest.mark.parametrize(
    ("df", "value"),
    [
        (4, T_975_4),
        (7, T_975_7),
        (10, 2.2281388519649385),
        (30, 2.0422724563012373),
        (120, 1.9799304050824413),
    ],
)
def test_the_t_quantile_matches_the_tables(df, value):
    assert t_quantile(0.975, df) == pytest.approx(value, abs=1e-9)


def test_trend_lists_waves_in_order_with_one_group(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    earlier = _synthetic_wave(f, 2, 120, seed=1)
    later = _synthetic_wave(f, 3, 120, seed=2)
    tables = analysis.trend(f.survey, group="staff")
    assert [t.wave_id for t in tables] == [earlier.pk, later.pk]  # the field's own wave has no responses
    assert all(t.groups == ["staff"] and {c.group for c in t.cells} == {"staff"} for t in tables)
    assert all(c.breakdown == () for t in tables for c in t.cells)


def test_a_wave_under_k_shows_nothing(cast):
    f = field(cast)
    _answers(f.wave, [("staff", {"kf1_fair": "4"})] * 7)
    table = analysis.results(f.wave)
    assert table.respondents is None
    staff = table.cell("KF1", "staff")
    assert staff is not None and staff.suppression == Suppression.SMALL and staff.index is None
    assert all(c.index is None for c in table.cells)


def test_a_breakdown_must_be_one_or_two_demographic_items(cast):
    f = field(cast)
    with pytest.raises(AnalysisError, match="kf1_fair"):
        analysis.results(f.wave, by=["kf1_fair"])
    with pytest.raises(AnalysisError):
        analysis.results(f.wave, by=["age", "age"])


def test_new_responses_are_seen_by_the_next_call(cast):
    f = field(cast)
    _smallest_cell(f, 5)
    _answers(f.wave, [("staff", {"kf1_fair": "4"})] * 5)
    assert analysis.results(f.wave).respondents == 5
    _answers(f.wave, [("staff", {"kf1_fair": "2"})] * 5)
    table = analysis.results(f.wave)
    assert table.respondents == 10
    assert table.cell("KF1", "staff").index == pytest.approx(50.0)  # type: ignore[union-attr]


def test_synthetic_envelopes_pass_the_real_pipeline_and_demo_responses_can_be_opened(cast):
    from tests.surveys import PASSPHRASE

    from arusha.surveys.keys import decrypt, open_private
    from arusha.surveys.models import Envelope, EnvelopeState
    from arusha.surveys.services.ingest import Outcome, ingest
    from arusha.surveys.services.processing import key_open, process_wave

    f = field(cast)
    bodies = synthetic.payloads(f.wave, 40, seed=4)
    receipts = ingest(f.wave, synthetic.envelopes(f.wave, bodies), source="station")
    assert {r.outcome for r in receipts} == {Outcome.STORED}
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    assert process_wave(f.wave) == {"accepted": 40, "quarantined": 0}

    with scopes_disabled():
        later = Wave.objects.create(survey=f.survey, name="Round 2", number=2, questionnaire=f.questionnaire)
    from arusha.surveys.services.waves import wave_open

    wave_open(later, PASSPHRASE, actor=f.manager)
    assert synthetic.demo_responses(later, 30) == 30
    with scopes_disabled():
        later.refresh_from_db()
        envelope = Envelope.objects.filter(wave=later).first()
        assert envelope is not None and envelope.state == EnvelopeState.ACCEPTED
        opened = decrypt(
            open_private(bytes(later.private_key or b""), PASSPHRASE), bytes(envelope.ciphertext)
        )
    assert opened["response_id"] == str(envelope.response_id)
    table = analysis.results(later)
    assert table.respondents == 30
    assert table.cell(OVERALL, "carrier").suppression == Suppression.SMALL  # type: ignore[union-attr]
