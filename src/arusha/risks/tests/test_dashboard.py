"""The risk dashboard: each section on known risks, treatments, acceptances, indicators and cycles."""

from __future__ import annotations

import datetime

from django.utils import timezone
from tests.risks import add_risk, field, rate, to_identification, to_step

from arusha.core.access import access_of
from arusha.risks.selectors.dashboard import dashboard
from arusha.risks.services.cycles import cycle_update
from arusha.risks.services.indicators import last_full_period
from arusha.risks.services.treatments import acceptance_decide, acceptance_submit, treatment_save
from arusha.risks.tests.kri_support import kri, next_cycle, read
from arusha.risks.vocabulary import CycleStatus

TODAY = timezone.localdate()
MONTH = last_full_period(TODAY, "month")


def _board(f, who=None, today=TODAY):  # type: ignore[no-untyped-def]
    return dashboard(f.organization, access_of(who or f.officer, f.organization), today)


def _register(cast):  # type: ignore[no-untyped-def]
    """R-001 very high (bribery at examination: zero tolerance), R-002 high (favouritism),
    R-003 medium, R-004 low; the cycle at rating."""
    f = field(cast)
    to_identification(f)
    risks = [
        add_risk(f, "Payment to skip an examination"),
        add_risk(f, "Jobs for relatives of brokers", corruption_types=["favouritism"]),
        add_risk(f, "Gifts at valuation", process=f.processes["VAL"], corruption_types=["fraud"]),
        add_risk(f, "Queue jumping at release", process=f.processes["REL"], corruption_types=["abuse"]),
    ]
    to_step(f, CycleStatus.RATING)
    for risk, current in zip(risks, [(5, 5), (4, 4), (3, 3), (1, 1)], strict=True):
        rate(f, risk, inherent=(5, 5), current=current)
    return f, risks


def test_top_risks_come_highest_first(cast):
    f, risks = _register(cast)
    board = _board(f)
    assert [r.risk.code for r in board.top] == [r.code for r in risks]
    assert [r.level.code for r in board.top if r.level] == ["very_high", "high", "medium", "low"]
    assert board.risks == 4


def test_risks_above_appetite_wait_for_a_treatment_or_an_acceptance(cast):
    f, risks = _register(cast)
    untreated = _board(f).untreated
    assert [r.risk.code for r in untreated.rows] == ["R-001", "R-002", "R-003"]
    assert [r.zero_tolerance for r in untreated.rows] == [True, False, False]
    treatment_save(actor=f.officer, risk=risks[0], values={"title": "Rotate the examiners"})
    acceptance_submit(actor=f.officer, risk=risks[1], reason="Controls outside Customs cover it.")
    assert [r.risk.code for r in _board(f).untreated.rows] == ["R-003"]


def test_overdue_treatments_are_past_due_and_not_done(cast):
    f, risks = _register(cast)
    late = treatment_save(
        actor=f.officer,
        risk=risks[0],
        values={"title": "Rotate the examiners", "due_on": TODAY - datetime.timedelta(days=3)},
    )
    treatment_save(
        actor=f.officer,
        risk=risks[1],
        values={"title": "Publish vacancies", "due_on": TODAY - datetime.timedelta(days=3), "status": "done"},
    )
    treatment_save(
        actor=f.officer,
        risk=risks[2],
        values={"title": "Second valuer", "due_on": TODAY + datetime.timedelta(days=3)},
    )
    assert [t.pk for t in _board(f).overdue] == [late.pk]


def test_acceptances_show_as_they_near_expiry_and_once_expired(cast):
    f, risks = _register(cast)
    acceptance = acceptance_submit(
        actor=f.officer, risk=risks[1], reason="Controls outside Customs cover it."
    )
    assert _board(f).expiring == []  # submitted, not approved: no expiry yet
    acceptance = acceptance_decide(actor=f.head, acceptance=acceptance, approve=True)
    expires = acceptance.expires_on
    assert expires is not None
    assert _board(f).expiring == _board(f).expired == []
    soon = _board(f, today=expires - datetime.timedelta(days=30))
    assert [a.pk for a in soon.expiring] == [acceptance.pk]
    assert soon.expired == []
    late = _board(f, today=expires + datetime.timedelta(days=1))
    assert [a.pk for a in late.expired] == [acceptance.pk]
    # An expired acceptance no longer covers the risk.
    assert "R-002" in [r.risk.code for r in late.untreated.rows]


def test_indicators_in_amber_or_red_are_listed_red_first(cast):
    f, risks = _register(cast)
    green = kri(f, risks[0], name="Green one")
    amber = kri(f, risks[0], name="Amber one")
    red = kri(f, risks[3], name="Red one")
    read(f, green, "1", *MONTH)
    read(f, amber, "15", *MONTH)
    read(f, red, "25", *MONTH)
    assert [i.name for i in _board(f).indicators] == ["Red one", "Amber one"]


def test_a_cycle_due_for_reassessment_is_shown_until_a_next_cycle_follows_it(cast):
    f, _risks = _register(cast)
    cycle_update(actor=f.officer, cycle=f.cycle, values={"reassess_on": TODAY + datetime.timedelta(days=10)})
    [due] = _board(f).reassess
    assert (due.cycle.pk, due.overdue) == (f.cycle.pk, False)
    assert _board(f, today=TODAY + datetime.timedelta(days=11)).reassess[0].overdue
    next_cycle(f)
    assert _board(f).reassess == []


def test_the_trend_matches_risks_by_process_and_title_or_scenario_never_by_code(cast):
    from django_scopes import scopes_disabled

    from arusha.risks.models import Risk, Scenario
    from arusha.risks.services.register import risk_create

    f, risks = _register(cast)
    with scopes_disabled():
        scenario = Scenario.objects.get(process__organization=f.organization, code="VAL-S1")
        Risk.objects.filter(pk=risks[2].pk).update(scenario=scenario)  # "Gifts at valuation" came from it
    second = next_cycle(f)
    previous, f.cycle = f.cycle, second
    again = add_risk(f, "payment to skip an  EXAMINATION")  # same process and title, case and spaces aside
    renamed = add_risk(f, "Favours in hiring", corruption_types=["favouritism"])  # R-002 again, not the same
    same = add_risk(f, "Jobs for relatives of brokers", corruption_types=["favouritism"])  # R-003 now
    from_library = risk_create(actor=f.officer, cycle=f.cycle, values={"owner": f.owner}, scenario=scenario)
    to_step(f, CycleStatus.RATING)
    rate(f, again, inherent=(5, 5), current=(2, 2))  # very high → low: down
    rate(f, renamed, inherent=(5, 5), current=(5, 5))  # new: not compared
    rate(f, same, inherent=(5, 5), current=(5, 5))  # high → very high: up
    rate(f, from_library, inherent=(3, 3), current=(3, 3))  # medium → medium
    board = _board(f)
    [trend] = [t for t in board.trends if t.cycle.pk == second.pk]
    assert trend.previous.pk == previous.pk
    assert [m.code for m in trend.down] == [again.code]
    assert [(m.code, m.before.code, m.now.code) for m in trend.up if m.before and m.now] == [
        (same.code, "high", "very_high")
    ]
    assert (trend.new, trend.gone) == (1, 1)  # "Favours in hiring" is new; R-004 was not carried over


def test_a_risk_owner_sees_only_their_risks(cast):
    f, risks = _register(cast)
    board = _board(f, who=f.owner)
    assert board.risks == 4  # add_risk makes the owner the owner of every risk
    from arusha.risks.services.register import risk_update

    risk_update(actor=f.officer, risk=risks[0], values={"owner": None})
    assert [r.risk.code for r in _board(f, who=f.owner).top] == ["R-002", "R-003", "R-004"]
    assert _board(f, who=cast.member).empty
