"""The survey station's life between respondents, in real Chromium (issue 11).

- An update of the app never strands a queued response: a new release (another shell
  version, so other service-worker bytes) is found while a respondent is answering; the
  new worker installs and WAITS, the respondent's page is left alone; after "Thank you"
  and "Finish" the new worker takes over, and every response on the device is still
  there, whole, in the state it was in, and then synchronises.
- A respondent who walks away is timed out (Playwright's fake clock): the warning, then
  the kiosk is back at its start and nothing of the unfinished answers is kept.
- The online survey with a single-use invitation: answered once through the same app,
  stored as an "online" envelope, no cookie; the same link again, or no link at all, is
  refused.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from arusha.surveys import synthetic
from arusha.surveys.models import Envelope, Source
from arusha.surveys.services.invitations import invitations_create
from arusha.surveys.services.stations import station_create
from arusha.surveys.views import station_views
from tests.browser.station_sync import counts, enrol, queue, records
from tests.surveys import envelope, field, payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_VERSION = "v2-lifecycle-test"
SHELL_CACHE = "arusha-station-shell-"
IDLE_ANSWER = "The answer that walks away"

# The station's registration, as the page sees it: which workers it has, and the shell caches.
_WORKERS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return {
    waiting: registration.waiting ? registration.waiting.state : null,
    installing: registration.installing !== null,
    active: registration.active ? registration.active.state : null,
    controlled: navigator.serviceWorker.controller !== null,
    caches: (await caches.keys()).filter((key) => key.startsWith("arusha-station-shell-")).sort(),
  };
}"""


def _screen(page: Any, name: str) -> None:
    expect(page.locator("#app")).to_have_attribute("data-screen", name)


def _kiosk(page: Any, url: str, code: str) -> None:
    """Enrol a fresh tablet, wait until its service worker controls it, and hand it to respondents."""
    enrol(page, url + reverse("station-app") + "#enrol=" + code)
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _hand_over(page: Any) -> None:
    _screen(page, "home")
    page.locator("#waves .start-wave").click()
    _screen(page, "readiness")
    expect(page.locator("#hand-over")).to_be_enabled()
    page.locator("#hand-over").click()
    _screen(page, "welcome")


def _start(page: Any, group: str) -> None:
    """A respondent picks English, accepts the statement and their group: the questions show."""
    page.locator('[data-language="en"]').click()
    _screen(page, "statement")
    page.locator("#statement-accept").click()
    _screen(page, "group")
    page.locator(f'[id="group-{group}"]').check()
    page.locator("#next").click()
    _screen(page, "questions")


def test_an_update_waits_for_the_respondent_and_strands_no_queued_response(
    page: Any, live_server: Any, cast: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE = False
    f = field(cast)
    wave = f.wave.pk
    tablet = station_create(actor=f.manager, organization=f.organization, name="Tablet 5", waves=[f.wave])
    earlier, later = synthetic.payloads(f.wave, 2, seed=1), synthetic.payloads(f.wave, 3, seed=2)
    old_version = station_views.shell_version()
    _kiosk(page, live_server.url, tablet.code)
    assert page.evaluate("window.arushaStation.version") == old_version
    # Chromium's own view of the workers (DevTools protocol): which version is the old one.
    versions: dict[str, str] = {}
    devtools = page.context.new_cdp_session(page)
    devtools.on(
        "ServiceWorker.workerVersionUpdated",
        lambda event: versions.update({v["versionId"]: v["status"] for v in event["versions"]}),
    )
    devtools.send("ServiceWorker.enable")

    # Responses in two states on the device: two already verified, three still queued.
    queue(page, wave, earlier)
    page.locator("#sync").click()
    expect(page.locator("#home-status")).to_have_text("Synchronised: 2 sent, 2 verified.")
    [old_worker] = [version for version, status in versions.items() if status == "activated"]
    queue(page, wave, later)
    before = {r["response_id"]: r["state"] for r in records(page)}
    assert sorted(before.values()) == ["queued"] * 3 + ["verified"] * 2
    assert counts(page, wave) == {"queued": 3, "sent": 0, "verified": 2, "conflict": 0}

    # A respondent starts answering; meanwhile a new release is deployed and found.
    _hand_over(page)
    _start(page, "staff")
    page.evaluate("window.sameRespondentPage = true")
    monkeypatch.setattr(station_views, "shell_version", lambda: NEW_VERSION)
    # The page's registration object follows its workers' states (wait_for_function wants a plain value).
    page.evaluate(
        "navigator.serviceWorker.getRegistration()"
        ".then((r) => { window.stationRegistration = r; return r.update(); })"
    )
    page.wait_for_function(
        "window.stationRegistration.waiting !== null && window.stationRegistration.installing === null"
    )
    # The new worker is installed and waiting; the old one still runs the respondent's page.
    assert page.evaluate(_WORKERS) == {
        "waiting": "installed",
        "installing": False,
        "active": "activated",
        "controlled": True,
        "caches": sorted([SHELL_CACHE + old_version, SHELL_CACHE + NEW_VERSION]),
    }
    page.locator("#input-kf1_fair-3").check()
    page.locator("#next").click()
    _screen(page, "submit")
    page.locator("#submit").click()
    _screen(page, "thanks")
    # Still the same page (never reloaded under the respondent), still the old version, still waiting.
    assert page.evaluate("[window.sameRespondentPage, window.arushaStation.version]") == [True, old_version]
    assert page.evaluate(_WORKERS)["waiting"] == "installed"

    # "Finish": between respondents, the app asks the new worker to take over. In some runs
    # Chromium holds the new worker back while the old one still counts as busy, until the
    # old one stops; Chromium stops an idle worker after about 30 s, but keeps one with a
    # debugger attached (Playwright's) running: the test stops it, as the browser would.
    page.locator("#finish").click()
    _screen(page, "welcome")
    if versions[old_worker] == "activated":
        devtools.send("ServiceWorker.stopWorker", {"versionId": old_worker})
    page.wait_for_function(f"window.arushaStation && window.arushaStation.version === {NEW_VERSION!r}")
    _screen(page, "welcome")
    assert page.evaluate(_WORKERS) == {
        "waiting": None,
        "installing": False,
        "active": "activated",
        "controlled": True,
        "caches": [SHELL_CACHE + NEW_VERSION],
    }
    after = records(page)
    assert all(r["whole"] for r in after), after
    assert {r["response_id"]: r["state"] for r in after if r["response_id"] in before} == before
    [new] = [r for r in after if r["response_id"] not in before]
    assert new["state"] == "queued"
    assert counts(page, wave) == {"queued": 4, "sent": 0, "verified": 2, "conflict": 0}

    # Back on the supervisor's screen, they all synchronise.
    page.locator("#handback").click()
    page.locator("#handback-yes").click()
    _screen(page, "home")
    page.locator("#sync").click()
    expect(page.locator("#home-status")).to_contain_text("Synchronised: 4 sent")
    assert counts(page, wave) == {"queued": 0, "sent": 0, "verified": 6, "conflict": 0}
    row = page.locator(f'#reconciliation tr[data-wave="{wave}"]')
    expect(row.locator('td[data-state="verified"]')).to_have_text("6")
    with scopes_disabled():
        held = {str(i) for i in Envelope.objects.filter(wave=f.wave).values_list("response_id", flat=True)}
    assert held == {r["response_id"] for r in after}


def test_an_idle_respondent_is_timed_out_and_nothing_is_kept(
    page: Any, live_server: Any, cast: Any, settings: Any
) -> None:
    settings.ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE = False
    f = field(cast)
    wave = f.wave.pk
    tablet = station_create(actor=f.manager, organization=f.organization, name="Tablet 6", waves=[f.wave])
    page.clock.install()
    _kiosk(page, live_server.url, tablet.code)
    queue(page, wave, synthetic.payloads(f.wave, 2, seed=3))
    kept = records(page)
    before = counts(page, wave)
    assert before == {"queued": 2, "sent": 0, "verified": 0, "conflict": 0}
    _hand_over(page)

    # A respondent answers, then walks away.
    _start(page, "broker")
    page.locator("#input-kf3_bribe-5").check()
    page.locator("#input-kf3_why").fill(IDLE_ANSWER)
    expect(page.locator("#input-kf3_why")).to_have_value(IDLE_ANSWER)
    page.evaluate("window.sameRespondentPage = true")
    page.clock.fast_forward("02:31")
    expect(page.locator("#idle-title")).to_have_text("Are you still there?")
    expect(page.locator("#idle-text")).to_have_text(
        re.compile(r"^Your unfinished answers will be discarded in \d+ seconds\.$")
    )
    _screen(page, "questions")
    page.clock.fast_forward("00:31")

    # The kiosk started again, on a new page, and kept nothing of the unfinished answers.
    _screen(page, "welcome")
    expect(page.locator("#idle-title")).to_have_count(0)
    left = page.evaluate(
        """(answer) => ({
          memory: window.sameRespondentPage === true,
          answering: window.arushaStation.answering(),
          fields: document.querySelectorAll("input, textarea, [data-item]").length,
          text: document.documentElement.outerHTML.includes(answer),
          session: sessionStorage.length,
        })""",
        IDLE_ANSWER,
    )
    assert left == {"memory": False, "answering": False, "fields": 0, "text": False, "session": 0}
    assert counts(page, wave) == before
    assert records(page) == kept


def test_an_invitation_answers_online_once(page: Any, live_server: Any, cast: Any, settings: Any) -> None:
    settings.ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE = False
    f = field(cast)
    [token] = invitations_create(actor=f.manager, wave=f.wave, count=1, batch="Lifecycle")
    address = live_server.url + reverse(
        "online-survey", kwargs={"organization": f.organization.slug, "wave": f.wave.pk}
    )
    submit = live_server.url + reverse(
        "online-submit", kwargs={"organization": f.organization.slug, "wave": f.wave.pk}
    )

    # The invitation's link opens the same app, which takes the token out of the address.
    page.goto(f"{address}?t={token}")
    _screen(page, "welcome")
    assert "t=" not in page.url
    expect(page.locator("#handback")).to_have_count(0)
    _start(page, "importer")
    page.locator("#input-kf1_fair-99").check()
    page.locator("#next").click()
    _screen(page, "submit")
    page.locator("#submit").click()
    _screen(page, "thanks")
    expect(page.locator("#app h1")).to_have_text("Thank you")
    expect(page.locator("#app")).to_contain_text("Your answers were received.")
    assert page.context.cookies() == []
    assert page.evaluate("sessionStorage.length") == 0
    with scopes_disabled():
        assert list(Envelope.objects.filter(wave=f.wave).values_list("source", flat=True)) == [Source.ONLINE]

    # The same link again: refused, the invitation is spent.
    again = page.context.new_page()
    again.goto(f"{address}?t={token}")
    _screen(again, "refused")
    expect(again.locator("#app")).to_contain_text("This invitation has already been used.")

    # No invitation at all: the page refuses, and so does the server when answers come anyway.
    without = page.context.new_page()
    without.goto(address)
    _screen(without, "refused")
    expect(without.locator("#app")).to_contain_text("This survey is answered by invitation only.")
    body = payload(group="staff")
    sealed = envelope(f.wave, body)
    reply = without.request.post(
        submit,
        data={
            "envelope": {
                "response_id": body["response_id"],
                "digest": sealed.digest,
                "ciphertext": base64.b64encode(sealed.ciphertext).decode(),
            }
        },
    )
    assert reply.status == 403 and reply.json()["error"] == "invitation_needed"
    assert page.context.cookies() == []
    with scopes_disabled():
        assert Envelope.objects.filter(wave=f.wave).count() == 1
