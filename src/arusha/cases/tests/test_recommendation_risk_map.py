"""A case's systemic recommendation creates a risk in the risk map, or updates and reopens one (issue 10, 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import desk, unlocked
from tests.risks import add_risk, field, rate, to_identification, to_step

from arusha.cases.models import Recommendation
from arusha.cases.services import recommendations as rec
from arusha.cases.services.recommendations import RiskMap
from arusha.cases.tests.investigation_support import assigned, in_review
from arusha.core.errors import DomainError
from arusha.risks.models import Risk
from arusha.risks.vocabulary import CycleStatus, RiskStatus

TEXT = "Rotate examining officers between terminals every six months"


def test_a_recommendation_creates_a_risk_in_the_assessment_open_for_its_process(cast) -> None:
    d, f = desk(cast), field(cast)
    to_identification(f)
    case = in_review(d)
    recommendation = rec.recommendation_add(
        actor=d.officer, case=case, text=TEXT, process_ref=f.processes["EXA"], risk_map=RiskMap.NEW
    )
    with scopes_disabled():
        risk = Risk.objects.get(cycle=f.cycle, process=f.processes["EXA"])
    assert recommendation.risk == risk
    assert recommendation.process_ref == f.processes["EXA"]
    assert risk.title == TEXT
    assert case.reference in risk.notes and TEXT in risk.notes
    assert risk.status == RiskStatus.IDENTIFIED


def test_a_recommendation_on_a_monitored_risk_reopens_it(cast) -> None:
    d, f = desk(cast), field(cast)
    to_identification(f)
    risk = add_risk(f)
    to_step(f, CycleStatus.RATING)
    rate(f, risk, inherent=(2, 2), current=(1, 1))
    to_step(f, CycleStatus.MONITORING)
    case = in_review(d)
    rec.recommendation_add(actor=d.officer, case=case, text=TEXT, risk_map=RiskMap.EXISTING, risk=risk)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.REOPENED
    assert TEXT in risk.notes and risk.who == "Examining officer"


def test_no_open_assessment_for_the_process_writes_nothing(cast) -> None:
    d, f = desk(cast), field(cast)  # the cycle is still at planning: its register is closed
    case = in_review(d)
    with pytest.raises(DomainError) as refused:
        rec.recommendation_add(
            actor=d.officer, case=case, text=TEXT, process_ref=f.processes["EXA"], risk_map=RiskMap.NEW
        )
    assert refused.value.field == "process_ref"
    with scopes_disabled():
        assert not Recommendation.objects.exists()
        assert not Risk.objects.exists()


def test_a_handler_without_risk_rights_gets_a_message_not_a_risk(cast) -> None:
    d, f = desk(cast), field(cast)
    to_identification(f)
    case = in_review(d)
    assigned(d, case, d.handler)
    with pytest.raises(DomainError) as refused:
        rec.recommendation_add(
            actor=d.handler, case=case, text=TEXT, process_ref=f.processes["EXA"], risk_map=RiskMap.NEW
        )
    assert refused.value.field == "risk_map"
    with scopes_disabled():
        assert not Risk.objects.exists()


def test_the_case_page_form_sends_a_recommendation_to_the_risk_map(cast) -> None:
    d, f = desk(cast), field(cast)
    to_identification(f)
    case = in_review(d)
    browser = unlocked(d, d.officer)
    url = reverse("case-investigation-recommendation-add", args=[d.organization.slug, case.pk])
    page = browser.get(url)
    assert page.status_code == 200
    assert "Process of the risk map" in page.content.decode()
    response = browser.post(
        url,
        {"text": TEXT, "process_ref": f.processes["EXA"].pk, "risk_map": "new", "idempotency_key": "k" * 20},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Risk.objects.filter(cycle=f.cycle, title=TEXT).count() == 1


def test_the_risk_map_counts_the_recommendations_about_a_process(cast) -> None:
    import datetime

    from django.utils import timezone

    from arusha.risks.access import process_family
    from arusha.risks.figures import process_figures

    d, f = desk(cast), field(cast)
    to_identification(f)
    case = in_review(d)
    rec.recommendation_add(
        actor=d.officer, case=case, text=TEXT, process_ref=f.processes["EXA"], risk_map=RiskMap.NEW
    )
    today = timezone.localdate()
    figures = dict(
        process_figures(
            d.organization,
            process_family([f.processes["EXA"].pk]),
            ["KF6"],
            today - datetime.timedelta(days=365),
            today,
        )
    )
    counts = {str(figure.label): figure.value for figure in figures["Complaints and cases"]}
    assert counts["Systemic recommendations from cases about this process"] == 1
    assert counts["Cases closed in categories of these key factors"] == 0
