"""The screens of heat maps, the dashboard, the thread of a process and key risk indicators."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.forms import hidden_value, signed_in
from tests.risks import add_risk, field, rate, to_identification, to_step

from arusha.core.models import AuditEvent
from arusha.risks import figures
from arusha.risks.models import Indicator, Reading
from arusha.risks.services.indicators import last_full_period
from arusha.risks.services.treatments import control_save, treatment_save
from arusha.risks.tests.kri_support import kri, rated_risk, read
from arusha.risks.vocabulary import CycleStatus, RiskStatus

MONTH = last_full_period(datetime.date.today(), "month")


def _url(name, f, **kwargs):  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"organization": f.organization.slug, **kwargs})


def test_the_heat_map_page_shows_three_maps_with_words_and_a_table(cast):
    f, _risk = rated_risk(cast, current=(4, 4))
    page = signed_in(f.officer).get(_url("cycle-heatmap", f, cycle=f.cycle.pk))
    assert page.status_code == 200
    html = page.content.decode()
    for stage in ("map-inherent", "map-current", "map-target"):
        assert f'id="{stage}"' in html
    assert "Show as a table" in html
    assert '<td class="hm-cell hm-dark">' in html
    assert 'fill="#fcd6c3"' in html  # the level's colour, as an SVG fill (no inline style)
    assert "style=" not in html.split("<main", 1)[1]
    assert html.count('<span class="hm-level">High</span>') >= 1
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="arusha.object.read", object_id=str(f.cycle.pk)).exists()


def test_the_heat_map_page_reads_the_register_in_a_few_queries_whatever_its_size(
    cast, django_assert_max_num_queries
):
    f = field(cast)
    to_identification(f)
    risks = [add_risk(f, f"Risk number {n}") for n in range(50)]
    to_step(f, CycleStatus.RATING)
    client = signed_in(f.officer)
    url = _url("cycle-heatmap", f, cycle=f.cycle.pk)
    rate(f, risks[0], inherent=(5, 1), current=(1, 3), target=(1, 1))
    client.get(url)  # sessions and caches warm
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    for n, risk in enumerate(risks[1:], start=1):
        rate(f, risk, inherent=(5, 1 + n % 5), current=(1 + n % 5, 3), target=(1, 1 + n % 3))
    # Fifty risks cost what one costs; of those queries, the request's own (session, person,
    # membership, the audited read of the cycle, the notification badge) are the same on every
    # page, and at most ten read the register.
    with django_assert_max_num_queries(len(one.captured_queries)) as fifty:
        page = client.get(url)
    assert page.status_code == 200
    register = [q for q in fifty.captured_queries if '"risks_' in q["sql"]]
    assert len(register) <= 10
    assert page.content.decode().count('class="hm-cell') == 75


@pytest.mark.parametrize("who", ["outsider", "foreigner", "member"])
def test_people_outside_the_registers_get_404(cast, who):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    client = signed_in(getattr(cast, who))
    for url in (
        _url("cycle-heatmap", f, cycle=f.cycle.pk),
        _url("risk-dashboard", f),
        _url("process-thread", f, process=f.processes["EXA"].pk),
        _url("indicator-add", f, risk=risk.pk),
        _url("indicator-edit", f, risk=risk.pk, indicator=indicator.pk),
        _url("reading-add", f, risk=risk.pk, indicator=indicator.pk),
    ):
        assert client.get(url).status_code == 404, url
    refresh = _url("indicator-refresh", f, risk=risk.pk, indicator=indicator.pk)
    assert client.post(refresh).status_code == 404


def test_a_reader_of_registers_may_not_change_indicators(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    client = signed_in(f.head)  # reads every register, rates none
    assert client.get(_url("cycle-heatmap", f, cycle=f.cycle.pk)).status_code == 200
    assert client.get(_url("indicator-add", f, risk=risk.pk)).status_code == 403
    assert client.post(_url("reading-add", f, risk=risk.pk, indicator=indicator.pk)).status_code == 403


def test_an_indicator_of_another_risk_is_not_found(cast):
    f, risk = rated_risk(cast)
    other = add_risk(f, "Another risk")
    indicator = kri(f, other)
    client = signed_in(f.officer)
    assert client.get(_url("indicator-edit", f, risk=risk.pk, indicator=indicator.pk)).status_code == 404


def test_the_owner_adds_an_indicator_and_a_red_reading_reopens_the_risk(cast):
    f, risk = rated_risk(cast)
    client = signed_in(f.owner)
    add = _url("indicator-add", f, risk=risk.pk)
    form = client.get(add)
    assert form.status_code == 200
    values = {
        "name": "Examinations waived on request",
        "source": "manual",
        "direction": "up",
        "amber": "10",
        "red": "5",
        "unit": "%",
        "idempotency_key": hidden_value(form.content.decode(), "idempotency_key"),
    }
    refused = client.post(add, values)
    assert refused.status_code == 400
    assert "red threshold is at or above the amber one" in refused.content.decode()
    saved = client.post(add, {**values, "red": "20"})
    assert saved.status_code == 302
    client.post(add, {**values, "red": "20"})  # the same form sent twice makes one indicator
    with scopes_disabled():
        [indicator] = Indicator.objects.filter(risk=risk)
    reading = _url("reading-add", f, risk=risk.pk, indicator=indicator.pk)
    form = client.get(reading)
    entered = {
        "period_start": MONTH[0].isoformat(),
        "period_end": MONTH[1].isoformat(),
        "value": "31",
        "idempotency_key": hidden_value(form.content.decode(), "idempotency_key"),
    }
    assert client.post(reading, entered).status_code == 302
    assert client.post(reading, {**entered, "idempotency_key": "x" * 20}).status_code == 400  # same period
    risk.refresh_from_db()
    assert risk.status == RiskStatus.REOPENED
    with scopes_disabled():
        assert Reading.objects.get(indicator=indicator).value == Decimal("31")


def test_the_edit_form_refuses_a_stale_save_and_shows_their_version(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    url = _url("indicator-edit", f, risk=risk.pk, indicator=indicator.pk)
    mine, theirs = signed_in(f.officer), signed_in(f.owner)
    page = mine.get(url).content.decode()
    version = hidden_value(page, "version")
    base = {
        "name": "Waivers",
        "source": "manual",
        "direction": "up",
        "amber": "10",
        "red": "20",
        "version": version,
    }
    assert theirs.post(url, {**base, "name": "Waivers on request"}).status_code == 302
    stale = mine.post(url, {**base, "name": "Waived examinations"})
    assert stale.status_code == 400
    assert "Waivers on request" in stale.content.decode()


def test_fetching_a_typed_in_indicator_says_there_is_nothing_to_fetch(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    client = signed_in(f.officer)
    answer = client.post(_url("indicator-refresh", f, risk=risk.pk, indicator=indicator.pk), follow=True)
    assert "nothing to fetch" in answer.content.decode()
    assert client.get(_url("indicator-refresh", f, risk=risk.pk, indicator=indicator.pk)).status_code == 405


def test_the_risk_page_lists_its_indicators(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    read(f, indicator, "12", *MONTH)
    page = signed_in(f.officer).get(_url("risk-detail", f, risk=risk.pk))
    html = page.content.decode()
    assert "Examinations waived on request" in html
    assert "amber" in html
    assert _url("reading-add", f, risk=risk.pk, indicator=indicator.pk) in html
    # A reader sees the indicators, without the actions.
    html = signed_in(f.head).get(_url("risk-detail", f, risk=risk.pk)).content.decode()
    assert "Examinations waived on request" in html
    assert _url("reading-add", f, risk=risk.pk, indicator=indicator.pk) not in html


def test_the_dashboard_page_shows_its_sections(cast):
    f, risk = rated_risk(cast, current=(5, 5))
    indicator = kri(f, risk)
    read(f, indicator, "15", *MONTH)
    page = signed_in(f.officer).get(_url("risk-dashboard", f))
    html = page.content.decode()
    assert page.status_code == 200
    for title in ("Top risks", "Above appetite, with no treatment or acceptance", "Overdue treatments",
                  "Acceptances expiring or expired", "Key risk indicators in amber or red", "Re-assessments due",
                  "Trend between cycles"):  # fmt: skip
        assert title in html
    assert "zero tolerance" in html
    assert "Examinations waived on request" in html


def test_the_thread_follows_a_process_to_its_figures(cast):
    f, risk = rated_risk(cast, current=(4, 4))
    control_save(
        actor=f.officer, risk=risk, values={"kind": "preventive", "description": "Random allocation"}
    )
    treatment_save(actor=f.officer, risk=risk, values={"title": "Rotate the examiners"})

    def complaints(organization, process_ids, factors, start, end):  # type: ignore[no-untyped-def]
        return [figures.ProcessFigure("Complaints about examination", len(process_ids))]

    url = _url("process-thread", f, process=f.processes["EXA"].pk)
    figures.register_process_figures("test-cases", "Complaints", complaints)
    try:
        html = signed_in(f.officer).get(url).content.decode()
    finally:
        figures._PROVIDERS.pop("test-cases")
    assert "Payment to skip a container" in html
    assert "Random allocation" in html
    assert "Rotate the examiners" in html
    assert "Not yet an action-plan activity." in html
    assert "Complaints about examination" in html
    # The risks' key factor KF6 has a perception index registered by the surveys context.
    assert "KF6" in html
    assert signed_in(f.owner).get(url).status_code == 200


def test_the_thread_shows_the_activity_a_treatment_became_and_its_kpis(cast, world):
    from tests.risks import person

    from arusha.core.access import access_of
    from arusha.core.permissions import PresetRole
    from arusha.risks.selectors.thread import thread
    from arusha.risks.services.treatments import treatment_plan

    f, risk = rated_risk(cast, current=(4, 4))
    planner = person(
        cast,
        "planner@test.example",
        "Pat Planner",
        [PresetRole.INTEGRITY_OFFICER, PresetRole.NATIONAL_CONTACT_POINT],
    )
    treatment = treatment_save(actor=f.officer, risk=risk, values={"title": "Rotate the examiners"})
    treatment_plan(actor=planner, treatment=treatment, plan=world.plan, kpis=[world.kpi])
    result = thread(f.processes["EXA"], access_of(f.officer, f.organization), datetime.date.today())
    [link] = result.risks[0].treatments
    assert link.activity is not None
    assert link.activity.title == "Rotate the examiners"
    assert link.activity.state_label == "On track"
    assert [k.code for k in link.activity.kpis] == [world.kpi.code]
    assert link.activity.kpis[0].latest is None
