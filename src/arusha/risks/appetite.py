"""Where a risk stands against the appetite of its cycle's matrix.

A risk is above appetite when its current level is above the acceptable level. A risk
of a zero-tolerance kind (e.g. bribery at examination, release or valuation) is above
appetite at any level but the lowest, and can never be accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from arusha.risks.access import process_ancestors
from arusha.risks.matrices import Scale, ZeroTolerance
from arusha.risks.models import Cycle, Risk


def scale_of(cycle: Cycle) -> Scale | None:
    return Scale(cycle.matrix.definition) if cycle.matrix is not None else None


@dataclass(frozen=True)
class Standing:
    above: bool
    zero_tolerance: ZeroTolerance | None


def standing(risk: Risk, scale: Scale, process_codes: list[str] | None = None) -> Standing:
    """`process_codes`: the risk's process and its ancestors, when the caller has them already."""
    codes = process_codes if process_codes is not None else [p.code for p in process_ancestors(risk.process)]
    rule = scale.zero_tolerance(list(risk.corruption_types), codes)
    level = risk.current_level
    if not level:
        return Standing(above=False, zero_tolerance=rule)
    if rule is not None:
        return Standing(above=scale.severity(level) > 0, zero_tolerance=rule)
    return Standing(above=scale.above_acceptable(level), zero_tolerance=None)
