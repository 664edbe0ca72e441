"""Gunicorn's access log, without the reporters' pages.

A line saying that someone posted to /report/… at 14:02:17 from an address would date
and place an anonymous report. `make run` (Procfile) and docs/cases-reporting.md use
this class: staff pages are logged as usual, reporters' pages not at all.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

QUIET_PREFIXES = ("/report/",)


class ArushaLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints: Logger is Any
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if str(environ.get("PATH_INFO", "")).startswith(QUIET_PREFIXES):
            return
        super().access(resp, req, environ, request_time)
