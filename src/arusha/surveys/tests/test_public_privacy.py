"""Every public answer of surveys: no cookie, no-store, a strict CSP, no referrer, no trace of who asked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from tests.privacy import logging_everything, occurrences
from tests.surveys import envelope, field, payload

from arusha.surveys.services.invitations import invitations_create
from arusha.surveys.tests.station_support import tablet, wire
from arusha.surveys.views.station_privacy import station_public

pytestmark = pytest.mark.django_db

STRICT = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
)
VISITOR = {
    "REMOTE_ADDR": "203.0.113.77",
    "HTTP_X_FORWARDED_FOR": "198.51.100.23",
    "HTTP_USER_AGENT": "Canary-Agent/1.0",
}


def _private(response: Any) -> None:
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response.headers
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    policy = response["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in policy, directive
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def _every_answer(client: Client, f: Any, **extra: Any) -> list[Any]:  # type: ignore[no-untyped-def]
    """Each public URL, in its good and refused forms."""
    t = tablet(f)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {t.token}", **extra}
    org, wave = f.organization.slug, f.wave.pk
    sent = wire([envelope(f.wave, payload())])
    body = json.dumps({"wave": wave, "envelopes": sent})
    pairs = json.dumps({"wave": wave, "pairs": [{"response_id": sent[0]["response_id"], "digest": "0" * 64}]})
    json_post: dict[str, Any] = {"content_type": "application/json"}
    answers = [
        client.get(reverse("station-app"), **extra),
        client.get(reverse("station-worker"), **extra),
        client.get(reverse("station-webmanifest"), **extra),
        client.get("/station/nothing/here", **extra),
        client.post(reverse("station-api-enrol"), data='{"code": "wrong"}', **json_post, **extra),
        client.post(reverse("station-api-enrol"), data="{", **json_post, **extra),
        client.get(reverse("station-api-manifest"), **extra),
        client.get(reverse("station-api-manifest"), **auth),
        client.get(reverse("station-api-package", kwargs={"wave": wave}), **auth),
        client.get(reverse("station-api-package", kwargs={"wave": wave + 50}), **auth),
        client.post(reverse("station-api-envelopes"), data=body, **json_post, **auth),
        client.post(reverse("station-api-envelopes"), data="[]", **json_post, **auth),
        client.post(reverse("station-api-verify"), data=pairs, **json_post, **auth),
        client.get(reverse("online-survey", args=[org, wave]), **extra),
        client.get(reverse("online-survey", args=[org, wave + 50]), **extra),
        client.get(reverse("online-package", args=[org, wave]), **extra),
        client.post(
            reverse("online-submit", args=[org, wave]),
            data=json.dumps({"envelope": wire([envelope(f.wave, payload())])[0]}),
            **json_post,
            **extra,
        ),
        client.post(reverse("online-submit", args=[org, wave]), data="x", **json_post, **extra),
        client.get("/s/nobody/1/", **extra),
        client.get("/s/anything", **extra),
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [
        200,
        200,
        200,
        404,
        403,
        400,
        401,
        200,
        200,
        404,
        200,
        400,
        200,
        200,
        404,
        200,
        200,
        400,
        404,
        404,
    ]
    return answers


def test_no_public_answer_sets_a_cookie_and_all_are_private(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    for response in _every_answer(client, f):
        _private(response)
    assert not client.cookies


def test_someone_signed_in_gets_no_cookie_and_no_session_write(cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    browser = Client()
    browser.force_login(f.manager)
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    from django.contrib.sessions.models import Session

    before = Session.objects.get(session_key=key).session_data
    for response in _every_answer(browser, f, HTTP_ACCEPT_LANGUAGE="es"):
        _private(response)
        assert "Sara Surveys" not in response.content.decode(errors="replace")
    assert Session.objects.get(session_key=key).session_data == before


def test_the_service_worker_may_control_the_station_and_is_never_cached(client, cast) -> None:  # type: ignore[no-untyped-def]
    worker = client.get(reverse("station-worker"))
    assert worker["Service-Worker-Allowed"] == "/station/"
    assert worker["Content-Type"].startswith("text/javascript")
    text = worker.content.decode()
    assert text.startswith("self.ARUSHA_SHELL = ")
    shell = json.loads(text.split("\n", 1)[0][len("self.ARUSHA_SHELL = ") : -1])
    assert "/station/" in shell["assets"] and "/static/surveys/station.js" in shell["assets"]
    assert "skipWaiting" in text  # only on the page's message: see station.js applyUpdate()
    manifest = json.loads(client.get(reverse("station-webmanifest")).content)
    assert manifest["scope"] == "/station/" and manifest["display"] == "standalone"


def test_the_shell_has_no_inline_script_and_carries_its_sentences_as_data(client, cast) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("station-app")).content.decode()
    scripts = page.split("<script")[1:]
    assert all('src="' in s.split(">")[0] or 'type="application/json"' in s.split(">")[0] for s in scripts)
    assert '<script id="station-config" type="application/json">' in page
    assert 'rel="manifest" href="/station/manifest.webmanifest"' in page
    assert "csrfmiddlewaretoken" not in page


def test_a_view_that_writes_the_session_is_stopped(rf) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.backends.db import SessionStore

    @station_public()
    def writer(request: Any) -> Any:
        from django.http import HttpResponse

        request.session["seen"] = True
        return HttpResponse("x")

    request = rf.get("/station/")
    request.session = SessionStore()
    with pytest.raises(RuntimeError):
        writer(request)


@pytest.fixture
def every_log(caplog) -> Iterator[pytest.LogCaptureFixture]:  # type: ignore[no-untyped-def]
    with logging_everything(caplog):
        yield caplog


def _found_anywhere(needle: str, caplog: pytest.LogCaptureFixture) -> int:
    return sum(occurrences(needle, caplog).values())


def test_addresses_and_browsers_appear_nowhere_after_collecting(client, cast, every_log) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    _every_answer(client, f, **VISITOR)
    [token] = invitations_create(actor=f.manager, wave=f.wave, count=1, batch="B")
    answer = client.post(
        reverse("online-submit", args=[f.organization.slug, f.wave.pk]),
        data=json.dumps({"envelope": wire([envelope(f.wave, payload())])[0], "invitation": token}),
        content_type="application/json",
        **VISITOR,
    )
    assert answer.status_code == 200
    for needle in ("203.0.113.77", "198.51.100.23", "Canary-Agent"):
        assert _found_anywhere(needle, every_log) == 0, needle
    # The check can fail: a value written anywhere is found.
    assert _found_anywhere(f.wave.key_fingerprint, every_log) > 0
