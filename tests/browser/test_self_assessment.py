"""A mode-3 self-assessment from start to report, in real Chromium.

The national contact point opens it and forms a working group; a contributor of the
group fills the group's workbook offline and imports it, then proposes an answer;
the NCP answers another area in the browser, records the plenary's agreement and a
finding, and generates the final report, whose PDF names every area with its result.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def _sign_in(page: Any, url: str, email: str) -> None:
    page.goto(url + "/account/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _rate(page: Any, **ratings: str) -> None:
    for step, value in ratings.items():
        page.locator(f'input[name="{step}"][value="{value}"]').check()


def test_a_self_assessment_from_creation_to_the_pdf_report(
    page: Any, live_server: Any, cast: Any, small_pack: Any, tmp_path: Path
) -> None:
    url = live_server.url
    org = cast.customs.slug

    # Creation and working group, by the national contact point.
    _sign_in(page, url, "owner@test.example")
    page.goto(f"{url}/o/{org}/assessments/new/")
    page.get_by_label("Title").fill("Self-assessment 2027")
    page.get_by_label("Framework").select_option(label="small-pack 1")
    page.get_by_label("Mode (IDG Annex 4)").select_option("3")
    page.get_by_label("Planned start").fill("2027-01-11")
    page.get_by_label("Planned end").fill("2027-03-26")
    page.get_by_role("button", name="Open the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment 2027")
    base = page.url.rstrip("/")

    page.get_by_role("link", name="Working groups").click()
    page.get_by_role("link", name="New working group").click()
    page.get_by_label("Name").fill("Group A")
    page.get_by_label("KF1 Leadership").check()
    page.get_by_label("KF2 Rules").check()
    page.get_by_role("button", name="Save").click()
    page.goto(f"{base}/participants/invite/")
    page.get_by_label("E-mail address").fill("member@test.example")
    page.get_by_label("IDG role").select_option("IC")
    page.get_by_label("Working group").select_option(label="Group A")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("table")).to_contain_text("Mark Member")

    # An answer typed in the browser: a bare "yes" is refused, drafts save as one types.
    page.goto(f"{base}/analysis/KF3.1/")
    page.locator("#id_narrative").fill("Yes")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator(".errorlist")).to_contain_text("A bare “yes” or “no” is not an answer")
    page.locator("#id_narrative").fill(
        "Tariff rulings are kept in a register that only senior officers can read."
    )
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    _rate(page, exists="yes", designed="no")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator(".level-box")).to_contain_text("1 · Exists, design falls short")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    # The contributor's offline workshop: download the group's workbook, fill it, import it.
    _sign_in(page, url, "member@test.example")
    page.goto(f"{base}/analysis/")
    page.get_by_role("link", name="Offline workshop (XLSX)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Workbook of Group A").click()
    workbook_path = tmp_path / "group-a.xlsx"
    download.value.save_as(workbook_path)
    book = load_workbook(workbook_path)
    assert book.sheetnames[1:] == ["KF1", "KF2", "arusha"]
    kf1, kf2 = book["KF1"], book["KF2"]
    kf1["E2"] = "Managers sign an integrity statement every year, but nobody checks what they declare."
    kf1["F2"], kf1["G2"], kf1["H2"] = "Yes", "Yes", "Partly"
    kf2["E2"] = "The rules fit on one page per procedure and are posted in every office and online."
    kf2["F2"], kf2["G2"], kf2["H2"], kf2["I2"] = "Yes", "Yes", "Yes", "Yes"
    book.save(workbook_path)
    page.get_by_label("Filled workbook (XLSX)").set_input_files(str(workbook_path))
    page.get_by_role("button", name="Import").click()
    # The worker imports it; the workbook page follows the job and then shows the outcome.
    expect(page.locator("main")).to_contain_text("2 answers imported")
    page.goto(f"{base}/analysis/")
    expect(page.locator("main")).to_contain_text("3 of 3 questions answered.")
    page.goto(f"{base}/analysis/KF1.1/")
    page.get_by_role("button", name="Propose to the plenary").click()
    expect(page.locator("main")).to_contain_text("Proposed by the working group")
    page.get_by_role("button", name="Sign out").click()

    # Plenary: the facilitator side agrees the answer and records a finding.
    _sign_in(page, url, "owner@test.example")
    page.goto(f"{base}/analysis/KF1.1/")
    page.get_by_role("button", name="Record the plenary's agreement").click()
    expect(page.locator("main")).to_contain_text("Agreed in plenary")
    page.get_by_role("link", name="Record a finding from this question").click()
    page.get_by_label("Kind").select_option("gap")
    page.get_by_label("Title").fill("Statements are never verified")
    page.get_by_label("What was found").fill("Integrity statements are filed but nobody checks them.")
    page.get_by_label("Recommendation").fill("Sample and verify a tenth of the statements each year.")
    page.get_by_label("Suggested priority").select_option("high")
    page.get_by_role("button", name="Save the finding").click()
    expect(page.get_by_role("table")).to_contain_text("Statements are never verified")

    page.get_by_role("link", name="Results").click()
    expect(page.locator("svg.radar title")).to_have_text("Maturity profile per area")
    screenshot(page, "assessment-results")
    assert axe_violations(page) == []

    # The final report.
    page.get_by_role("link", name="Final report").click()
    page.locator("#id_key_messages").fill("Rules are clear; integrity statements need checking.")
    page.get_by_role("button", name="Save the texts").click()
    page.get_by_role("button", name="Generate the report").click()
    expect(page.locator(".messages")).to_contain_text("Version 1 of the report is ready.")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    pdf_path = tmp_path / "report.pdf"
    download.value.save_as(pdf_path)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "self-assessment-report.pdf").write_bytes(pdf_path.read_bytes())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for area, mean, reading in (
        ("KF1 Leadership", "2.0", "Designed, not fully"),
        ("KF2 Rules", "4.0", "Effective"),
        ("KF3 Transparency", "1.0", "Exists, design falls"),
    ):
        assert re.search(rf"{area}\s+{re.escape(mean)}\s+{reading}", text), area
    # Without -layout, pdftotext reads each table cell whole: long cells wrap in the layout.
    raw = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(raw.split())
    assert "Statements are never verified" in flat
    assert "Rules are clear; integrity statements need checking." in flat


def test_words_typed_while_the_network_is_down_are_kept_and_offered_back(
    page: Any, live_server: Any, cast: Any, world: Any
) -> None:
    _sign_in(page, live_server.url, "owner@test.example")
    url = f"{live_server.url}/o/{cast.customs.slug}/assessments/{world.assessment.pk}/analysis/KF2.1/"
    page.goto(url)
    page.context.set_offline(True)
    page.locator("#id_narrative").fill("Written at a border post where the network comes and goes.")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved: the network is unreachable.")
    page.context.set_offline(False)
    page.goto(url)  # the server never got the draft; this browser kept it
    expect(page.locator("#id_narrative")).to_have_value("")
    page.get_by_role("button", name="Restore it").click()
    expect(page.locator("#id_narrative")).to_have_value(
        "Written at a border post where the network comes and goes."
    )
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    page.goto(url)  # now the server has it, as the person's draft
    expect(page.locator("#id_narrative")).to_have_value(
        "Written at a border post where the network comes and goes."
    )
    expect(page.locator("#restore-draft")).to_be_hidden()
