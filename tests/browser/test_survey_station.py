"""A survey station from its QR code to the dashboard, in real Chromium (issue 11, "Done when").

An integrity officer adds the example questionnaire to a survey (smallest group shown:
5) and publishes it; the wave is opened with its passphrase; other tools already
brought in synthetic respondents of the large groups. The officer adds a station and
reads its enrolment address. The tablet, a browser of its own with a profile on disk
(so that a killed browser comes back with its IndexedDB and service worker), enrols,
passes the readiness check and collects respondents through the kiosk: language,
anonymity statement, group, every page of questions (a skip by relevance, "don't
know"), "thank you", and a full reset each time (a new page: nothing of the previous
respondent in the DOM or in memory, the same history length, empty session storage).

The network goes; the tablet collects from its service worker's cache. The browser is
killed while a respondent's answers are being saved ("Saving…"): back up, nothing of
that response is on the device. It is killed again as soon as the next respondent is
thanked: back up, that response is there, whole. Online again for a moment, the
synchronisation is cut after the server committed but before the station heard back,
and the browser is killed a third time: the station still counts those responses as
queued. One more respondent,
offline; the supervisor exports the unsent responses to a file, which the officer
uploads (one new, the others already held); back online, the station synchronises and
its reconciliation shows every response verified; the server holds each exactly once.
The custodian opens the wave's key (processing runs: every response accepted) and the
dashboard shows the groups, the carriers (two respondents, all from the station) as
"fewer than 5". axe-core finds no serious or critical violation on the readiness check,
the kiosk's screens, the reconciliation screen and the dashboard.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from arusha.core.permissions import PresetRole
from arusha.surveys import synthetic
from arusha.surveys.models import Envelope, Item, QuestionnaireVersion, Resend, Source, Wave
from arusha.surveys.services.questionnaires import survey_create, wave_create
from arusha.surveys.services.waves import wave_open
from tests.browser.conftest import CHROMIUM, axe_violations, screenshot
from tests.browser.station_sync import CHROMIUM_ARGS, crash, records
from tests.browser.test_self_assessment import PASSWORD, _sign_in
from tests.surveys import PASSPHRASE, person


def said(language: str, text: str) -> str:
    """What the station shows for `text` in `language` (its sentences come from the catalogues)."""
    with translation.override(language):
        return translation.gettext(text)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K = 5
# Respondents other tools brought in before (source "import"): the large groups only.
TOP_UP = {"staff": 12, "broker": 6, "importer": 6}
STATEMENT = {
    "en": "This survey is anonymous",
    "fr": "Cette enquête est anonyme",
    "es": "Esta encuesta es anónima",
}
RECORD_KEYS = ["ciphertext", "digest", "response_id", "state", "wave"]


@dataclass(frozen=True)
class Respondent:
    group: str
    language: str
    witnessed: bool = False  # "yes" to kf6_witnessed: kf6_reported is then asked (relevance)
    dont_know: str = ""  # an agreement item answered "don't know"


ONLINE = [
    Respondent("staff", "en", witnessed=True, dont_know="kf2_simple"),
    Respondent("carrier", "fr"),
    Respondent("broker", "es", dont_know="kf7_gifts"),
    Respondent("staff", "en"),
]
OFFLINE = [
    Respondent("importer", "fr"),
    Respondent("carrier", "en", witnessed=True),
    Respondent("staff", "es", dont_know="kf9_proud"),
    Respondent("broker", "en"),
    Respondent("staff", "fr"),
    Respondent("importer", "en"),
]
CRASHED_SAVING = Respondent("staff", "fr")  # the browser dies while their answers are saved
CRASHED_THANKED = Respondent("staff", "en", witnessed=True)  # ... and as soon as they are thanked
AFTER_CRASH = [Respondent("broker", "fr"), Respondent("staff", "en", dont_know="kf1_priority")]
LAST = Respondent("staff", "es")  # collected after the cut synchronisation: only the file carries it


def _value(who: Respondent, n: int, position: int, name: str, choices: str) -> str:
    if name == who.dont_know:
        return "98"
    if choices == "agree":
        return str(1 + (n + position) % 5)
    return {
        "service_years": "2-5",
        "age_band": ("18-29", "30-44", "45-59")[n % 3],
        "gender": ("woman", "man")[n % 2],
        "kf6_witnessed": "yes" if who.witnessed else "no",
        "kf6_reported": "no",
    }[name]


class Tablet:
    """The station: Chromium with its own profile on disk, launched, killed and launched again."""

    def __init__(self, browser: Any, url: str, profile: Path, items: dict[str, tuple[int, str]]) -> None:
        self.browser = browser
        self.url = url
        self.profile = profile
        self.items = items
        self.context: Any = None
        self.page: Any = None
        self.served = 0
        self.history = 0
        self.contexts: list[Any] = []

    def launch(self, *, offline: bool) -> Any:
        self.context = self.browser.browser_type.launch_persistent_context(
            str(self.profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            bypass_csp=True,  # axe-core is injected into the app's strict CSP
            viewport={"width": 1024, "height": 768},
            accept_downloads=True,
        )
        self.context.set_default_timeout(15000)
        self.context.set_offline(offline)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.contexts.append(self.context)
        return self.page

    def screen(self, name: str) -> None:
        expect(self.page.locator("#app")).to_have_attribute("data-screen", name)

    def open_kiosk(self) -> None:
        """Open the app on a tablet left in the kiosk: it checks itself again and welcomes the next person."""
        self.page.goto(self.url + reverse("station-app"))
        self.screen("welcome")
        self.history = self.page.evaluate("history.length")

    def relaunch_kiosk(self) -> Any:
        """Chromium started again on the same profile, with no network, and the app opened."""
        page = self.launch(offline=True)
        self.open_kiosk()
        return page

    def hand_over(self, *, axe: bool = False) -> None:
        """From the supervisor's screen, through the readiness check, to the kiosk."""
        page = self.page
        self.screen("home")
        page.locator("#waves .start-wave").click()
        self.screen("readiness")
        expect(page.locator("#hand-over")).to_be_enabled()
        # Headless Chromium never grants persistent storage: allowed on this server, as a warning.
        expect(page.locator('[data-check="persist"]')).to_have_attribute("data-state", "warn")
        for check in ("package", "storage", "encrypt", "space"):
            expect(page.locator(f'[data-check="{check}"]')).to_have_attribute("data-state", "pass")
        if axe:
            assert axe_violations(page) == []
            screenshot(page, "surveys-station-readiness")
        page.locator("#hand-over").click()
        self.screen("welcome")
        self.history = page.evaluate("history.length")

    def supervisor(self) -> None:
        self.page.locator("#handback").click()
        self.page.locator("#handback-yes").click()
        self.screen("home")

    def _next(self) -> None:
        heading = self.page.locator("#app h1").inner_text()
        self.page.locator("#next").click()
        expect(self.page.locator("#app h1")).not_to_have_text(heading)

    def answer(self, who: Respondent, *, axe: bool = False) -> None:
        """One respondent, from the language to the last page of questions."""
        page, n = self.page, self.served
        self.served += 1
        page.locator(f'[data-language="{who.language}"]').click()
        self.screen("statement")
        expect(page.locator("#anonymity-statement")).to_contain_text(STATEMENT[who.language])
        if axe:
            assert axe_violations(page) == []
        page.locator("#statement-accept").click()
        self.screen("group")
        if axe:
            assert axe_violations(page) == []
        page.locator(f'[id="group-{who.group}"]').check()
        self._next()
        skipped = []
        while page.locator("#app").get_attribute("data-screen") == "questions":
            names = page.locator("fieldset[data-item]").evaluate_all("els => els.map((e) => e.dataset.item)")
            for name in names:
                if page.locator(f'[id="item-{name}"]').is_hidden():
                    skipped.append(name)  # not relevant, given the answers so far
                    continue
                position, choices = self.items[name]
                page.locator(f'[id="input-{name}-{_value(who, n, position, name, choices)}"]').check()
            if axe and "kf6_witnessed" in names:
                assert axe_violations(page) == []
                screenshot(page, "surveys-station-questions")
            self._next()
        self.screen("submit")
        assert skipped == ([] if who.witnessed else ["kf6_reported"])
        if axe:
            assert axe_violations(page) == []

    def collect(self, who: Respondent, *, axe: bool = False) -> None:
        """One respondent, sent, thanked, and the kiosk reset for the next."""
        page = self.page
        self.answer(who, axe=axe)
        page.locator("#submit").click()
        self.screen("thanks")
        # The thanks are in the respondent's language (the app's sentences come translated).
        expect(page.locator("#app h1")).to_have_text(said(who.language, "Thank you"))
        if axe:
            assert axe_violations(page) == []
        page.evaluate("window.previousRespondent = true")
        page.locator("#finish").click()
        self.screen("welcome")
        if axe:
            assert axe_violations(page) == []
            screenshot(page, "surveys-station-welcome")
        # A new page: nothing of the previous respondent in memory, the DOM, history or storage.
        left = page.evaluate(
            """() => ({
              memory: window.previousRespondent === true,
              answering: window.arushaStation.answering(),
              fields: document.querySelectorAll("input, textarea, [data-item]").length,
              session: sessionStorage.length,
              history: history.length,
              address: location.pathname + location.search + location.hash,
            })"""
        )
        assert left == {
            "memory": False,
            "answering": False,
            "fields": 0,
            "session": 0,
            "history": self.history,
            "address": reverse("station-app"),
        }

    def reconciliation(self, wave: int) -> dict[str, str]:
        row = self.page.locator(f'#reconciliation tr[data-wave="{wave}"]')
        return {state: row.locator(f'td[data-state="{state}"]').inner_text() for state in RECORD_STATES}


RECORD_STATES = ("queued", "sent", "verified", "conflict")


# Another connection to the station's database keeps a write transaction on the responses
# open (it keeps asking for their count): the kiosk's own write waits behind it.
_HOLD = """async () => {
  const config = JSON.parse(document.getElementById("station-config").textContent);
  const store = arushaStore.createStore(config, { t: (key) => key, busy: () => false });
  await new Promise((held) => {
    store.transact(["responses"], "readwrite", (s) => {
      const spin = () => { s.responses.count().onsuccess = spin; };
      s.responses.count().onsuccess = () => { held(); spin(); };
      return new Promise(() => {});
    });
  });
}"""


def hold_database(page: Any) -> None:
    page.evaluate(_HOLD)


def _said(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def test_a_station_collects_offline_survives_crashes_and_reaches_the_dashboard(
    page: Any, browser: Any, live_server: Any, cast: Any, settings: Any, tmp_path: Path
) -> None:
    settings.ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE = False
    url, org = live_server.url, cast.customs.slug
    manager = person(cast, "surveys@test.example", "Sara Surveys", [PresetRole.INTEGRITY_OFFICER])
    custodian = person(cast, "keys@test.example", "Kofi Keys", [PresetRole.CUSTODIAN])
    for user in (manager, custodian):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    survey = survey_create(
        actor=manager, organization=cast.customs, title="Integrity perception", slug="cips", minimum_cell=K
    )

    # 1. The officer adds the example questionnaire and publishes it.
    _sign_in(page, url, "surveys@test.example")
    page.goto(url + reverse("survey-detail", args=[org, survey.pk]))
    page.get_by_role("button", name="Add the example questionnaire").click()
    _said(page, "The example questionnaire is added as version 1, a draft.")
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Publish").click()
    _said(page, "Version 1 is published.")
    with scopes_disabled():
        version = QuestionnaireVersion.objects.get(survey=survey, number=1)
        items = {
            name: (position, choices)
            for position, (name, choices) in enumerate(
                Item.objects.filter(questionnaire=version)
                .exclude(kind="note")
                .order_by("position")
                .values_list("name", "choice_list")
            )
        }
    # The wave is opened with its passphrase; other tools brought in the large groups.
    wave: Wave = wave_create(actor=manager, survey=survey, name="Round 2026", questionnaire=version)
    wave_open(wave, PASSPHRASE, actor=manager)
    for seed, (group, count) in enumerate(TOP_UP.items()):
        bodies = synthetic.payloads(wave, count, seed=seed, groups=[group])
        synthetic.write_responses(wave, bodies, source=Source.IMPORT)

    # 2. The officer adds a station and reads its enrolment address.
    page.goto(url + reverse("station-list", args=[org]))
    page.get_by_role("link", name="Add a station").click()
    page.get_by_label("Name", exact=True).fill("Tablet 3, port office")
    page.get_by_label("Integrity perception · Round 2026").check()
    page.get_by_role("button", name="Add and show the QR code").click()
    expect(page.locator("#enrol-qr svg")).to_be_visible()
    enrol_url = page.locator("#enrol-url").inner_text().strip()
    assert enrol_url.startswith(url + reverse("station-app") + "#enrol=")

    # 3. The tablet enrols, passes the readiness check and collects, online first.
    tablet = Tablet(browser, url, tmp_path / "tablet-profile", items)
    try:
        station = tablet.launch(offline=False)
        station.goto(enrol_url)
        tablet.screen("home")
        expect(station.locator("#home-status")).to_contain_text("Tablet 3, port office")
        assert "#enrol" not in station.url
        tablet.hand_over(axe=True)
        for n, who in enumerate(ONLINE):
            tablet.collect(who, axe=n == 0)
        # The kiosk's page now comes from the service worker, which the network is not needed for.
        station.wait_for_function("navigator.serviceWorker.controller !== null")

        # 4. No network: the kiosk goes on from the cache.
        tablet.context.set_offline(True)
        for who in OFFLINE:
            tablet.collect(who)
        assert {r["state"] for r in records(station)} == {"queued"}

        # 5. The browser dies while a response is being saved: it is not on the device, and
        # nothing of it is. The test keeps the device's database busy so that the save
        # cannot finish before the crash ("Saving…" stays on the screen).
        before = len(ONLINE) + len(OFFLINE)
        tablet.answer(CRASHED_SAVING)
        hold_database(station)
        station.locator("#submit").click()
        expect(station.locator("#submit-status")).to_have_text(said(CRASHED_SAVING.language, "Saving…"))
        crash(tablet.context, station)
        station = tablet.relaunch_kiosk()
        kept = records(station)
        assert len(kept) == before
        assert all(r["whole"] and r["state"] == "queued" and r["keys"] == RECORD_KEYS for r in kept), kept
        # It dies again as soon as "Thank you" shows: that response is on the device, whole.
        tablet.answer(CRASHED_THANKED)
        station.locator("#submit").click()
        tablet.screen("thanks")
        crash(tablet.context, station)
        station = tablet.relaunch_kiosk()
        thanked = [r for r in records(station) if r["response_id"] not in {k["response_id"] for k in kept}]
        assert len(thanked) == 1 and thanked[0]["whole"] and thanked[0]["state"] == "queued", thanked
        for who in AFTER_CRASH:
            tablet.collect(who)

        # 6. Online for a moment: the server commits the batch, the reply is lost, the browser dies.
        tablet.supervisor()
        committed: list[dict[str, Any]] = []

        def reply_lost(route: Any) -> None:
            committed.append(route.fetch().json())
            route.abort("connectionreset")

        tablet.context.route("**/station/api/envelopes", reply_lost)
        with station.expect_event("requestfailed", lambda r: r.url.endswith("/station/api/envelopes")):
            tablet.context.set_offline(False)
            station.locator("#sync").click()
        crash(tablet.context, station)
        queued = before + 1 + len(AFTER_CRASH)
        assert [receipt["outcome"] for receipt in committed[0]["receipts"]] == ["stored"] * queued

        station = tablet.launch(offline=True)
        station.goto(url + reverse("station-app"))
        tablet.screen("home")
        # The station never heard back: for it, nothing was sent.
        assert tablet.reconciliation(wave.pk) == {
            "queued": str(queued),
            "sent": "0",
            "verified": "0",
            "conflict": "0",
        }
        tablet.hand_over()
        tablet.collect(LAST)
        total = queued + 1
        tablet.supervisor()

        # 7. The unsent responses go to a file; the officer uploads it.
        with station.expect_download() as download:
            station.locator("#export").click()
        bundle_path = Path(download.value.path())
        name = f"arusha-survey-{wave.pk}-{datetime.date.today():%Y%m%d}-1.json"
        assert download.value.suggested_filename == name
        expect(station.locator("#home-status")).to_have_text(
            f"{total} responses written to {name}. Nothing was removed from this device."
        )
        bundle = json.loads(bundle_path.read_text())
        wave.refresh_from_db()
        assert {key: value for key, value in bundle.items() if key != "envelopes"} == {
            "format": "arusha-survey-bundle",
            "version": 1,
            "wave": wave.pk,
            "fingerprint": wave.key_fingerprint,
        }
        on_device = records(station)
        ids = {r["response_id"] for r in on_device}
        assert len(ids) == total and {e["response_id"] for e in bundle["envelopes"]} == ids
        page.goto(url + reverse("wave-upload", args=[org, wave.pk]))
        page.get_by_label("File:", exact=True).set_input_files(bundle_path)
        page.get_by_role("button", name="Upload").click()
        _said(
            page,
            f"The file is uploaded: 1 response stored; {total - 1} already held (duplicates); "
            "0 conflicting re-sends kept for review.",
        )

        # 8. Online again, the station synchronises by itself: every response verified, on its screen.
        tablet.context.set_offline(False)
        expect(station.locator("#home-status")).to_have_text(f"Synchronised: {total} sent, {total} verified.")
        assert tablet.reconciliation(wave.pk) == {
            "queued": "0",
            "sent": "0",
            "verified": str(total),
            "conflict": "0",
        }
        assert axe_violations(station) == []
        screenshot(station, "surveys-station-reconciliation")
    finally:
        for context in tablet.contexts:
            context.close()

    # The server holds each response exactly once: the file and the synchronisation sent the same IDs.
    with scopes_disabled():
        held = list(
            Envelope.objects.filter(wave=wave)
            .exclude(source=Source.IMPORT)
            .values_list("response_id", "source")
        )
        assert not Resend.objects.filter(envelope__wave=wave).exists()
    assert sorted(str(response_id) for response_id, _source in held) == sorted(ids)
    assert sorted(source for _id, source in held) == [Source.BUNDLE] + [Source.STATION] * (total - 1)

    # 9. The custodian opens the key: every station response is opened and accepted.
    custodian_page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    try:
        _sign_in(custodian_page, url, "keys@test.example")
        custodian_page.goto(url + reverse("wave-key", args=[org, wave.pk]))
        custodian_page.get_by_label("The wave's passphrase").fill(PASSPHRASE)
        custodian_page.get_by_role("button", name="Open the key and process").click()
        expect(custodian_page.locator("#background-job")).to_contain_text(
            f"Opened: {total} accepted, 0 quarantined."
        )
    finally:
        custodian_page.context.close()

    # 10. The dashboard: the carriers (two, both from the station) are fewer than 5.
    page.goto(url + reverse("wave-results", args=[org, wave.pk]))
    staff = TOP_UP["staff"] + sum(
        who.group == "staff" for who in [*ONLINE, *OFFLINE, CRASHED_THANKED, *AFTER_CRASH, LAST]
    )
    heat = page.locator("table.survey-heat")
    carriers = heat.locator("tbody tr").filter(
        has=page.locator("th", has_text="Carrier or transport operator")
    )
    expect(carriers.locator("td")).to_have_text(["fewer than 5"] * 11)
    staff_details = page.locator("details").filter(has=page.locator("summary", has_text="Customs staff"))
    staff_details.locator("summary").click()
    overall = staff_details.locator("tbody tr").filter(has=page.locator("th", has_text="Overall"))
    expect(overall.locator("td").nth(1)).to_have_text(str(staff))
    assert axe_violations(page) == []
    screenshot(page, "surveys-station-dashboard")
