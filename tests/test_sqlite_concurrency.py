"""The embedded SQLite default under simultaneous writes (issue 8: 20 saves, 0 errors, 0 lost).

Twenty people save an answer at the same instant through the real answer form, served
by gunicorn with threaded workers on a SQLite file, with the database options of
settings.py (WAL, busy timeout, IMMEDIATE transactions). Without those options most of
these saves answer 500 "database is locked" (NOTES-machine.md: 41 to 49 of 50).

The SQLite file is a copy of the migrated test database (running the migrations again
would take most of the time budget); people, a 20-question pack and an assessment are
written into it by a separate process, through the services, before the server starts.
It is about SQLite only: on the PostgreSQL run it is skipped.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAVES = 20
# The tests touch only the SQLite file, but the migrated test database they copy is
# created only for a session that has database tests.
pytestmark = pytest.mark.django_db

SEED = """
import datetime, json
import django
django.setup()
from django.test import Client
from arusha.assessments import services as assessment_services
from arusha.core import services
from arusha.frameworks.loader import parse_text
from arusha.frameworks.services import framework_load

questions = "".join(
    f"      - {{code: KF1.{n}, number: {n}, "
    f"text: {{en: Question {n}?, fr: Question {n} ?, es: ¿Pregunta {n}?}}}}\\n"
    for n in range(1, %(saves)d + 1)
)
pack = (
    "code: race-pack\\nversion: '1'\\nlanguages: [en, fr, es]\\n"
    "name: {en: Race, fr: Course, es: Carrera}\\nareas:\\n"
    "  - code: KF1\\n    kind: key_factor\\n    order: 1\\n"
    "    title: {en: Leadership, fr: Leadership, es: Liderazgo}\\n    questions:\\n" + questions
)
version, _ = framework_load(actor=None, parsed=parse_text(pack))
customs = services.organization_create(actor=None, slug="race-customs", name="Race Customs", kind="customs")
people = []
for n in range(%(saves)d):
    person = services.user_create(email=f"p{n}@race.example", full_name=f"Person {n}", password=None)
    services.membership_create(
        actor=None, organization=customs, user=person, roles=["administrator", "national_contact_point"]
    )
    people.append(person)
assessment = assessment_services.assessment_create(
    actor=people[0],
    organization=customs,
    title="Race",
    framework_version=version,
    mode=3,
    scope_kind="comprehensive",
    planned_start=datetime.date(2027, 1, 11),
    planned_end=datetime.date(2027, 3, 26),
)
cookies = []
for person in people:
    client = Client()
    client.force_login(person)
    cookies.append({name: morsel.value for name, morsel in client.cookies.items()})
print(json.dumps({"assessment": assessment.pk, "cookies": cookies}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def embedded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("about the embedded SQLite default; the PostgreSQL run has nothing to show here")
    home = tmp_path_factory.mktemp("embedded")
    database = home / "arusha.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        with sqlite3.connect(database) as copy:
            connection.connection.backup(copy)
        copy.close()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}},
        "ARUSHA_ENV": "test",
        "DATABASE_URL": f"sqlite:///{database}",
        "ARUSHA_MEDIA_ROOT": str(home / "media"),
        "ARUSHA_LOGIN_THROTTLE": "0",
        "DJANGO_SETTINGS_MODULE": "arusha.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    seeded = subprocess.run(
        [sys.executable, "-c", SEED % {"saves": SAVES}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr
    info: dict[str, Any] = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = _free_port()
    # The web process of `make run` (Procfile), with more threads than it has: every save
    # is in flight at once, so SQLite, not gunicorn's queue, decides who waits.
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "arusha.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            "2",
            "--threads",
            str(SAVES),
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                probe.request("GET", "/account/login/")
                probe.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
            finally:
                probe.close()
        yield {"port": port, "database": database, **info}
    finally:
        server.terminate()
        server.wait(timeout=20)


def _save(port: int, path: str, cookies: dict[str, str], body: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "X-CSRFToken": cookies["csrftoken"],
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_twenty_simultaneous_answer_saves_on_the_embedded_sqlite_lose_nothing(embedded) -> None:  # type: ignore[no-untyped-def]
    csrf = "embeddedsqliteconcurrencytoken32"  # a 32-character secret, sent as cookie and header
    start = threading.Barrier(SAVES)
    statuses: list[int] = [0] * SAVES

    def one(n: int) -> None:
        code = f"KF1.{n + 1}"
        body = urlencode(
            {
                "narrative": f"Answer {n}: the integrity unit checks the statements every year.",
                "exists": "yes",
                "designed": "yes",
                "implemented": "partly",
                "base_version": "0",
            }
        )
        path = f"/o/race-customs/assessments/{embedded['assessment']}/analysis/{code}/"
        start.wait()
        statuses[n] = _save(embedded["port"], path, embedded["cookies"][n] | {"csrftoken": csrf}, body)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(SAVES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert [s for s in statuses if not 200 <= s < 400] == []  # 0 errors
    with sqlite3.connect(embedded["database"]) as database:
        rows = database.execute(
            "SELECT narrative FROM assessments_response WHERE assessment_id = ? AND version > 0",
            (embedded["assessment"],),
        ).fetchall()
    database.close()
    assert sorted(r[0].split(":")[0] for r in rows) == sorted(f"Answer {n}" for n in range(SAVES))  # 0 lost


def test_the_embedded_database_runs_in_wal_mode(embedded) -> None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(embedded["database"]) as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    database.close()
