"""The register's screens: who gets in, what they show, and that no input gives a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from tests.forms import hidden_value
from tests.risks import add_risk, stays_out

from arusha.core.models import AuditEvent
from arusha.planning import selectors as planning_selectors
from arusha.risks.models import Acceptance, Control, RatingSnapshot, Risk, Scenario, Treatment
from arusha.risks.services.treatments import acceptance_submit, treatment_save
from arusha.risks.tests.register_world import CANARY, due_in_plan, plan_world, rated, values


def _url(name, cast, *args):
    return reverse(name, args=[cast.customs.slug, *args])


def _post_form(client, url, data):
    """GET the form, then POST it with its hidden values (creation key, version) and `data`."""
    page = client.get(url).content.decode()
    hidden = {}
    for name in ("idempotency_key", "version"):
        if f'name="{name}"' in page:
            hidden[name] = hidden_value(page, name)
    return client.post(url, {**hidden, **data})


# --- The register -------------------------------------------------------------------------------


def test_the_register_shows_the_risks_with_their_levels(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    page = client.get(_url("cycle-register", cast, r.f.cycle.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "R-001" in text and "Undervaluation against a share of the duty saved" in text
    assert 'fill="#' in text and "Very high" in text and "zero tolerance" in text
    assert CANARY not in text  # the scheme is never on the register's page
    partial = client.get(
        _url("cycle-register", cast, r.f.cycle.pk), {"appetite": "above"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"process": "abc", "level": "<script>alert(1)</script>", "owner": "9" * 30, "above": "maybe"},
        {"status": "=HYPERLINK(1)", "sort": "DROP TABLE", "page": "-1"},
        {"process": "99999999999999999999999", "page": "x" * 10_000},
    ],
)
def test_hostile_filters_are_ignored(client, cast, query):
    r = rated(cast)
    client.force_login(r.f.officer)
    page = client.get(_url("cycle-register", cast, r.f.cycle.pk), query)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_the_register_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    r = rated(cast)
    url = _url("cycle-register", cast, r.f.cycle.pk)
    client.force_login(r.f.members[0])  # through the working group's grant: the longest access check
    client.get(url)  # the first visit of a session records more (the session's epoch)
    # The access checks (membership, grants on the cycle, the audited read) are in the count;
    # the register itself reads at most ten (test_register.py).
    with django_assert_max_num_queries(28) as few:
        assert client.get(url).status_code == 200
    for number in range(48):
        add_risk(r.f, f"Scheme number {number}", process=r.f.processes["REL"], corruption_types=["fraud"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, {"sort": "level"})
    text = page.content.decode()
    assert "1\u201325 of 50" in text and "Scheme number" in text


def test_outsiders_and_members_without_risks_rights_get_404(client, cast):
    r = rated(cast)
    urls = [
        _url("cycle-register", cast, r.f.cycle.pk),
        _url("risk-add", cast, r.f.cycle.pk),
        _url("risk-detail", cast, r.fine.pk),
        _url("risk-edit", cast, r.fine.pk),
        _url("risk-rate", cast, r.fine.pk),
        _url("control-add", cast, r.fine.pk),
        _url("treatment-add", cast, r.fine.pk),
        _url("acceptance-submit", cast, r.fine.pk),
    ]
    for person in (cast.outsider, cast.foreigner, cast.member):
        client.force_login(person)
        assert [url for url in urls if client.get(url).status_code != 404] == [], person
        assert [url for url in urls if client.post(url, {"title": "x"}).status_code != 404] == [], person


def test_a_reader_sees_the_risk_but_may_not_change_it(client, cast):
    r = rated(cast)
    client.force_login(r.f.head)  # reads every register, rates none
    page = client.get(_url("risk-detail", cast, r.fine.pk))
    assert page.status_code == 200 and CANARY in page.content.decode()
    assert 'href="' + _url("risk-edit", cast, r.fine.pk) not in page.content.decode()
    assert client.get(_url("risk-edit", cast, r.fine.pk)).status_code == 403
    assert client.post(_url("risk-rate", cast, r.fine.pk), {"current_likelihood": "1"}).status_code == 403


def test_a_conflicted_member_gets_403_on_rate_and_edit(client, cast):
    r = rated(cast)
    member = r.f.group[1]
    stays_out(member, [r.f.processes["VAL"]], "x")
    client.force_login(member.user)
    assert client.get(_url("risk-detail", cast, r.fine.pk)).status_code == 200
    for name in ("risk-edit", "risk-rate", "control-add", "treatment-add"):
        assert client.get(_url(name, cast, r.fine.pk)).status_code == 403, name
    assert client.get(_url("risk-rate", cast, r.zero.pk)).status_code == 200


# --- A risk ---------------------------------------------------------------------------------------


def _risk_data(r, **more):
    return {
        "title": "Release without the examination result",
        "process": r.f.processes["REL"].pk,
        "who": "Release officer",
        "how": "Releases before the result",
        "corruption_types": ["abuse"],
        "factors": ["KF6"],
        "risk_factors": ["discretion"],
        "owner": r.f.owner.pk,
        **more,
    }


def test_a_double_submit_of_a_new_risk_makes_one_risk(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    url = _url("risk-add", cast, r.f.cycle.pk)
    key = hidden_value(client.get(url).content.decode(), "idempotency_key")
    first = client.post(url, {"idempotency_key": key, **_risk_data(r)})
    second = client.post(url, {"idempotency_key": key, **_risk_data(r)})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert (
            Risk.objects.filter(cycle=r.f.cycle, title="Release without the examination result").count() == 1
        )


def test_a_risk_starts_from_a_scenario_of_the_library(client, cast):
    r = rated(cast)
    with scopes_disabled():
        scenario = (
            Scenario.objects.filter(process=r.f.processes["REL"]).first()
            or Scenario.objects.filter(process__parent=r.f.processes["REL"]).first()
        )
        outside = Scenario.objects.filter(process__code="DEC.1").first()
    assert scenario is not None and outside is not None
    client.force_login(r.f.officer)
    url = _url("risk-add", cast, r.f.cycle.pk)
    page = client.get(url, {"scenario": scenario.pk}).content.decode()
    assert scenario.title in page and f'name="scenario" value="{scenario.pk}"' in page
    # A scenario of a process outside the scope, or no number at all: the empty form.
    for raw in (str(outside.pk), "abc", "9" * 40):
        assert client.get(url, {"scenario": raw}).status_code == 200
    response = _post_form(
        client, url + f"?scenario={scenario.pk}", {**_risk_data(r), "scenario": scenario.pk}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Risk.objects.get(cycle=r.f.cycle, code="R-003").scenario == scenario


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"how": "x" * 10_000}, "how"),
        ({"process": "999999"}, "process"),
        ({"process": "9" * 30}, "process"),
        ({"corruption_types": ["<script>"]}, "corruption_types"),
        ({"owner": str(10**20)}, "owner"),
        ({"offices": ["abc"]}, "offices"),
        ({"review_on": "31/31/2026"}, "review_on"),
        ({"code": "R-001"}, "code"),
    ],
)
def test_hostile_risk_values_name_the_field(client, cast, data, field):
    r = rated(cast)
    client.force_login(r.f.officer)
    response = _post_form(client, _url("risk-add", cast, r.f.cycle.pk), _risk_data(r, **data))
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_script_and_formula_text_is_kept_as_text(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    data = _risk_data(r, title='=HYPERLINK("http://x")', how="<script>alert('x')</script>")
    response = _post_form(client, _url("risk-add", cast, r.f.cycle.pk), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "=HYPERLINK" in page


def test_an_edit_over_a_newer_version_is_refused_and_shows_theirs(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    url = _url("risk-edit", cast, r.fine.pk)
    page = client.get(url).content.decode()
    version = hidden_value(page, "version")
    assert CANARY in page  # the scheme, decrypted for the form
    from arusha.risks.services.register import risk_update

    risk_update(actor=r.f.officer, risk=r.fine, values={"title": "Changed meanwhile"})
    response = client.post(url, {**_risk_data(r, process=r.f.processes["VAL"].pk), "version": version})
    assert response.status_code == 400
    assert "newer version" in response.content.decode() and "Changed meanwhile" in response.content.decode()
    r.fine.refresh_from_db()
    assert r.fine.title == "Changed meanwhile"


def test_rating_through_the_page_appends_a_snapshot(client, cast):
    r = rated(cast)
    client.force_login(r.f.members[0])
    url = _url("risk-rate", cast, r.fine.pk)
    page = client.get(url).content.decode()
    assert "Public trust" in page and "Trade facilitation" in page  # impact described per dimension
    response = _post_form(
        client,
        url,
        {
            "inherent_likelihood": "5",
            "inherent_impact": "4",
            "current_likelihood": "3",
            "current_impact": "3",
            "target_likelihood": "",
            "target_impact": "",
            "knowledge": "strong",
            "reason": "Audit report 2025",
            "bogus_stage_likelihood": "3",
        },
    )
    assert response.status_code == 302
    r.fine.refresh_from_db()
    assert (r.fine.current_level, r.fine.target_level, r.fine.knowledge) == ("medium", "", "strong")
    with scopes_disabled():
        last = RatingSnapshot.objects.filter(risk=r.fine).latest("id")
    assert (last.reason, last.rated_by) == ("Audit report 2025", r.f.members[0])
    history = client.get(_url("risk-detail", cast, r.fine.pk)).content.decode()
    assert "Audit report 2025" in history and "Working Member 1" in history


@pytest.mark.parametrize(
    "data",
    [
        {"current_likelihood": "6", "current_impact": "1"},
        {"current_likelihood": "0", "current_impact": "1"},
        {"current_likelihood": "-1", "current_impact": "1"},
        {"current_likelihood": "1", "current_impact": ""},
        {"current_likelihood": "x", "current_impact": "2"},
        {"knowledge": "absolute"},
        {"reason": "x" * 10_000},
    ],
)
def test_hostile_ratings_answer_400(client, cast, data):
    r = rated(cast)
    client.force_login(r.f.officer)
    response = _post_form(client, _url("risk-rate", cast, r.fine.pk), data)
    assert response.status_code == 400


# --- Controls, treatments, acceptances --------------------------------------------------------------


def test_controls_are_added_changed_and_removed_through_the_pages(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    response = _post_form(
        client,
        _url("control-add", cast, r.fine.pk),
        {"kind": "preventive", "description": "Values checked against the database", "design": "effective"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        control = Control.objects.get(risk=r.fine)
    edit = _url("control-edit", cast, r.fine.pk, control.pk)
    assert _post_form(client, edit, {"kind": "magic", "description": "x"}).status_code == 400
    assert _post_form(client, edit, {"kind": "detective", "description": "Changed"}).status_code == 302
    page = client.get(_url("risk-detail", cast, r.fine.pk)).content.decode()
    assert "Changed" in page and "detective" in page
    remove = _url("control-remove", cast, r.fine.pk, control.pk)
    assert client.get(remove).status_code == 200
    assert client.post(remove).status_code == 302
    with scopes_disabled():
        assert not Control.objects.filter(risk=r.fine).exists()
    # Another risk's control is not found through this risk.
    assert client.get(_url("control-edit", cast, r.zero.pk, control.pk)).status_code == 404


def test_a_treatment_becomes_an_activity_through_the_pages(client, cast, small_pack):
    r = rated(cast)
    world = plan_world(cast, small_pack)
    client.force_login(r.f.officer)
    response = _post_form(
        client,
        _url("treatment-add", cast, r.fine.pk),
        {
            "title": "Rotate valuation officers",
            "owner": r.f.owner.pk,
            "due_on": due_in_plan().isoformat(),
            "status": "planned",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        treatment = Treatment.objects.get(risk=r.fine)
    client.force_login(world.planner)
    url = _url("treatment-plan", cast, r.fine.pk, treatment.pk)
    page = client.get(url).content.decode()
    assert world.plan.title in page and world.kpi.name in page
    assert _post_form(client, url, {"plan": "999999"}).status_code == 400
    assert _post_form(client, url, {"plan": world.plan.pk, "objective": "abc"}).status_code == 400
    response = _post_form(
        client,
        url,
        {
            "plan": world.plan.pk,
            "objective": world.objective.pk,
            "kpis": [world.kpi.pk],
            "new_kpis": "Officers rotated\n\n",
        },
    )
    assert response.status_code == 302
    with scope(organization=cast.customs):
        activity = planning_selectors.plan_activities(world.plan).get()
        assert sorted(k.name for k in activity.kpis.all()) == [
            "Officers rotated",
            "Share of valuations reviewed",
        ]
    page = client.get(_url("risk-detail", cast, r.fine.pk)).content.decode()
    assert reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, activity.pk]) in page
    again = _post_form(client, url, {"plan": world.plan.pk})
    assert again.status_code == 400 and "already an activity" in again.content.decode()


def test_hostile_treatment_values_answer_400(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    url = _url("treatment-add", cast, r.fine.pk)
    for data in (
        {"title": "", "status": "planned"},
        {"title": "x", "status": "forgotten"},
        {"title": "x", "status": "planned", "due_on": "tomorrow"},
        {"title": "x" * 300, "status": "planned"},
        {"title": "x", "status": "planned", "owner": str(cast.foreigner.pk)},
    ):
        assert _post_form(client, url, data).status_code == 400, data
    with scopes_disabled():
        assert not Treatment.objects.filter(risk=r.fine).exists()


def test_acceptance_pages_follow_the_appetite(client, cast):
    r = rated(cast)
    client.force_login(r.f.officer)
    zero = client.get(_url("acceptance-submit", cast, r.zero.pk)).content.decode()
    assert "zero tolerance" in zero and 'name="reason"' not in zero
    refused = _post_form(client, _url("acceptance-submit", cast, r.zero.pk), {"reason": "Costly"})
    assert refused.status_code == 400
    response = _post_form(client, _url("acceptance-submit", cast, r.fine.pk), {"reason": f"Costly {CANARY}"})
    assert response.status_code == 302
    with scopes_disabled():
        acceptance = Acceptance.objects.get(risk=r.fine)
    decide = _url("acceptance-decide", cast, r.fine.pk, acceptance.pk)
    assert client.get(decide).status_code == 403  # the officer asked: someone else decides
    client.force_login(r.f.members[0])  # sees the risk, holds no acceptor role
    assert client.get(decide).status_code == 403
    client.force_login(r.f.head)
    detail = client.get(_url("risk-detail", cast, r.fine.pk)).content.decode()
    assert decide in detail
    assert client.post(decide, {"decision": "maybe"}).status_code == 400
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    acceptance.refresh_from_db()
    assert acceptance.status == "approved" and acceptance.expires_on is not None
    assert client.post(decide, {"decision": "refuse"}).status_code == 400


def test_no_page_puts_the_restricted_text_into_the_audit_trail(client, cast, small_pack):
    r = rated(cast)
    client.force_login(r.f.officer)
    for name in ("risk-detail", "risk-edit", "risk-rate"):
        assert client.get(_url(name, cast, r.fine.pk)).status_code == 200
    _post_form(
        client,
        _url("risk-edit", cast, r.fine.pk),
        _risk_data(r, how=f"New way {CANARY}", process=r.f.processes["VAL"].pk),
    )
    treatment_save(actor=r.f.officer, risk=r.zero, values=values())
    acceptance_submit(actor=r.f.officer, risk=r.fine, reason=f"Reason {CANARY}")
    with scopes_disabled():
        rows = list(AuditEvent.objects.values_list("action", "changes", "object_repr"))
    assert any(action == "arusha.risks.risk.updated" for action, _c, _o in rows)
    assert [action for action, changes, text in rows if CANARY in str(changes) or CANARY in text] == []
