"""How a signal's explanation page names what the catalogue stored beside its numbers.

Two kinds of rows come out of the engine with the column names it computes with: a
signal's `details` JSON (stats.py: the test, the expectation, Benford's digit counts, an
office measure's value…) and the example declarations behind it (engine/examples.py).
Here each known name gets a label in the reader's language and a `kind` saying how its
value is written (templatetags.analytics_signals.shown: rounded, localized, timestamps to
the minute). Names the catalogue may add later are still shown, under their own name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from arusha.analytics.selectors.indicators import IndicatorText, indicator_text, unit_label
from arusha.analytics.vocabulary import Direction


@dataclass(frozen=True)
class Detail:
    """One line of a signal's details: its label, its value and how to write it."""

    key: str
    label: str
    value: Any
    kind: str  # see templatetags.analytics_signals.shown
    unit: str = ""  # written after the value ("%", "hours")


@dataclass(frozen=True)
class Column:
    """One column of the example declarations."""

    key: str
    label: str
    kind: str


@dataclass(frozen=True)
class Cell:
    """One value of an example declaration and how to write it (its column's kind)."""

    value: Any
    kind: str


# --- Details ------------------------------------------------------------------------------

TESTS: dict[str, Promise] = {
    "poisson_upper": gettext_lazy("Poisson, upper tail"),
    "binomial_upper": gettext_lazy("Binomial, upper tail"),
    "binomial_lower": gettext_lazy("Binomial, lower tail"),
    "z_lower": gettext_lazy("z-score, lower tail"),
    "chi2_upper": gettext_lazy("Chi-square, upper tail"),
    "robust_z_upper": gettext_lazy("Robust z-score (median and median absolute deviation), upper tail"),
    "benford_chi2": gettext_lazy("Chi-square against Benford's law (8 degrees of freedom)"),
    "rule": gettext_lazy("Rule, with no statistical test"),
}

# The details' known names, in the order the page shows them: label and kind. Values with
# the kind "measure_value" are written in the measure's unit.
DETAILS: dict[str, tuple[Promise, str]] = {
    "test": (gettext_lazy("Test"), "test"),
    "measure": (gettext_lazy("Measure"), "measure"),
    "value": (gettext_lazy("Office value"), "measure_value"),
    "national": (gettext_lazy("National value"), "measure_value"),
    "unit": (gettext_lazy("Unit"), "unit"),
    "direction": (gettext_lazy("Which way is better"), "direction"),
    "expected": (gettext_lazy("Expected under the baseline"), "number"),
    "support": (gettext_lazy("Support (the count the test rests on)"), "count"),
    "window_months": (gettext_lazy("Months in the window"), "count"),
    "pairs": (gettext_lazy("Pairs of a broker and an inspector that met"), "count"),
    "z": (gettext_lazy("z-score"), "number"),
    "log_gap": (gettext_lazy("Logarithm of partner exports over declared imports"), "number"),
    "variance": (gettext_lazy("Variance expected from the strata"), "number"),
    "mad": (gettext_lazy("Mean absolute deviation from Benford"), "small"),
    "move_period": (gettext_lazy("Month of the officer's move"), "text"),
    "together": (gettext_lazy("Declarations with the officer at the old office"), "count"),
    "n_before": (gettext_lazy("The broker's declarations in the months before the move"), "count"),
    "x_before": (gettext_lazy("Of which lodged at the new office"), "count"),
}
DIGITS = tuple(f"d{digit}" for digit in range(1, 10))
# Stored apart and shown on its own line (selectors.signals.SignalPage.stratum).
STRATUM = "stratum"


def _label(key: str) -> str:
    if key in DETAILS:
        return str(DETAILS[key][0])
    return gettext("First digit %(digit)s") % {"digit": key[1:]}


def _order() -> list[str]:
    """The known names in the page's order: Benford's digits after the deviation they make."""
    names = list(DETAILS)
    at = names.index("mad") + 1
    return [*names[:at], *DIGITS, *names[at:]]


def details_of(details: Mapping[str, Any], text: IndicatorText) -> list[Detail]:
    """A signal's details, known names first (labelled, in a fixed order), then any other."""
    shown: list[Detail] = []
    for key in _order():
        if key not in details:
            continue
        shown.append(_known(key, details[key], text))
    for key in sorted(str(name) for name in details):
        if key in DETAILS or key in DIGITS or key == STRATUM:
            continue
        shown.append(Detail(key=key, label=key, value=details[key], kind="auto"))
    return shown


def _known(key: str, value: Any, text: IndicatorText) -> Detail:
    label = _label(key)
    kind = DETAILS[key][1] if key in DETAILS else "count"
    words: dict[str, Callable[[str], str]] = {
        "test": lambda v: str(TESTS[v]) if v in TESTS else v,
        "measure": lambda v: indicator_text(v).name,
        "unit": unit_label,
        "direction": lambda v: str(Direction(v).label) if v in Direction.values else v,
    }
    if kind in words:
        return Detail(key, label, "—" if value is None else words[kind](str(value)), "text")
    if kind == "measure_value":
        return Detail(key, label, value, "number", unit=text.unit_label if value is not None else "")
    return Detail(key, label, value, kind)


# --- Example declarations -----------------------------------------------------------------

# engine/examples.py's columns: label and kind. The engine's order is kept on the page.
EXAMPLE_COLUMNS: dict[str, tuple[Promise, str]] = {
    "declaration_id": (gettext_lazy("Declaration"), "text"),
    "office_code": (gettext_lazy("Office"), "text"),
    "section_code": (gettext_lazy("Section"), "text"),
    "lodged_at": (gettext_lazy("Lodged"), "timestamp"),
    "channel_initial": (gettext_lazy("Channel set by the risk engine"), "text"),
    "channel_final": (gettext_lazy("Final channel"), "text"),
    "inspector_id": (gettext_lazy("Inspector"), "text"),
    "broker_id": (gettext_lazy("Broker"), "text"),
    "trader_id": (gettext_lazy("Trader"), "text"),
    "declared_value": (gettext_lazy("Declared value"), "money"),
    "assessed_value": (gettext_lazy("Assessed value"), "money"),
    "released_at": (gettext_lazy("Released"), "timestamp"),
    "release_hours": (gettext_lazy("Release time (hours)"), "hours"),
    "pair_declarations": (gettext_lazy("Declarations of the broker with the inspector"), "count"),
    "changed_by": (gettext_lazy("Changed by"), "text"),
    "changed_at": (gettext_lazy("Changed"), "timestamp"),
    "from_channel": (gettext_lazy("From channel"), "text"),
    "to_channel": (gettext_lazy("To channel"), "text"),
    "reason_code": (gettext_lazy("Reason code"), "text"),
    "justification": (gettext_lazy("Justification"), "text"),
    "undocumented": (gettext_lazy("Undocumented"), "flag"),
    "first_hs_code": (gettext_lazy("Tariff code of the first item"), "text"),
    "offence": (gettext_lazy("Offence found"), "flag"),
    "uplift": (gettext_lazy("Value uplift"), "percent"),
    "item_no": (gettext_lazy("Item"), "count"),
    "hs_code": (gettext_lazy("Tariff code"), "text"),
    "item_origin": (gettext_lazy("Origin"), "text"),
    "quantity": (gettext_lazy("Quantity"), "number"),
    "customs_value": (gettext_lazy("Customs value"), "money"),
    "unit_value": (gettext_lazy("Unit value"), "money"),
    "first_digit": (gettext_lazy("First digit"), "text"),
    "replaces_id": (gettext_lazy("Replaces declaration"), "text"),
    "cancelled_channel": (gettext_lazy("Channel of the cancelled declaration"), "text"),
    "cancelled_lodged_at": (gettext_lazy("Cancelled declaration lodged"), "timestamp"),
    "officer_id": (gettext_lazy("Officer"), "text"),
    "role": (gettext_lazy("Role"), "text"),
    "start_date": (gettext_lazy("From"), "date"),
    "end_date": (gettext_lazy("Until"), "date"),
}


def example_table(found: Sequence[Mapping[str, Any]]) -> tuple[list[Column], list[list[Cell]]]:
    """The examples' columns (the engine's order, labelled; an unknown one under its name) and rows."""
    keys: list[str] = []
    for row in found:
        keys.extend(str(key) for key in row if str(key) not in keys)
    columns = []
    for key in keys:
        label, kind = EXAMPLE_COLUMNS.get(key, (None, "auto"))
        columns.append(Column(key=key, label=str(label) if label is not None else key, kind=kind))
    rows = [[Cell(row.get(column.key), column.kind) for column in columns] for row in found]
    return columns, rows
