"""What the analysis gives the screens, exports and KPIs (arusha.surveys.analysis computes it).

Every figure a person can see comes out of these classes, already suppressed: a cell
whose group is smaller than the survey's smallest cell (k), or that would let someone
find such a group by subtraction, has `suppressed` set and no figure at all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# The pseudo-factor that averages a respondent's factor scores: the overall index.
OVERALL = "ALL"
# The pseudo-group of every respondent of the wave.
EVERYONE = ""


class Suppression(enum.StrEnum):
    NONE = ""
    SMALL = "small"  # fewer than k respondents
    COMPLEMENTARY = "complementary"  # hidden so that a small cell cannot be found by subtraction


@dataclass(frozen=True)
class Cell:
    """One factor's index for one group (and one value of each breakdown) in one wave."""

    wave_id: int
    factor: str  # "KF1" … "KF10", or OVERALL
    group: str  # a respondent group's code, or EVERYONE
    breakdown: tuple[str, ...] = ()  # the banded value of each breakdown item, in `Table.by` order
    suppression: Suppression = Suppression.NONE
    n: int | None = None  # respondents with a score for this factor
    index: float | None = None  # 0-100, weighted when the table is
    ci_low: float | None = None  # 95 % confidence interval of the index
    ci_high: float | None = None
    dont_know: float | None = None  # share (0-100 %) of the factor's answers that are "don't know"
    favourable: float | None = None  # share (0-100 %) of the factor's substantive answers above the midpoint

    @property
    def suppressed(self) -> bool:
        return self.suppression != Suppression.NONE


@dataclass
class Table:
    """A wave's indices by factor x group (by up to two breakdown items)."""

    wave_id: int
    k: int
    factors: list[str]
    groups: list[str]  # codes, EVERYONE first, then parents before their subgroups
    by: list[str] = field(default_factory=list)  # breakdown item names (demographics)
    weighted: bool = False
    respondents: int | None = None  # None when the whole wave is below k
    cells: list[Cell] = field(default_factory=list)

    def cell(self, factor: str, group: str, breakdown: tuple[str, ...] = ()) -> Cell | None:
        for cell in self.cells:
            if (cell.factor, cell.group, cell.breakdown) == (factor, group, breakdown):
                return cell
        return None


@dataclass(frozen=True)
class Difference:
    """One factor's change for one group between two waves, with its corrected p-value."""

    factor: str
    group: str
    earlier: Cell
    later: Cell
    difference: float | None = None  # later - earlier, in index points
    p: float | None = None
    q: float | None = None  # Benjamini-Hochberg adjusted over the comparison's tests
    significant: bool = False  # q < 0.05

    @property
    def suppressed(self) -> bool:
        return self.earlier.suppressed or self.later.suppressed
