"""What the benchmarks share: production settings, sessions, a gunicorn server and its timings.

A benchmark script (run as `python bench/<name>.py`, so that bench/ is on its path) calls
`production_environment()` before Django is set up, seeds its data, and times its pages
through `gunicorn()`; bench/home.py and the scripts make their people's sessions with
`session_cookie()`.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

    from arusha.core.models import User

ROOT = Path(__file__).resolve().parents[1]

SERVED = {
    "ARUSHA_ALLOWED_HOSTS": "127.0.0.1",
    "ARUSHA_BENCH": "1",
    "ARUSHA_LOGIN_THROTTLE": "0",
    # The bench signs its people in with sessions it makes itself (`session_cookie`), not
    # through the sign-in pages, so it cannot pass a second factor; the check itself stays
    # on every request (its answer is kept in the session).
    "ARUSHA_MFA_ENFORCE": "0",
}
"""The settings of a bench served by gunicorn on loopback (with the floor view, /bench/floor/)."""


def production_environment(**settings: str) -> None:
    """Put src/ on the path and set production settings, with `settings` on top; before Django starts."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.update(
        ARUSHA_ENV="production",
        ARUSHA_SECRET_KEY=secrets.token_urlsafe(50),
        ARUSHA_SSL_REDIRECT="0",
        ARUSHA_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="arusha.settings",
        **settings,
    )


def temporary_site(prefix: str) -> Path:
    """A new temporary folder for static files, media and var, and for the database unless
    DATABASE_URL is set (then a SQLite file in it). Call it after `production_environment()`."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        ARUSHA_ALLOW_SQLITE="1",
        ARUSHA_STATIC_ROOT=str(folder / "static"),
        ARUSHA_MEDIA_ROOT=str(folder / "media"),
        ARUSHA_VAR_DIR=str(folder / "var"),
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    return folder


def session_cookie(user: User) -> str:
    """A session signed in as `user`, as a Cookie header's value (Django set up)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def query_count(client: Client, path: str) -> int:
    """How many queries the page at `path` makes, answered by Django in this process (it must be 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


@dataclass(frozen=True)
class Server:
    """Arusha served on a port of 127.0.0.1."""

    port: int

    def fetch(self, path: str, cookie: str) -> float:
        """Milliseconds to GET `path` with the session `cookie`."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers={"Cookie": cookie})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - start) * 1000

    def timed(self, path: str, cookie: str, requests: int) -> tuple[float, float]:
        """p50 and p95 in milliseconds of `requests` sequential GETs, after 10 that warm both workers."""
        for _ in range(10):
            self.fetch(path, cookie)
        samples = sorted(self.fetch(path, cookie) for _ in range(requests))
        return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


@contextmanager
def gunicorn(port: int, cookie: str) -> Iterator[Server]:
    """Arusha served by gunicorn (2 workers), once it answers the floor page (or after 10 s)."""
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "arusha.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )
    server = Server(port)
    try:
        for _ in range(100):
            try:
                server.fetch("/bench/floor/", cookie)
                break
            except OSError:
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
