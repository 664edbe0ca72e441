"""Real Chromium (Debian's package) driven by Playwright, against the live test server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules/axe-core/axe.min.js"
CHROMIUM = os.environ.get("ARUSHA_CHROMIUM", "/usr/bin/chromium")


class _OneRequestAtATime:
    """Serialises the live server's requests.

    The tests' SQLite database lives in memory, so every server thread shares the test's
    one connection. Two requests at once (an autosave still in flight while a form is
    submitted) would interleave their savepoints on it. A deployment gives each thread its
    own connection and needs none of this.
    """

    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(request.config.getvalue("liveserver") or "localhost", start=False)
    # django-stubs declare static_handler as type[WSGIHandler], but LiveServerThread.run()
    # only calls it with the application and serves whatever WSGI callable it returns.
    server.thread.static_handler = lambda app: _OneRequestAtATime(StaticFilesHandler(app))  # type: ignore[assignment]
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the browser lives;
    # the tests' own database calls stay synchronous, so Django's async guard is lifted
    # for the browser session only, and restored after it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    # Assertions wait as long as actions do: on a loaded 2-core machine a page that
    # renders a PDF or a large table can take longer than Playwright's 5 s default.
    expect.set_options(timeout=15000)
    # bypass_csp lets the test inject axe-core into pages whose policy refuses foreign scripts.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations on the current page, per axe-core."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
