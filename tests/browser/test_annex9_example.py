"""The IDG's Annex 9 example typed through the screens, in real Chromium (issue 9, "Done when").

The owner of the administration writes the goals of the strategic plan and the two
divisions of the example, starts a plan for Q4 2021 to 2022 on the strategic plan
"Strategic Plan (2020-2022)", types outcome 1, objective 1.1 and its three activities,
each with its own responsible unit, KPIs (named from the activity form), target,
budget and resources, timeline and goal, and adopts the plan. The Annex 9 workbook and
document are read back cell by cell. A gender-disaggregated rate (women in senior posts
over senior posts, per grade) then measures the objective: its overall rate is computed
from the grades' sums, rounded as the KPI says, and drawn on a chart whose axis shows it.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from arusha.assessments import services as assessment_services
from arusha.planning.tests.test_annex9 import HEADER, STRATEGIC_PLAN
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_self_assessment import _sign_in
from tests.documents import docx, docx_pages, docx_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Integrity action plan 2021-2022"
GOALS = {"Goal #1": "A professional and competent workforce", "Goal #3": "Integrity and good governance"}
OUTCOME = (
    "To have all managers identify, report and remedy weaknesses in working methods, ethics, "
    "integrity and corruption of their staff."
)
OBJECTIVE = (
    "Establish a training programme across the service; develop a reporting mechanism and apply "
    "remedies for Customs Officers and staff."
)
BUDGET = "Additional cost anticipated to be incurred for the activity (if any)"
# The IDG's three activities: title, unit, KPIs, target, start and due (one quarter), goal.
ACTIVITIES = [
    (
        "Design and deliver a training module",
        "Training Unit",
        ["Percentage of staff attending the ethics, integrity and good governance training"],
        "100% coverage",
        ("2022-01-10", "2022-03-31"),
        "Q1 2022",
        "Goal #1",
    ),
    (
        "Update and distribution of current publications on ethics, integrity and corruption",
        "Policy Unit",
        ["Number of Guidelines distributed"],
        "100% coverage",
        ("2021-10-04", "2021-12-17"),
        "Q4 2021",
        "Goal #3",
    ),
    (
        "Formulate a policy for the anonymous reporting of ethics, integrity and corruption",
        "Policy Unit",
        ["Mechanism established for reporting", "Number of reports"],
        "5% of reports received (against total number of staff)",
        ("2022-01-03", "2022-03-25"),
        "Q1 2022",
        "Goal #3",
    ),
]
ROWS = [
    [title, unit, "\n".join(kpis), target, BUDGET, timeline, goal]
    for title, unit, kpis, target, _dates, timeline, goal in ACTIVITIES
]


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()


def _goals_and_divisions(page: Any, url: str, org: str) -> None:
    """The strategic plan's goals, then the two units of the example through the division screens."""
    page.goto(f"{url}/o/{org}/plans/strategic-objectives/")
    for code, title in GOALS.items():
        page.get_by_label("Code").fill(code)
        page.get_by_role("textbox", name="Strategic objective:").fill(title)
        _submit(page, "Add the objective")
        expect(page.locator(".messages")).to_contain_text("The strategic objective is added.")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    for name, code in (("Training Unit", "TRU"), ("Policy Unit", "POL")):
        page.goto(f"{url}/o/{org}/divisions/")
        page.get_by_role("link", name="New division").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Code").fill(code)
        _submit(page, "Save")
        expect(page.locator(".messages")).to_contain_text(f"The division “{name}” is created.")


def _start_plan(page: Any, url: str, org: str, assessment: str) -> str:
    page.goto(f"{url}/o/{org}/plans/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Assessment it answers").select_option(label=assessment)
    page.get_by_label("Start of the plan").fill("2021-10-01")
    page.get_by_label("End of the plan").fill("2022-12-31")
    page.get_by_label("Strategic plan").fill(STRATEGIC_PLAN)
    _submit(page, "Start the plan")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    plan: str = page.url.rstrip("/")

    page.get_by_role("link", name="Add an outcome").click()
    page.get_by_label("Level").select_option("intermediate")
    page.get_by_role("textbox", name="Outcome:").fill(OUTCOME)
    _submit(page, "Add the outcome")
    expect(page.locator(".messages")).to_contain_text("The outcome is added.")
    page.get_by_role("link", name="Add an objective").click()
    page.get_by_label("What is to be achieved").fill(OBJECTIVE)
    page.get_by_label("Outcome it serves").select_option(label=OUTCOME[:80])
    _submit(page, "Add the objective")
    expect(page.locator(".messages")).to_contain_text("The objective is added.")
    return plan


def _activities(page: Any, plan: str) -> None:
    """Each activity from the finding, then its own unit, KPIs, target, budget, timeline and goal."""
    for title, unit, kpis, target, (start, due), _timeline, goal in ACTIVITIES:
        page.goto(f"{plan}/findings/")
        page.get_by_label("New activity").fill(title)
        _submit(page, "Add the activity")
        expect(page.locator(".messages")).to_contain_text("The activity is added to the plan.")
        page.get_by_role("link", name=title).click()
        page.get_by_label("Objective it serves").select_option(label=OBJECTIVE[:80])
        page.get_by_label(f"{goal} {GOALS[goal]}").check()
        page.get_by_label("Responsible division").select_option(label=unit)
        page.get_by_label("New indicators").fill("\n".join(kpis))
        page.get_by_label("Performance target").fill(target)
        page.get_by_label("Source of funds").fill(BUDGET)
        page.get_by_label("Start:", exact=True).fill(start)
        page.get_by_label("Due:", exact=True).fill(due)
        _submit(page, "Save the activity")
        expect(page.locator(".messages")).to_contain_text("The activity is saved.")
        facts = page.locator("main dl.facts")
        for name in kpis:
            expect(facts).to_contain_text(name)
        expect(facts).to_contain_text(target)


def _sign_off(page: Any, plan: str, dates: tuple[str, str]) -> None:
    page.goto(f"{plan}/adoption/")
    for stage, date, who in (
        ("working_group", dates[0], "Integrity working group"),
        ("head", dates[1], "Director General"),
    ):
        page.get_by_label("Stage").select_option(stage)
        page.get_by_label("Date").fill(date)
        page.get_by_label("Signed by").fill(who)
        _submit(page, "Record the sign-off")
        expect(page.locator(".messages")).to_contain_text("Saved.")
    expect(page.locator("#adopted-note")).to_contain_text("this plan is read-only")


def _download(page: Any, button: str) -> bytes:
    """An export is a background job: its page says when the file is ready, then links to it."""
    page.get_by_role("button", name=button).click()
    expect(page.locator("#background-job")).to_contain_text("The file is ready.")
    with page.expect_download() as download:
        page.locator("#background-job").get_by_role("link", name="Download").click()
    data: bytes = download.value.path().read_bytes()
    return data


def _check_xlsx(data: bytes) -> None:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = []
    for row in sheet.iter_rows():
        cells = [cell.value for cell in row]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            rows.append(cells)
        # A cell of several KPIs shows them on as many lines.
        if cells and cells[0] == ACTIVITIES[2][0]:
            assert row[2].alignment.wrap_text
    assert rows == [
        [TITLE],
        ["Period: Oct. 1, 2021 to Dec. 31, 2022"],
        [f"Strategic plan: {STRATEGIC_PLAN}"],
        [f"Goals of the {STRATEGIC_PLAN} served by the activities"],
        *[[code, title] for code, title in GOALS.items()],
        [f"Outcome 1: {OUTCOME}"],
        [f"Objective 1.1: {OBJECTIVE}"],
        list(HEADER),
        *ROWS,
    ]


def _check_docx(data: bytes) -> None:
    assert set(docx_pages(data)) == {(297, 210, True)}  # every section A4 landscape
    headings = [
        p.text for p in docx(data).paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert f"Outcome 1: {OUTCOME}" in headings
    assert f"Objective 1.1: {OBJECTIVE}" in headings
    assert docx_rows(data) == [*[[code, title] for code, title in GOALS.items()], list(HEADER), *ROWS]


def test_the_idg_annex9_example_and_a_gender_rate(page: Any, live_server: Any, cast: Any, world: Any) -> None:
    assessment_services.response_set_status(actor=cast.owner, response=world.response, status="proposed")
    assessment_services.response_set_status(actor=cast.owner, response=world.response, status="agreed")
    url, org = live_server.url, cast.customs.slug
    _sign_in(page, url, "owner@test.example")

    # 1-3. Goals, units, the plan with its outcome, objective 1.1 and three activities.
    _goals_and_divisions(page, url, org)
    plan = _start_plan(page, url, org, str(world.assessment))
    _activities(page, plan)
    page.goto(f"{plan}/")
    annex = page.locator("section.annex9")
    expect(annex.get_by_role("heading", level=4)).to_have_text(f"Objective 1.1: {OBJECTIVE}")
    expect(annex.locator("thead th")).to_have_text(list(HEADER))
    for index, row in enumerate(ROWS):
        # The page breaks a cell's lines with <br>: its text runs them together.
        expect(annex.locator("tbody tr").nth(index).locator("td")).to_have_text(
            [c.replace("\n", "") for c in row]
        )
    screenshot(page, "annex9-example-plan")

    # 4. Adoption: the working group, then the head; change pages answer the read view.
    _sign_off(page, plan, ("2021-09-20", "2021-09-28"))
    page.goto(f"{plan}/objectives/new/")
    expect(page).to_have_url(f"{plan}/")
    expect(page.locator(".messages")).to_contain_text("The plan is adopted. Open a revision")
    main = page.get_by_role("main")
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("combobox")).to_have_count(0)
    expect(main.get_by_role("link", name="Add an outcome")).to_have_count(0)
    page.get_by_role("link", name=ACTIVITIES[2][0]).click()
    expect(main.locator("dl.facts")).to_contain_text("Mechanism established for reporting")
    expect(main.get_by_role("button", name="Save the activity")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)

    # 5. The Annex 9 workbook and document, read back cell by cell.
    page.goto(f"{plan}/")
    _check_xlsx(_download(page, "Annex 9 layout (XLSX)"))
    _check_docx(_download(page, "Annex 9 layout (DOCX)"))

    # 6. A gender-disaggregated rate in the KPI library ...
    page.goto(f"{url}/o/{org}/plans/kpis/")
    page.get_by_role("link", name="New indicator").click()
    page.get_by_label("Code").fill("GED-1")
    page.get_by_label("Name of the indicator").fill("Women in senior posts")
    page.get_by_label("Variables").fill("W: women in senior posts\nS: senior posts")
    page.get_by_label("Calculation method").fill("W / S * 100")
    page.get_by_label("Values are").select_option("percent")
    page.get_by_label("Decimals shown").fill("1")
    page.get_by_label("Computed from its parts").check()
    page.get_by_label("Periodicity").select_option("quarterly")
    page.get_by_label("Disaggregation").fill("grade")
    page.get_by_label("Direction of good").select_option("higher")
    page.get_by_label("Disclosure policy").select_option("administration")
    _submit(page, "Save the indicator")
    expect(page.locator(".messages")).to_contain_text("The indicator is saved.")
    found = re.search(r"/kpis/(\d+)/$", page.url)
    assert found is not None
    kpi = found.group(1)

    # ... measures objective 1.1: the adopted plan is revised, then signed again.
    page.goto(f"{plan}/adoption/")
    page.get_by_label("Reason for the revision").fill("Measure the share of women in senior posts.")
    _submit(page, "Open the revision")
    page.goto(f"{plan}/")
    page.get_by_role("link", name="Measure an objective with an indicator").click()
    page.get_by_label("Objective:", exact=True).select_option(label=OBJECTIVE[:80])
    page.get_by_role("combobox", name="Indicator").select_option(label="GED-1 Women in senior posts")
    _submit(page, "Link the indicator")
    expect(page.locator(".messages")).to_contain_text("The objective is now measured by the indicator.")
    _sign_off(page, plan, ("2021-11-15", "2021-11-19"))

    # Quarterly monitoring; the first quarter's grades through the measurement form.
    page.goto(f"{plan}/monitoring/")
    page.get_by_role("link", name="Set up monitoring").click()
    page.get_by_label("Reporting frequency").select_option("quarterly")
    page.get_by_label("Coordinator").select_option(label="Olive Owner")
    _submit(page, "Save the set-up")
    expect(page.locator(".messages")).to_contain_text("Monitoring is set up.")
    page.goto(f"{plan}/monitoring/periods/")
    page.get_by_role("link", name="2021 Q4").click()
    row = page.locator("#measurements-title ~ table tbody tr").filter(has_text="GED-1 Women in senior posts")
    row.get_by_role("link", name="Enter").click()
    grades = page.get_by_role("group", name="By grade").get_by_role("row")
    for index, values in enumerate((("A", "3", "10"), ("B", "2", "9")), start=1):
        boxes = grades.nth(index).get_by_role("textbox")
        for box, value in zip((boxes.nth(0), boxes.nth(1), boxes.nth(2)), values, strict=True):
            box.fill(value)
    assert axe_violations(page) == []
    _submit(page, "Save the measurement")
    expect(page.locator(".messages")).to_contain_text("The measurement is saved.")

    # The period's page: the overall rate from the sums (5 / 19), each grade's rate.
    expect(row.locator("td").nth(1)).to_have_text("26.3 %grade: A 30.0 %, B 22.2 %")
    assert axe_violations(page) == []
    row.get_by_role("link", name="Change").click()
    expect(page.locator("main")).to_contain_text("Value: 26.3 %")
    table = page.get_by_role("table", name="By grade")
    expect(table.locator("tbody tr").nth(0).locator("th, td")).to_have_text(["A", "3", "10", "30.0 %"])
    expect(table.locator("tbody tr").nth(1).locator("th, td")).to_have_text(["B", "2", "9", "22.2 %"])
    expect(table.locator("tfoot tr th, tfoot tr td")).to_have_text(["All categories", "5", "19", "26.3 %"])
    assert axe_violations(page) == []

    # The dashboard's chart: the value, and percent ticks that span it.
    page.goto(f"{plan}/monitoring/")
    chart = page.locator(f"#kpi-{kpi} svg")
    expect(chart).to_be_visible()
    texts = chart.locator("text").all_text_contents()
    assert "26.3 %" in texts
    ticks = chart.locator('text[text-anchor="end"]').all_text_contents()
    assert ticks and all(t.endswith(" %") for t in ticks), ticks
    figures = [float(t.removesuffix(" %")) for t in ticks]
    assert min(figures) <= 26.3 <= max(figures), figures
    page.locator(f"#kpi-{kpi} summary").click()
    expect(page.locator(f"#kpi-{kpi} tbody tr").first.locator("td")).to_have_text(
        ["2021 Q4", "26.3 %", "—", "not yet"]
    )
    screenshot(page, "annex9-example-dashboard")
    assert axe_violations(page) == []
