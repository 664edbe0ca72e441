"""Driving the survey station's own code from a test: queue responses, sync through a hostile network.

Shared by tests/browser/test_survey_station.py, tests/browser/test_survey_sync_faults.py
and bench/surveys_sync.py. Nothing here reimplements the station: it calls the app's
own modules, which station.js loads as globals (`arushaCore`, station-core.js;
`arushaStore`, station-store.js; `arushaStation`, the app's test face):

- `queue(page, wave, payloads)` seals each payload with `arushaCore.seal` (the kiosk's
  encryption, made once per response) and stores it with the store's `transact` in one
  IndexedDB transaction, as the kiosk's submit does (station.js submitStation): a
  record {response_id, digest, ciphertext, wave, state: "queued"}. It is how a test
  puts a thousand responses on a station without a thousand walks through the kiosk.
- `records(page)` reads the device's records back, and checks in the page that each
  is whole (its digest is the SHA-256 of its ciphertext).
- `HostileNetwork` sits between the station and the server with Playwright's
  `page.route` on the envelopes and verify endpoints, and injects faults drawn from a
  seeded RNG: drop the request before it reaches the server, drop the reply after the
  server committed, answer 500 without forwarding, deliver twice (the station gets the
  second answer), and reload the page while the synchronisation runs.
- `sync_until_verified(page, ...)` runs the station's synchronisation
  (`arushaStation.sync()`, what the button and the timers call) until every response on
  the device is verified, as the app's five-minute timer would.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# The arguments of tests/browser/conftest.py's browser, for the persistent profiles launched here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

KINDS = ("drop_request", "drop_reply", "server_error", "twice", "reload")

_QUEUE = """async ([wave, payloads]) => {
  const config = JSON.parse(document.getElementById("station-config").textContent);
  const store = arushaStore.createStore(config, { t: (key) => key, busy: () => false });
  const pkg = await store.packageOf(wave);
  if (!pkg) throw new Error("no package for wave " + wave);
  for (const payload of payloads) {
    const sealed = await arushaCore.seal(pkg, payload);
    await store.transact(["responses"], "readwrite", (s) => {
      s.responses.add({ ...sealed, wave: pkg.wave.id, state: "queued" });
    });
  }
  return payloads.length;
}"""

_RECORDS = """async () => {
  const config = JSON.parse(document.getElementById("station-config").textContent);
  const store = arushaStore.createStore(config, { t: (key) => key, busy: () => false });
  const out = [];
  for (const record of await store.allResponses()) {
    const bytes = arushaCore.b64decode(record.ciphertext);
    out.push({
      response_id: record.response_id,
      wave: record.wave,
      state: record.state,
      digest: record.digest,
      whole: (await arushaCore.sha256Hex(bytes)) === record.digest,
      keys: Object.keys(record).sort(),
    });
  }
  return out;
}"""


def queue(page: Any, wave: int, payloads: list[dict[str, Any]]) -> int:
    """Seal and store `payloads` ({response_id, group, language, answers}) as the kiosk does."""
    count: int = page.evaluate(_QUEUE, [wave, payloads])
    return count


def records(page: Any) -> list[dict[str, Any]]:
    """The responses on the device: ID, wave, state, digest, whether whole, the record's keys."""
    found: list[dict[str, Any]] = page.evaluate(_RECORDS)
    return found


def counts(page: Any, wave: int) -> dict[str, int]:
    """The reconciliation counts of `wave` as the app computes them (queued, sent, verified, conflict)."""
    everything: dict[str, dict[str, int]] = page.evaluate("() => window.arushaStation.counts()")
    return everything.get(str(wave), {"queued": 0, "sent": 0, "verified": 0, "conflict": 0})


def crash(context: Any, page: Any) -> None:
    """Kill the browser at once (Chromium's own crash on its main thread): nothing is flushed or closed."""
    session = context.new_cdp_session(page)
    try:
        session.send("Browser.crash")
    except PlaywrightError:
        context.close()  # the browser died before it could answer: that is the point
    else:
        raise AssertionError("Chromium did not crash")


@dataclass
class Tally:
    """What went through the hostile network during one run."""

    requests: int = 0
    sent: int = 0  # envelopes the station put on the wire, every attempt counted
    stored: int = 0  # "stored" receipts the server made (seen by the station or not)
    duplicates: int = 0  # "duplicate" receipts the server made
    conflicts: int = 0
    rejected: int = 0
    faults: Counter[str] = field(default_factory=Counter)


class HostileNetwork:
    """A seeded proxy on the station's envelopes and verify requests (Playwright routes of `page`)."""

    ROUTES = ("**/station/api/envelopes", "**/station/api/verify")

    def __init__(self, page: Any, seed: int, rate: float = 0.35) -> None:
        self.page = page
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible draw of faults, not a secret
        self.rate = rate
        self.tally = Tally()
        # Every kind of fault happens in every run: first a shuffled deck of all of them,
        # one a request, then faults drawn at `rate`.
        self.deck = list(KINDS)
        self.rng.shuffle(self.deck)

    def install(self) -> None:
        for pattern in self.ROUTES:
            self.page.route(pattern, self._handle)

    def remove(self) -> None:
        for pattern in self.ROUTES:
            self.page.unroute(pattern, self._handle)

    def _forward(self, route: Any) -> Any:
        """Let the request reach the server (which commits), and count what it answered."""
        reply = route.fetch()
        if route.request.url.endswith("/envelopes") and reply.ok:
            for receipt in reply.json()["receipts"]:
                outcome = receipt["outcome"]
                self.tally.stored += outcome == "stored"
                self.tally.duplicates += outcome == "duplicate"
                self.tally.conflicts += outcome == "conflict"
                self.tally.rejected += outcome == "rejected"
        return reply

    def _handle(self, route: Any) -> None:
        self.tally.requests += 1
        if route.request.url.endswith("/envelopes"):
            self.tally.sent += len(route.request.post_data_json["envelopes"])
        if self.deck:
            kind = self.deck.pop()
        else:
            kind = self.rng.choice(KINDS) if self.rng.random() < self.rate else ""
        if kind:
            self.tally.faults[kind] += 1
        if kind == "drop_request":
            route.abort("connectionreset")
        elif kind == "server_error":
            route.fulfill(status=500, json={"error": "injected", "message": "injected server error"})
        elif kind == "drop_reply":
            self._forward(route)
            route.abort("connectionreset")
        elif kind == "twice":
            self._forward(route)
            route.fulfill(response=self._forward(route))
        elif kind == "reload":
            self._forward(route)
            route.abort("connectionreset")
            self.page.reload()
        else:
            route.fulfill(response=self._forward(route))


def sync_until_verified(
    page: Any, wave: int, expected: int, network: HostileNetwork, rounds: int = 60
) -> int:
    """Synchronise the station until `expected` responses of `wave` are verified; the rounds it took.

    A round is one `arushaStation.sync()`, what the app runs on its own when the network
    comes back and every five minutes: it sends what is queued (retrying with back-off),
    then verifies what is sent. A round stops early when a reload is injected (the page
    and its promise are gone); the next round starts on the reloaded page.
    """
    for done in range(1, rounds + 1):
        reloads = network.tally.faults["reload"]
        try:
            page.evaluate("() => window.arushaStation.sync()")
        except PlaywrightError:
            if network.tally.faults["reload"] == reloads:
                raise
        expect(page.locator("#app")).to_have_attribute("data-screen", "home")
        now = counts(page, wave)
        if now["verified"] == expected and now["queued"] == now["sent"] == now["conflict"] == 0:
            return done
    raise AssertionError(f"not all verified after {rounds} rounds: {counts(page, wave)}")


def enrol(page: Any, url: str) -> None:
    """Open the enrolment address on the tablet and wait for the supervisor's screen with its wave."""
    page.goto(url)
    expect(page.locator("#app")).to_have_attribute("data-screen", "home")
    expect(page.locator("#waves .start-wave")).to_be_visible()
