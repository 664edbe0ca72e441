"""A corruption risk map from the library to a red indicator, in real Chromium (issue 12, "Done when").

The integrity officer opens Risks, installs the process library and maps a process: a
sub-process of examination with its offices, outside actors and systems, and a scenario
of its own. They add the five-by-five matrix from its preset and read its grid. They
start an assessment on that matrix with examination, release and valuation in scope and
build the working group; each member signs in and declares (one stays out of release).
Three risks are identified (one from the new scenario, two typed in) and rated through
the rating form, each level read back against the matrix's grid; the member who stays
out of release is refused the release risk's rating. In treatment planning the two
risks above appetite get a treatment, one of which becomes an activity of a draft
action plan with a KPI of the library; the third is within appetite. The head of
administration approves and publishes, the officer moves to monitoring, adds a key risk
indicator typed in by hand and records a reading above its red threshold: the indicator
turns red, the risk is reopened, and the dashboard lists the indicator. The heat map
shows the three risks with their movement; the register's XLSX export holds them, the
officer's watermark, and no formula. axe-core finds no serious or critical violation on
the main pages.

Set-up only (people, passwords, an assessment and a draft action plan with an objective
and a KPI) goes through the services; everything the issue names goes through the screens.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from arusha.core.models import User
from arusha.core.permissions import PresetRole
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_self_assessment import PASSWORD, _sign_in
from tests.risks import draft_plan, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER = "officer-browser@test.example"
HEAD = "head-browser@test.example"
MEMBERS = [f"wg{n}-browser@test.example" for n in (1, 2, 3)]
PLAN = "Integrity action plan"
OBJECTIVE = "Examinations cannot be bought"
KPI = "EXA-1 Share of reefer examinations witnessed"
SUB_PROCESS = "Examination of refrigerated containers"
SCENARIO = "A reefer declared unsafe to open"
KRI = "Reefers released unopened"
TREATMENT = "Witnessed opening of every selected reefer"

# Ratings as (likelihood, impact) ranks at each stage. stay above the
# appetite (current "high"); R-003 is within it (current "low").
RATINGS: dict[str, dict[str, tuple[int, int]]] = {
    "R-001": {"inherent": (5, 4), "current": (4, 3), "target": (2, 2)},
    "R-002": {"inherent": (4, 4), "current": (3, 4), "target": (2, 3)},
    "R-003": {"inherent": (3, 3), "current": (2, 2), "target": (1, 2)},
}
STAGE_ROWS = {"inherent": 0, "current": 1, "target": 2}


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """A fresh browser context per person: nobody shares a session or a cookie."""
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


def _people(cast: Any) -> tuple[User, User, list[User]]:
    # The officer also coordinates the action plan (integrity coordinator): the one who
    # puts a treatment into a plan must be allowed to change the plan.
    officer = person(cast, OFFICER, "Ivy Officer", [PresetRole.INTEGRITY_OFFICER, PresetRole.COORDINATOR])
    head = person(cast, HEAD, "Hal Head", [PresetRole.HEAD_OF_ADMINISTRATION])
    members = [
        person(cast, email, f"Wanda Member {n}", [PresetRole.CONTRIBUTOR])
        for n, email in enumerate(MEMBERS, start=1)
    ]
    for user in (officer, head, *members):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return officer, head, members


def _draft_plan(cast: Any, small_pack: Any) -> None:
    """A draft action plan of this year and the next, with an objective and a KPI in the library."""
    code, name = KPI.split(" ", 1)
    draft_plan(cast, small_pack, title=PLAN, objective=OBJECTIVE, kpi=(code, name))


def _signed_in(page: Any, url: str, email: str) -> None:
    _sign_in(page, url, email)
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


def _field(page: Any, label: str) -> Any:
    """A form field by its label as Django writes it ("Title:")."""
    return page.get_by_label(f"{label}:", exact=True)


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def _said(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def _no_violation(page: Any, name: str) -> None:
    assert axe_violations(page) == [], name
    screenshot(page, f"risks-{name}")


def _step(page: Any, cycle_url: str, status: str) -> None:
    """Take the cycle's next step from its overview; the page then names the new step."""
    page.goto(cycle_url)
    page.get_by_role("button", name=re.compile(r"^Move on to")).click()
    _said(page, f"The assessment is now at the step “{status}”.")
    expect(page.locator("h1 .status")).to_have_text(status.capitalize())


def _grid(page: Any) -> dict[tuple[int, int], str]:
    """The matrix page's grid: the level's name of each (likelihood, impact) pair, as shown."""
    found: dict[tuple[int, int], str] = {}
    rows = page.locator("table.matrix-grid tbody tr")
    for r in range(rows.count()):
        row = rows.nth(r)
        likelihood = int(row.locator("th").inner_text().split(".")[0])
        cells = row.locator("td")
        for i in range(cells.count()):
            found[(likelihood, i + 1)] = cells.nth(i).inner_text().strip()
    return found


def _identify(page: Any, register_url: str, values: dict[str, str], process: str, kind: str) -> str:
    page.goto(register_url)
    page.get_by_role("link", name="Identify a risk").click()
    _field(page, "Title").fill(values["title"])
    _field(page, "Process").select_option(label=process)
    for part in ("Who", "With whom", "What", "How", "Benefit"):
        _field(page, part).fill(values[part])
    page.get_by_label(kind, exact=True).check()
    _field(page, "Owner").select_option(label="Ivy Officer")
    _submit(page, "Add to the register")
    _said(page, "is in the register.")
    return str(page.url)


def _rate(page: Any, risk_url: str, code: str, grid: dict[tuple[int, int], str]) -> None:
    page.goto(risk_url)
    page.get_by_role("link", name="Rate", exact=True).click()
    for stage, (likelihood, impact) in RATINGS[code].items():
        _field(page, f"{stage.capitalize()} likelihood").select_option(str(likelihood))
        _field(page, f"{stage.capitalize()} impact").select_option(str(impact))
    _field(page, "Strength of knowledge").select_option("moderate")
    _field(page, "Why this rating").fill("Working group session, first rating")
    _submit(page, "Save the rating")
    _said(page, "The rating is saved and kept in the history.")
    rows = page.locator("#ratings table").first.locator("tbody tr")
    for stage, pair in RATINGS[code].items():
        # The level shown is the matrix grid's for that pair, never a product of ranks.
        expect(rows.nth(STAGE_ROWS[stage]).locator("td").nth(2)).to_have_text(grid[pair])


def test_a_process_mapped_rated_treated_and_reopened_by_a_red_indicator(
    page: Any, open_page: Callable[[], Any], live_server: Any, cast: Any, small_pack: Any, tmp_path: Path
) -> None:
    url, org = live_server.url, cast.customs.slug
    _people(cast)
    _draft_plan(cast, small_pack)

    # 1. The officer installs the library and maps a process: a sub-process of EXA with
    # its offices, outside actors and systems, and a scenario of its own.
    officer = page
    _signed_in(officer, url, OFFICER)
    officer.goto(f"{url}/o/{org}/")
    officer.get_by_role("navigation", name="Organization").get_by_role("link", name="Risks").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Corruption risk assessments")
    officer.get_by_role("link", name="Processes and matrices").click()
    _submit(officer, "Install the process library")
    _said(officer, "processes of the library are added to the catalogue")
    _no_violation(officer, "library")
    officer.get_by_role("link", name="EXA Physical examination").click()
    officer.get_by_role("link", name="Add a sub-process").click()
    _field(officer, "Code").fill("EXA.4")
    _field(officer, "Name").fill(SUB_PROCESS)
    _field(officer, "Description").fill("Reefers selected for examination at the port's cold store.")
    expect(_field(officer, "Part of")).to_have_value(re.compile(r"\d+"))
    officer.get_by_label("Port office", exact=True).check()
    _field(officer, "Outside actors").fill("Reefer terminal operator\nShipping lines")
    _field(officer, "Systems").fill("Terminal operating system\nCustoms clearance system")
    _submit(officer, "Save")
    _said(officer, "is added to the catalogue")
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"EXA.4 {SUB_PROCESS}")
    facts = officer.locator("dl.facts")
    expect(facts).to_contain_text("Physical examination")
    expect(facts).to_contain_text("Port office")
    expect(facts).to_contain_text("Reefer terminal operator, Shipping lines")
    expect(facts).to_contain_text("Terminal operating system, Customs clearance system")
    officer.get_by_role("link", name="Add a scenario").click()
    # The code offered is the family's next free one (EXA-S1 to S4 are EXA's and its sub-processes').
    expect(_field(officer, "Code")).to_have_value("EXA-S5")
    _field(officer, "Title").fill(SCENARIO)
    _field(officer, "Who (inside the administration)").fill("Examining officer at the cold store")
    _field(officer, "With whom").fill("Broker of the importer")
    _field(officer, "What (the decision, document or asset at stake)").fill("The examination of a reefer")
    _field(officer, "How, in general terms").fill("The reefer is reported unsafe to open and released")
    _field(officer, "Benefit").fill("A payment per container")
    officer.get_by_label("bribery", exact=True).check()
    officer.get_by_label("wide discretion", exact=True).check()
    _submit(officer, "Save")
    _said(officer, "The scenario EXA-S5 is added.")
    expect(officer.locator("#scenarios")).to_contain_text(f"EXA-S5 · {SCENARIO}")
    # The sub-process shows in the catalogue with its offices, actors and systems.
    officer.goto(f"{url}/o/{org}/risks/library/")
    row = officer.locator("#catalogue tbody tr").filter(has_text=f"EXA.4 {SUB_PROCESS}")
    expect(row).to_contain_text("Port office")
    expect(row).to_contain_text("Shipping lines")
    expect(row.locator("td").last).to_have_text("1")

    # The 5x5 matrix from its preset: its page shows the grid.
    officer.get_by_label("Preset:", exact=True).select_option("5x5")
    _submit(officer, "Add the matrix")
    _said(officer, "is added as a draft.")
    expect(officer.locator("table.matrix-grid tbody tr")).to_have_count(5)
    grid = _grid(officer)
    assert len(grid) == 25
    assert {grid[(5, 5)], grid[(1, 1)], grid[(3, 4)]} == {"Very high", "Low", "High"}
    matrix_name = officer.get_by_role("heading", level=1).inner_text().split(" version")[0].strip()
    _no_violation(officer, "matrix")

    # 2. The assessment: that matrix, EXA/REL/VAL in scope, and its working group.
    officer.goto(f"{url}/o/{org}/risks/")
    officer.get_by_role("link", name="Start an assessment").click()
    _field(officer, "Title").fill("Clearance corruption risks")
    _field(officer, "Risk matrix").select_option(label=f"{matrix_name} (v1)")
    for code in ("EXA · Physical examination", "REL · Release of goods", "VAL · Valuation"):
        officer.get_by_label(code, exact=True).check()
    _field(officer, "Scope").fill("Examination, release and valuation at the port.")
    _submit(officer, "Start the assessment")
    _said(officer, "The assessment is started.")
    cycle_url = str(officer.url)
    officer.get_by_role("link", name="Working group").click()
    for name, role in [("Ivy Officer", "chair")] + [(f"Wanda Member {n}", "member") for n in (1, 2, 3)]:
        _field(officer, "Person").select_option(label=name)
        _field(officer, "Role").select_option(role)
        _submit(officer, "Add to the group")
        _said(officer, f"{name} joins the working group")
    expect(officer.locator("table tbody tr")).to_have_count(4)

    def declare(who: Any, conflict: str = "") -> None:
        who.goto(cycle_url)
        who.get_by_role("link", name="Declare your interests").click()
        if conflict:
            _field(who, "My interests").fill("My brother is a customs broker at the port.")
            who.get_by_label(conflict, exact=True).check()
        else:
            _field(who, "I have nothing to declare").check()
        _submit(who, "Save my declaration")
        _said(who, "Your declaration is saved.")

    declare(officer)
    members = []
    for n, email in enumerate(MEMBERS):
        member = open_page()
        _signed_in(member, url, email)
        declare(member, "REL · Release of goods" if n == 0 else "")
        members.append(member)
    conflicted = members[0]
    officer.goto(cycle_url)
    officer.get_by_role("link", name="Working group").click()
    expect(officer.locator("table tbody")).to_contain_text("Interests declared")
    expect(officer.locator("table tbody")).not_to_contain_text("Not declared yet")
    _step(officer, cycle_url, "identification")
    _no_violation(officer, "cycle")

    # 3. Three risks: one from the new scenario, two typed in.
    officer.get_by_role("link", name="Register", exact=True).click()
    register_url = str(officer.url)
    officer.get_by_role("link", name="Identify a risk").click()
    officer.get_by_text("Start from a scenario of the library").click()
    officer.get_by_role("link", name=re.compile(re.escape(SCENARIO))).click()
    expect(_field(officer, "Title")).to_have_value(SCENARIO)
    expect(_field(officer, "Who")).to_have_value("Examining officer at the cold store")
    expect(_field(officer, "Process")).to_have_value(re.compile(r"\d+"))
    _field(officer, "Owner").select_option(label="Ivy Officer")
    _submit(officer, "Add to the register")
    _said(officer, "The risk R-001 is in the register.")
    expect(officer.locator("section[aria-labelledby=about-title]")).to_contain_text(f"EXA.4 · {SUB_PROCESS}")
    risk_urls = {"R-001": str(officer.url)}
    risk_urls["R-002"] = _identify(
        officer,
        register_url,
        {
            "title": "Release signed off before the permits are in",
            "Who": "Release officer",
            "With whom": "Broker",
            "What": "The release decision",
            "How": "Release is given while an agency's permit is still missing",
            "Benefit": "Faster release for the broker, a gift for the officer",
        },
        "REL · Release of goods",
        "abuse of function",
    )
    risk_urls["R-003"] = _identify(
        officer,
        register_url,
        {
            "title": "Reference values shared with one importer",
            "Who": "Valuation clerk",
            "With whom": "Importer",
            "What": "The reference value database",
            "How": "Values are passed on before the declaration is lodged",
            "Benefit": "The importer declares just above the reference",
        },
        "VAL · Valuation",
        "misuse of confidential information",
    )
    officer.goto(register_url)
    expect(officer.locator("table.register tbody tr")).to_have_count(3)
    _step(officer, cycle_url, "rating")

    # Rating: the three through the rating form, each level read back against the grid.
    officer.goto(risk_urls["R-001"])
    officer.get_by_role("link", name="Rate", exact=True).click()
    expect(officer.locator("aside table.heat tbody tr")).to_have_count(5)
    _no_violation(officer, "rating-form")
    for code, risk_url in risk_urls.items():
        _rate(officer, risk_url, code, grid)
    _no_violation(officer, "risk")

    # The member who stays out of release reads its risk, and is refused its rating.
    conflicted.goto(risk_urls["R-002"])
    expect(conflicted.get_by_role("heading", level=1)).to_contain_text("R-002")
    expect(conflicted.get_by_role("link", name="Rate", exact=True)).to_have_count(0)
    response = conflicted.goto(risk_urls["R-002"] + "rate/")
    assert response is not None and response.status == 403
    expect(conflicted.get_by_role("heading", level=1)).to_have_text("You may not do this")
    # ... while another member may rate it.
    response = members[1].goto(risk_urls["R-002"] + "rate/")
    assert response is not None and response.status == 200

    officer.goto(register_url)
    _no_violation(officer, "register")
    _step(officer, cycle_url, "treatment planning")

    # 4. Treatments of the two risks above appetite; one becomes an action-plan activity.
    due = datetime.date(timezone.localdate().year + 1, 6, 30).isoformat()
    # R-001 (bribery at examination) is under zero tolerance: treated, never accepted.
    for code, title, tag in (
        ("R-001", TREATMENT, "zero tolerance"),
        ("R-002", "Release blocked until every permit is in", "above appetite"),
    ):
        officer.goto(risk_urls[code])
        expect(officer.locator("h1 + p")).to_contain_text(tag)
        officer.get_by_role("link", name="Add a treatment").click()
        _field(officer, "Treatment").fill(title)
        _field(officer, "Description").fill("Decided by the working group.")
        _field(officer, "Due").fill(due)
        _submit(officer, "Save")
        _said(officer, "The treatment is added.")
    officer.goto(risk_urls["R-003"])
    expect(officer.locator("h1 + p")).to_have_text("rated")

    officer.goto(risk_urls["R-001"])
    officer.get_by_role("link", name=f"Make it an activity {TREATMENT}").click()
    _field(officer, "Action plan").select_option(label=PLAN)
    _field(officer, "Objective it serves").select_option(label=f"{PLAN}: {OBJECTIVE}")
    officer.get_by_label(KPI, exact=True).check()
    _submit(officer, "Add the activity to the plan")
    _said(officer, f"“{TREATMENT}” is now an activity of the plan “{PLAN}”.")
    officer.locator("#treatments").get_by_role("link", name=TREATMENT, exact=True).click()
    expect(officer.get_by_role("heading", level=2, name=re.compile(re.escape(TREATMENT)))).to_be_visible()
    facts = officer.locator("dl.facts").first
    expect(facts).to_contain_text(KPI)
    expect(facts).to_contain_text(OBJECTIVE)
    screenshot(officer, "risks-activity")
    _step(officer, cycle_url, "review")

    # 5. The head of administration approves and publishes; the officer starts monitoring.
    head = open_page()
    _signed_in(head, url, HEAD)
    _step(head, cycle_url, "approved")
    _step(head, cycle_url, "published")
    _step(officer, cycle_url, "monitoring")

    # 6. A key risk indicator on R-001, typed in; a reading of 12 is red and reopens the risk.
    officer.goto(risk_urls["R-001"])
    expect(officer.locator("h1 + p .status")).to_have_text("treatment planned")
    officer.get_by_role("link", name="Add a key risk indicator").click()
    _field(officer, "Indicator").fill(KRI)
    officer.get_by_label("typed in", exact=True).check()
    _field(officer, "Which way is worse").select_option(label="higher is worse")
    _field(officer, "Amber from").fill("5")
    _field(officer, "Red from").fill("10")
    _field(officer, "Unit").fill("containers")
    _submit(officer, "Save the indicator")
    _said(officer, f"The key risk indicator “{KRI}” is saved.")
    officer.get_by_role("link", name=f"Add a reading of {KRI}").click()
    last_month_end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    _field(officer, "From").fill(last_month_end.replace(day=1).isoformat())
    _field(officer, "To").fill(last_month_end.isoformat())
    _field(officer, "Value").fill("12")
    _submit(officer, "Save the reading")
    _said(officer, "It is red")
    indicator = officer.locator("#indicators tbody tr").filter(has_text=KRI).first
    expect(indicator.locator("td").first).to_have_text("red")
    expect(indicator.locator("td").nth(1)).to_contain_text("12")
    expect(officer.locator("h1 + p .status")).to_have_text("reopened")
    expect(officer.locator(".level-box")).to_contain_text(KRI)
    screenshot(officer, "risks-reopened")

    officer.goto(cycle_url)
    officer.get_by_role("navigation", name=re.compile("^Sections of")).get_by_role(
        "link", name="Dashboard"
    ).click()
    kri = officer.locator("section[aria-labelledby=kri-title] tbody tr").filter(has_text=KRI)
    expect(kri).to_have_count(1)
    expect(kri.locator("td").nth(2)).to_have_text("red")
    expect(kri.locator("td").nth(1)).to_contain_text("R-001")
    _no_violation(officer, "dashboard")

    # 7. The heat map: the three risks, with their movement.
    officer.goto(cycle_url)
    officer.get_by_role("link", name="Heat map", exact=True).click()
    expect(officer.locator("main")).to_contain_text("3 risks you may see")
    expect(officer.locator("figure.heatmap")).to_have_count(3)
    movement = officer.locator("section[aria-labelledby=movement-title] tbody tr")
    expect(movement).to_have_count(2)
    # Inherent → current: come down a level, R-002 stays high; current →
    # target: come down, R-003 stays low.
    expect(movement.nth(0).locator("td")).to_have_text(["2", "1", "0", "3"])
    expect(movement.nth(1).locator("td")).to_have_text(["2", "1", "0", "3"])
    expect(officer.locator("#map-current .hm-move").first).to_be_visible()
    _no_violation(officer, "heatmap")

    # The register's XLSX export: the three risks, the watermark, no formula.
    officer.goto(register_url)
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Export (XLSX)").click()
    target = tmp_path / "register.xlsx"
    download.value.save_as(target)
    workbook = load_workbook(target)
    texts = []
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if cell.value is not None:
                    texts.append(str(cell.value))
    register = workbook["Register"]
    assert OFFICER in str(register["A1"].value)
    codes = {str(c.value) for c in register["A"] if c.value}
    assert {"R-001", "R-002", "R-003"} <= codes
    for title in (
        SCENARIO,
        "Release signed off before the permits are in",
        "Reference values shared with one importer",
    ):
        assert title in texts
