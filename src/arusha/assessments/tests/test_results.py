"""Results: maturity profile, distribution, heat map and the changes since an earlier cycle."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from arusha.assessments import charts, selectors, services
from arusha.assessments.selectors.results import results_of
from arusha.frameworks.models import Question

ALL_YES = dict.fromkeys(("exists", "designed", "implemented", "effective"), "yes")
TEXT = "Tariff rules are published and explained at every office, in plain words."


def _answer(world, assessment, actor, code, ratings):  # type: ignore[no-untyped-def]
    question = Question.objects.get(version=world.assessment.framework_version, code=code)
    return services.response_save(
        actor=actor, assessment=assessment, question=question, narrative=TEXT, ratings=ratings
    )


def _results(world, assessment, **kwargs):  # type: ignore[no-untyped-def]
    with scope(organization=assessment.organization):
        areas = selectors.areas_of(assessment)
        return results_of(assessment, areas, selectors.questions_in_scope(assessment, areas), **kwargs)


def test_the_profile_distribution_and_heat_map_follow_the_answers(cast, world) -> None:  # type: ignore[no-untyped-def]
    _answer(world, world.assessment, cast.owner, "KF2.1", ALL_YES)  # level 4; KF1.1 is at level 2
    results = _results(world, world.assessment)
    kf1, kf2, kf3 = results.areas
    assert (kf1.mean, kf2.mean, kf3.mean) == (2.0, 4.0, None)
    assert kf1.distribution == [0, 0, 1, 0, 0, 0]
    assert kf1.heat == {"exists": 1.0, "designed": 1.0, "implemented": 0.5, "effective": None}
    assert (results.answered, results.questions) == (2, 3)


def test_only_agreed_answers_count_when_asked(cast, world) -> None:  # type: ignore[no-untyped-def]
    response = _answer(world, world.assessment, cast.owner, "KF2.1", ALL_YES)
    services.response_set_status(actor=cast.owner, response=response, status="agreed")
    kf1, kf2, _kf3 = _results(world, world.assessment, agreed_only=True).areas
    assert (kf1.mean, kf2.mean) == (None, 4.0)


def test_a_second_cycle_shows_the_changes_per_area_and_question(cast, world, small_pack) -> None:  # type: ignore[no-untyped-def]
    second = services.assessment_create(
        actor=cast.owner,
        organization=cast.customs,
        title="Self-assessment 2029",
        framework_version=small_pack,
        mode=3,
        scope_kind="comprehensive",
        planned_start=datetime.date(2029, 1, 8),
        planned_end=datetime.date(2029, 3, 30),
        previous=world.assessment,
    )
    _answer(world, second, cast.owner, "KF1.1", ALL_YES)
    results = _results(world, second)
    kf1 = results.areas[0]
    assert (kf1.earlier, kf1.mean, kf1.change) == (2.0, 4.0, 2.0)
    assert [(c.question.code, c.before, c.after) for c in results.changes] == [("KF1.1", 2, 4)]
    assert results.earlier_title == "Self-assessment 2027"


def test_the_charts_are_svg_with_a_text_alternative(cast, world) -> None:  # type: ignore[no-untyped-def]
    drawn = charts.result_charts(_results(world, world.assessment))
    assert drawn.radar.startswith("<svg") and "<title>Maturity profile per area</title>" in drawn.radar
    assert "KF1 2.0; KF2 —; KF3 —" in drawn.radar
    assert drawn.distribution.count("<rect") >= 2


def test_the_results_page_uses_a_bounded_number_of_queries(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("assessment-results", args=[cast.customs.slug, world.assessment.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert "Maturity profile per area" in page.content.decode()
    _answer(world, world.assessment, cast.owner, "KF2.1", ALL_YES)
    _answer(world, world.assessment, cast.owner, "KF3.1", {"exists": "no"})
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)
    assert len(one) == len(three) <= 14
    assert '<td class="heat-4">100 %</td>' in page.content.decode()
