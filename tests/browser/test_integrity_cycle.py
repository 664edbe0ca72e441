"""The integrity cycle after the assessment, in real Chromium (IDG Parts III to VI).

From the findings of an agreed assessment to a plan with a prioritized activity and a KPI,
through adoption, two quarters of progress and measurements, the dashboard, an
evaluation, and the start of cycle 2 with its comparison. The plan's Annex 9 workbook is
read back cell by cell.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from arusha.assessments import services as assessment_services
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_self_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()


def test_from_findings_to_the_next_cycle(page: Any, live_server: Any, cast: Any, world: Any) -> None:
    assessment_services.response_set_status(actor=cast.owner, response=world.response, status="proposed")
    assessment_services.response_set_status(actor=cast.owner, response=world.response, status="agreed")
    url, org = live_server.url, cast.customs.slug
    _sign_in(page, url, "owner@test.example")

    # A plan of 2025 answers the agreed assessment: every reporting period has started.
    page.goto(f"{url}/o/{org}/plans/new/")
    page.get_by_label("Title").fill("Integrity action plan 2025")
    page.get_by_label("Assessment it answers").select_option(label=str(world.assessment))
    page.get_by_label("Start of the plan").fill("2025-01-01")
    page.get_by_label("End of the plan").fill("2025-12-31")
    _submit(page, "Start the plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Integrity action plan 2025")
    plan = page.url.rstrip("/")

    page.get_by_role("link", name="Add an objective").click()
    page.get_by_label("What is to be achieved").fill("Integrity statements are verified every year")
    page.get_by_label("How it is measured").fill("Share of lifestyle audits disclosing a case")
    page.get_by_label("Target:", exact=True).fill("Below 2 % by the end of 2025")
    page.get_by_label("Deadline").fill("2025-12-31")
    _submit(page, "Add the objective")
    page.get_by_role("link", name="Measure an objective with an indicator").click()
    page.get_by_label("Objective:", exact=True).select_option(
        label="Integrity statements are verified every year"
    )
    page.get_by_role("combobox", name="Indicator").select_option(label=str(world.kpi))
    _submit(page, "Link the indicator")
    expect(page.locator("#annex-title ~ dl").first).to_contain_text("INT-1")

    # From the finding to an activity, rated on the IDG's criteria and given its details.
    page.goto(f"{plan}/findings/")
    page.get_by_label("New activity").fill("Verify a sample of integrity statements")
    _submit(page, "Add the activity")
    page.get_by_role("link", name="Verify a sample of integrity statements").click()
    page.get_by_label("Importance").select_option("high")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_label("Cost").select_option("low")
    _submit(page, "Save the ratings")
    expect(page.locator(".messages")).to_contain_text("The priority is now: High.")
    page.get_by_role("link", name="Verify a sample of integrity statements").click()
    page.get_by_label("Objective it serves").select_option(
        label="Integrity statements are verified every year"
    )
    page.get_by_label("Performer").select_option(label="Mark Member")
    page.get_by_label("Responsible division").select_option(label="Operations")
    page.get_by_label("INT-1 Integrity compliance rate").check()
    page.get_by_label("Performance target").fill("Below 2 % by the end of 2025")
    page.get_by_label("Start:", exact=True).fill("2025-02-01")
    page.get_by_label("Due:", exact=True).fill("2025-09-30")
    _submit(page, "Save the activity")
    expect(page.locator(".messages")).to_be_visible()

    # The KPI's full metadata sheet.
    page.goto(f"{url}/o/{org}/plans/kpis/{world.kpi.pk}/")
    for text in ("A / B * 100", "Case register of the internal affairs unit.", "region", "Lower is better"):
        expect(page.locator("main")).to_contain_text(text)

    # Adoption: the working group, then the head of administration.
    page.goto(f"{plan}/adoption/")
    page.get_by_label("Stage").select_option("working_group")
    page.get_by_label("Date").fill("2024-12-15")
    page.get_by_label("Signed by").fill("Integrity working group")
    _submit(page, "Record the sign-off")
    page.get_by_label("Stage").select_option("head")
    page.get_by_label("Date").fill("2024-12-20")
    page.get_by_label("Signed by").fill("Director General")
    _submit(page, "Record the sign-off")
    expect(page.locator(".muted").first).to_contain_text("Adopted")

    # Monitoring, quarterly, coordinated by the national contact point.
    page.goto(f"{plan}/monitoring/")
    page.get_by_role("link", name="Set up monitoring").click()
    page.get_by_label("Reporting frequency").select_option("quarterly")
    page.get_by_label("Coordinator").select_option(label="Olive Owner")
    _submit(page, "Save the set-up")
    expect(page.locator(".messages")).to_contain_text("Monitoring is set up.")

    # Two quarters of progress and measurements.
    for label, percent, status, narrative, a, b in (
        ("2025 Q1", "30", "on_track", "Sampling method agreed with the internal audit.", "3", "60"),
        ("2025 Q2", "70", "at_risk", "Half of the sample verified.", "2", "50"),
    ):
        page.goto(f"{plan}/monitoring/periods/")
        page.get_by_role("link", name=label).click()
        page.locator("#progress-title ~ table a").first.click()
        page.get_by_label("% done").fill(percent)
        page.get_by_label("Status").select_option(status)
        page.get_by_label("What was done in the period").fill(narrative)
        if status == "at_risk":
            page.get_by_label("Obstacles").fill("Two auditors left the unit.")
        _submit(page, "Save the report")
        expect(page.locator(".messages")).to_contain_text("The progress report is saved.")
        page.locator("#measurements-title ~ table a").first.click()
        page.get_by_label("A: cases disclosed by lifestyle audits").fill(a)
        page.get_by_label("B: lifestyle audits completed").fill(b)
        page.get_by_label("By region").fill("North: 1\nSouth: 1")
        _submit(page, "Save the measurement")
        expect(page.locator(".messages")).to_contain_text("The measurement is saved.")
    assert axe_violations(page) == []

    # The dashboard: the activity is at risk (or late once its due date has passed), the KPI charted.
    page.goto(f"{plan}/monitoring/")
    expect(page.locator("#states-title")).to_have_text("1 activity")
    expect(page.locator("#kpi-" + str(world.kpi.pk) + " svg")).to_be_visible()
    page.locator("#kpi-" + str(world.kpi.pk) + " summary").click()
    q2 = page.locator(f"#kpi-{world.kpi.pk} tbody tr").nth(1)
    expect(q2.locator("td")).to_have_text(["2025 Q2", "4.0 %", "—", "not yet"])
    page.get_by_label("Performer").select_option(label="Mark Member")
    _submit(page, "Filter")
    expect(page.locator("#states-title")).to_have_text("1 activity")
    screenshot(page, "monitoring-dashboard")
    assert axe_violations(page) == []

    # Evaluation of the objective.
    page.goto(f"{plan}/monitoring/evaluation/")
    page.locator("#eval-objectives ~ article summary, article[id^=objective-] summary").first.click()
    objective = page.locator("article[id^=objective-]").first
    objective.get_by_label("Relevance").select_option("high")
    objective.get_by_label("Success").select_option("medium")
    objective.get_by_label("Cost-effectiveness").select_option("high")
    objective.get_by_label("Narrative").fill(
        "Still a government priority; half of the sample is verified at low cost."
    )
    objective.get_by_role("button", name="Save the evaluation").click()
    expect(page.locator(".messages")).to_contain_text("The evaluation is saved.")
    expect(page.locator("article[id^=objective-]").first).to_contain_text("half of the sample is verified")
    assert axe_violations(page) == []

    # The Annex 9 workbook: the button asks the worker for it, the export page shows the
    # progress and then the link; the file is read back cell by cell.
    page.goto(f"{plan}/")
    page.get_by_role("button", name="Annex 9 layout (XLSX)").click()
    expect(page.locator("#background-job")).to_contain_text("The file is ready.")
    with page.expect_download() as download:
        page.locator("#background-job").get_by_role("link", name="Download").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    rows = [r for r in rows if r]
    assert rows[0] == ["Integrity action plan 2025"]
    assert rows[1] == ["Period: Jan. 1, 2025 to Dec. 31, 2025"]
    assert rows[2] == ["Objectives without an outcome"]
    assert rows[3] == ["Objective 1.1: Integrity statements are verified every year"]
    assert rows[4] == [
        "Measured by: Share of lifestyle audits disclosing a case · Target: Below 2 % by the end of 2025 · "
        "Deadline: Dec. 31, 2025"
    ]
    assert rows[5] == [
        "Activity",
        "Responsible person",
        "Key performance indicator (KPI)",
        "Performance target",
        "Budget and resources",
        "Timeline",
        "Strategic plan",
    ]
    assert rows[6] == [
        "Verify a sample of integrity statements",
        "Mark Member (Operations)",
        "Integrity compliance rate",
        "Below 2 % by the end of 2025",
        "Q1 2025 \N{EN DASH} Q3 2025",
    ]
    assert len(rows) == 7

    # Cycle 2: a second assessment linked to the first, compared area by area.
    page.goto(f"{plan}/monitoring/review/")
    page.get_by_label("Title of the second assessment").fill("Second self-assessment")
    page.get_by_label("Planned start").fill("2026-01-12")
    page.get_by_label("Planned end").fill("2026-03-27")
    _submit(page, "Start the next cycle")
    expect(page.locator(".messages")).to_contain_text("The next cycle is started")
    table = page.get_by_role(
        "table", name="Mean maturity level per area: the first assessment and the second"
    )
    expect(table).to_contain_text("KF1")
    expect(page.get_by_role("link", name="Its results, question by question")).to_be_visible()
    page.get_by_role("link", name="Its results, question by question").click()
    expect(page.locator("main")).to_contain_text(str(world.assessment.title))
    assert axe_violations(page) == []
