#!/usr/bin/env python3
"""Time the survey analysis over 600,000 answer points (issue 11: at most 1 s).

Seeds a survey with groups staff and private (broker, importer, carrier, and a tiny
"courier" group of 4 that suppression must hide), a questionnaire of 60 Likert items (10
factors x 6, every third reversed, with "don't know", "refused" and "not applicable")
and three banded demographics, in two versions that share lineage, and two waves of
10,000 synthetic respondents each (arusha.surveys.synthetic): the later one on version
2 with a planted change on two factors, 5 % of it answered on version 1 and mapped
through lineage. Then times, in the same run: the floor (reading the 10,000 responses
of a wave, JSON decoded, which every analysis pays), each step alone, and the target:
a wave's table by factor x group with suppression, plus the wave-on-wave comparison.

Run alone with `.venv/bin/python bench/surveys_analysis.py` (a temporary SQLite
database), or with DATABASE_URL set (`scripts/with-postgres .venv/bin/python
bench/surveys_analysis.py`, as `make bench` does).
Environment: BENCH_SURVEY_RESPONDENTS (per wave, default 10000), BENCH_SURVEY_REPEAT
(default 5; the median is reported), BENCH_SURVEY_TARGET_S (default 1).
Exits with status 1 when the target is missed or a planted change is not found.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESPONDENTS = int(os.environ.get("BENCH_SURVEY_RESPONDENTS", "10000"))
REPEAT = int(os.environ.get("BENCH_SURVEY_REPEAT", "5"))
TARGET_S = float(os.environ.get("BENCH_SURVEY_TARGET_S", "1"))
PLANTED = {"KF2": 6.0, "KF7": -5.0}

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha.settings")
os.environ.setdefault("ARUSHA_ENV", "test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='arusha-survey-bench-')}/bench.sqlite3"


def seed() -> tuple[Any, Any]:
    """The survey, its two versions and two waves of synthetic responses; the two waves."""
    from django_scopes import scopes_disabled

    from arusha.core import services
    from arusha.core.models import OrganizationKind
    from arusha.surveys import synthetic
    from arusha.surveys.models import RespondentGroup, Survey, Wave, WaveStatus

    org = services.organization_create(
        actor=None, slug="bench-surveys", name="Bench Surveys", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    with scopes_disabled():
        survey = Survey.objects.create(organization=org, title="Integrity perception", slug="cips")
        RespondentGroup.objects.create(survey=survey, code="staff", labels={"en": "Staff"}, position=0)
        private = RespondentGroup.objects.create(
            survey=survey, code="private", labels={"en": "Private sector"}, position=1
        )
        for position, code in enumerate(["broker", "importer", "carrier", "courier"], start=2):
            RespondentGroup.objects.create(
                survey=survey, code=code, labels={"en": code}, parent=private, position=position
            )
        first = synthetic.questionnaire(survey, 1)
        second = synthetic.questionnaire(survey, 2, like=first)
        earlier = Wave.objects.create(
            survey=survey, name="Round 1", number=1, questionnaire=first, status=WaveStatus.CLOSED
        )
        later = Wave.objects.create(
            survey=survey, name="Round 2", number=2, questionnaire=second, status=WaveStatus.CLOSED
        )
    synthetic.write_responses(earlier, synthetic.payloads(earlier, RESPONDENTS, seed=1))
    old = RESPONDENTS // 20
    bodies = synthetic.payloads(later, RESPONDENTS - old, seed=2, shift=PLANTED)
    bodies += synthetic.payloads(later, old, seed=3, version=first, shift=PLANTED, tiny=0)
    synthetic.write_responses(later, bodies)
    return earlier, later


def timed(work: Callable[[], Any], *, cold: bool) -> tuple[float, float, Any]:
    """Median and slowest of REPEAT runs, in seconds, and the last answer; `cold`: nothing cached."""
    from arusha.surveys.analysis import clear_cache

    times, answer = [], None
    for _ in range(REPEAT):
        if cold:
            clear_cache()
        start = time.perf_counter()
        answer = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), answer


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from arusha.surveys import analysis
    from arusha.surveys.models import Response

    call_command("migrate", "--no-input", verbosity=0)
    start = time.perf_counter()
    earlier, later = seed()
    seconds = time.perf_counter() - start
    print(f"Seeded 2 waves of {RESPONDENTS:,} synthetic respondents x 60 items in {seconds:.1f} s.")

    def floor() -> int:
        with scopes_disabled():
            rows = Response.objects.filter(wave=later).values_list(
                "group_id", "questionnaire_id", "demographics", "answers"
            )
            return sum(len(row[3]) for row in rows)

    def target() -> tuple[Any, Any]:
        return analysis.results(later), analysis.compare(earlier, later)

    # (name, work, cold): a cold run reads and codes the waves' answers again; a warm one
    # finds them in the analysis' cache, as a dashboard's second table does.
    steps: list[tuple[str, Callable[[], Any], bool]] = [
        ("floor: read 10,000 responses", floor, True),
        ("respondent scores, cold", lambda: analysis.respondent_scores(later), True),
        ("results: factor x group, cold", lambda: analysis.results(later), True),
        ("results: factor x group, warm", lambda: analysis.results(later), False),
        ("results: by age, warm", lambda: analysis.results(later, by=["age"]), False),
        ("results: by age x gender, warm", lambda: analysis.results(later, by=["age", "gender"]), False),
        ("compare: 2 waves, cold", lambda: analysis.compare(earlier, later), True),
        ("target: results + compare, cold", target, True),
    ]
    points = floor()
    engine = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(f"\n{points:,} answer points in the later wave; median and slowest of {REPEAT} runs, {engine}\n")
    print(f"{'step':<34} {'median s':>9} {'max s':>7} {'x floor':>8}")
    rows = []
    floor_s = 0.0
    answers: dict[str, Any] = {}
    for name, work, cold in steps:
        median, slowest, answers[name] = timed(work, cold=cold)
        floor_s = floor_s or median
        rows.append((name, median, slowest))
        print(f"{name:<34} {median:9.3f} {slowest:7.3f} {median / floor_s:8.1f}")
    table, differences = answers["target: results + compare, cold"]
    hidden = sum(cell.suppressed for cell in table.cells)
    found = sorted({d.factor for d in differences if d.group == "" and d.significant and d.factor in PLANTED})
    published_small = [c for c in table.cells if not c.suppressed and c.n is not None and 0 < c.n < table.k]
    print(
        f"\n{len(table.cells)} cells, {hidden} suppressed (k = {table.k}); significant changes for everyone: "
        f"{', '.join(d.factor for d in differences if d.group == '' and d.significant) or 'none'}"
    )
    median = rows[-1][1]
    ok = median <= TARGET_S
    print("\nTarget")
    verdict = "ok" if ok else "MISSED"
    print(f"{'results + compare (2 x 600,000 points)':<40} {median:6.3f} s  <= {TARGET_S:.0f} s   {verdict}")
    if published_small:
        sys.exit("A published cell has fewer respondents than k.")
    if found != sorted(PLANTED):
        sys.exit(f"The planted changes ({', '.join(sorted(PLANTED))}) were not all found: {found}.")
    if not ok:
        sys.exit(f"Target missed: results + compare took {median:.2f} s.")


if __name__ == "__main__":
    main()
