"""The heat maps of a cycle: inherent, current and target, side by side, with movement.

Each map counts the risks a person may see in every (likelihood, impact) cell, with the
cell's level read from the matrix's grid. Movement compares the levels of each risk from
one stage to the next (inherent → current: what today's controls do; current → target:
what the treatments should do). The ratings are read in one values() query, whatever
the number of risks; the rest is arithmetic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from arusha.core.access import Access, policy_for
from arusha.risks.appetite import scale_of
from arusha.risks.matrices import Scale
from arusha.risks.models import STAGES, Cycle, Risk
from arusha.risks.vocabulary import Stage

DOWN, SAME, UP = "down", "same", "up"
MOVES = (DOWN, SAME, UP)
MOVE_LABELS = {DOWN: _("went down"), SAME: _("stayed the same"), UP: _("went up")}


def text_class(colour: str) -> str:
    """Dark or light text on a level's colour, whichever reads better (WCAG relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "hm-dark" if luminance > 0.179 else "hm-light"


@dataclass
class Cell:
    likelihood: int
    impact: int
    level: str
    label: str
    colour: str
    text: str
    count: int = 0
    # The count here minus the count of the same cell at the stage before (None: first stage).
    delta: int | None = None
    # Of the risks in this cell, how many came from a lower, the same or a higher level.
    arrived: Counter[str] = field(default_factory=Counter)

    @property
    def came_down(self) -> int:
        return self.arrived[DOWN]

    @property
    def came_up(self) -> int:
        return self.arrived[UP]

    @property
    def delta_text(self) -> str:
        """The change since the stage before, signed ("+2", or a minus sign and 1); empty when none."""
        if not self.delta:
            return ""
        return f"+{self.delta}" if self.delta > 0 else f"\u2212{-self.delta}"


@dataclass
class Grid:
    stage: str
    label: str
    rows: list[tuple[int, str, list[Cell]]]  # likelihood rank and label, cells by impact rank
    rated: int
    unrated: int


@dataclass
class Movement:
    start: str
    end: str
    label: str
    counts: dict[str, int]
    compared: int

    @property
    def items(self) -> list[tuple[str, str, int]]:
        return [(move, str(MOVE_LABELS[move]), self.counts[move]) for move in MOVES]


@dataclass
class TableRow:
    stage: str
    stage_label: str
    likelihood: int
    likelihood_label: str
    impact: int
    impact_label: str
    level_label: str
    count: int


@dataclass
class HeatMap:
    cycle: Cycle
    scale: Scale | None
    total: int
    impacts: list[tuple[int, str]] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)

    @property
    def table(self) -> list[TableRow]:
        """Every non-empty cell of every map: the accessible alternative to the coloured grids."""
        rows = []
        for grid in self.grids:
            for likelihood, likelihood_label, cells in grid.rows:
                for cell in cells:
                    if cell.count:
                        rows.append(
                            TableRow(
                                grid.stage,
                                grid.label,
                                likelihood,
                                likelihood_label,
                                cell.impact,
                                dict(self.impacts)[cell.impact],
                                cell.label,
                                cell.count,
                            )
                        )
        return rows


RATING_COLUMNS = tuple(f"{stage}_{part}" for stage in STAGES for part in ("likelihood", "impact", "level"))


def visible_risks(access: Access, cycle: Cycle) -> QuerySet[Risk]:
    """The cycle's risks the person may see (all of them for readers of every register)."""
    return policy_for(Risk).visible(access, Risk.objects.filter(cycle=cycle))


def _move(scale: Scale, before: str, after: str) -> str:
    difference = scale.severity(after) - scale.severity(before)
    return UP if difference > 0 else DOWN if difference < 0 else SAME


def heatmap(cycle: Cycle, access: Access) -> HeatMap:
    """The three maps of the cycle over the risks `access` may see."""
    scale = scale_of(cycle)
    # The scope by id: the organization's row is not needed to count the risks.
    with scope(organization=cycle.organization_id):
        ratings = list(visible_risks(access, cycle).values_list(*RATING_COLUMNS))
    result = HeatMap(cycle=cycle, scale=scale, total=len(ratings))
    if scale is None:
        return result
    rows, columns = scale.size
    levels = {level.code: level for level in scale.levels()}
    result.impacts = [(i, scale.impact_label(i)) for i in range(1, columns + 1)]

    def blank(stage: str) -> dict[tuple[int, int], Cell]:
        cells = {}
        for likelihood in range(1, rows + 1):
            for impact in range(1, columns + 1):
                level = levels[scale.level(likelihood, impact)]
                cells[(likelihood, impact)] = Cell(
                    likelihood, impact, level.code, level.label, level.colour, text_class(level.colour)
                )
        return cells

    grids = {stage: blank(stage) for stage in STAGES}
    moved = {pair: Counter[str]() for pair in pairwise(STAGES)}
    rated = Counter[str]()
    for row in ratings:
        by_stage = {stage: row[3 * n : 3 * n + 3] for n, stage in enumerate(STAGES)}
        for stage, (likelihood, impact, _level) in by_stage.items():
            if likelihood is not None and impact is not None and (likelihood, impact) in grids[stage]:
                grids[stage][(likelihood, impact)].count += 1
                rated[stage] += 1
        for start, end in moved:
            l0, i0, _l0 = by_stage[start]
            l1, i1, _l1 = by_stage[end]
            if None in (l0, i0, l1, i1) or (l1, i1) not in grids[end] or (l0, i0) not in grids[start]:
                continue
            # Levels are read again from the grid, so a level kept beside stale ranks cannot mislead.
            move = _move(scale, scale.level(l0, i0), scale.level(l1, i1))
            moved[(start, end)][move] += 1
            grids[end][(l1, i1)].arrived[move] += 1
    labels = dict(Stage.choices)
    for n, stage in enumerate(STAGES):
        if n:
            previous = grids[STAGES[n - 1]]
            for key, cell in grids[stage].items():
                cell.delta = cell.count - previous[key].count
        result.grids.append(
            Grid(
                stage=stage,
                label=str(labels[stage]),
                rows=[
                    (
                        likelihood,
                        scale.likelihood_label(likelihood),
                        [grids[stage][(likelihood, impact)] for impact in range(1, columns + 1)],
                    )
                    for likelihood in range(rows, 0, -1)
                ],
                rated=rated[stage],
                unrated=len(ratings) - rated[stage],
            )
        )
    for (start, end), counts in moved.items():
        result.movements.append(
            Movement(
                start=start,
                end=end,
                label=f"{labels[start]} → {labels[end]}",
                counts={move: counts[move] for move in MOVES},
                compared=sum(counts.values()),
            )
        )
    return result
