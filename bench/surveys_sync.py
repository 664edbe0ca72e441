#!/usr/bin/env python3
"""Sync 1,000 responses from a real survey station through a hostile network, over 10 seeds (issue 11).

The target: 0 lost and 0 duplicated, whatever the network does. Arusha is served by
gunicorn (2 workers) in production settings; the station is the real app in Debian's
Chromium (Playwright), enrolled like a tablet. For each seed:
- a new station is added and enrolled; 1,000 synthetic responses to the example
  questionnaire (arusha.surveys.synthetic) are sealed and queued on it by the kiosk's own
  encryption and storage (tests/browser/station_sync.py `queue`);
- the station synchronises (its own code: batches of 50, retries with back-off,
  verification) through a proxy made of Playwright routes on its envelopes and verify
  requests, which, drawn from the seeded RNG, drops requests before they reach the
  server, drops replies after the server committed, answers 500 without forwarding,
  delivers twice and reloads the page mid-sync: first each kind once, then one request
  in BENCH_SYNC_RATE (tests/browser/station_sync.py `HostileNetwork`);
- synchronisation runs again (as the app's own timer would) until the station shows
  every response verified.
Per seed it prints the envelopes sent (every attempt), the "stored" and "duplicate"
receipts the server made, the faults by kind, what was lost (queued on the station but
not held by the server) and duplicated (held more than once, or kept as a conflicting
re-send), and the time to queue and to synchronise.

Run with `.venv/bin/python bench/surveys_sync.py` (a temporary SQLite file), or through
scripts/with-postgres (as `make bench` does). Environment: BENCH_SYNC_RESPONSES (default
1000), BENCH_SYNC_SEEDS (10), BENCH_SYNC_RATE (0.35), BENCH_PORT (8768), ARUSHA_CHROMIUM
(/usr/bin/chromium). Exits with status 1 on any loss or duplicate.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import sys
import time
from collections import Counter
from typing import Any

from serving import ROOT, SERVED, gunicorn, production_environment, temporary_site

RESPONSES = int(os.environ.get("BENCH_SYNC_RESPONSES", "1000"))
SEEDS = int(os.environ.get("BENCH_SYNC_SEEDS", "10"))
RATE = float(os.environ.get("BENCH_SYNC_RATE", "0.35"))
PORT = int(os.environ.get("BENCH_PORT", "8768"))
CHROMIUM = os.environ.get("ARUSHA_CHROMIUM", "/usr/bin/chromium")

production_environment(**SERVED, ARUSHA_VAULT_KDF="min", ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE="0")
atexit.register(shutil.rmtree, temporary_site("arusha-survey-sync-bench-"), ignore_errors=True)
# Playwright's sync API keeps an event loop in this thread; the bench's own database
# calls stay synchronous, as in tests/browser/conftest.py.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The checkout, for tests/browser/station_sync.py: the bench drives the station as the tests do.
sys.path.insert(0, str(ROOT))


def seed() -> tuple[Any, Any]:
    """An administration, its integrity officer, and an open wave of the published example questionnaire."""
    from django_scopes import scopes_disabled

    from arusha.core import services
    from arusha.core.models import OrganizationKind
    from arusha.core.permissions import PresetRole
    from arusha.surveys.example import example_add
    from arusha.surveys.services.questionnaires import survey_create, version_publish, wave_create
    from arusha.surveys.services.waves import wave_open

    with scopes_disabled():
        org = services.organization_create(
            actor=None, slug="bench-sync", name="Bench Sync", kind=OrganizationKind.CUSTOMS, country="XA"
        )
        officer = services.user_create(email="officer@bench.example", full_name="Officer", password=None)
        services.membership_create(
            actor=None, organization=org, user=officer, roles=[PresetRole.INTEGRITY_OFFICER]
        )
        survey = survey_create(actor=officer, organization=org, title="Perception", slug="cips")
        version = version_publish(actor=officer, questionnaire=example_add(actor=officer, survey=survey))
        wave = wave_create(actor=officer, survey=survey, name="Round 1", questionnaire=version)
        wave = wave_open(wave, secrets.token_urlsafe(18), actor=officer)  # nothing opens its key here
    return officer, wave


def held(wave: Any, wanted: set[str]) -> tuple[int, int, int]:
    """Of the responses `wanted`: how many the server holds, in how many envelopes, with how many re-sends."""
    from django_scopes import scopes_disabled

    from arusha.surveys.models import Envelope, Resend

    with scopes_disabled():
        ids = [str(i) for i in Envelope.objects.filter(wave=wave).values_list("response_id", flat=True)]
        resends = Resend.objects.filter(envelope__wave=wave, envelope__response_id__in=wanted).count()
    mine = [i for i in ids if i in wanted]
    return len(set(mine)), len(mine), resends


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from playwright.sync_api import expect, sync_playwright
    from tests.browser.station_sync import (
        CHROMIUM_ARGS,
        KINDS,
        HostileNetwork,
        enrol,
        queue,
        records,
        sync_until_verified,
    )

    from arusha.surveys import synthetic
    from arusha.surveys.services.stations import station_create

    call_command("migrate", "--no-input", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    officer, wave = seed()
    engine = os.environ["DATABASE_URL"].split(":", 1)[0]
    expect.set_options(timeout=30000)
    print(
        f"\n{RESPONSES} responses a seed, {SEEDS} seeds, fault rate {RATE} after one of each kind; "
        f"gunicorn 2 workers, production settings, {engine}, Chromium {CHROMIUM}\n"
    )
    header = (
        f"{'seed':>4} {'sent':>6} {'stored':>6} {'dup.':>5}  "
        + " ".join(f"{kind:>12}" for kind in KINDS)
        + f" {'rounds':>6} {'lost':>4} {'dupl.':>5} {'queue s':>7} {'sync s':>7}"
    )
    print(header)
    failures = 0
    totals: Counter[str] = Counter()
    with gunicorn(PORT, "") as _server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for number in range(1, SEEDS + 1):
            code = station_create(
                actor=officer, organization=wave.survey.organization, name=f"Tablet {number}", waves=[wave]
            ).code
            payloads = synthetic.payloads(wave, RESPONSES, seed=number)
            wanted = {payload["response_id"] for payload in payloads}
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(30000)
            try:
                enrol(page, f"http://127.0.0.1:{PORT}/station/#enrol={code}")
                start = time.perf_counter()
                queue(page, wave.pk, payloads)
                queued_s = time.perf_counter() - start
                network = HostileNetwork(page, number, RATE)
                network.install()
                start = time.perf_counter()
                rounds = sync_until_verified(page, wave.pk, RESPONSES, network, rounds=200)
                sync_s = time.perf_counter() - start
                device = records(page)
            finally:
                context.close()
            distinct, rows, resends = held(wave, wanted)
            verified = {r["response_id"] for r in device if r["state"] == "verified" and r["whole"]}
            lost = len(wanted) - distinct + len(wanted - verified)
            duplicated = rows - distinct + resends + max(0, network.tally.stored - RESPONSES)
            tally = network.tally
            totals.update(tally.faults)
            failures += lost > 0 or duplicated != 0
            print(
                f"{number:>4} {tally.sent:>6} {tally.stored:>6} {tally.duplicates:>5}  "
                + " ".join(f"{tally.faults[kind]:>12}" for kind in KINDS)
                + f" {rounds:>6} {lost:>4} {duplicated:>5} {queued_s:>7.1f} {sync_s:>7.1f}"
            )
        browser.close()
    print(f"\nfaults injected: {dict(totals)}")
    if failures:
        sys.exit(f"{failures} of {SEEDS} seeds lost or duplicated responses.")
    print(f"0 lost, 0 duplicated over {SEEDS} seeds: ok")


if __name__ == "__main__":
    main()
