"""A person signs in, switches to French, browses a key factor and searches a question."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_sign_in_switch_to_french_browse_a_factor_and_search(
    page: Any, live_server: Any, cast: Any, builtin_pack: Any
) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    assert axe_violations(page) == []
    page.get_by_label("E-mail address").fill("member@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My organizations")).to_be_visible()
    assert axe_violations(page) == []

    # The switcher submits itself on change (a script of our own, no inline handler).
    page.get_by_label("Language").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Mes organisations")).to_be_visible()

    page.get_by_role("link", name="Référentiels").first.click()
    page.get_by_role("link", name=re.compile("Déclaration d'Arusha révisée")).click()
    kf6 = builtin_pack.areas.get(code="KF6")
    page.get_by_role("link", name=re.compile(r"^KF6 ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(kf6.title["fr"])
    expect(page.locator("#KF6\\.IV\\.17")).to_contain_text(
        builtin_pack.questions.get(code="KF6.IV.17").text["fr"][:40]
    )
    screenshot(page, "area-kf6-fr")
    assert axe_violations(page) == []

    # Live search through htmx: typing updates the results without a page load.
    page.get_by_role("link", name=re.compile("Déclaration d'Arusha révisée")).click()
    page.get_by_label("Rechercher des questions").fill("represailles")
    results = page.locator("#search-results")
    expect(results).to_contain_text("KF6.IV.17")
    screenshot(page, "search-fr")
    assert axe_violations(page) == []
    results.get_by_role("link", name="KF6.IV.17").click()
    expect(page).to_have_url(re.compile(r"/KF6/#KF6\.IV\.17$"))


def test_a_member_adds_a_comment_without_reloading(page: Any, live_server: Any, cast: Any) -> None:
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("E-mail address").fill("member@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/o/{cast.customs.slug}/divisions/{cast.division.pk}/")
    page.get_by_role("textbox", name="Comment").fill("The port office needs a second examiner.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.locator("#comments")).to_contain_text("The port office needs a second examiner.")
    assert axe_violations(page) == []
    screenshot(page, "division-comments")
