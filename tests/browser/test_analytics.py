"""Integrity analytics from synthetic data to a closed review, in real Chromium (issue 13, "Done when").

The analyst generates a small synthetic dataset with planted anomalies through the
generate form, waits for it on the dataset page, reads its quality report and runs the
catalogue on DuckDB. The integrity officer, who signs in with a second factor (their
permissions are confidential), opens the dashboard of one office and month, then its
flagged signals: the flagged entities are among the ground truth's planted ones (read
from the dataset's ground_truth.parquet, under the same pseudonyms) and no look-alike is
flagged. The officer opens a flag's explanation page (numbers, baseline, stratum,
example declarations, "risk signals for review, never verdicts"), records the officer's
explanation and closes the review with no issue; a second tab of the same officer that
still holds the old form is refused, twice, and overwrites nothing. An officer's
pseudonym is re-identified: without a purpose the form names the field; with one, the
generator's raw identifier is shown once and never travels in a web address. The officer
drafts a performance contract for the port office with two indicators, agrees it and
reads one month of its scorecard; the signals' XLSX export carries the officer's
watermark and no formula. Someone without analytics rights gets 404 on a signal's page,
and an office reader gets 404 on a signal about a person. axe-core finds no serious or
critical violation on the main pages.

Set-up only (people and passwords) goes through the services; everything else goes
through the screens. The background jobs run at once in the test settings
(django_tasks' ImmediateBackend), so the dataset and run pages are already done when
they open; they are still read through their progress region.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from playwright.sync_api import expect

from arusha.analytics import storage
from arusha.analytics.engine.importer import pseudonymise_entity
from arusha.analytics.models import Dataset, Signal
from arusha.analytics.services.pseudonyms import pseudonym_key
from arusha.core.permissions import PresetRole
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_self_assessment import PASSWORD, _sign_in
from tests.browser.test_sign_in import enrol_totp_in_browser, pass_second_factor
from tests.risks import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANALYST = "analyst-browser@test.example"
OFFICER = "officer-analytics@test.example"
DECLARATIONS = 30_000
SEED = 1
# An office and a month of the generated data (seed 1) with several planted flags.
OFFICE, MONTH = "KIL-PRT", "2025-12"
# One month of the contract's scorecard that is read back.
SCORE_MONTH = "2025-04"
NOTICE = re.compile(r"Risk signals for review, never verdicts\.")
LONG = 120_000  # generating and running wait for the request that does the work


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """A fresh browser context per session: nobody shares a cookie."""
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


def _people(cast: Any) -> None:
    analyst = person(cast, ANALYST, "Ann Analyst", [PresetRole.ANALYST])
    officer = person(cast, OFFICER, "Ian Integrity", [PresetRole.INTEGRITY_OFFICER])
    for user in (analyst, officer):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def _signed_in(page: Any, url: str, email: str) -> None:
    _sign_in(page, url, email)
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


def _enrolled(page: Any, url: str, email: str) -> str:
    """Sign in by password; confidential roles are made to enrol TOTP first. Returns the secret."""
    _sign_in(page, url, email)
    expect(page.get_by_role("heading", name="Two-factor authentication is required")).to_be_visible()
    page.get_by_role("link", name="Set up two-factor authentication").click()
    secret = enrol_totp_in_browser(page)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="My organizations")).to_be_visible()
    return secret


def _field(page: Any, label: str) -> Any:
    return page.get_by_label(f"{label}:", exact=True)


def _said(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def _fact(page: Any, term: str) -> Any:
    """The value of a term of a facts list (<dt>term</dt><dd>value</dd>)."""
    return page.locator(f'dl.facts dt:text-is("{term}") + dd').first


def _no_violation(page: Any, name: str) -> None:
    assert axe_violations(page) == [], name
    screenshot(page, f"analytics-{name}")


def _truth(dataset_id: int) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(indicator, entity) of the planted entities and of the look-alikes, as the data names them."""
    with scopes_disabled():
        dataset = Dataset.objects.get(pk=dataset_id)
    table = pq.read_table(storage.dataset_folder(dataset) / "ground_truth.parquet").to_pylist()
    planted = {(row["indicator"], row["entity"]) for row in table if row["truth"] == "planted"}
    lookalikes = {(row["indicator"], row["entity"]) for row in table if row["truth"] == "lookalike"}
    return planted, lookalikes


def _flagged_rows(page: Any) -> list[dict[str, str]]:
    rows = page.locator("#signal-rows tbody tr")
    found = []
    for n in range(rows.count()):
        cells = rows.nth(n).locator("td")
        found.append(
            {
                "indicator": cells.nth(0).locator("span.muted").inner_text().strip(),
                "entity": cells.nth(1).locator("a").inner_text().strip(),
                "kind": cells.nth(1).locator("span.muted").inner_text().strip(),
                "href": str(cells.nth(1).locator("a").get_attribute("href")),
                "flag": cells.nth(6).inner_text().strip(),
                "review": cells.nth(8).inner_text().strip(),
            }
        )
    return found


def test_planted_anomalies_flagged_explained_reviewed_and_measured(
    page: Any, open_page: Callable[[], Any], live_server: Any, cast: Any, settings: Any, tmp_path: Path
) -> None:
    url, org = live_server.url, cast.customs.slug
    base = f"{url}/o/{org}/analytics"
    # Integrity officers hold confidential permissions: they sign in with a second factor.
    settings.ARUSHA_MFA_ENFORCE = True
    _people(cast)

    # 1. The analyst generates a dataset with planted anomalies and runs the catalogue.
    analyst = page
    _enrolled(analyst, url, ANALYST)
    analyst.goto(f"{url}/o/{org}/")
    analyst.get_by_role("navigation", name="Organization").get_by_role("link", name="Analytics").click()
    expect(analyst.locator("main")).to_contain_text("No run of the indicators has finished yet")
    analyst.get_by_role("link", name="Import clearance data and run the indicators").click()
    expect(analyst.get_by_role("heading", level=1)).to_have_text("Clearance datasets")
    analyst.get_by_role("link", name="Generate synthetic data").click()
    _field(analyst, "Title").fill("Synthetic data, planted")
    _field(analyst, "Declarations").fill(str(DECLARATIONS))
    _field(analyst, "Seed").fill(str(SEED))
    analyst.get_by_role("radio", name=re.compile(r"Plant anomalies")).check()
    _no_violation(analyst, "generate-form")
    analyst.get_by_role("button", name="Generate", exact=True).click()
    expect(analyst.locator("#background-job")).to_contain_text("The dataset is ready.", timeout=LONG)
    _said(analyst, "The synthetic data are being made")
    dataset_url = str(analyst.url)
    dataset_id = int(re.search(r"/datasets/(\d+)/", dataset_url).group(1))  # type: ignore[union-attr]
    expect(_fact(analyst, "Status")).to_have_text("ready")
    expect(_fact(analyst, "Source")).to_have_text("synthetic data")
    # The quality report: every declaration read, none lost without being counted.
    quality = analyst.locator("section[aria-labelledby=quality-title] tbody tr")
    declarations = quality.filter(has=analyst.locator("th", has_text=re.compile(r"^declarations$")))
    expect(declarations).to_have_count(1)
    read = int(declarations.locator("td").nth(1).inner_text().replace(",", ""))
    kept = int(declarations.locator("td").nth(2).inner_text().replace(",", ""))
    assert read == DECLARATIONS
    assert 0.99 * read <= kept <= read
    expect(quality.filter(has=analyst.locator("th", has_text="items"))).to_have_count(1)
    for n in range(quality.count()):
        cells = quality.nth(n).locator("td")
        if cells.count() < 4:
            continue  # a table not supplied
        numbers = [int(cells.nth(i).inner_text().replace(",", "")) for i in (1, 2)]
        reasons = cells.nth(3).locator("li").all_inner_texts()
        excluded = sum(int(reason.split(":", 1)[0].replace(",", "")) for reason in reasons)
        assert numbers[0] == numbers[1] + excluded, quality.nth(n).inner_text()
    _no_violation(analyst, "dataset")

    analyst.get_by_role("link", name="Run the indicators").click()
    analyst.get_by_label("DuckDB (this machine)").check()
    analyst.get_by_role("button", name="Run", exact=True).click()
    expect(analyst.locator("#background-job")).to_contain_text("The run is done.", timeout=LONG)
    _said(analyst, "The indicators are being computed")
    expect(_fact(analyst, "Status")).to_have_text("done")
    flagged_total = int(_fact(analyst, "Flagged for review").inner_text().replace(",", ""))
    assert flagged_total > 0
    expect(analyst.locator("section[aria-labelledby=flags-title] tbody tr").first).to_be_visible()
    # An analyst reads offices, not people: no download of the full output.
    expect(analyst.get_by_role("link", name="Full output (CSV)")).to_have_count(0)
    _no_violation(analyst, "run")
    analyst.goto(f"{base}/datasets/")
    expect(analyst.locator("tbody tr").filter(has_text="Synthetic data, planted")).to_contain_text("ready")
    _no_violation(analyst, "datasets")

    # 2. The officer signs in (enrolling the second factor) and opens the office's month.
    officer = open_page()
    requested: list[str] = []
    officer.on("request", lambda request: requested.append(request.url))
    secret = _enrolled(officer, url, OFFICER)
    officer.goto(f"{url}/o/{org}/")
    officer.get_by_role("navigation", name="Organization").get_by_role("link", name="Analytics").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Integrity analytics")
    expect(officer.locator("main")).to_contain_text(NOTICE)
    officer.get_by_label("Office", exact=True).select_option(OFFICE)
    officer.get_by_label("Month", exact=True).select_option(MONTH)
    officer.get_by_role("button", name="Show", exact=True).click()
    expect(officer.get_by_role("heading", level=2)).to_have_text(f"Office {OFFICE}, {MONTH}")
    expect(officer.locator("section[aria-labelledby=indicators-title] tbody tr").first).to_be_visible()
    _no_violation(officer, "dashboard")

    officer.get_by_role("link", name="See this office's flagged signals for the month").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Risk signals")
    expect(officer.locator("main")).to_contain_text(NOTICE)
    expect(officer.locator("#signal-rows tbody tr").first).to_be_visible()
    list_url = str(officer.url)
    rows = _flagged_rows(officer)
    assert rows and all(row["flag"] == "flagged" for row in rows), rows
    planted, lookalikes = _truth(dataset_id)
    hits = [row for row in rows if (row["indicator"], row["entity"]) in planted]
    assert hits, f"no flagged entity of {OFFICE} {MONTH} is planted: {rows}"
    assert len(hits) >= 0.8 * len(rows), f"precision {len(hits)}/{len(rows)}: {rows}"
    assert not [row for row in rows if (row["indicator"], row["entity"]) in lookalikes]
    # Every flag of the month opens a review, except tenure beyond the rotation rule, which
    # is context, not a behaviour to explain.
    reviewed = [row for row in hits if row["indicator"] != "TENURE"]
    assert reviewed and all(row["review"] == "open" for row in reviewed), hits
    assert all(row["review"] != "open" for row in hits if row["indicator"] == "TENURE"), hits
    _no_violation(officer, "signals")

    # The explanation page of the strongest planted flag that has a review.
    chosen = reviewed[0]
    officer.goto(url + chosen["href"])
    signal_url = str(officer.url)
    expect(officer.get_by_role("heading", level=1)).to_contain_text(chosen["entity"])
    expect(officer.locator("main")).to_contain_text(NOTICE)
    numbers = officer.locator("section[aria-labelledby=numbers-title]")
    q_term = "q-value (Benjamini–Hochberg)"  # noqa: RUF001  # the page's own dash
    for term in ("Numerator", "Denominator", "Baseline", "Effect", q_term, "Stratum"):
        expect(numbers.locator(f'dt:text-is("{term}") + dd')).not_to_have_text("—")
    expect(numbers.locator('dt:text-is("Office") + dd')).to_have_text(OFFICE)
    expect(numbers.locator('dt:text-is("Period") + dd')).to_have_text(MONTH)
    examples = officer.locator("section[aria-labelledby=examples-title] tbody tr")
    expect(examples.first).to_be_visible()
    assert 1 <= examples.count() <= 10
    expect(officer.locator("section[aria-labelledby=examples-title] caption")).to_contain_text(
        "behind this signal, from the clearance data"
    )
    expect(_fact(officer, "Status")).to_have_text("open")
    # The wide table of examples scrolls in its own region: the page itself does not.
    assert officer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _no_violation(officer, "signal")

    # 3. The review: a second tab of the same officer opens the same form first.
    other_tab = open_page()
    other_tab.on("request", lambda request: requested.append(request.url))
    _sign_in(other_tab, url, OFFICER)
    expect(other_tab.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    pass_second_factor(other_tab, secret)
    expect(other_tab).not_to_have_url(re.compile(r"/account/"))

    officer.get_by_role("link", name="Record the officer's explanation").click()
    explain_url = str(officer.url)
    other_tab.goto(explain_url)
    expect(other_tab.get_by_role("heading", level=1)).to_have_text("Record the officer's explanation")
    _no_violation(officer, "review-form")
    explanation = "The officer says the declarations were checked against the invoices at the quay."
    officer.get_by_label("The officer's explanation").fill(explanation)
    officer.get_by_role("button", name="Save the explanation").click()
    _said(officer, "The explanation is recorded.")
    expect(_fact(officer, "Status")).to_have_text("explanation recorded")
    expect(_fact(officer, "The officer's explanation")).to_contain_text(explanation)

    # The other tab saves over the newer version: refused, and shown what is saved now.
    other_tab.get_by_label("The officer's explanation").fill("A different account, typed in the old form.")
    other_tab.get_by_role("button", name="Save the explanation").click()
    expect(other_tab.locator(".errorlist, .form-errors").first).to_be_visible()
    expect(other_tab.locator("main")).to_contain_text("saved a newer version")
    expect(other_tab.locator("section.their-version")).to_contain_text(explanation)

    officer.get_by_role("link", name="Close with no issue").click()
    _no_violation(officer, "close-form")
    _field(officer, "Why no further action is needed").fill(
        "The invoices match the declared values; nothing further is needed."
    )
    officer.get_by_role("button", name="Close with no issue").click()
    _said(officer, "The review is closed with no issue.")
    expect(_fact(officer, "Status")).to_have_text("closed, no issue")

    # The other tab, now on the version it was shown, tries again: the review is decided.
    other_tab.get_by_role("button", name="Save the explanation").click()
    expect(other_tab.locator("main")).to_contain_text("This review is decided")
    officer.goto(signal_url)
    expect(_fact(officer, "Status")).to_have_text("closed, no issue")
    expect(_fact(officer, "The officer's explanation")).to_contain_text(explanation)
    expect(officer.locator("main")).not_to_contain_text("A different account")

    # 4. Re-identification of a planted officer of the month.
    officers = [row for row in hits if row["kind"] == "officer"]
    assert officers, f"no planted officer flagged in {OFFICE} {MONTH}: {hits}"
    pseudonym = officers[0]["entity"]
    officer.goto(url + officers[0]["href"])
    officer.get_by_role("link", name="Re-identify, for a recorded purpose").click()
    reidentify_url = str(officer.url)
    _no_violation(officer, "reidentify-form")
    officer.get_by_role("button", name="Re-identify", exact=True).click()
    purpose_error = officer.locator("#id_purpose_error")
    expect(purpose_error).to_have_text("This field is required.")
    expect(_field(officer, "Purpose")).to_have_attribute("aria-invalid", "true")
    expect(officer.get_by_role("heading", name="Identity behind the pseudonym")).to_have_count(0)
    _field(officer, "Purpose").fill("Interview planned with the officer about this signal, case file 12.")
    with officer.expect_response(
        lambda response: response.request.method == "POST" and "/reidentify/" in response.url
    ) as answer:
        officer.get_by_role("button", name="Re-identify", exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Identity behind the pseudonym")
    identity = _fact(officer, "Identifier in the clearance system").inner_text().strip()
    assert re.fullmatch(r"OFF\d{4}", identity), identity
    assert pseudonymise_entity("officer", identity, pseudonym_key(cast.customs)) == pseudonym
    assert "no-store" in answer.value.headers.get("cache-control", "")
    assert str(officer.url) == reidentify_url
    # Shown once: neither the signal's page nor the form shows it again.
    officer.get_by_role("link", name="Back to the signal").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(pseudonym)
    expect(officer.locator("main")).not_to_contain_text(identity)
    officer.goto(reidentify_url)
    expect(officer.locator("main")).not_to_contain_text(identity)

    # 6. The signals' XLSX export: the officer's watermark, no formula.
    officer.goto(list_url)
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Export (XLSX)").click()
    target = tmp_path / "signals.xlsx"
    download.value.save_as(target)
    workbook = load_workbook(target)
    texts: list[str] = []
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if cell.value is not None:
                    texts.append(str(cell.value))
    first_rows = [
        str(c.value) for line in workbook.worksheets[0].iter_rows(max_row=2) for c in line if c.value
    ]
    assert any(OFFICER in text and "Confidential" in text for text in first_rows), first_rows
    assert chosen["entity"] in texts

    # 5. A performance contract for the port office, agreed, and one month of its scorecard.
    officer.goto(f"{base}/")
    officer.get_by_role("navigation", name="Integrity analytics").get_by_role(
        "link", name="Performance contracts"
    ).click()
    officer.get_by_role("link", name="Draft a contract").click()
    _field(officer, "Title").fill("Port office performance contract 2025")
    _field(officer, "Office or team").select_option(label="Port office")
    _field(officer, "Office code in the clearance data").fill(OFFICE)
    _field(officer, "First month").fill("2025-01")
    _field(officer, "Last month").fill("2025-12")
    officer.get_by_label("Indicator 1", exact=True).select_option("RELEASE_TIME")
    officer.get_by_label("Target 1", exact=True).fill("40")
    officer.get_by_label("Indicator 2", exact=True).select_option("HIT_RATE")
    officer.get_by_label("Target 2", exact=True).fill("10")
    _no_violation(officer, "contract-form")
    officer.get_by_role("button", name="Draft the contract").click()
    _said(officer, "The contract is drafted.")
    expect(officer.locator("h1 + p .status")).to_have_text("Draft")
    _no_violation(officer, "contract")
    officer.get_by_role("button", name="Record the agreement").click()
    _said(officer, "The contract is agreed.")
    expect(officer.locator("h1 + p .status")).to_have_text("Agreed")
    expect(_fact(officer, "Agreed")).to_contain_text("Ian Integrity")

    # One month of the scorecard, for both indicators: the office's figure is its numerator
    # over its denominator in the run (times 100 for a share), rounded to one decimal.
    card = officer.locator("table.scorecard tbody tr").filter(has=officer.locator("th", has_text=SCORE_MONTH))
    expect(card).to_have_count(1)
    for caption, code, goal, unit, scale in (
        ("Mean release time", "RELEASE_TIME", 40, "hours", 1),
        ("Risk-adjusted hit rate of examinations", "HIT_RATE", 10, "%", 100),
    ):
        table = officer.locator("table").filter(has=officer.locator("caption", has_text=caption))
        month_row = table.locator("tbody tr").filter(has=officer.locator("th", has_text=SCORE_MONTH))
        expect(month_row).to_have_count(1)
        shown = month_row.locator("td").nth(0).inner_text().strip()
        status = month_row.locator("td").nth(1).inner_text().strip()
        value = Decimal(re.match(r"([\d.,]+)", shown).group(1).replace(",", ""))  # type: ignore[union-attr]
        with scopes_disabled():
            office_row = Signal.objects.get(
                run__dataset_id=dataset_id,
                indicator=code,
                entity_kind="office",
                entity=OFFICE,
                period=SCORE_MONTH,
            )
        expected = (
            Decimal(str(office_row.numerator)) * scale / Decimal(str(office_row.denominator))
        ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert value == expected, (caption, shown, expected)
        assert shown.endswith(unit), shown
        met = value <= goal if code == "RELEASE_TIME" else value >= goal
        assert status == ("✓ on target" if met else "✗ off target"), (caption, shown, status)
        expect(card.locator("td").nth(0 if code == "RELEASE_TIME" else 1)).to_contain_text(status)
    _no_violation(officer, "scorecard")

    # 7. Without analytics rights: 404 on a signal's page; an office reader: 404 on a person's.
    member = open_page()
    _signed_in(member, url, cast.member.email)
    response = member.goto(signal_url)
    assert response is not None and response.status == 404
    expect(member.locator("main")).not_to_contain_text(chosen["entity"])
    assert chosen["kind"] in {"officer", "broker", "trader", "broker and officer"}
    response = analyst.goto(signal_url)
    assert response is not None and response.status == 404

    # The identity never travelled in a web address, in either of the officer's tabs.
    assert requested and not [address for address in requested if identity in address]
