"""The privacy of the reporters' pages: no cookie, no address, no plaintext anywhere it could stay.

The issue's numbers: a canary string in a report's text, identity and attachment appears
0 times in a full database dump, the media folder, the task tables and the logs; two
test addresses (and a user agent) never appear anywhere after a submission and a
receipt log-in, while rate limiting still trips.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import desk as make_desk
from tests.cases import signed_in
from tests.privacy import logging_everything, occurrences

from arusha.cases.models import Case
from arusha.cases.services.dialogue import staff_write
from arusha.cases.services.intake import Upload
from arusha.cases.tests.reporter import channel_url, followup_url, hidden, receipt_of, send_report, upload

ORG = "test-customs"
REPORTER = {
    "REMOTE_ADDR": "203.0.113.77",
    "HTTP_X_FORWARDED_FOR": "198.51.100.23",
    "HTTP_USER_AGENT": "Canary-Agent/1.0",
}
STRICT = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
)


@pytest.fixture(autouse=True)
def _fresh_limits(settings):  # type: ignore[no-untyped-def]
    caches["ephemeral"].clear()
    settings.ARUSHA_REPORT_SUBMISSIONS_PER_HOUR = 1000
    settings.ARUSHA_REPORT_RECEIPT_TRIES_PER_15_MINUTES = 1000
    settings.ARUSHA_REPORT_MESSAGES_PER_HOUR = 1000
    settings.ARUSHA_REPORT_FLOOD_PER_MINUTE = 1000


@pytest.fixture
def desk(cast):  # type: ignore[no-untyped-def]
    return make_desk(cast)


@pytest.fixture
def every_log(caplog) -> Iterator[pytest.LogCaptureFixture]:  # type: ignore[no-untyped-def]
    with logging_everything(caplog):
        yield caplog


def _no_cookie(response) -> None:  # type: ignore[no-untyped-def]
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response.headers


def _private_headers(response) -> None:  # type: ignore[no-untyped-def]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    policy = response["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in policy, directive
    assert "unsafe-inline" not in policy


def _walk_every_page(client: Client, desk, **extra: Any) -> list[Any]:  # type: ignore[no-untyped-def]
    """Every reporter page and answer: list, form, receipt, follow-up, dialogue, message, file, 404."""
    answers = [
        client.get(reverse("report-start", kwargs={"organization": ORG}), **extra),
        client.get(channel_url(ORG, "integrity"), **extra),
    ]
    sent = send_report(
        client,
        ORG,
        "integrity",
        q_where="Port",
        narrative="It happened.",
        files=[upload("a.txt", b"a")],
        **extra,
    )
    answers += [sent, client.get(followup_url(ORG), **extra)]
    opened = client.post(followup_url(ORG), {"receipt": receipt_of(sent)}, **extra)
    token = hidden(opened.content.decode(), "token")
    written = client.post(followup_url(ORG), {"token": token, "action": "write", "body": "More."}, **extra)
    with scopes_disabled():
        stored = Case.objects.get().files.get()
    download = client.post(followup_url(ORG), {"token": token, "action": "file", "file": stored.pk}, **extra)
    answers += [
        opened,
        written,
        download,
        client.post(followup_url(ORG), {"receipt": "1"}, **extra),
        client.post(channel_url(ORG, "integrity"), {"narrative": "no proof of work"}, **extra),
        client.get(channel_url(ORG, "nothing-here"), **extra),
        client.get("/report/nobody-at-all/", **extra),
        client.get(f"/report/{ORG}/follow-up/deeper/still", **extra),
    ]
    assert [a.status_code for a in answers] == [200] * 9 + [404, 404, 404]
    assert download["Content-Disposition"].startswith("attachment")
    return answers


def test_no_reporter_page_sets_a_cookie_and_all_are_private(client, desk) -> None:  # type: ignore[no-untyped-def]
    for response in _walk_every_page(client, desk):
        _no_cookie(response)
        _private_headers(response)
    assert not client.cookies


def test_someone_signed_in_gets_no_cookie_and_no_session_write_either(desk) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in(desk.officer)
    session_key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    with scopes_disabled():
        from django.contrib.sessions.models import Session

        before = Session.objects.get(session_key=session_key).session_data
    for response in _walk_every_page(browser, desk):
        _no_cookie(response)
        assert "Iris Officer" not in response.content.decode(errors="replace")
    assert Session.objects.get(session_key=session_key).session_data == before


def test_the_receipt_is_shown_in_the_page_never_in_an_address(client, desk) -> None:  # type: ignore[no-untyped-def]
    sent = send_report(client, ORG, "integrity", q_where="Port", narrative="It happened.")
    receipt = receipt_of(sent).replace(" ", "")
    assert sent.status_code == 200 and "Location" not in sent
    assert receipt not in sent.wsgi_request.get_full_path()
    page = sent.content.decode()
    assert "It is shown only this once." in page
    assert f"?{receipt}" not in page and f"/{receipt}" not in page


def test_a_canary_in_text_identity_and_attachment_appears_nowhere(  # type: ignore[no-untyped-def]
    client, desk, settings, every_log, django_capture_on_commit_callbacks
) -> None:
    # Tasks are kept as rows, as in production, so their table is part of the dump.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    canary = f"CANARY-{secrets.token_hex(8)}"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = send_report(
            client,
            ORG,
            "integrity",
            q_where=f"Gate {canary}",
            narrative=f"The officer {canary} asked for money.",
            name=f"Reporter {canary}",
            contact=f"{canary}@example.org",
            files=[upload(f"{canary}.txt", f"inside the file: {canary}".encode())],
        )
    assert not callbacks, "a submission queues no task, whose row would date it"
    opened = client.post(followup_url(ORG), {"receipt": receipt_of(sent)})
    token = hidden(opened.content.decode(), "token")
    client.post(
        followup_url(ORG),
        {
            "token": token,
            "action": "write",
            "body": f"More: {canary}",
            "files": [upload("b.txt", canary.encode())],
        },
    )
    with scopes_disabled():
        case = Case.objects.get()
    staff_write(
        desk.keyring(desk.officer),
        case,
        f"Answer {canary}",
        [Upload("c.txt", "text/plain", canary.encode())],
        internal=False,
    )
    from django_tasks_db.models import DBTaskResult

    from arusha.cases import timers

    # The daily check queues its notice of waiting reports: the task table has rows to search.
    timers.run(datetime.date.today())
    assert DBTaskResult.objects.exists(), "the task table is not empty"
    with scopes_disabled():
        assert case.files.count() == 3
    assert any(Path(django_settings.MEDIA_ROOT).rglob("*"))
    assert occurrences(canary, every_log) == {"database": 0, "media": 0, "logs": 0}
    # The check can fail: a plain value is found.
    with scopes_disabled():
        Case.objects.filter(pk=case.pk).update(reference=canary[:12])
    assert occurrences(canary[:12], every_log)["database"] == 1


def test_addresses_and_user_agent_appear_nowhere_while_rate_limits_trip(  # type: ignore[no-untyped-def]
    client, desk, settings, every_log
) -> None:
    settings.ARUSHA_REPORT_SUBMISSIONS_PER_HOUR = 2
    settings.ARUSHA_REPORT_RECEIPT_TRIES_PER_15_MINUTES = 3
    sent = [
        send_report(client, ORG, "integrity", q_where="Port", narrative="x", **REPORTER) for _ in range(3)
    ]
    assert [s.status_code for s in sent] == [200, 200, 429]
    receipt = receipt_of(sent[0])
    tries = [client.post(followup_url(ORG), {"receipt": receipt}, **REPORTER)]
    tries += [client.post(followup_url(ORG), {"receipt": "0000"}, **REPORTER) for _ in range(3)]
    assert [t.status_code for t in tries] == [200, 200, 200, 429]
    assert "Where it stands" in tries[0].content.decode()
    assert "Too many attempts" in tries[-1].content.decode()
    _private_headers(tries[-1])
    _no_cookie(tries[-1])
    # Another client is not held back, even behind the same forwarded address.
    elsewhere = {**REPORTER, "REMOTE_ADDR": "192.0.2.10"}
    assert client.post(followup_url(ORG), {"receipt": receipt}, **elsewhere).status_code == 200
    assert (
        send_report(client, ORG, "integrity", q_where="Port", narrative="x", **elsewhere).status_code == 200
    )
    for needle in ("203.0.113.77", "198.51.100.23", "Canary-Agent/1.0", "Canary-Agent"):
        assert occurrences(needle, every_log) == {"database": 0, "media": 0, "logs": 0}, needle


def test_the_organization_wide_flood_limit_stops_everyone(client, desk, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_REPORT_FLOOD_PER_MINUTE = 2
    answers = [
        send_report(client, ORG, "integrity", q_where="Port", narrative="x", REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(1, 4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    with scopes_disabled():
        assert Case.objects.count() == 2


def test_uploads_stay_in_memory_and_never_touch_the_disk(client, desk, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django's own handlers would spool this to disk
    data = secrets.token_bytes(3 * 1024 * 1024)
    sent = send_report(
        client, ORG, "integrity", q_where="Port", narrative="x", files=[upload("big.bin", data)]
    )
    assert "Your report was sent" in sent.content.decode()
    assert list(spool.iterdir()) == []
    with scopes_disabled():
        stored = Case.objects.get().files.get()
    assert stored.size == len(data)


def test_the_access_log_and_the_loggers_record_no_address_or_browser() -> None:
    procfile = Path(django_settings.PROJECT_DIR) / "Procfile"
    web = next(line for line in procfile.read_text().splitlines() if line.startswith("web:"))
    # The web server's access log leaves the reporters' pages out (test_access_log.py).
    assert "--logger-class arusha.gunicorn_logging.ArushaLogger" in web
    logging_settings: dict[str, Any] = django_settings.LOGGING
    formats = [str(f) for f in logging_settings.get("formatters", {}).values()]
    assert not any("REMOTE_ADDR" in f or "USER_AGENT" in f for f in formats)
