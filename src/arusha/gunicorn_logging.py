"""Gunicorn's access log, without the reporters' pages, the survey station and the online survey.

A line saying that someone posted to /report/… at 14:02:17 from an address would date
and place an anonymous report; one for /station/… or /s/… would date and place a
survey response. `make run` (Procfile) and docs/cases-reporting.md use this class:
staff pages are logged as usual, these pages not at all (docs/surveys-station.md).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

# The app's own script and style too: fetching them dates a visit to the online survey.
QUIET_PREFIXES = ("/report/", "/station/", "/s/", "/static/surveys/")


class ArushaLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints: Logger is Any
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if str(environ.get("PATH_INFO", "")).startswith(QUIET_PREFIXES):
            return
        super().access(resp, req, environ, request_time)
