"""Figures other contexts give about a process, for the per-process thread of the risk map.

Risk mapping stands below cases and surveys (a case's systemic recommendation creates a
risk), so it cannot read them. Instead each of them registers, from its AppConfig.ready,
a function of (organization, process ids (the process and those under it), key factors,
first day, last day) that returns (label, value) pairs: complaint counts, perception
indices… A value the other context may not show (a small cell) is None.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from arusha.core.models import Organization


@dataclass(frozen=True)
class ProcessFigure:
    label: str | Promise
    value: Decimal | int | None
    note: str | Promise = ""


Provider = Callable[
    ["Organization", Sequence[int], Sequence[str], datetime.date, datetime.date], list[ProcessFigure]
]

_PROVIDERS: dict[str, tuple[str | Promise, Provider]] = {}


def register_process_figures(code: str, title: str | Promise, provider: Provider) -> None:
    """Declare a source of figures about processes (from a context's AppConfig.ready)."""
    if code in _PROVIDERS:
        raise ValueError(f"Process figures registered twice: {code!r}")
    _PROVIDERS[code] = (title, provider)


def process_figures(
    organization: Organization,
    process_ids: Sequence[int],
    factors: Sequence[str],
    start: datetime.date,
    end: datetime.date,
) -> list[tuple[str | Promise, list[ProcessFigure]]]:
    """Each registered source's title and its figures for the process."""
    return [
        (title, provider(organization, process_ids, factors, start, end))
        for title, provider in _PROVIDERS.values()
    ]
