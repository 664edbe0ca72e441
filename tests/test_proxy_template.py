"""The reverse-proxy template keeps the reporters' pages out of its logs and keeps their addresses."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy/nginx-arusha.conf"


def _location(text: str, prefix: str) -> str:
    match = re.search(r"location " + re.escape(prefix) + r" \{(.*?)\n    \}", text, re.S)
    assert match is not None, prefix
    return match.group(1)


def test_the_reporters_location_logs_nothing_and_passes_no_address_on() -> None:
    reporters = _location(TEMPLATE.read_text(), "/report/")
    assert re.search(r"^\s*access_log off;", reporters, re.M)
    assert re.search(r'^\s*proxy_set_header X-Forwarded-For "";', reporters, re.M)
    assert re.search(r'^\s*proxy_set_header X-Real-IP "";', reporters, re.M)
    assert re.search(r"^\s*proxy_request_buffering off;", reporters, re.M)
    assert "$remote_addr" not in reporters and "$proxy_add_x_forwarded_for" not in reporters


def test_the_survey_station_and_online_survey_log_nothing_and_pass_no_address_on() -> None:
    for prefix in ("/station/", "/s/", "/static/surveys/"):
        block = _location(TEMPLATE.read_text(), prefix)
        assert re.search(r"^\s*access_log off;", block, re.M), prefix
        assert re.search(r'^\s*proxy_set_header X-Forwarded-For "";', block, re.M), prefix
        assert "$remote_addr" not in block and "$proxy_add_x_forwarded_for" not in block


def test_staff_pages_still_go_through_arusha() -> None:
    everything = _location(TEMPLATE.read_text(), "/")
    assert "proxy_pass http://127.0.0.1:8000;" in everything
