#!/usr/bin/env python3
"""A 1,000,000-row workbook under the upload size limit must be refused in ≤ 5 s and ≤ 100 MB.

Builds two bombs of 1,000,000 rows, each a valid XLSX file under ARUSHA_XLSX_MAX_BYTES:
  dense  rows of three cells (numbers and inline text), ~100 MB once unpacked;
  lean   empty rows, small enough unpacked (~7 MB) and varied enough to pass the zip
         checks, so the streaming row count is what refuses it.
Each is opened through `arusha.core.spreadsheets.open_workbook` in a fresh process, which
reports the time to the refusal and the peak extra memory (resident set, reset before the
read; tracemalloc's Python peak beside it). Exits non-zero if a target is missed.

Run alone with `.venv/bin/python bench/workbook_bomb.py`; `make bench` runs it too.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
ROWS = 1_000_000
TARGET_SECONDS = 5.0
TARGET_MB = 100.0
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
TAIL = b"</sheetData></worksheet>"


def _rows(kind: str, rows: int, batch: int = 10_000) -> list[bytes]:
    chunks = []
    for start in range(1, rows + 1, batch):
        stop = min(start + batch, rows + 1)
        if kind == "lean":
            # Numbered every tenth row only: small enough unpacked, varied enough to compress
            # like a real sheet, so the zip checks let it through to the row count.
            chunks.append(
                b"".join(b'<row r="%d"/>' % n if n % 10 == 0 else b"<row/>" for n in range(start, stop))
            )
        else:
            chunks.append(
                b"".join(
                    b'<row r="%d"><c><v>%d</v></c><c><v>2.5</v></c>'
                    b'<c t="inlineStr"><is><t>an answer of some length</t></is></c></row>' % (n, n)
                    for n in range(start, stop)
                )
            )
    return chunks


def build(kind: str, rows: int = ROWS) -> bytes:
    """A valid XLSX whose first sheet has `rows` rows and no <dimension> (so nothing tells its size)."""
    from openpyxl import Workbook

    template = io.BytesIO()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = 1
    book.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename != SHEET:
                target.writestr(member, source.read(member))
                continue
            with target.open(SHEET, "w") as stream:
                stream.write(HEAD)
                for chunk in _rows(kind, rows):
                    stream.write(chunk)
                stream.write(TAIL)
    return out.getvalue()


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(path: str) -> dict[str, object]:
    """Run in a fresh process: open the bomb through the importer's reader and time the refusal."""
    import tracemalloc

    os.environ.setdefault("ARUSHA_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha.settings")
    import django

    django.setup()
    from arusha.core.spreadsheets import SpreadsheetRejectedError, open_workbook

    data = Path(path).read_bytes()
    # Reset the resident-set high-water mark, so the peak below is this read's alone.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    message = ""
    try:
        with open_workbook(data) as reader:
            for name in reader.sheetnames:
                for _row in reader.rows(name):
                    pass
    except SpreadsheetRejectedError as error:
        message = str(error.message)
    seconds = time.perf_counter() - started
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "rss_mb": max(_status_kb("VmHWM") - before, 0) / 1024,
        "traced_mb": traced / 1048576,
        "refused": bool(message),
        "message": message,
    }


def main() -> None:
    os.environ.setdefault("ARUSHA_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha.settings")
    import django

    django.setup()
    from django.conf import settings

    limit = settings.ARUSHA_XLSX_MAX_BYTES
    missed = []
    print(f"\nWorkbook bombs of {ROWS:,} rows, upload limit {limit / 1048576:.0f} MB")
    print(f"{'bomb':<8} {'file MB':>8} {'unpacked MB':>12} {'s':>7} {'RSS MB':>8} {'py MB':>7}  verdict")
    for kind in ("dense", "lean"):
        data = build(kind)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(m.file_size for m in archive.infolist())
        if len(data) > limit:
            sys.exit(f"The {kind} bomb is {len(data)} bytes, over the upload limit: it proves nothing.")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            file.write(data)
            file.flush()
            result = subprocess.run(
                [sys.executable, __file__, "--measure", file.name],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        ok = (
            figures["refused"]
            and figures["seconds"] <= TARGET_SECONDS
            and max(figures["rss_mb"], figures["traced_mb"]) <= TARGET_MB
        )
        missed += [] if ok else [kind]
        print(
            f"{kind:<8} {len(data) / 1048576:8.1f} {unpacked / 1048576:12.1f} {figures['seconds']:7.2f} "
            f"{figures['rss_mb']:8.1f} {figures['traced_mb']:7.1f}  "
            f"{'ok' if ok else 'MISSED'} (≤ {TARGET_SECONDS:.0f} s, ≤ {TARGET_MB:.0f} MB)"
        )
        print(f"         {figures['message']}")
    if missed:
        sys.exit(f"Workbook bomb targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
    else:
        main()
