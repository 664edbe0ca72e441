"""Small-cell suppression: no published cell is small, and no hidden small cell can be found back.

The property tests draw random tables (one to three top-level groups with up to three
subgroups each, respondents recorded under a parent group itself, zero to two breakdown
items of one to four values, some respondents not answering them, many tiny and empty
cells, k from 5 to 12) and check them with code of their own: sums by subtraction, and
the hidden cells' equations solved exactly, by Gauss-Jordan elimination modulo a prime
(another method and another arithmetic than the audit's own).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.surveys import field

from arusha.surveys.models import Survey
from arusha.surveys.results import Suppression
from arusha.surveys.suppression import Layout, layout, solvable, suppress

SETTINGS = settings(
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the working tree
    derandomize=True,  # the same tables on every run: a failure is reproducible
    suppress_health_check=list(HealthCheck),
)


PRIME = 2_147_483_647  # 2**31 - 1: products of two residues fit in int64


@functools.lru_cache(maxsize=4096)
def _grid(parents: tuple[int | None, ...], bands: tuple[int, ...]) -> tuple[Layout, np.ndarray]:
    grid = layout(parents, bands)
    return grid, grid.membership.astype(np.int64)


def _fixed_columns(matrix: np.ndarray) -> set[int]:
    """Columns whose unknown the equations fix, by Gauss-Jordan elimination modulo PRIME."""
    m = np.mod(matrix.astype(np.int64), PRIME)
    rows, columns = m.shape
    pivots: list[tuple[int, int]] = []
    r = 0
    for c in range(columns):
        found: np.ndarray = np.nonzero(m[r:, c])[0] if r < rows else np.zeros(0, dtype=np.int64)
        if not found.size:
            continue
        best = r + int(found[0])
        m[[r, best]] = m[[best, r]]
        m[r] = m[r] * pow(int(m[r, c]), PRIME - 2, PRIME) % PRIME
        for other in np.nonzero(m[:, c])[0]:
            if other != r:
                m[other] = (m[other] - int(m[other, c]) * m[r]) % PRIME
        pivots.append((r, c))
        r += 1
    free = [c for c in range(columns) if c not in {c for _r, c in pivots}]
    return {c for row, c in pivots if not free or not m[row, free].any()}


def _equations(grid: Layout, hidden: list[bool]) -> tuple[np.ndarray, dict[int, int]]:
    unknown = [c for c, h in enumerate(hidden) if h]
    column = {c: i for i, c in enumerate(unknown)}
    rows = []
    for parent, kids in grid.partitions:
        row = np.zeros(len(unknown), dtype=np.int64)
        for cell, sign in [(parent, 1), *[(kid, -1) for kid in kids]]:
            if hidden[cell]:
                row[column[cell]] += sign
        if row.any():
            rows.append(row)
    return (np.array(rows) if rows else np.zeros((0, len(unknown)), dtype=np.int64)), column


@st.composite
def tables(draw: st.DrawFn) -> tuple[Layout, list[int], int]:
    parents: list[int | None] = []
    for _top in range(draw(st.integers(1, 3))):
        parents.append(None)
        top = len(parents) - 1
        parents += [top] * draw(st.integers(0, 3))
    bands = tuple(draw(st.integers(1, 4)) for _ in range(draw(st.integers(0, 2))))
    k = draw(st.integers(5, 12))
    grid, membership = _grid(tuple(parents), bands)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    empty = draw(st.floats(0.0, 0.9))
    scale = draw(st.sampled_from([2, 4, 8, 20, 60]))
    counts = rng.poisson(scale * rng.random(grid.atoms)) * (rng.random(grid.atoms) >= empty)
    sizes = [int(n) for n in membership @ counts.astype(np.int64)]
    return grid, sizes, k


def _published(reasons: list[Suppression], grid: Layout, cell: int) -> bool:
    return grid.shown[cell] and reasons[cell] == Suppression.NONE


@given(table=tables())
@settings(SETTINGS, max_examples=10_000)
def test_no_published_cell_is_small_and_no_small_cell_follows_by_subtraction(
    table: tuple[Layout, list[int], int],
) -> None:
    grid, sizes, k = table
    reasons = suppress(sizes, grid.partitions, k, shown=grid.shown)
    for parent, kids in grid.partitions:
        assert sizes[parent] == sum(sizes[kid] for kid in kids)
    for cell, n in enumerate(sizes):
        if _published(reasons, grid, cell):
            assert not 0 < n < k, f"cell {grid.keys[cell]} published with n = {n} < k = {k}"
    for parent, kids in grid.partitions:
        if not _published(reasons, grid, parent):
            continue
        # What a reader finds by subtracting the published parts from the published parent.
        rest = sizes[parent] - sum(sizes[kid] for kid in kids if _published(reasons, grid, kid))
        assert rest == 0 or rest >= k, f"{rest} respondents found by subtraction under {grid.keys[parent]}"
        held = [kid for kid in kids if not _published(reasons, grid, kid) and sizes[kid] > 0]
        assert len(held) != 1 or sizes[held[0]] >= k


@given(table=tables())
@settings(SETTINGS, max_examples=2_000)
def test_no_hidden_small_cell_follows_from_any_combination_of_published_cells(
    table: tuple[Layout, list[int], int],
) -> None:
    grid, sizes, k = table
    reasons = suppress(sizes, grid.partitions, k, shown=grid.shown)
    hidden = [not _published(reasons, grid, c) for c in range(len(sizes))]
    small = [c for c, h in enumerate(hidden) if h and 0 < sizes[c] < k]
    if not small:
        return
    matrix, column = _equations(grid, hidden)
    fixed = _fixed_columns(matrix)
    for cell in small:
        assert column[cell] not in fixed, f"{grid.keys[cell]} (n = {sizes[cell]}) can be solved for"


def test_the_audit_agrees_with_exact_elimination_on_random_hidden_patterns() -> None:
    rng = np.random.default_rng(11)
    shapes: list[tuple[list[int | None], list[int]]] = [
        ([None, 0, 0, None], [3, 2]),
        ([None, None, 1, 1, 1], [4]),
        ([None], [2, 3]),
    ]
    for parents, bands in shapes:
        grid = layout(parents, bands, membership=False)
        for share in (0.1, 0.3, 0.6):
            for _ in range(40):
                hidden = [
                    bool(h) or not shown
                    for h, shown in zip(rng.random(len(grid.keys)) < share, grid.shown, strict=True)
                ]
                matrix, column = _equations(grid, hidden)
                fixed = _fixed_columns(matrix)
                expected = {cell for cell, i in column.items() if i in fixed}
                assert solvable(grid.partitions, hidden) == expected


def test_one_small_subgroup_hides_the_next_smallest_with_it() -> None:
    # EVERYONE; staff; private (broker, importer, carrier); private's own remainder.
    grid = layout([None, None, 1, 1, 1], [], membership=False)
    names = ["everyone", "staff", "private", "broker", "importer", "carrier", "private-direct"]
    assert len(grid.keys) == len(names)
    sizes = [187, 100, 87, 40, 44, 3, 0]
    reasons = dict(zip(names, suppress(sizes, grid.partitions, 10, shown=grid.shown), strict=True))
    assert reasons["carrier"] == Suppression.SMALL
    assert reasons["broker"] == Suppression.COMPLEMENTARY  # the smaller of the other two
    assert reasons["importer"] == reasons["private"] == reasons["staff"] == Suppression.NONE


def test_two_small_subgroups_that_add_up_to_fewer_than_k_take_a_third() -> None:
    grid = layout([None, None, 1, 1, 1], [], membership=False)
    sizes = [187, 100, 87, 80, 4, 3, 0]
    reasons = suppress(sizes, grid.partitions, 10, shown=grid.shown)
    assert reasons[4:6] == [Suppression.SMALL, Suppression.SMALL]
    assert reasons[3] == Suppression.COMPLEMENTARY  # 4 + 3 < 10: the broker goes too


def test_a_small_group_in_a_two_group_survey_hides_the_other_one() -> None:
    grid = layout([None, None], [], membership=False)
    reasons = suppress([46, 40, 6], grid.partitions, 10, shown=grid.shown)
    assert reasons == [Suppression.NONE, Suppression.COMPLEMENTARY, Suppression.SMALL]


def test_an_empty_cell_is_shown_empty_and_never_hidden_as_a_complement() -> None:
    grid = layout([None, None, None], [], membership=False)
    reasons = suppress([52, 50, 0, 2], grid.partitions, 10, shown=grid.shown)
    assert reasons == [Suppression.NONE, Suppression.COMPLEMENTARY, Suppression.NONE, Suppression.SMALL]


def test_a_cross_table_hides_a_second_cell_in_the_row_and_in_the_column() -> None:
    # One group, two items of 2 values each, everybody answered both.
    grid = layout([None], [2, 2], membership=True)
    counts = np.zeros(grid.atoms, dtype=np.int64)
    # atom = group * 9 + a * 3 + b (a, b: value index, 2 = not answered)
    for a, b, n in [(0, 0, 30), (0, 1, 3), (1, 0, 25), (1, 1, 40)]:
        counts[a * 3 + b] = n
    sizes = [int(n) for n in grid.membership.astype(np.int64) @ counts]
    reasons = suppress(sizes, grid.partitions, 10, shown=grid.shown)
    where = {key: c for c, key in enumerate(grid.keys)}
    cell = where[(1, (0, 1))]  # the group's (a = 0, b = 1): 3 respondents
    assert reasons[cell] == Suppression.SMALL
    hidden = {grid.keys[c][1] for c in range(len(sizes)) if grid.shown[c] and reasons[c] != Suppression.NONE}
    assert (0, 1) in hidden
    assert any(key[0] == 0 and key != (0, 1) for key in hidden)  # another cell of row a = 0
    assert any(key[1] == 1 and key != (0, 1) for key in hidden)  # another cell of column b = 1


def test_k_below_five_is_refused() -> None:
    grid = layout([None], [], membership=False)
    with pytest.raises(ValueError, match="at least 5"):
        suppress([20, 20, 0], grid.partitions, 4, shown=grid.shown)


@pytest.mark.django_db
def test_a_survey_cannot_set_its_smallest_cell_below_five_and_the_analysis_never_uses_less(cast) -> None:
    from arusha.surveys import analysis

    f = field(cast)
    f.survey.minimum_cell = 4
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        f.survey.full_clean()
    assert "minimum_cell" in error.value.message_dict
    # Even a value written around the form's checks is raised to 5 by the analysis.
    with scopes_disabled():
        Survey.objects.filter(pk=f.survey.pk).update(minimum_cell=3)
    assert analysis.results(f.wave).k == 5
