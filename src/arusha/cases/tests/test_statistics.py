"""Case statistics: figures from the de-identified records, small cells hidden in the page and exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from tests.cases import desk, signed_in

from arusha.cases.models import CaseRecord, Category
from arusha.cases.statistics import Period, statistics_of, suppressed
from arusha.cases.tests.stats_support import NARRATIVE, analyst, closed_report, record, smallest_cell

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)


def _cells(table):  # type: ignore[no-untyped-def]
    return {row.label: [cell.text() for cell in row.cells] for row in table.rows}


def _url(d, name: str, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[d.organization.slug]) + (f"?{query}" if query else "")


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _body(response):  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _xlsx(response):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def d(cast):  # type: ignore[no-untyped-def]
    return desk(cast)


def test_closed_cases_leave_records_the_page_counts(d) -> None:  # type: ignore[no-untyped-def]
    smallest_cell(d.organization, 1)
    closed_report(d)
    closed_report(d)
    page = signed_in(d.officer).get(_url(d, "case-statistics"))
    assert page.status_code == 200
    stats = page.context["stats"]
    summary = _cells(stats.summary)
    assert summary["Cases closed"][0] == "2"
    assert summary["Acknowledged in time"][0] == "100.0 %"
    assert _cells(stats.tables[0]) == {"Integrity report": ["2"]}
    assert "100.0 %" in page.content.decode()


def test_figures_are_computed_from_the_records(d) -> None:  # type: ignore[no-untyped-def]
    smallest_cell(d.organization, 1)
    org = d.organization
    record(org, days_to_decision=10, allegations=2, substantiated=1, sanctions={"warning": 1},
           amount_recovered=Decimal("100.50"), overrides=1)  # fmt: skip
    record(org, days_to_decision=20, acknowledged_in_time=False, allegations=1, substantiated=0, reopened=1)
    record(org, days_to_decision=60, feedback_in_time=False, allegations=1, substantiated=1,
           sanctions={"warning": 1, "dismissal": 1}, amount_recovered=Decimal("50"))  # fmt: skip
    record(org, closed_month=APRIL)
    stats = statistics_of(org, Period())
    summary = _cells(stats.summary)
    assert summary["Cases closed"] == ["4", ""]
    assert summary["Acknowledged in time"] == ["75.0 %", "4"]
    assert summary["Feedback given in time"] == ["75.0 %", "4"]
    assert summary["Median days from receipt to decision"] == ["20.0", "3"]
    assert summary["Mean days from receipt to decision"] == ["30.0", "3"]
    assert summary["Substantiation rate (allegations)"] == ["50.0 %", "4"]
    assert summary["Cases with at least one substantiated allegation"][0] == "2"
    assert summary["Share of investigated cases with a substantiated allegation"] == ["66.7 %", "3"]
    assert summary["Amount recovered"][0] == "150.50"
    assert summary["Reopen rate"] == ["25.0 %", "4"]
    assert summary["Conflict-of-interest overrides"][0] == "1"
    tables = {t.key: t for t in stats.tables}
    assert _cells(tables["sanctions"]) == {"Dismissal": ["1"], "Warning or reprimand": ["2"]}
    assert _cells(tables["month"]) == {"March 2026": ["3"], "April 2026": ["1"]}
    # The period filter counts by month of closing, both months included.
    april = statistics_of(org, Period(APRIL, APRIL))
    assert _cells(april.summary)["Cases closed"][0] == "1"


def test_one_hidden_count_takes_the_next_smallest_with_it() -> None:
    assert suppressed([7, 3, 6], 5) == [False, True, True]
    assert suppressed([7, 3, 2], 5) == [False, True, True]
    assert suppressed([7, 9], 5) == [False, False]
    assert suppressed([3], 5) == [True]
    assert suppressed([3, 4, 8], 1) == [False, False, False]


def _channels(d) -> None:  # type: ignore[no-untyped-def]
    """16 records: 7 integrity reports, 6 internal staff reports, 3 service complaints."""
    for kind, count in (("integrity_report", 7), ("staff_report", 6), ("service_complaint", 3)):
        for n in range(count):
            record(d.organization, channel_kind=kind, acknowledged_in_time=n > 0)


def test_small_counts_read_fewer_than_and_cannot_be_worked_out_from_the_total(d) -> None:  # type: ignore[no-untyped-def]
    _channels(d)
    page = signed_in(d.officer).get(_url(d, "case-statistics"))
    channels = _cells(page.context["stats"].tables[0])
    assert channels == {
        "Integrity report": ["7"],
        "Internal staff report": ["fewer than 5"],
        "Service complaint": ["fewer than 5"],
    }
    assert page.context["stats"].tables[0].total.cells[0].text() == "16"
    html = page.content.decode()
    assert "fewer than 5" in html
    # 3 of 16 acknowledged late: the rate on 16 cases is shown (its numerator, 13, is not small).
    assert _cells(page.context["stats"].summary)["Acknowledged in time"] == ["81.3 %", "16"]


def test_rates_on_a_small_base_are_not_shown(d) -> None:  # type: ignore[no-untyped-def]
    for _n in range(3):
        record(d.organization, days_to_decision=5)
    summary = _cells(statistics_of(d.organization, Period()).summary)
    assert summary["Cases closed"][0] == "fewer than 5"
    assert summary["Acknowledged in time"] == ["not shown (fewer than 5)", "fewer than 5"]
    assert summary["Median days from receipt to decision"][0] == "not shown (fewer than 5)"


def test_both_exports_hide_the_same_cells_and_hold_no_formula(d) -> None:  # type: ignore[no-untyped-def]
    _channels(d)
    with scopes_disabled():
        Category.objects.create(organization=d.organization, code="trap", name='=HYPERLINK("http://x","y")')
        CaseRecord.objects.filter(organization=d.organization).update(category="trap")
    client = signed_in(d.officer)
    rows = _csv(client.get(_url(d, "case-statistics-export", "format=csv")))
    by_label = {row[0]: row[1:] for row in rows if row}
    assert by_label["Integrity report"] == ["7"]
    assert by_label["Internal staff report"] == ["fewer than 5"]
    assert by_label["Service complaint"] == ["fewer than 5"]
    assert by_label['\'=HYPERLINK("http://x","y")'] == ["16"]
    response = client.get(_url(d, "case-statistics-export", "format=xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _xlsx(response)
    cells = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
        if row[0].value is not None:
            cells[row[0].value] = [c.value for c in row[1:] if c.value is not None]
    assert cells["Integrity report"] == [7]
    assert cells["Internal staff report"] == ["fewer than 5"]
    assert cells["Service complaint"] == ["fewer than 5"]
    trap = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")')
    assert trap.data_type == "s"
    assert cells["Smallest count shown"] == [5]


def test_a_statistics_reader_never_sees_a_reference_or_content(d) -> None:  # type: ignore[no-untyped-def]
    smallest_cell(d.organization, 1)
    case, receipt = closed_report(d)
    reader = signed_in(analyst(d))
    bodies = []
    for query in ("", "format=csv", "format=xlsx"):
        name = "case-statistics-export" if query else "case-statistics"
        response = reader.get(_url(d, name, query))
        assert response.status_code == 200
        bodies.append(_body(response))
    xlsx_text = " ".join(str(c.value) for row in _xlsx(response).iter_rows() for c in row)
    for secret in (case.reference, NARRATIVE, "CANARY", receipt, str(case.pk)):
        assert all(secret.encode() not in body for body in bodies[:2]), secret
        assert secret not in xlsx_text, secret
    # The retention page names cases: supervisors only, and a 404 for everyone else.
    assert reader.get(_url(d, "case-retention")).status_code == 404
    assert reader.post(_url(d, "case-retention"), {"case": case.reference}).status_code == 404


def test_people_without_the_permission_are_refused(d, cast) -> None:  # type: ignore[no-untyped-def]
    member = signed_in(cast.member)
    assert member.get(_url(d, "case-statistics")).status_code == 403
    assert member.get(_url(d, "case-statistics-export")).status_code == 403
    assert member.get(_url(d, "case-retention")).status_code == 404
    outsider = signed_in(cast.outsider)
    for name in ("case-statistics", "case-statistics-export", "case-retention"):
        assert outsider.get(_url(d, name)).status_code == 404
        assert Client().get(_url(d, name))["Location"].startswith("/account/login/")


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13",
        "start=abcd&end=2026-01",
        "start=2026-05&end=2026-02",
        "start=0000-01",
        "end=" + "9" * 500,
        "start=%00%ff",
        "start=2026-1&end=2026-12",
    ],
)
def test_hostile_periods_never_fail(d, query: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(d.officer)
    page = client.get(_url(d, "case-statistics", query))
    assert page.status_code == 200
    export = client.get(_url(d, "case-statistics-export", query + "&format=csv"))
    assert export.status_code in (200, 400)


def test_a_reversed_period_is_named_and_the_export_refused(d) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(d.officer)
    page = client.get(_url(d, "case-statistics", "start=2026-05&end=2026-02"))
    assert "The period ends before it starts." in page.content.decode()
    assert client.get(_url(d, "case-statistics-export", "start=2026-05&end=2026-02")).status_code == 400
    assert client.get(_url(d, "case-statistics-export", "format=pdf")).status_code == 404
