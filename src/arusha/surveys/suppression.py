"""Small-cell suppression, as a pure function of counts (docs/surveys-method.md, "Suppression").

A table is a set of cells (a group, or an unseen remainder, crossed with up to two
breakdown items) and a set of partitions: a parent cell and the cells that add up to
it (a group and its subgroups, EVERYONE and the top-level groups, a cell and its
breakdown values). `layout()` builds them; `suppress()` decides which cells to hide:

1. Primary: a cell with 0 < n < k is hidden (SMALL). A cell with n = 0 is shown empty.
2. Complementary, for every partition whose parent is shown: if its hidden cells with
   respondents are exactly one, or hold together fewer than k respondents, the
   smallest shown cell with respondents of the partition is hidden too (COMPLEMENTARY;
   the parent when no such cell is left). Repeated until nothing changes.
3. Audit: every relation "parent = sum of its parts" is a linear equation; a hidden
   cell with 0 < n < k must not be determined by the shown cells through any
   combination of them (its column of the equations' null space is not zero). When one
   is, the smallest shown cell of a partition it belongs to is hidden, and 2 and 3 run
   again.

Remainders (respondents recorded under a parent group itself, or who did not answer a
breakdown item) are never shown, so they take part as hidden cells.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from arusha.surveys.models import SMALLEST_CELL
from arusha.surveys.results import Suppression

_ZERO = 1e-9  # below this, a coefficient of the elimination is zero (they are small rationals)
ANY = -1  # a breakdown coordinate meaning "every value of the item" (the margin)


@dataclass
class Layout:
    """The cells and partitions of a table over `groups` crossed with breakdown items.

    Nodes: 0 is EVERYONE, 1..G the groups (in the caller's order), then one "direct"
    remainder node per group with subgroups. A cell is (node, coordinates): per
    breakdown item ANY, a value index 0..B-1, or B for "not answered". An atom is
    (group, value index or B per item): each respondent falls in exactly one.
    """

    groups: int
    bands: tuple[int, ...]
    keys: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    shown: list[bool] = field(default_factory=list)
    partitions: list[tuple[int, list[int]]] = field(default_factory=list)
    membership: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def atoms(self) -> int:
        return self.groups * int(np.prod([b + 1 for b in self.bands], dtype=np.int64))

    def atom_of(self, group: np.ndarray, coordinates: Sequence[np.ndarray]) -> np.ndarray:
        atom = group.astype(np.int64)
        for values, size in zip(coordinates, self.bands, strict=True):
            atom = atom * (size + 1) + values
        return atom


def layout(parents: Sequence[int | None], bands: Sequence[int], *, membership: bool = True) -> Layout:
    """The table of groups (`parents[g]`: index of g's parent group, or None) by items of `bands` values.

    `membership` (cells x atoms, 1 where the atom's respondents count in the cell) is
    left empty when not asked for.
    """
    count = len(parents)
    children: dict[int, list[int]] = {0: [g + 1 for g in range(count) if parents[g] is None]}
    for g, parent in enumerate(parents):
        if parent is not None:
            children.setdefault(parent + 1, []).append(g + 1)
    direct = {node: count + 1 + n for n, node in enumerate(sorted(p for p in children if p))}
    nodes = count + 1 + len(direct)
    leaves: list[set[int]] = [set() for _ in range(nodes)]
    for g in range(count):
        node: int | None = g + 1
        while node is not None:
            leaves[node].add(g)
            leaves[0].add(g)
            parent = parents[node - 1]
            node = None if parent is None else parent + 1
    for node, pseudo in direct.items():
        leaves[pseudo] = {node - 1}
    for node in sorted(children):
        if node:
            children[node] = [*children[node], direct[node]]
    result = Layout(groups=count, bands=tuple(bands))
    domains = [[ANY, *range(b + 1)] for b in bands]
    combos = list(itertools.product(*domains))
    index: dict[tuple[int, tuple[int, ...]], int] = {}
    for node in range(nodes):
        for combo in combos:
            index[(node, combo)] = len(result.keys)
            result.keys.append((node, combo))
            result.shown.append(node <= count and all(c != b for c, b in zip(combo, bands, strict=True)))
    if membership:
        # Cells x atoms: the node's groups, times, per item, ANY (every value) or one value.
        matrix = np.zeros((nodes, count))
        for node in range(nodes):
            matrix[node, sorted(leaves[node])] = 1.0
        for b in bands:
            item = np.vstack([np.ones(b + 1), np.eye(b + 1)])
            rows, cols = matrix.shape
            matrix = (matrix[:, None, :, None] * item[None, :, None, :]).reshape(
                rows * item.shape[0], cols * item.shape[1]
            )
        result.membership = matrix
    else:
        result.membership = np.zeros((0, result.atoms))
    for parent, kids in children.items():
        for combo in combos:
            result.partitions.append((index[(parent, combo)], [index[(kid, combo)] for kid in kids]))
    for node in range(nodes):
        for j, b in enumerate(bands):
            for combo in combos:
                if combo[j] != ANY:
                    continue
                parts = [index[(node, (*combo[:j], v, *combo[j + 1 :]))] for v in range(b + 1)]
                result.partitions.append((index[(node, combo)], parts))
    return result


def suppress(
    sizes: Sequence[int],
    partitions: Sequence[tuple[int, Sequence[int]]],
    k: int,
    *,
    shown: Sequence[bool] | None = None,
    start: Mapping[int, Suppression] | None = None,
    memo: dict[frozenset[int], set[int]] | None = None,
) -> list[Suppression]:
    """Which cells to hide, and why (see the module's docstring). Cells not `shown` stay hidden.

    `start` holds cells already hidden (e.g. on the respondents' counts, before a factor's
    own counts are looked at). `memo` keeps the linear audit of each pattern of hidden
    cells between calls on the same partitions (it depends on nothing else). Raises
    ValueError for k below the smallest cell allowed (5).
    """
    if k < SMALLEST_CELL:
        raise ValueError(f"k must be at least {SMALLEST_CELL}")
    total = len(sizes)
    visible = list(shown) if shown is not None else [True] * total
    reason = [Suppression.NONE] * total
    hidden = [not v for v in visible]
    for cell, why in (start or {}).items():
        hidden[cell], reason[cell] = True, why
    for cell, n in enumerate(sizes):
        if visible[cell] and not hidden[cell] and 0 < n < k:
            hidden[cell], reason[cell] = True, Suppression.SMALL
    part_of: dict[int, list[int]] = {}
    for number, (_parent, kids) in enumerate(partitions):
        for kid in kids:
            part_of.setdefault(kid, []).append(number)

    def pinned(cell: int) -> bool:
        """Whether the cell equals a shown parent, every other part empty (hiding it protects nothing)."""
        for number in part_of.get(cell, []):
            parent, kids = partitions[number]
            if not hidden[parent] and all(sizes[other] == 0 for other in kids if other != cell):
                return True
        return False

    def hide_one(cells: Sequence[int]) -> bool:
        candidates = [c for c in cells if visible[c] and not hidden[c] and sizes[c] > 0]
        if not candidates:
            return False
        chosen = min(candidates, key=lambda c: (pinned(c), sizes[c], c))
        hidden[chosen], reason[chosen] = True, Suppression.COMPLEMENTARY
        return True

    while True:
        changed = False
        for parent, kids in partitions:
            if hidden[parent] or sizes[parent] == 0:
                continue
            held = [c for c in kids if hidden[c] and sizes[c] > 0]
            if not held:
                continue
            lone = len(held) == 1 and (visible[held[0]] or sizes[held[0]] < k)
            if lone or sum(sizes[c] for c in held) < k:
                changed = hide_one(kids) or hide_one([parent]) or changed
        if changed:
            continue
        exposed = determined(sizes, partitions, hidden, k, memo)
        if not exposed:
            break
        cell = exposed[0]
        near = [c for n in part_of.get(cell, []) for c in (partitions[n][0], *partitions[n][1])]
        near += [kid for parent, kids in partitions if parent == cell for kid in kids]
        if not hide_one(near) and not hide_one(range(total)):
            break
    for cell in range(total):
        if hidden[cell] and reason[cell] == Suppression.NONE:
            reason[cell] = Suppression.SMALL if 0 < sizes[cell] < k else Suppression.COMPLEMENTARY
    return reason


def determined(
    sizes: Sequence[int],
    partitions: Sequence[tuple[int, Sequence[int]]],
    hidden: Sequence[bool],
    k: int,
    memo: dict[frozenset[int], set[int]] | None = None,
) -> list[int]:
    """Hidden cells with 0 < n < k whose value follows from the shown cells by linear algebra."""
    small = {c for c, n in enumerate(sizes) if hidden[c] and 0 < n < k}
    if not small:
        return []
    key = frozenset(c for c, h in enumerate(hidden) if h)
    if memo is None or key not in memo:
        found = solvable(partitions, hidden)
        if memo is None:
            return sorted(small & found)
        memo[key] = found
    return sorted(small & memo[key])


def solvable(partitions: Sequence[tuple[int, Sequence[int]]], hidden: Sequence[bool]) -> set[int]:
    """The hidden cells whose value the shown cells determine, through the partitions' sums.

    Each partition is an equation parent - sum(parts) = 0 in which the shown cells are
    known. Gauss-Jordan elimination of the hidden cells' coefficients on sparse rows (the
    equations have a few terms each, the pivots are chosen among the shortest rows, and the
    coefficients stay small rationals, so the arithmetic stays exact to far below the
    tolerance; the tests compare it with numpy's rank on random tables): a hidden cell is
    determined exactly when its pivot row ends with no other unknown; a cell without a
    pivot can take any value.
    """
    rows: list[dict[int, float]] = []
    for parent, kids in partitions:
        coefficients: dict[int, float] = {}
        if hidden[parent]:
            coefficients[parent] = 1.0
        for kid in kids:
            if hidden[kid]:
                coefficients[kid] = coefficients.get(kid, 0.0) - 1.0
        coefficients = {c: v for c, v in coefficients.items() if v}
        if coefficients:
            rows.append(coefficients)
    holding: dict[int, set[int]] = {}
    for r, row in enumerate(rows):
        for c in row:
            holding.setdefault(c, set()).add(r)
    pivot_rows: dict[int, int] = {}  # row -> its pivot column
    for column in sorted(holding, key=lambda c: (len(holding[c]), c)):
        candidates = [r for r in holding[column] if r not in pivot_rows]
        if not candidates:
            continue
        pivot = min(candidates, key=lambda r: (len(rows[r]), r))
        lead = rows[pivot][column]
        if lead != 1:
            rows[pivot] = {c: v / lead for c, v in rows[pivot].items()}
        pivot_rows[pivot] = column
        for other in list(holding[column]):
            if other == pivot:
                continue
            target = rows[other]
            factor = target[column]
            for c, v in rows[pivot].items():
                value = target.get(c, 0.0) - factor * v
                if abs(value) > _ZERO:
                    target[c] = value
                    holding[c].add(other)
                else:
                    target.pop(c, None)
                    holding[c].discard(other)
    return {column for row, column in pivot_rows.items() if len(rows[row]) == 1}
