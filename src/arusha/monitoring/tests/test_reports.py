"""The evaluation and review reports: written by the worker as DOCX and PDF, read back cell by cell."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope
from tests.documents import A4_POINTS, LETTER_POINTS, docx_pages, docx_rows, pdf_pages, pdf_text
from tests.documents import docx as open_docx

from arusha.core.models import BackgroundJob, JobStatus
from arusha.monitoring import services
from arusha.monitoring.tests.conftest import DAY
from arusha.planning.models import Kpi

pytestmark = pytest.mark.django_db

OBJECTIVE_NOTES = "Still a priority of the government's strategy, half reached."
KPI_NOTES = "The rate is followed by management every quarter and costs little."
GAP = "Statements are sampled, not yet all checked."


def write(client: Client, slug: str, plan: int, report: str, fmt: str, capture: Any) -> bytes:
    """Click the report button, let the worker run, follow the page's link, return the file."""
    url = reverse(f"monitoring-{report}-report", args=[slug, plan, fmt])
    with capture(execute=True):
        assert client.post(url).status_code == 302
    page = client.get(url).content.decode()
    link = re.search(rf'href="(/o/{slug}/plans/{plan}/monitoring/{report}/report/{fmt}/\d+/)"', page)
    assert link is not None, page
    response = client.get(link.group(1))
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def evaluated(cast: Any, monitored: Any) -> None:
    """Ratings for the objective and the KPI, a measurement to round, the gap of KF1."""
    with scope(organization=cast.customs):
        kpi = Kpi.objects.get(pk=monitored.kpi.pk)
        kpi.decimals = 2
        kpi.save(update_fields=["decimals"])
    services.evaluation_save(
        actor=cast.owner,
        plan=monitored.plan,
        objective=monitored.objective,
        relevance="high",
        success="medium",
        cost_effectiveness="low",
        narrative=OBJECTIVE_NOTES,
    )
    services.evaluation_save(
        actor=cast.owner,
        plan=monitored.plan,
        kpi=kpi,
        relevance="medium",
        success="high",
        cost_effectiveness="medium",
        narrative=KPI_NOTES,
    )
    # 1 / 3 * 100 = 33.333333: the KPI shows two decimals.
    measurement = services.measurement_enter(
        actor=cast.member, kpi=kpi, period=monitored.periods[0], variables={"A": "1", "B": "3"}
    )
    services.measurement_verify(actor=cast.owner, measurement=measurement)
    services.gap_save(actor=cast.owner, plan=monitored.plan, area_code="KF1", remaining_gap=GAP, revisit=True)


def test_the_evaluation_report_rates_each_objective_and_kpi_on_a4(
    client, cast, monitored, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    evaluated(cast, monitored)
    client.force_login(cast.owner)
    args = (client, cast.customs.slug, monitored.plan.pk, "evaluation")
    docx = write(*args, "docx", django_capture_on_commit_callbacks)
    rows = docx_rows(docx)
    assert ["Action plan", "Integrity action plan 2025"] in rows
    assert ["Period of the plan", "Jan. 1, 2025 - Dec. 31, 2025"] in rows
    assert ["Reporting periods", "2025 Q1 to 2025 Q4: 4 periods"] in rows
    assert ["Integrity statements are verified", "High", "Medium", "Low", OBJECTIVE_NOTES] in rows
    assert ["INT-1 Integrity compliance rate", "Medium", "High", "Medium", KPI_NOTES] in rows
    # The latest value against the target in force at the end of its period (5 until March).
    assert ["INT-1 Integrity compliance rate", "—", "33.33 %", "2025 Q1", "5.00 %"] in rows
    assert ["INT-1 Integrity compliance rate", "2025 Q1", "33.33 %", "5.00 %", "yes"] in rows
    assert ["INT-1 Integrity compliance rate", "2025 Q3", "—", "3.00 %", "—"] in rows
    # Areas by their names, the code once; KF2 has no activity and is not analysed yet.
    assert ["KF1 Leadership", "2.0", "1", "0", GAP, "yes"] in rows
    assert ["KF2 Rules", "—", "0", "0", "Not analysed yet", "—"] in rows
    # A4 portrait, the ratings and the six-column gap analysis on landscape pages, then back.
    pages = docx_pages(docx)
    assert pages[0] == (210, 297, False) and (297, 210, True) in pages
    assert pages == [(210, 297, False), (297, 210, True), (210, 297, False), (297, 210, True)]
    # The dashboard's chart of the measured KPI, drawn as a picture with its caption.
    assert len(open_docx(docx).inline_shapes) == 1
    assert "INT-1 Integrity compliance rate: values per period against the targets" in [
        p.text for p in open_docx(docx).paragraphs
    ]

    pdf = write(*args, "pdf", django_capture_on_commit_callbacks)
    text = pdf_text(pdf)
    for words in ("Evaluation of the action plan", OBJECTIVE_NOTES, KPI_NOTES, "KF1 Leadership", GAP):
        assert words in text
    assert "33.33 %" in text and "33.333" not in text
    assert "INT-1 Integrity compliance rate: values per period against the targets" in text
    sizes = pdf_pages(pdf)
    assert sizes[0] == A4_POINTS and (A4_POINTS[1], A4_POINTS[0]) in sizes
    assert set(sizes) == {A4_POINTS, (842, 595)}


def test_the_review_report_follows_the_organizations_letter_paper(
    client, cast, monitored, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    evaluated(cast, monitored)
    services.indicator_record(
        actor=cast.owner, plan=monitored.plan, kind="complaints", value="42", source="Complaints register"
    )
    services.indicator_record(actor=cast.owner, plan=monitored.plan, kind="targets", kpi=monitored.kpi)
    services.cycle_start(
        actor=cast.owner,
        plan=monitored.plan,
        title="Second assessment",
        mode=3,
        planned_start=DAY(2026, 1, 12),
        planned_end=DAY(2026, 3, 27),
    )
    client.force_login(cast.owner)
    settings = reverse("organization-edit", args=[cast.customs.slug])
    page = client.get(settings).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None and 'value="Letter"' in page
    saved = client.post(
        settings,
        {"name": "Test Customs", "country": "XA", "default_language": "en", "paper_size": "Letter", "version": version.group(1)},
    )  # fmt: skip
    assert saved.status_code == 302

    args = (client, cast.customs.slug, monitored.plan.pk, "review")
    docx = write(*args, "docx", django_capture_on_commit_callbacks)
    rows = docx_rows(docx)
    assert ["Complaints or allegations against Customs employees", "—", "42", "Complaints register"] in rows
    assert [
        "Performance targets or client charter standards achieved",
        "Integrity compliance rate",
        "33.33 %",
        "INT-1, 2025 Q1 (verified)",
    ] in rows
    assert ["INT-1 Integrity compliance rate", "—", "33.33 %", "2025 Q1", "5.00 %"] in rows
    # The second assessment has no answer yet: the first one's level stands beside nothing.
    assert ["KF1 Leadership", "2.0", "—", "—"] in rows
    assert ["KF1 Leadership", GAP] in rows  # the area to revisit, in the conclusions
    assert docx_pages(docx) == [(216, 279, False)]  # US Letter, portrait: no table needs the width

    pdf = write(*args, "pdf", django_capture_on_commit_callbacks)
    text = pdf_text(pdf)
    for words in (
        "Review of the action plan",
        "Complaints register",
        "The second assessment “Second assessment” was opened on",
        "1 question changed level.",  # KF1.1: answered in the first, not yet in the second
        "Areas to revisit in the next self-assessment",
        GAP,
    ):
        assert words in text, words
    assert set(pdf_pages(pdf)) == {LETTER_POINTS}


def test_a_reader_gets_the_reports_and_outsiders_get_404(
    client, cast, monitored, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)  # reads the plan, does not run its monitoring
    page = client.get(reverse("monitoring-evaluation", args=[cast.customs.slug, monitored.plan.pk]))
    assert reverse("monitoring-evaluation-report", args=[cast.customs.slug, monitored.plan.pk, "pdf"]) in (
        page.content.decode()
    )
    review = client.get(reverse("monitoring-review", args=[cast.customs.slug, monitored.plan.pk]))
    assert reverse("monitoring-review-report", args=[cast.customs.slug, monitored.plan.pk, "docx"]) in (
        review.content.decode()
    )
    docx = write(
        client, cast.customs.slug, monitored.plan.pk, "review", "docx", django_capture_on_commit_callbacks
    )
    assert ["Action plan", "Integrity action plan 2025"] in docx_rows(docx)
    with scope(organization=cast.customs):
        job = BackgroundJob.objects.get(kind="monitoring.review.docx")
    assert job.status == JobStatus.DONE and job.requested_by == cast.member
    urls = [
        reverse("monitoring-review-report", args=[cast.customs.slug, monitored.plan.pk, "docx"]),
        reverse("monitoring-review-report-progress", args=[cast.customs.slug, monitored.plan.pk, "docx"]),
        reverse("monitoring-review-report-file", args=[cast.customs.slug, monitored.plan.pk, "docx", job.pk]),
    ]
    # The same job is not the evaluation's, and there is no ODT.
    wrong = reverse(
        "monitoring-evaluation-report-file", args=[cast.customs.slug, monitored.plan.pk, "docx", job.pk]
    )
    assert client.get(wrong).status_code == 404
    odt = reverse("monitoring-review-report", args=[cast.customs.slug, monitored.plan.pk, "odt"])
    assert client.get(odt).status_code == 404
    for person in (cast.foreigner, cast.outsider):
        client.force_login(person)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert client.post(urls[0]).status_code == 404
