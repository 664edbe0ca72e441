"""Heat maps: counts per cell from the grid, movement between stages, and what a person may see."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.risks import add_risk, field, rate, to_identification, to_step

from arusha.core.access import access_of
from arusha.risks.selectors.heatmap import heatmap
from arusha.risks.vocabulary import CycleStatus


def _three(cast):  # type: ignore[no-untyped-def]
    """R-001 goes down then down; R-002 stays then goes down; R-003 goes up and has no target."""
    f = field(cast)
    to_identification(f)
    one = add_risk(f, "Payment to skip an examination")
    two = add_risk(f, "Undervaluation agreed with a broker", process=f.processes["VAL"])
    three = add_risk(f, "Release before payment", process=f.processes["REL"], owner=None)
    to_step(f, CycleStatus.RATING)
    rate(f, one, inherent=(5, 4), current=(4, 4), target=(2, 3))
    rate(f, two, inherent=(3, 3), current=(3, 3), target=(1, 1))
    rate(f, three, inherent=(2, 2), current=(4, 5))
    return f


def _cell(result, stage, likelihood, impact):  # type: ignore[no-untyped-def]
    grid = next(g for g in result.grids if g.stage == stage)
    row = next(cells for rank, _label, cells in grid.rows if rank == likelihood)
    return row[impact - 1]


def test_the_maps_count_each_cell_with_its_level_from_the_grid(cast):
    f = _three(cast)
    result = heatmap(f.cycle, access_of(f.officer, f.organization))
    assert result.total == 3
    assert [g.stage for g in result.grids] == ["inherent", "current", "target"]
    inherent = result.grids[0]
    # Likelihood rows from the highest; impact columns from the lowest.
    assert [rank for rank, _label, _cells in inherent.rows] == [5, 4, 3, 2, 1]
    assert [c.impact for c in inherent.rows[0][2]] == [1, 2, 3, 4, 5]
    assert (_cell(result, "inherent", 5, 4).count, _cell(result, "inherent", 5, 4).level) == (1, "very_high")
    assert _cell(result, "current", 4, 5).level == "very_high"
    assert _cell(result, "current", 4, 4).level == "high"
    assert _cell(result, "target", 1, 1).level == "low"
    assert sum(c.count for _r, _l, cells in inherent.rows for c in cells) == 3
    assert (result.grids[2].rated, result.grids[2].unrated) == (2, 1)
    # Every cell says its level in words, and carries the matrix's colour.
    assert _cell(result, "current", 4, 4).label == "High"
    assert _cell(result, "current", 4, 4).colour.startswith("#")


def test_movement_compares_the_levels_stage_to_stage(cast):
    f = _three(cast)
    result = heatmap(f.cycle, access_of(f.officer, f.organization))
    inherent_current, current_target = result.movements
    assert inherent_current.counts == {"down": 1, "same": 1, "up": 1}
    assert inherent_current.compared == 3
    assert current_target.counts == {"down": 2, "same": 0, "up": 0}
    assert current_target.compared == 2
    # Per cell: the change in count since the stage before, and where the risks came from.
    assert _cell(result, "current", 5, 4).delta == -1
    assert _cell(result, "current", 4, 4).delta == 1
    assert _cell(result, "current", 3, 3).delta == 0
    assert _cell(result, "inherent", 5, 4).delta is None
    assert _cell(result, "current", 4, 4).came_down == 1
    assert _cell(result, "current", 4, 5).came_up == 1
    assert _cell(result, "current", 3, 3).came_down == _cell(result, "current", 3, 3).came_up == 0
    assert _cell(result, "current", 4, 4).delta_text == "+1"
    assert _cell(result, "current", 5, 4).delta_text == "\u22121"


def test_the_table_lists_every_non_empty_cell(cast):
    f = _three(cast)
    result = heatmap(f.cycle, access_of(f.officer, f.organization))
    rows = result.table
    assert len(rows) == 8
    assert {(r.stage, r.likelihood, r.impact, r.level_label, r.count) for r in rows} >= {
        ("inherent", 5, 4, "Very high", 1),
        ("current", 4, 5, "Very high", 1),
        ("target", 1, 1, "Low", 1),
    }


def test_a_risk_owner_maps_only_the_risks_they_may_see(cast):
    f = _three(cast)
    result = heatmap(f.cycle, access_of(f.owner, f.organization))
    assert result.total == 2
    assert _cell(result, "current", 4, 5).count == 0


def test_the_ratings_are_read_in_a_bounded_number_of_queries(cast):
    f = field(cast)
    to_identification(f)
    risks = [add_risk(f, f"Risk number {n}") for n in range(30)]
    to_step(f, CycleStatus.RATING)
    for n, risk in enumerate(risks):
        rate(f, risk, inherent=(5, 1 + n % 5), current=(1 + n % 5, 3), target=(1, 1))
    for who in (f.officer, f.owner):
        access = access_of(who, f.organization)
        with CaptureQueriesContext(connection) as queries:
            result = heatmap(f.cycle, access)
        assert result.total == 30
        assert len(queries.captured_queries) <= 10
