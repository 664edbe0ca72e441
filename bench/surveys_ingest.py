#!/usr/bin/env python3
"""Time ingest of 10,000 survey responses through the station API (issue 11: <= 10 s; replay <= 5 s).

Builds an administration with a survey, a published questionnaire of 60 Likert items,
an open wave and an enrolled station; encrypts 10,000 responses to the wave's key
before the clock starts (a tablet's work, not the server's); serves Arusha with
gunicorn (2 workers) in production settings; and times, in the same run:
- the floor: 200 batches to a bare Django view (what any request costs here);
- ingest: the 10,000 responses sent by two stations' worth of senders at once (2
  threads), in batches of 50, to POST /station/api/envelopes; every reply must say
  "stored";
- replay: the same 10,000 sent again; every reply must say "duplicate";
and checks the database then holds exactly 10,000 envelopes.

Run with PostgreSQL as the issue asks: `scripts/with-postgres .venv/bin/python bench/surveys_ingest.py`
(without DATABASE_URL it uses a temporary SQLite file). Environment: BENCH_RESPONSES
(default 10000), BENCH_BATCH (50), BENCH_PORT (8767), BENCH_INGEST_TARGET_S (10),
BENCH_REPLAY_TARGET_S (5). Exits with status 1 when a target is missed.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from serving import SERVED, gunicorn, production_environment, temporary_site

RESPONSES = int(os.environ.get("BENCH_RESPONSES", "10000"))
BATCH = int(os.environ.get("BENCH_BATCH", "50"))
PORT = int(os.environ.get("BENCH_PORT", "8767"))
INGEST_TARGET_S = float(os.environ.get("BENCH_INGEST_TARGET_S", "10"))
REPLAY_TARGET_S = float(os.environ.get("BENCH_REPLAY_TARGET_S", "5"))
ITEMS = 60

production_environment(**SERVED, ARUSHA_VAULT_KDF="min")
temporary_site("arusha-survey-ingest-bench-")


def seed() -> tuple[int, str, str]:
    """The wave, its public key and an enrolled station's token."""
    from django_scopes import scopes_disabled

    from arusha.core import services
    from arusha.core.models import OrganizationKind
    from arusha.core.permissions import PresetRole
    from arusha.surveys.models import (
        Choice,
        Item,
        ItemKind,
        QuestionnaireVersion,
        RespondentGroup,
        Special,
        Survey,
        VersionStatus,
        Wave,
    )
    from arusha.surveys.services.stations import station_create, station_enrol
    from arusha.surveys.services.waves import wave_open

    with scopes_disabled():
        org = services.organization_create(
            actor=None,
            slug="bench-surveys",
            name="Bench Surveys",
            kind=OrganizationKind.CUSTOMS,
            country="XA",
        )
        officer = services.user_create(email="officer@bench.example", full_name="Officer", password=None)
        services.membership_create(
            actor=None, organization=org, user=officer, roles=[PresetRole.INTEGRITY_OFFICER]
        )
        survey = Survey.objects.create(organization=org, title="Perception", slug="cips")
        RespondentGroup.objects.create(survey=survey, code="staff", labels={"en": "Staff"})
        version = QuestionnaireVersion.objects.create(
            survey=survey, number=1, title="Bench", languages=["en"], status=VersionStatus.PUBLISHED
        )
        for position, name in enumerate(["1", "2", "3", "4", "5", "98"]):
            Choice.objects.create(
                questionnaire=version,
                list_name="agree",
                name=name,
                position=position,
                labels={"en": name},
                special=Special.DONT_KNOW if name == "98" else "",
            )
        Item.objects.bulk_create(
            Item(
                questionnaire=version,
                name=f"q{n}",
                position=n,
                kind=ItemKind.LIKERT,
                factor=f"KF{n % 10 + 1}",
                choice_list="agree",
                labels={"en": f"Question {n}"},
            )
            for n in range(ITEMS)
        )
        wave = Wave.objects.create(survey=survey, name="Round 1", number=1, questionnaire=version)
        wave_open(wave, "a long bench passphrase", actor=officer)
        code = station_create(actor=officer, organization=org, name="Tablet 1", waves=[wave]).code
        enrolment = station_enrol(code)
        assert enrolment is not None
        return wave.pk, wave.public_key, enrolment.token


def envelopes(public_key: str) -> list[dict[str, str]]:
    from arusha.surveys.keys import digest, encrypt

    out = []
    for n in range(RESPONSES):
        response_id = str(uuid.uuid4())
        answers = {f"q{i}": str((n + i) % 5 + 1) for i in range(ITEMS)}
        body = {
            "response_id": response_id,
            "questionnaire": 1,
            "group": "staff",
            "language": "en",
            "answers": answers,
        }
        data = encrypt(public_key, body)
        out.append(
            {
                "response_id": response_id,
                "digest": digest(data),
                "ciphertext": base64.b64encode(data).decode(),
            }
        )
    return out


def post(path: str, token: str, body: bytes) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        result: dict[str, object] = json.loads(answer.read())
        return result


def send_all(wave: int, token: str, entries: list[dict[str, str]]) -> tuple[float, dict[str, int]]:
    bodies = [
        json.dumps({"wave": wave, "envelopes": entries[i : i + BATCH]}).encode()
        for i in range(0, len(entries), BATCH)
    ]
    counts: dict[str, int] = {}
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for reply in pool.map(lambda body: post("/station/api/envelopes", token, body), bodies):
            receipts = reply["receipts"]
            assert isinstance(receipts, list)
            for receipt in receipts:
                counts[receipt["outcome"]] = counts.get(receipt["outcome"], 0) + 1
    return time.perf_counter() - start, counts


def floor(cookie: str) -> float:
    start = time.perf_counter()
    for _ in range(RESPONSES // BATCH):
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/floor/", timeout=30).read()
    return time.perf_counter() - start


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from arusha.surveys.models import Envelope

    call_command("migrate", "--no-input", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    wave, public_key, token = seed()
    entries = envelopes(public_key)
    engine = os.environ["DATABASE_URL"].split(":", 1)[0]
    with gunicorn(PORT, "") as _server:
        floor_s = floor("")
        ingest_s, first = send_all(wave, token, entries)
        replay_s, second = send_all(wave, token, entries)
    with scopes_disabled():
        held = Envelope.objects.filter(wave_id=wave).count()
    print(
        f"\n{RESPONSES} responses of {ITEMS} answers, batches of {BATCH}, 2 senders, "
        f"gunicorn 2 workers, {engine}\n"
    )
    print(f"{'floor (bare view, same number of requests)':<44} {floor_s:6.2f} s")
    ok_ingest = ingest_s <= INGEST_TARGET_S and first == {"stored": RESPONSES}
    ok_replay = replay_s <= REPLAY_TARGET_S and second == {"duplicate": RESPONSES}
    print(
        f"{'ingest':<44} {ingest_s:6.2f} s  <= {INGEST_TARGET_S:.0f} s  {first}  "
        f"{'ok' if ok_ingest else 'MISSED'}"
    )
    print(
        f"{'replay':<44} {replay_s:6.2f} s  <= {REPLAY_TARGET_S:.0f} s  {second}  "
        f"{'ok' if ok_replay else 'MISSED'}"
    )
    print(f"{'envelopes held':<44} {held}")
    if not (ok_ingest and ok_replay and held == RESPONSES):
        sys.exit("Target missed.")


if __name__ == "__main__":
    main()
