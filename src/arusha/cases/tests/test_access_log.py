"""The web server's access log leaves out the reporters' pages and the survey station's, and nothing else."""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config  # type: ignore[import-untyped]

from arusha.gunicorn_logging import ArushaLogger


def _log_line(caplog: pytest.LogCaptureFixture, path: str) -> str:
    config = Config()
    config.set("accesslog", "-")
    logger = ArushaLogger(config)
    caplog.clear()
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[], method="POST", path=path, query="", version=(1, 1))
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.77",
        "HTTP_USER_AGENT": "Canary-Agent/1.0",
    }
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(response, request, environ, datetime.timedelta(seconds=0.1))
    return caplog.text


def test_reporters_pages_leave_no_access_line(caplog: pytest.LogCaptureFixture) -> None:
    assert _log_line(caplog, "/report/test-customs/integrity/") == ""
    assert _log_line(caplog, "/report/test-customs/follow-up/") == ""


def test_survey_station_and_online_survey_leave_no_access_line(caplog: pytest.LogCaptureFixture) -> None:
    assert _log_line(caplog, "/station/api/envelopes") == ""
    assert _log_line(caplog, "/s/test-customs/3/submit") == ""
    assert _log_line(caplog, "/static/surveys/station.js") == ""
    assert "/static/arusha/app.css" in _log_line(caplog, "/static/arusha/app.css")
    assert "/o/test-customs/surveys/stations/" in _log_line(caplog, "/o/test-customs/surveys/stations/")


def test_staff_pages_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert "/o/test-customs/cases/" in _log_line(caplog, "/o/test-customs/cases/")
