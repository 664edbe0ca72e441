"""Looking for a value wherever a request could have left it: every table, the media folder, the logs.

The public pages of cases and surveys keep nothing about who asked; their privacy tests
look for test addresses and canaries with these, under the `every_log` fixture.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


@contextmanager
def logging_everything(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, SQL included, caught by caplog."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    try:
        yield caplog
    finally:
        connection.force_debug_cursor = False


def database_dump() -> Iterator[object]:
    """Every value of every row of every table (tasks, cache and audit trail included)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                yield from row


def occurrences(needle: str, caplog: pytest.LogCaptureFixture) -> dict[str, int]:
    """How many times `needle` stands in the database, the media folder and the logs."""
    raw = needle.encode()
    found = {"database": 0, "media": 0, "logs": 0}
    for value in database_dump():
        if isinstance(value, str):
            found["database"] += value.count(needle)
        elif isinstance(value, bytes | bytearray | memoryview):
            found["database"] += bytes(value).count(raw)
    media = Path(settings.MEDIA_ROOT)
    for path in media.rglob("*") if media.exists() else []:
        if path.is_file():
            found["media"] += path.read_bytes().count(raw)
    for record in caplog.records:
        found["logs"] += record.getMessage().count(needle) + str(record.__dict__).count(needle)
    found["logs"] += caplog.text.count(needle)
    return found
