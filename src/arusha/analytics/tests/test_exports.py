"""Exports of a run's signals: the list's rows as the person sees them, watermarked, audited."""

from __future__ import annotations

import csv
import io

from django_scopes import scopes_disabled
from openpyxl import load_workbook
from tests.analytics import row, run_with

from arusha.analytics.models import Signal
from arusha.analytics.services.exports import FIRST_ROW, HEADER_ROW, NOTICE_ROW, WATERMARK_ROW
from arusha.analytics.tests.signal_world import BROKER_IDENTITY, IDENTITY, world
from arusha.core.models import AuditEvent

WATERMARK = "Confidential — exported by Ivo Integrity (integrity@test.example) on "
HEAD_WATERMARK = "Confidential — exported by Hana Head (head-analytics@test.example) on "


def _xlsx(response):
    book = load_workbook(io.BytesIO(response.content))
    return book["Signals"]


def _values(sheet, from_row):
    return [[cell.value for cell in line] for line in sheet.iter_rows(min_row=from_row)]


def test_the_xlsx_holds_every_visible_signal_cell_by_cell_with_its_watermark(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    response = client.get(w.url("analytics-signals-xlsx"), {"run": w.run.pk})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="risk-signals-run-')
    sheet = _xlsx(response)
    assert str(sheet.cell(WATERMARK_ROW, 1).value).startswith(WATERMARK)
    assert sheet.cell(WATERMARK_ROW, 1).value.endswith(" UTC")
    assert sheet.oddHeader.center.text.startswith(WATERMARK[:40])
    assert "never verdicts" in sheet.cell(NOTICE_ROW, 1).value
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:7] == [
        "Indicator",
        "Indicator name",
        "Version",
        "Entity kind",
        "Entity (pseudonym or code)",
        "Office",
        "Period",
    ]
    rows = _values(sheet, FIRST_ROW)
    with scopes_disabled():
        assert len(rows) == Signal.objects.filter(run=w.run).count() == 10
    first = rows[0]  # flags first, the smallest q first: the officer's HIT_RATE of March
    assert first[0] == "HIT_RATE" and first[4] == "OF-0001" and first[6] == "2025-03"
    assert first[7:13] == [2, 80, 0.15, 6, 1e-06, 2e-05]  # numbers stay numbers
    assert first[13] == "yes" and first[14] == "calculated" and first[15] == 3
    assert first[16] == "KIL-PRT, section S1, red channel" and first[17] == "open"
    every = " ".join(str(value) for line in rows for value in line)
    assert IDENTITY not in every and BROKER_IDENTITY not in every


def test_no_cell_is_a_formula_even_when_the_data_looks_like_one(client, cast):
    w = world(cast)
    run = run_with(
        w.f,
        [row("UNIT_VALUE", "trader", '=HYPERLINK("http://x")', "2025-03", details={"stratum": "@SUM(A1)"})],
        data=w.run.dataset,
    )
    client.force_login(w.f.officer)
    sheet = _xlsx(client.get(w.url("analytics-signals-xlsx"), {"run": run.pk}))
    for line in sheet.iter_rows():
        for cell in line:
            assert cell.data_type != "f", cell.coordinate
    (only,) = _values(sheet, FIRST_ROW)
    assert only[4] == '=HYPERLINK("http://x")' and only[16] == "@SUM(A1)"
    text = client.get(w.url("analytics-signals-csv"), {"run": run.pk}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text


def test_the_csv_has_a_bom_a_watermark_and_the_list_filters(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    response = client.get(
        w.url("analytics-signals-csv"), {"run": w.run.pk, "entity_kind": "officer", "flagged": "on"}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff# " + WATERMARK)
    lines = raw.lstrip("\ufeff").splitlines()
    assert "never verdicts" in lines[1]
    table = list(csv.reader(lines[2:]))
    assert table[0][0] == "Indicator"
    assert [line[4] for line in table[1:]] == ["OF-0001"]


def test_an_office_reader_exports_what_they_may_see_only(client, cast):
    w = world(cast)
    client.force_login(w.f.head)
    sheet = _xlsx(client.get(w.url("analytics-signals-xlsx")))
    assert str(sheet.cell(WATERMARK_ROW, 1).value).startswith(HEAD_WATERMARK)
    kinds = {line[3] for line in _values(sheet, FIRST_ROW)}
    assert kinds == {"office", "trade flow"}  # a trader may be a person: not an office reader's
    # Asking for officers or traders is not a choice they have: the filter is ignored, and still no person.
    for kind in ("officer", "trader"):
        sheet = _xlsx(client.get(w.url("analytics-signals-xlsx"), {"entity_kind": kind}))
        assert {line[3] for line in _values(sheet, FIRST_ROW)} == {"office", "trade flow"}, kind
    client.force_login(w.f.office_reader)
    text = client.get(w.url("analytics-signals-csv")).content.decode("utf-8-sig")
    assert "KIL-PRT" in text and "DAR-APT" not in text
    assert "OF-0001" not in text and "TR-000001" not in text


def test_every_export_is_audited_with_its_format_and_count(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    client.get(w.url("analytics-signals-csv"), {"indicator": "HIT_RATE"})
    client.force_login(w.f.head)
    client.get(w.url("analytics-signals-xlsx"))
    with scopes_disabled():
        events = list(
            AuditEvent.objects.filter(action="arusha.analytics.signals.exported").order_by("sequence")
        )
    assert [
        (e.actor, e.changes["format"][1], e.changes["signals"][1], e.changes["people"][1]) for e in events
    ] == [
        (w.f.officer, "csv", 5, True),
        (w.f.head, "xlsx", 5, False),  # the four office rows and the flow
    ]
    assert events[0].changes["filters"] == [None, {"indicator": "HIT_RATE"}]


def test_exports_are_refused_to_those_outside_analytics(client, cast):
    w = world(cast)
    for user in (w.f.nobody, cast.outsider, cast.foreigner):
        client.force_login(user)
        for name in ("analytics-signals-csv", "analytics-signals-xlsx"):
            assert client.get(w.url(name)).status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="arusha.analytics.signals.exported").exists()
