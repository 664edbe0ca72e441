"""The evaluation page at volume (issue 9): a fixed number of queries however many objectives,
indicators and activities; the indicators ten a page, every one of them reachable; a saved or a
refused evaluation lands on the page that shows its indicator."""

from __future__ import annotations

import re
from typing import Any, TypedDict

import pytest
from django.urls import reverse
from django_scopes import scope

from arusha.monitoring import services
from arusha.monitoring.tests.conftest import library_kpi
from arusha.planning.models import Activity, Kpi, Objective

pytestmark = pytest.mark.django_db


class Ratings(TypedDict):
    relevance: str
    success: str
    cost_effectiveness: str


RATINGS: Ratings = {"relevance": "high", "success": "medium", "cost_effectiveness": "low"}


def _grow(cast: Any, monitored: Any, n: int, tag: str) -> list[Kpi]:
    """`n` more objectives, activities and indicators; the plan is adopted: made directly, as data."""
    for i in range(n):
        with scope(organization=cast.customs):
            Objective.objects.create(plan=monitored.plan, what=f"Objective {tag}-{i}")
            Activity.objects.create(plan=monitored.plan, title=f"Extra {tag}-{i}", area_code="KF1")
    return [library_kpi(cast, monitored, code=f"X-{tag}-{i:02d}", name=f"Extra {tag} {i}") for i in range(n)]


def _url(cast: Any, monitored: Any) -> str:
    return reverse("monitoring-evaluation", args=[cast.customs.slug, monitored.plan.pk])


def test_the_evaluation_page_reads_a_fixed_number_of_queries_however_many_rows(  # type: ignore[no-untyped-def]
    client, cast, monitored, django_assert_max_num_queries
) -> None:
    kpis = _grow(cast, monitored, 3, "a")
    narrative = "Followed every quarter by management, at little cost."
    services.evaluation_save(
        actor=cast.owner, plan=monitored.plan, objective=monitored.objective, narrative=narrative, **RATINGS
    )
    services.evaluation_save(
        actor=cast.owner, plan=monitored.plan, kpi=kpis[0], narrative=narrative, **RATINGS
    )
    client.force_login(cast.owner)
    # The access check (membership, roles, grants) is part of the count.
    with django_assert_max_num_queries(25) as few:
        assert client.get(_url(cast, monitored)).status_code == 200
    _grow(cast, monitored, 25, "b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(_url(cast, monitored))
    text = page.content.decode()
    # Every objective on the page, with its form; the indicators ten a page.
    assert text.count('<article id="objective-') == 29 and "Objective b-24" in text
    assert text.count('<article id="kpi-') == 10
    assert "Indicators 1\N{EN DASH}10 of 29, ten a page." in text and "Page 1 of 3" in text
    assert text.count(narrative) == 4  # each rating shown, and again in its form to change it


def test_every_indicator_is_on_one_page_and_a_save_returns_to_it(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    kpis = _grow(cast, monitored, 24, "p")  # with the plan's own: 25 indicators, three pages
    client.force_login(cast.owner)
    url = _url(cast, monitored)
    shown = []
    for number in (1, 2, 3):
        text = client.get(url, {"page": number}).content.decode()
        shown += [int(pk) for pk in re.findall(r'<article id="kpi-(\d+)"', text)]
        assert f"Page {number} of 3" in text
    assert sorted(shown) == sorted(k.pk for k in [monitored.kpi, *kpis])
    assert len(shown) == len(set(shown)) == 25
    assert 'href="?page=2#eval-kpis" rel="next"' in client.get(url).content.decode()

    last = kpis[-1]  # X-p-23, the last in code order: on page 3
    key = f"kpi-{last.pk}"
    post = reverse("monitoring-evaluate-kpi", args=[cast.customs.slug, monitored.plan.pk, last.pk])
    refused = client.post(post, {f"{key}-relevance": "excellent"})
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "Page 3 of 3" in text and f'name="{key}-narrative"' in text
    assert "Please correct the fields marked below." in text
    typed = "Read by the management board every quarter; it costs little to gather."
    saved = client.post(post, {**{f"{key}-{k}": v for k, v in RATINGS.items()}, f"{key}-narrative": typed})
    assert saved.status_code == 302 and saved["Location"] == f"{url}?page=3#{key}"
    assert typed in client.get(url, {"page": 3}).content.decode()
    # An indicator of the first page returns to the page without a number.
    first = f"kpi-{monitored.kpi.pk}"
    post = reverse("monitoring-evaluate-kpi", args=[cast.customs.slug, monitored.plan.pk, monitored.kpi.pk])
    saved = client.post(
        post, {**{f"{first}-{k}": v for k, v in RATINGS.items()}, f"{first}-narrative": typed}
    )
    assert saved["Location"] == f"{url}#{first}"
