"""The workspace that guides each role: "my work" on the home page, breadcrumbs, tabs, questions.

The cast (conftest.py) meets three more people here: a coordinator of the monitored plan,
the member as a contributor in a working group, and the foreigner as an external
facilitator of assessments in two organizations besides their own.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope

from arusha.assessments import services as assessment_services
from arusha.core import services as core_services
from arusha.core.models import Membership, Organization, OrganizationKind, User
from arusha.core.permissions import PresetRole
from arusha.frameworks.models import FrameworkVersion, Question
from arusha.monitoring import alerts
from arusha.monitoring import services as monitoring_services
from arusha.monitoring.selectors import periods_of
from arusha.monitoring.tests import conftest as monitoring_fixtures
from arusha.planning.models import ActionPlan, Activity
from tests.plans import monitored_plan

DAY = datetime.date


def _page(client: Any, user: User, url: str | None = None) -> str:
    client.force_login(user)
    response = client.get(url or reverse("home"))
    assert response.status_code == 200
    return str(response.content.decode())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _assessment(owner: User, organization: Organization, pack: FrameworkVersion, title: str) -> Any:
    return assessment_services.assessment_create(
        actor=owner,
        organization=organization,
        title=title,
        framework_version=pack,
        mode=2,
        scope_kind="comprehensive",
        planned_start=DAY(2027, 1, 11),
        planned_end=DAY(2027, 3, 26),
    )


# The adopted plan of 2025, monitored quarterly, that the monitoring tests share: the member
# performs "Train the auditors" and owns its KPI.
monitored = monitoring_fixtures.monitored


@dataclass
class Team:
    coordinator: User
    island: Organization
    island_assessment: Any


@pytest.fixture
def team(cast: Any, world: Any, monitored: Any, small_pack: FrameworkVersion) -> Team:
    """The coordinator of the monitored plan, the member in group A, the foreigner facilitating twice."""
    coordinator = core_services.user_create(
        email="coordinator@test.example", full_name="Cora Coordinator", password=None
    )
    core_services.membership_create(
        actor=cast.owner, organization=cast.customs, user=coordinator, roles=[PresetRole.COORDINATOR]
    )
    monitoring_services.setup_save(
        actor=cast.owner, plan=monitored.plan, frequency="quarterly", coordinator=coordinator
    )
    # The member contributes in group A (KF1, KF2); KF1.1 is answered, KF2.1 waits.
    assessment_services.participant_invite(
        actor=cast.owner,
        assessment=world.assessment,
        email=cast.member.email,
        full_name="",
        idg_role="IC",
        working_group=world.group,
    )
    # The member enters the KPI they own; the coordinator is to verify it.
    periods = periods_of(monitored.plan)
    monitoring_services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=periods[0], variables={"A": "3", "B": "100"}
    )
    meeting = monitoring_services.meeting_record(
        actor=coordinator,
        plan=monitored.plan,
        date=DAY(2025, 5, 1),
        attendees=[coordinator],
        other_attendees="",
        minutes="The committee went through the first quarter.",
        decisions="",
    )
    monitoring_services.follow_up_add(
        actor=coordinator,
        meeting=meeting,
        action="Ask the auditors for a plan",
        owner=coordinator,
        due=DAY(2025, 6, 1),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        alerts.run(DAY(2025, 12, 20))
    # The foreigner facilitates the customs assessment and one of a third administration.
    assessment_services.participant_invite(
        actor=cast.owner, assessment=world.assessment, email=cast.foreigner.email, full_name="", idg_role="EF"
    )
    island = core_services.organization_create(
        actor=None, slug="island-customs", name="Island Customs", kind=OrganizationKind.CUSTOMS, country="XC"
    )
    island_owner = core_services.user_create(
        email="head@island.example", full_name="Ian Island", password=None
    )
    core_services.membership_create(
        actor=None, organization=island, user=island_owner, roles=[PresetRole.ADMINISTRATOR]
    )
    island_assessment = _assessment(island_owner, island, small_pack, "Island review 2027")
    assessment_services.participant_invite(
        actor=island_owner,
        assessment=island_assessment,
        email=cast.foreigner.email,
        full_name="",
        idg_role="EF",
    )
    return Team(coordinator, island, island_assessment)


# --- Home: "my work" --------------------------------------------------------------------


def test_the_coordinator_sees_the_plan_they_coordinate_and_what_waits_there(
    client, cast, team, monitored
) -> None:  # type: ignore[no-untyped-def]
    text = _text(_page(client, team.coordinator))
    assert "You are not invited to any assessment" not in text
    assert "Action plans you take part in" in text and "Integrity action plan 2025" in text
    assert "Coordinator" in text
    assert "1 measurement to verify" in text
    assert "1 follow-up action of the steering committee to carry out" in text
    assert re.search(r"\d+ alerts? to acknowledge", text)


def test_the_contributor_sees_their_questions_and_their_reports_due(
    client, cast, team, world, monitored
) -> None:  # type: ignore[no-untyped-def]
    page = _page(client, cast.member)
    text = _text(page)
    # Group A answers KF1 and KF2: KF1.1 is answered, KF2.1 is not; KF3 is another group's.
    assert "1 question to answer" in text
    analysis = reverse("assessment-analysis", args=[cast.customs.slug, world.assessment.pk])
    assert f'href="{analysis}?status=unanswered&amp;mine=1"' in page
    # "Train the auditors" runs from February: a report is due in each of the four quarters.
    assert "4 progress reports to give on your activities" in text
    assert "Late" in text
    assert "Performs 1 activity" in text


def test_the_facilitator_sees_their_assessments_in_every_organization(client, cast, team, world) -> None:  # type: ignore[no-untyped-def]
    text = _text(_page(client, cast.foreigner))
    assert "Test Customs" in text and "Island Customs" in text
    assert "Self-assessment 2027" in text and "Island review 2027" in text
    # A facilitator answers every area: two of three questions wait in Test Customs, three on the island.
    assert "2 questions to answer" in text and "3 questions to answer" in text
    assert "Earlier review" not in text  # an assessment of the host they are not invited to


def test_the_plenary_waits_for_the_rapporteur(client, cast, team, world) -> None:  # type: ignore[no-untyped-def]
    assessment_services.response_set_status(actor=cast.owner, response=world.response, status="proposed")
    assessment_services.working_group_update(
        actor=cast.owner,
        group=world.group,
        name=world.group.name,
        area_codes=["KF1", "KF2"],
        rapporteur=world.guest_participant,
    )
    text = _text(_page(client, world.guest))
    assert "1 answer proposed to the plenary, waiting for its agreement" in text
    assert "1 answer proposed to the plenary" not in _text(_page(client, cast.member))


def test_a_person_who_left_an_organization_sees_nothing_of_it(client, cast, team, world, monitored) -> None:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        membership = Membership.objects.get(organization=cast.customs, user=cast.member)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    text = _text(_page(client, cast.member))
    assert "Test Customs" not in text
    assert "progress report" not in text and "question" not in text


def test_an_empty_home_says_what_to_do_first(client, cast) -> None:  # type: ignore[no-untyped-def]
    text = _text(_page(client, cast.outsider))
    assert "You are not part of any organization or assessment yet" in text


def test_nothing_waits_once_the_work_is_done(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    # The guest answers the one question of group A left: nothing waits for them any more.
    question = Question.objects.get(version=world.assessment.framework_version, code="KF2.1")
    assessment_services.response_save(
        actor=world.guest,
        assessment=world.assessment,
        question=question,
        narrative="Rules are published at every border post and on the website.",
        ratings={"exists": "yes"},
    )
    text = _text(_page(client, world.guest))
    assert "Nothing waits for you today" in text and "Self-assessment 2027" in text


# --- Bounded queries --------------------------------------------------------------------


def _three_organizations(cast: Any, small_pack: FrameworkVersion) -> tuple[User, list[ActionPlan]]:
    """A person in three organizations: in each, an assessment group and a plan's activities."""
    person = core_services.user_create(email="busy@test.example", full_name="Bea Busy", password=None)
    plans = []
    for slug, name in (("north", "North Customs"), ("south", "South Customs"), ("east", "East Customs")):
        org = core_services.organization_create(
            actor=None, slug=slug, name=name, kind=OrganizationKind.CUSTOMS, country="XA"
        )
        head = core_services.user_create(
            email=f"head@{slug}.example", full_name=f"Head {name}", password=None
        )
        core_services.membership_create(
            actor=None, organization=org, user=head, roles=[PresetRole.ADMINISTRATOR]
        )
        core_services.membership_create(
            actor=head, organization=org, user=person, roles=[PresetRole.CONTRIBUTOR, PresetRole.PERFORMER]
        )
        assessment = _assessment(head, org, small_pack, f"Assessment of {name}")
        group = assessment_services.working_group_create(
            actor=head, assessment=assessment, name="Group", area_codes=["KF1", "KF2"]
        )
        assessment_services.participant_invite(
            actor=head,
            assessment=assessment,
            email=person.email,
            full_name="",
            idg_role="IC",
            working_group=group,
        )
        # Six activities begun in October: one report each is due for the last quarter.
        plans.append(
            monitored_plan(
                actor=head,
                organization=org,
                assessment=assessment,
                title=f"Action plan of {name}",
                performer=person,
                activities=6,
            )
        )
    return person, plans


def _home_queries(client: Any, person: User) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_home_page_of_a_busy_person_reads_a_fixed_number_of_rows(
    client, cast, small_pack, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    person, plans = _three_organizations(cast, small_pack)
    client.force_login(person)
    text = _text(client.get(reverse("home")).content.decode())
    # 3 organizations x (2 questions to answer + 6 reports due) = 24 things waiting.
    assert text.count("2 questions to answer") == 3
    assert text.count("6 progress reports to give on your activities") == 3
    assert "24 things wait for you." in text
    with django_assert_max_num_queries(25):
        client.get(reverse("home"))
    before = _home_queries(client, person)
    # Twice as many activities: the same number of queries.
    for plan in plans:
        with scope(organization=plan.organization):
            Activity.objects.bulk_create(
                Activity(
                    plan=plan,
                    title=f"More {n}",
                    performer=person,
                    start_date=DAY(2025, 10, 1),
                    due_date=DAY(2025, 12, 31),
                )
                for n in range(6)
            )
    assert "12 progress reports to give on your activities" in _text(
        client.get(reverse("home")).content.decode()
    )
    assert _home_queries(client, person) == before


# --- Navigation: breadcrumbs and tabs ---------------------------------------------------


def _breadcrumb_links(html: str) -> list[str]:
    found = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "the page has no breadcrumbs"
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', found.group(1))]


def test_every_breadcrumb_of_an_external_facilitator_opens(client, cast, team, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.foreigner)
    base = f"/o/{cast.customs.slug}/assessments/{world.assessment.pk}"
    pages = [
        f"{base}/",
        f"{base}/workplan/",
        f"{base}/participants/",
        f"{base}/groups/",
        f"{base}/documents/",
        f"{base}/terms/",
        f"{base}/analysis/",
        f"{base}/analysis/KF1.1/",
        f"{base}/analysis/KF1.1/compare/",
        f"{base}/findings/",
        f"{base}/results/",
        f"{base}/report/",
    ]
    seen = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        links = _breadcrumb_links(response.content.decode())
        assert reverse("assessment-list", args=[cast.customs.slug]) not in links  # not theirs to list
        seen |= set(links)
    assert reverse("home") in seen
    for link in seen:
        assert client.get(link).status_code == 200, link


def test_a_member_walks_up_from_a_question_to_the_organization(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    page = _page(
        client,
        cast.owner,
        reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF2.1"]),
    )
    links = _breadcrumb_links(page)
    analysis = reverse("assessment-analysis", args=[cast.customs.slug, world.assessment.pk])
    assert links == [
        reverse("home"),
        reverse("organization-home", args=[cast.customs.slug]),
        reverse("assessment-list", args=[cast.customs.slug]),
        reverse("assessment-detail", args=[cast.customs.slug, world.assessment.pk]),
        f"{analysis}?area=KF2#area-KF2",
    ]
    assert all(client.get(link).status_code == 200 for link in links)


def test_monitoring_has_two_levels_of_tabs_and_breadcrumbs_to_the_plan(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    page = _page(
        client, cast.owner, reverse("monitoring-periods", args=[cast.customs.slug, monitored.plan.pk])
    )
    assert page.count('<nav class="tabs') == 2
    assert 'class="orgnav"' not in page
    links = _breadcrumb_links(page)
    assert reverse("plan-detail", args=[cast.customs.slug, monitored.plan.pk]) in links
    assert reverse("monitoring-dashboard", args=[cast.customs.slug, monitored.plan.pk]) in links
    # Outside a plan or an assessment, the organization's bar is back.
    assert 'class="orgnav"' in _page(client, cast.owner, reverse("plan-list", args=[cast.customs.slug]))


# --- Questions: previous and next, grouped by area ---------------------------------------


def test_the_answer_page_leads_to_the_previous_and_the_next_question(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF2.1"])
    page = _page(client, cast.owner, url)
    previous = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF1.1"])
    following = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF3.1"])
    assert f'rel="prev" href="{previous}"' in page and f'rel="next" href="{following}"' in page
    assert "1 of 1 in KF2" in _text(page)
    first = _page(client, cast.owner, previous)
    assert 'rel="prev"' not in first and f'rel="next" href="{url}"' in first


def test_the_questions_are_folded_by_area_with_their_progress(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("assessment-analysis", args=[cast.customs.slug, world.assessment.pk])
    page = _page(client, cast.owner, url)
    groups = re.findall(r'<details class="area-group" id="area-(\w+)"( open)?>', page)
    assert groups == [("KF1", ""), ("KF2", ""), ("KF3", "")]  # folded by default
    text = _text(page)
    assert "KF1 Leadership" in text and "1 of 1 answered" in text and "0 of 1 answered" in text
    assert "1 of 3 questions answered." in text
    filtered = _page(client, cast.owner, f"{url}?area=KF2")
    assert re.findall(r'<details class="area-group" id="area-(\w+)"( open)?>', filtered) == [("KF2", " open")]


# --- Names, plurals and the favicon -------------------------------------------------------


def test_guests_are_shown_with_their_organization(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    text = _text(
        _page(
            client,
            cast.owner,
            reverse("assessment-participants", args=[cast.customs.slug, world.assessment.pk]),
        )
    )
    assert "Tara Trader guest (Traders Union)" in text
    groups = _text(
        _page(client, cast.owner, reverse("assessment-groups", args=[cast.customs.slug, world.assessment.pk]))
    )
    assert "Tara Trader (Traders Union)" in groups


def test_the_gap_analysis_names_each_area(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    text = _text(
        _page(
            client, cast.owner, reverse("monitoring-evaluation", args=[cast.customs.slug, monitored.plan.pk])
        )
    )
    assert "KF1 Leadership" in text and "KF1 KF1" not in text


def test_a_normal_visit_asks_for_no_missing_asset(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    page = _page(
        client, cast.owner, reverse("assessment-analysis", args=[cast.customs.slug, world.assessment.pk])
    )
    assert f'<link rel="icon" href="{static("arusha/favicon.svg")}"' in page
    prefix = static("")
    assets = re.findall(r'(?:href|src)="(' + re.escape(prefix) + r'[^"]+)"', page)
    assert len(assets) >= 4  # the icon, the stylesheet and two scripts
    for asset in assets:
        assert finders.find(asset.removeprefix(prefix)), asset


def test_counts_agree_with_their_nouns(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    text = _text(
        _page(
            client, cast.owner, reverse("assessment-results", args=[cast.customs.slug, world.assessment.pk])
        )
    )
    assert "Computed from 1 answered question out of 3." in text
