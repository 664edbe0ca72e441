"""The monthly scorecard of a contract, read against figures worked out by hand (test_contract_support)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.analytics import field as analytics_field
from tests.analytics import run_with

from arusha.analytics.selectors.scorecard import TargetStatus, on_target, scorecard
from arusha.analytics.services.contracts import contract_agree
from arusha.analytics.tests.test_contract_support import DAY, clearance, draft, office_row, terms

D = Decimal


@pytest.fixture
def f(cast):  # type: ignore[no-untyped-def]
    return analytics_field(cast)


def _line(card, code):  # type: ignore[no-untyped-def]
    return next(line for line in card.lines if line.measure.code == code)


def test_an_agreed_contract_reads_month_by_month_against_hand_computed_values(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    contract = contract_agree(actor=f.head, contract=draft(f))
    card = scorecard(contract, today=DAY(2025, 6, 15))
    assert card.months == [DAY(2025, 1, 1), DAY(2025, 2, 1), DAY(2025, 3, 1), DAY(2025, 4, 1)]
    hits = _line(card, "HIT_RATE")
    assert [c.value for c in hits.cells] == [D("25.0"), D("15.0"), None, None]
    assert [c.status for c in hits.cells] == [
        TargetStatus.ON,
        TargetStatus.OFF,
        TargetStatus.NO_DATA,
        TargetStatus.NO_DATA,
    ]
    assert [c.national for c in hits.cells] == [D("12.0"), D("24.0"), D("20.0"), None]
    assert [c.previous for c in hits.cells] == [None, D("25.0"), D("15.0"), None]
    assert hits.cells[0].year_before == D("10.0")
    assert [c.year_before for c in hits.cells[1:]] == [None, None, None]
    assert (hits.cells[0].numerator, hits.cells[0].denominator) == (D("5.0"), D("20.0"))
    assert hits.cells[1].change == D("-10.0")
    assert (hits.on_target, hits.measured) == (1, 2)
    release = _line(card, "RELEASE_TIME")
    assert [c.value for c in release.cells] == [D("25.0"), D("23.0"), None, None]
    # Lower is better for release time: 25 h is over the 24 h target, 23 h within it.
    assert [c.status for c in release.cells[:2]] == [TargetStatus.OFF, TargetStatus.ON]
    assert [c.national for c in release.cells[:2]] == [D("25.0"), D("25.3")]


def test_the_month_by_indicator_table_pairs_each_line_with_its_cell(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    card = scorecard(draft(f), today=DAY(2025, 6, 15))
    month, cells = card.by_month()[1]
    assert month == DAY(2025, 2, 1)
    assert [(line.measure.code, cell.value, cell.symbol, cell.word) for line, cell in cells] == [
        ("HIT_RATE", D("15.0"), "✗", "off target"),
        ("RELEASE_TIME", D("23.0"), "✓", "on target"),
    ]


def test_months_not_over_yet_say_so_and_invent_nothing(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    card = scorecard(draft(f), today=DAY(2025, 3, 10))
    hits = _line(card, "HIT_RATE")
    assert [c.status for c in hits.cells] == [
        TargetStatus.ON,
        TargetStatus.OFF,
        TargetStatus.NOT_YET,
        TargetStatus.NOT_YET,
    ]
    assert [c.value for c in hits.cells[2:]] == [None, None]
    assert hits.cells[3].word == "month not over" and hits.cells[3].symbol == "…"


def test_without_any_run_every_month_has_no_data(f) -> None:  # type: ignore[no-untyped-def]
    card = scorecard(draft(f), today=DAY(2026, 1, 1))
    assert {cell.status for line in card.lines for cell in line.cells} == {TargetStatus.NO_DATA}
    assert {cell.national for line in card.lines for cell in line.cells} == {None}


def test_a_row_with_nothing_to_divide_or_not_applicable_is_no_data(f) -> None:  # type: ignore[no-untyped-def]
    run_with(
        f,
        [
            office_row("HIT_RATE", "2025-01", 0, 0),
            office_row("HIT_RATE", "2025-02", 4, 20, status="not_applicable"),
            office_row("HIT_RATE", "2025-03", 0, 25, status="insufficient"),
        ],
    )
    hits = _line(scorecard(draft(f), today=DAY(2025, 6, 1)), "HIT_RATE")
    assert [c.status for c in hits.cells[:3]] == [
        TargetStatus.NO_DATA,
        TargetStatus.NO_DATA,
        TargetStatus.OFF,
    ]
    # A real zero is a figure (0 of 25 examinations found something), marked as resting on few cases.
    assert hits.cells[2].value == D("0.0") and hits.cells[2].thin


@pytest.mark.parametrize(
    ("direction", "value", "target", "expected"),
    [
        ("higher", "20.0", "20", True),
        ("higher", "19.9", "20", False),
        ("higher", "35.0", "20", True),
        ("lower", "24.0", "24", True),
        ("lower", "24.1", "24", False),
        ("lower", "3.0", "24", True),
    ],
)
def test_on_target_follows_the_direction(direction: str, value: str, target: str, expected: bool) -> None:
    assert on_target(D(value), D(target), direction) is expected


def test_the_rounded_figure_decides_both_directions(f) -> None:  # type: ignore[no-untyped-def]
    # 39 of 200 is 19.5 %: shown as 19.5, off a target of 19.6 (higher), on a target of 19.5.
    run_with(f, [office_row("HIT_RATE", "2025-01", 39, 200), office_row("RELEASE_TIME", "2025-01", 481, 20)])
    shown = draft(f, terms=terms(("HIT_RATE", "19.6", "higher"), ("RELEASE_TIME", "24", "lower")))
    card = scorecard(shown, today=DAY(2025, 6, 1))
    assert _line(card, "HIT_RATE").cells[0].status == TargetStatus.OFF
    # 481 / 20 = 24.05 hours, shown 24.1: over a 24-hour target when lower is better.
    assert _line(card, "RELEASE_TIME").cells[0].value == D("24.1")
    assert _line(card, "RELEASE_TIME").cells[0].status == TargetStatus.OFF
    met = draft(
        f, title="Met", terms=terms(("HIT_RATE", "19.5", "higher"), ("RELEASE_TIME", "24.1", "lower"))
    )
    card = scorecard(met, today=DAY(2025, 6, 1))
    assert [line.cells[0].status for line in card.lines] == [TargetStatus.ON, TargetStatus.ON]


def test_another_office_figures_only_in_the_national_comparison(f) -> None:  # type: ignore[no-untyped-def]
    run_with(f, [office_row("HIT_RATE", "2025-01", 9, 10, office="DAR-AIR")])
    hits = _line(scorecard(draft(f), today=DAY(2025, 6, 1)), "HIT_RATE")
    assert hits.cells[0].value is None and hits.cells[0].national == D("90.0")
