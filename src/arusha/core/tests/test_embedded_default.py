"""The embedded default as `make run` serves it: friendly error pages, DEBUG off, static
files through WhiteNoise, and a production start that refuses to run on SQLite by accident."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[4]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_missing_page_is_explained_in_the_layout_of_the_site(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    response = client.get("/o/test-customs/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and 'class="topbar"' in page and "Go to the home page" in page


def test_the_server_error_page_needs_neither_the_database_nor_the_request() -> None:
    # No `db` fixture: any query here would fail the test.
    request = RequestFactory().get("/")
    response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page and "What you saved before is safe." in page
    assert "Traceback" not in page and 'href="/static/arusha/app.css"' in page


def test_a_refused_action_is_explained_with_a_403_page(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)  # answers the areas of group A (KF1, KF2) only
    url = reverse("assessment-response", args=[cast.customs.slug, world.assessment.pk, "KF3.1"])
    response = client.post(url, {"narrative": "Not mine to answer.", "base_version": "0"})
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()


def test_an_expired_form_token_is_explained(cast) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_make_run_settings_serve_static_files_through_whitenoise_with_debug_off() -> None:
    shown = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.MIDDLEWARE[1], "
        "settings.STORAGES['staticfiles']['BACKEND'], settings.TASKS['default']['BACKEND'], "
        "settings.DATABASES['default']['OPTIONS']['transaction_mode'], settings.ALLOWED_HOSTS)",
        ARUSHA_ENV="development",
        ARUSHA_DEBUG="0",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[:5] == [
        "False",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django_tasks_db.DatabaseBackend",
        "IMMEDIATE",
    ]
    assert "'127.0.0.1', 'localhost'" in shown.stdout


@pytest.mark.parametrize(
    ("allow", "refused"), [("", True), ("1", False)], ids=["refused", "allowed-with-a-warning"]
)
def test_production_without_database_url_refuses_to_start_unless_sqlite_is_allowed(
    tmp_path: Path, allow: str, refused: bool
) -> None:
    result = _manage(
        "check",
        ARUSHA_ENV="production",
        ARUSHA_SECRET_KEY="x9!" + "k" * 60 + "Zq#7",
        ARUSHA_ALLOWED_HOSTS="arusha.example.org",
        ARUSHA_VAR_DIR=str(tmp_path),
        ARUSHA_ALLOW_SQLITE=allow,
    )
    if refused:
        assert result.returncode != 0
        assert "ARUSHA_ENV=production needs DATABASE_URL" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "WARNING: Arusha runs in production on the embedded SQLite file" in result.stderr
