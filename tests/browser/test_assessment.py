"""A national contact point opens a self-assessment, invites a guest and sets up a working group."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_open_an_assessment_invite_a_guest_and_form_a_group(
    page: Any, live_server: Any, cast: Any, small_pack: Any
) -> None:
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("E-mail address").fill("owner@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/o/{cast.customs.slug}/")
    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill("Self-assessment 2027")
    page.get_by_label("Framework").select_option(label="small-pack 1")
    page.get_by_label("Mode (IDG Annex 4)").select_option("3")
    page.get_by_label("Scope").select_option("targeted")
    page.get_by_label("Areas left out (targeted assessments)").fill(
        "KF3: reviewed by the audit office in 2026"
    )
    page.get_by_label("Planned start").fill("2027-01-11")
    page.get_by_label("Planned end").fill("2027-03-26")
    page.get_by_role("button", name="Open the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment 2027")
    expect(page.get_by_role("main")).to_contain_text("reviewed by the audit office in 2026")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Participants").click()
    page.get_by_role("link", name="Invite a participant").click()
    page.get_by_label("E-mail address").fill("guest@other.example")
    page.get_by_label("IDG role").select_option("EF")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("table")).to_contain_text("Gina Guest")
    expect(page.get_by_role("table")).to_contain_text("guest")

    page.get_by_role("link", name="Working groups").click()
    page.get_by_role("link", name="New working group").click()
    page.get_by_label("Name").fill("Leadership group")
    page.get_by_label("KF1 Leadership").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Leadership group")
    expect(page.locator("main")).to_contain_text("KF2 Rules")  # still without a group
    assert axe_violations(page) == []

    page.get_by_role("link", name="Workplan").click()
    page.get_by_role("link", name=re.compile(r"^5\.3 ")).click()
    page.get_by_label("Start").fill("2027-02-01")
    page.get_by_label("Due").fill("2027-02-26")
    page.get_by_role("button", name="Save").click()
    bar = page.locator(".timeline-bar").first
    expect(bar).to_have_attribute("style", re.compile(r"left: \d"))
    screenshot(page, "assessment-workplan")
    assert axe_violations(page) == []
