"""Adopted means read-only: read views without forms, and one clear answer to every change.

Every address of planning/urls.py is sent a POST against an adopted plan, with values a
draft would accept: none answers 500, the plan's change pages answer the same single
message (changes go through a revision), and nothing is written.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import URLPattern, reverse
from django_scopes import scope

from arusha.planning import services
from arusha.planning import urls as planning_urls
from arusha.planning.models import Activity, Objective, Outcome

FROZEN = "The plan is adopted. Open a revision, with its reason, before changing it."


def _adopt(cast, plan) -> None:  # type: ignore[no-untyped-def]
    day = datetime.date(2027, 3, 31)
    services.plan_sign_off(actor=cast.owner, plan=plan, stage="working_group", date=day, signed_by="Group A")
    services.plan_sign_off(actor=cast.owner, plan=plan, stage="head", date=day, signed_by="Director General")


def _url(pattern: URLPattern, cast, world) -> str:  # type: ignore[no-untyped-def]
    route = str(pattern.pattern)
    kwargs: dict[str, Any] = {"organization": cast.customs.slug}
    if "<int:plan>" in route:
        kwargs["plan"] = world.plan.pk
    if "<str:fmt>" in route:
        kwargs["fmt"] = "docx"
    if "<int:kpi>" in route:
        kwargs["kpi"] = world.kpi.pk
    if "<int:pk>" in route:
        kwargs["pk"] = world.activity.pk if "activities" in route else world.kpi.pk
    return reverse(str(pattern.name), kwargs=kwargs)


def _values(cast, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What a draft plan's forms would accept: a change of each kind."""
    with scope(organization=cast.customs):
        objective = Objective.objects.create(plan=world.plan, what="Checked statements")
    return {
        "title": "Late change",
        "level": "immediate",
        "statement": "Late outcome",
        "what": "Late objective",
        "finding": world.finding.pk,
        "objective": objective.pk,
        "kpi": world.kpi.pk,
        "importance": "high",
        "target": "Everyone",
        "period_start": "2027-04-01",
        "period_end": "2029-12-31",
        "strategic_plan": "Another strategic plan",
    }


# The plan's change pages: an adopted plan answers them with one message.
CHANGE_PAGES = {
    "plan-edit",
    "plan-outcome-add",
    "plan-objective-add",
    "plan-activity-add",
    "plan-kpi-link",
    "plan-findings",
    "plan-activity",
    "plan-activity-details",
}


def _messages(page: str) -> list[str]:
    return re.findall(r'<p class="message [^"]*">(.*?)</p>', page, re.DOTALL)


def test_every_post_to_an_adopted_plan_answers_one_message_and_never_500(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    _adopt(cast, world.plan)
    data = _values(cast, world)
    client.force_login(cast.owner)
    client.raise_request_exception = False  # a 500 is answered, then counted below
    answers = {}
    for pattern in planning_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        url = _url(pattern, cast, world)
        response = client.post(url, data, follow=True)
        answers[pattern.name] = response.status_code
        assert response.status_code < 500, (pattern.name, response.status_code)
        if pattern.name in CHANGE_PAGES:
            page = response.content.decode()
            assert _messages(page) == [FROZEN], (pattern.name, _messages(page))
            assert page.count(FROZEN) == 1, pattern.name
    assert set(answers) >= CHANGE_PAGES
    with scope(organization=cast.customs):
        world.plan.refresh_from_db()
        assert world.plan.strategic_plan == "" and world.plan.title == "Integrity action plan 2027-2029"
        assert not Outcome.objects.filter(plan=world.plan).exists()
        assert list(Activity.objects.filter(plan=world.plan).values_list("title", flat=True)) == [
            "Verify a sample of integrity statements"
        ]
        assert world.activity.kpis.count() == 0 and Activity.objects.get().importance == ""


@pytest.mark.parametrize(
    "name", ["plan-detail", "plan-findings", "plan-activity", "plan-stakeholders", "plan-adoption"]
)
def test_an_adopted_plans_pages_are_read_views_that_point_to_a_revision(client, cast, world, name) -> None:  # type: ignore[no-untyped-def]
    _adopt(cast, world.plan)
    client.force_login(cast.owner)
    args = [cast.customs.slug, world.plan.pk] + ([world.activity.pk] if name == "plan-activity" else [])
    page = client.get(reverse(name, args=args)).content.decode()
    assert "this plan is read-only" in page
    assert (
        f'href="{reverse("plan-adoption", args=[cast.customs.slug, world.plan.pk])}#revisions-title"' in page
    )
    for button in (
        "Add an outcome",
        "Add an objective",
        "Add an activity",
        "Add the activity",
        "Save the activity",
        "Save the ratings",
        "Change the plan's details",
    ):
        assert button not in page, (name, button)


def test_an_adopted_plans_change_pages_lead_back_to_its_read_view(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    _adopt(cast, world.plan)
    client.force_login(cast.owner)
    for name in ("plan-edit", "plan-outcome-add", "plan-objective-add", "plan-activity-add", "plan-kpi-link"):
        response = client.get(reverse(name, args=[cast.customs.slug, world.plan.pk]), follow=True)
        assert response.redirect_chain == [
            (reverse("plan-detail", args=[cast.customs.slug, world.plan.pk]), 302)
        ]
        assert _messages(response.content.decode()) == [FROZEN]


def test_after_a_revision_the_plan_is_changed_again(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    _adopt(cast, world.plan)
    client.force_login(cast.owner)
    adoption = reverse("plan-adoption", args=[cast.customs.slug, world.plan.pk])
    # Every stage before the minister is signed: only the endorsement is offered.
    page = client.get(adoption).content.decode()
    assert '<option value="minister">' in page and '<option value="head"' not in page
    assert client.post(adoption, {"action": "revise", "reason": "A new law"}).status_code == 302
    page = client.get(reverse("plan-detail", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert "this plan is read-only" not in page
    assert "Add an outcome" in page and "Change the plan's details" in page
    response = client.post(
        reverse("plan-outcome-add", args=[cast.customs.slug, world.plan.pk]),
        {"level": "immediate", "statement": "Fewer bribes at the border"},
    )
    assert response.status_code == 302


def test_a_draft_is_not_revised_and_says_so_once(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    adoption = reverse("plan-adoption", args=[cast.customs.slug, world.plan.pk])
    response = client.post(adoption, {"action": "revise", "reason": "Why not"}, follow=True)
    assert _messages(response.content.decode()) == [
        "Only an adopted plan is revised; a draft is changed directly."
    ]
