"""A case from an anonymous report to a KPI, in real Chromium (issue 10, "Done when").

An anonymous reporter sends a report with a file through the reporters' pages (the proof
of work runs in the page), keeps the receipt, and the browser keeps no cookie and one
history entry. The channel's intake officer unlocks their vault, reads the report and its
file, acknowledges it and writes to the reporter, who answers with the receipt. At
assignment a handler in the subject's reporting line is refused for the conflict, another
is assigned, attests no conflict and reads the case. The investigation runs through its
screens (plan approved by a supervisor other than its writer, allegation, substantiated
finding reviewed by someone else, decision, sanction), the reporter gets feedback and the
case is closed. Its de-identified record then shows on the statistics page and fills a
KPI's measurement for the current quarter.

The officer records the person the report is about, linked to their membership, on the
case's "People concerned" page: the arm's-length rules read that link.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from arusha.cases.models import Case
from arusha.cases.tests.people_support import set_line
from arusha.monitoring import selectors as monitoring_selectors
from arusha.planning import services as planning_services
from arusha.planning.models import Kpi
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_self_assessment import PASSWORD, _sign_in
from tests.cases import PASSPHRASE, desk, person
from tests.plans import adopt_and_monitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Carl Clerk at desk 7 took money to let container MSCU 1234567 through without inspection."
FILE_NAME = "receipts.txt"
FILE_BYTES = b"desk 7: 200 USD, no inspection record\n"
FIRST_MESSAGE = "Thank you. Do you know the date of the next shipment?"
ANSWER = "The next shipment arrives on Friday morning."
FEEDBACK = "We investigated your report: the allegation was substantiated and action was taken."
KPI_NAME = "Complaints acknowledged in time"


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """A fresh browser context per person: nobody shares a session, a vault or a cookie."""
    contexts: list[Any] = []

    def new() -> Any:
        context = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield new
    for context in contexts:
        context.close()


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()


def _said(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def _unlock(page: Any, url: str, org: str) -> None:
    page.goto(f"{url}/o/{org}/cases/vault/")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    _submit(page, "Unlock")
    _said(page, "Your case vault is unlocked")


def _move(page: Any, case_url: str, step: str) -> None:
    page.goto(case_url)
    _submit(page, f"Move to: {step}")
    _said(page, f"The case is now at the step: {step}.")


def _write_to_reporter(page: Any, case_url: str, text: str) -> None:
    page.goto(case_url)
    page.get_by_label("A message to the reporter").check()
    page.get_by_label("Text:", exact=True).fill(text)
    _submit(page, "Send")
    _said(page, "Your message is sent.")


def _one_entry(reporter: Any, entries: int) -> None:
    """The reporters' pages set no cookie and replace their one history entry."""
    assert reporter.context.cookies() == []
    assert reporter.evaluate("history.length") == entries


def test_an_anonymous_report_from_intake_to_a_kpi(
    page: Any, open_page: Callable[[], Any], live_server: Any, cast: Any, world: Any
) -> None:
    url, org = live_server.url, cast.customs.slug
    d = desk(cast)
    for user in (d.officer, d.supervisor, d.handler, d.handler2, d.custodian):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    # The subject is a member whose line manager is Hugo Handler.
    clerk = person(cast, "clerk@test.example", "Carl Clerk", ["contributor"], vault=False)
    set_line(d, cast.owner, clerk, d.handler)
    # An action plan of this year with an objective, to be measured by a KPI made on screen.
    year = timezone.localdate().year
    plan = planning_services.plan_create(
        actor=cast.owner,
        organization=cast.customs,
        assessment=world.assessment,
        title=f"Integrity plan {year}",
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
    )
    planning_services.objective_add(actor=cast.owner, plan=plan, what="Complaints are answered")

    # 1. The anonymous report, with a file; the proof of work runs in the page.
    reporter = open_page()
    reporter.goto(f"{url}/report/{org}/")
    entries = reporter.evaluate("history.length")
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Report wrongdoing to Test Customs")
    reporter.get_by_role("link", name="Integrity line").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Integrity line")
    reporter.get_by_label("Where did it happen?").fill("Port of Tanga, desk 7")
    happened = timezone.localdate() - datetime.timedelta(days=14)
    reporter.get_by_label("When did it happen?").fill(happened.isoformat())
    reporter.get_by_label("What kind of wrongdoing?").select_option("Bribery")
    reporter.get_by_label("What happened?").fill(NARRATIVE)
    reporter.get_by_label("Files (optional)").set_input_files(
        {"name": FILE_NAME, "mimeType": "text/plain", "buffer": FILE_BYTES}
    )
    expect(reporter.locator("#pow-status")).to_have_text("Ready to send.")
    assert axe_violations(reporter) == []
    screenshot(reporter, "cases-report-form")
    _submit(reporter, "Send the report")
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Your report was sent")
    receipt = reporter.locator(".receipt").inner_text().strip()
    assert len(receipt.replace(" ", "")) == 16 and receipt.replace(" ", "").isdigit(), receipt
    assert axe_violations(reporter) == []
    screenshot(reporter, "cases-report-receipt")
    _one_entry(reporter, entries)

    with scopes_disabled():
        case = Case.objects.get(channel=d.channel)
    case_url = f"{url}{reverse('case-detail', args=[org, case.pk])}"

    # 2. The intake officer records whom the report is about (the member Carl Clerk, named in
    # the narrative), reads the report and its file, acknowledges it and writes.
    officer = page
    _sign_in(officer, url, "officer@test.example")
    _unlock(officer, url, org)
    officer.goto(f"{url}{reverse('case-subjects', args=[org, case.pk])}")
    officer.get_by_label("Name, or how the report describes the person").fill("Carl Clerk")
    officer.get_by_label("Position or role (optional)").fill("clerk")
    officer.get_by_label("A member of this organization (optional)").select_option(label="Carl Clerk")
    _submit(officer, "Record")
    expect(officer.locator("table")).to_contain_text("Carl Clerk")
    officer.goto(f"{url}/o/{org}/cases/")
    officer.get_by_role("link", name=case.reference).click()
    content = officer.locator("section[aria-labelledby=content-title]")
    expect(content).to_contain_text(NARRATIVE)
    expect(content).to_contain_text("Port of Tanga, desk 7")
    expect(content.locator("h3:text-is('People concerned') + ul")).to_have_text("Carl Clerk · clerk")
    with officer.expect_download() as download:
        officer.get_by_role("link", name=FILE_NAME).click()
    assert Path(download.value.path()).read_bytes() == FILE_BYTES
    _move(officer, case_url, "Acknowledged")
    _write_to_reporter(officer, case_url, FIRST_MESSAGE)
    assert axe_violations(officer) == []
    screenshot(officer, "cases-case-page")

    # 3. The reporter comes back with the receipt, reads the message and answers.
    reporter = open_page()
    reporter.goto(f"{url}/report/{org}/follow-up/")
    entries = reporter.evaluate("history.length")
    reporter.get_by_label("Your receipt").fill(receipt)
    _submit(reporter, "Open my report")
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Your report")
    expect(reporter.locator(".report-messages")).to_contain_text(FIRST_MESSAGE)
    reporter.get_by_label("Your message").fill(ANSWER)
    _submit(reporter, "Send the message")
    expect(reporter.locator(".messages")).to_contain_text("Your message was sent.")
    expect(reporter.locator(".report-messages")).to_contain_text(ANSWER)
    assert axe_violations(reporter) == []
    screenshot(reporter, "cases-report-dialogue")
    _one_entry(reporter, entries)

    # 4. Triage and assignment: the subject's line manager is refused, another handler assigned.
    officer.goto(case_url)
    expect(officer.locator("#dialogue")).to_contain_text(ANSWER)
    _move(officer, case_url, "Triage")
    officer.get_by_role("link", name="People and keys").click()
    officer.get_by_label("Person").select_option(label="Hugo Handler")
    officer.get_by_label("Role in the case").select_option("handler")
    _submit(officer, "Assign")
    expect(officer.locator("main")).to_contain_text(
        "Hugo Handler may not work on this case at arm's length: is in the reporting line of a subject."
    )
    expect(officer.get_by_role("heading", name="Ask for an override")).to_be_visible()
    expect(officer.locator("main")).to_contain_text("Nobody is assigned yet.")
    screenshot(officer, "cases-conflict-refused")
    officer.get_by_label("Person").select_option(label="Hana Handler")
    officer.get_by_label("Role in the case").select_option("handler")
    _submit(officer, "Assign")
    _said(officer, "Hana Handler is assigned.")

    handler = open_page()
    _sign_in(handler, url, "handler2@test.example")
    _unlock(handler, url, org)
    handler.goto(f"{url}{reverse('case-people', args=[org, case.pk])}")
    handler.get_by_role("link", name="Attest no conflict").click()
    handler.get_by_label("I attest that I am not a subject of this case").check()
    _submit(handler, "Attest and receive the key")
    handler.goto(case_url)
    expect(handler.locator("section[aria-labelledby=content-title]")).to_contain_text(NARRATIVE)
    expect(handler.locator("#dialogue")).to_contain_text(ANSWER)

    # 5. The investigation: plan, approval by another supervisor, allegation, finding, review.
    investigation = f"{url}{reverse('case-investigation', args=[org, case.pk])}"
    _move(handler, case_url, "Preliminary review")
    handler.goto(investigation)
    handler.get_by_role("link", name="Write the plan").click()
    handler.get_by_label("Investigation plan").fill(
        "Obtain the desk 7 inspection log; hear the reporter's witness."
    )
    _submit(handler, "Save the plan")
    _said(handler, "The plan is saved. It now waits for a supervisor's approval.")
    officer.goto(investigation)
    _submit(officer, "Approve this version of the plan")
    _said(officer, "The plan is approved: the investigation may start.")
    _move(handler, case_url, "Investigation")
    handler.goto(investigation)
    handler.get_by_role("link", name="Record an allegation").click()
    handler.get_by_label("Allegation:", exact=True).fill("The clerk took a bribe to skip an inspection.")
    handler.get_by_label("About:", exact=True).select_option(label="Carl Clerk (clerk)")
    _submit(handler, "Record the allegation")
    _said(handler, "The allegation is recorded.")
    handler.get_by_role("link", name="Record the finding").click()
    handler.get_by_label("Substantiated", exact=True).check()
    handler.get_by_label("Reasoning").fill(
        "The inspection log has no entry for the container; two witnesses agree."
    )
    _submit(handler, "Record the finding")
    _said(handler, "The finding is recorded. Someone else must now review it.")
    _move(handler, case_url, "Findings review")
    officer.goto(investigation)
    _submit(officer, "Confirm the finding")
    _said(officer, "The finding is reviewed.")
    _move(officer, case_url, "Decision")

    # Decision, sanction, action, feedback to the reporter, and closing.
    handler.goto(investigation)
    handler.get_by_role("link", name="Record a decision").click()
    handler.get_by_label("Sanction:", exact=True).select_option(label="Warning or reprimand")
    _submit(handler, "Record the decision")
    _said(handler, "The decision is recorded.")
    expect(handler.locator("#decision")).to_contain_text("Warning or reprimand")
    screenshot(handler, "cases-investigation")
    _move(handler, case_url, "Action")
    _move(handler, case_url, "Feedback")
    _write_to_reporter(handler, case_url, FEEDBACK)
    officer.goto(case_url)
    officer.get_by_label("I understand: closing writes the case's statistical record").check()
    _submit(officer, "Move to: Closed")
    _said(officer, "The case is now at the step: Closed.")

    # The reporter reads the feedback; the case is closed for them too.
    reporter = open_page()
    reporter.goto(f"{url}/report/{org}/follow-up/")
    reporter.get_by_label("Your receipt").fill(receipt)
    _submit(reporter, "Open my report")
    expect(reporter.locator(".report-messages")).to_contain_text(FEEDBACK)
    expect(reporter.locator(".tag-status")).to_have_text("closed", ignore_case=True)

    # 6. Statistics: one closed case is shown once the smallest count is 1.
    officer.goto(f"{url}/o/{org}/cases/settings/")
    officer.get_by_label("Smallest count shown in statistics").fill("1")
    _submit(officer, "Save")
    _said(officer, "The case settings are saved.")
    officer.goto(f"{url}/o/{org}/cases/statistics/")
    figures = officer.get_by_role("table", name="Key figures")
    expect(figures.get_by_role("row", name="Cases closed").locator("td").first).to_have_text("1")
    expect(figures.get_by_role("row", name="Allegations substantiated").locator("td").first).to_have_text("1")
    sanctions = officer.get_by_role("table", name="Sanctions by kind")
    expect(sanctions.get_by_role("row", name="Warning or reprimand").locator("td").first).to_have_text("1")
    assert axe_violations(officer) == []
    screenshot(officer, "cases-statistics")

    # A KPI computed from the cases' figure, linked to the plan's objective ...
    owner = open_page()
    _sign_in(owner, url, "owner@test.example")
    owner.goto(f"{url}/o/{org}/plans/kpis/")
    owner.get_by_role("link", name="New indicator").click()
    owner.get_by_label("Name of the indicator").fill(KPI_NAME)
    owner.get_by_label("Values are").select_option("percent")
    owner.get_by_label("Decimals shown").fill("1")
    owner.get_by_label("Computed by the platform from").select_option(label="Cases: acknowledged in time (%)")
    owner.get_by_label("Periodicity").select_option("quarterly")
    owner.get_by_label("Direction of good").select_option("higher")
    owner.get_by_label("Disclosure policy").select_option("administration")
    _submit(owner, "Save the indicator")
    _said(owner, "The indicator is saved.")
    with scopes_disabled():
        kpi = Kpi.objects.get(organization=cast.customs, name=KPI_NAME)
    owner.goto(f"{url}/o/{org}/plans/{plan.pk}/")
    owner.get_by_role("link", name="Measure an objective with an indicator").click()
    owner.get_by_label("Objective:", exact=True).select_option(label="Complaints are answered")
    owner.get_by_role("combobox", name="Indicator").select_option(label=str(kpi))
    _submit(owner, "Link the indicator")
    _said(owner, "The objective is now measured by the indicator.")

    # ... measured, once the plan is adopted and monitored, in the quarter that holds today.
    adopt_and_monitor(actor=cast.owner, plan=plan)
    today = timezone.localdate()
    period = next(p for p in monitoring_selectors.periods_of(plan) if p.start <= today <= p.end)
    owner.goto(f"{url}{reverse('monitoring-period', args=[org, plan.pk, period.pk])}")
    row = owner.locator("#measurements-title ~ table tbody tr").filter(has_text=str(kpi))
    row.get_by_role("link", name="Enter").click()
    expect(owner.locator(".platform-figure")).to_contain_text(
        "Computed by the platform from “Cases: acknowledged in time (%)”: 100.0 % (1 of 1) for this period."
    )
    owner.get_by_role("link", name="Fill from the platform").click()
    expect(owner.get_by_label("Value:", exact=True)).to_have_value("100")
    screenshot(owner, "cases-kpi-measurement")
    _submit(owner, "Save the measurement")
    _said(owner, "The measurement is saved.")
    expect(row.locator("td").nth(1)).to_have_text("100.0 %")
