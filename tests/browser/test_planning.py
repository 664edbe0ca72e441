"""An action plan's pages in real Chromium: an activity from a finding, rated, on the board."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_self_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finding_becomes_a_prioritized_activity(page: Any, live_server: Any, cast: Any, world: Any) -> None:
    _sign_in(page, live_server.url, "owner@test.example")
    page.goto(f"{live_server.url}/o/{cast.customs.slug}/plans/{world.plan.pk}/findings/")
    page.get_by_label("New activity").fill("Train the integrity unit to verify statements")
    page.get_by_role("button", name="Add the activity").click()
    expect(page.locator("main")).to_contain_text("Train the integrity unit to verify statements")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Train the integrity unit to verify statements").click()
    page.get_by_label("Importance").select_option("high")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_label("Cost").select_option("low")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the ratings").click()
    expect(page.locator(".messages")).to_contain_text("The priority is now: High.")
    expect(page.locator("tbody tr").first).to_contain_text("Train the integrity unit to verify statements")
    screenshot(page, "plan-board")
    assert axe_violations(page) == []
