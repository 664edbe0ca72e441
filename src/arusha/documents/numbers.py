"""Indicator values as people read them: rounded as the KPI says, with its percent sign or unit.

One formatter for every chart, document and page, so a value never reads "11.552347 %"
in one place and "11.6 %" in another. `format_value` writes the same text in every
language (a point for decimals, a narrow space between thousands, as the SI writes
numbers): charts drawn as SVG and turned into PNG must not depend on the locale of the
worker that drew them. Templates use the `kpi_value` filter (templatetags/documents.py),
which rounds the same way and writes the number in the reader's language.

A KPI's `value_format` says what its stored values are: "number" (in its unit),
"percent" (0 to 100) or "fraction" (0 to 1, shown as a percentage: 0.115 reads 11.5 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

NUMBER = "number"
PERCENT = "percent"
FRACTION = "fraction"
MAX_DECIMALS = 6
EMPTY = "—"
# Thousands are set apart with a narrow no-break space: neither "," nor "." is read the
# same way in every language.
THOUSANDS = "\u202f"

Value = Decimal | float | int | str | None


class Formatted(Protocol):
    """What the formatter reads of a KPI (planning.Kpi has these three fields)."""

    value_format: str
    decimals: int
    unit: str


@dataclass(frozen=True)
class Format:
    """A KPI's way of showing its values, for code that has no KPI at hand (charts, documents)."""

    value_format: str = NUMBER
    decimals: int = 1
    unit: str = ""

    @classmethod
    def of(cls, kpi: Formatted) -> Format:
        return cls(kpi.value_format or NUMBER, kpi.decimals, kpi.unit or "")

    def text(self, value: Value) -> str:
        return format_value(value, decimals=self.decimals, value_format=self.value_format, unit=self.unit)

    def shown_text(self, figure: Decimal) -> str:
        """The text of a figure already in the shown unit (see `figure`): "11.5 %" for 11.5."""
        return plain_number(figure, self.decimals) + suffix(self.value_format, self.unit)

    def figure(self, value: Value) -> Decimal | None:
        """The value as drawn: in the shown unit (a fraction as a percentage), rounded as shown."""
        number = shown(value, self.value_format)
        return None if number is None else rounded(number, self.decimals)


def as_decimal(value: Value) -> Decimal | None:
    """A stored value as a Decimal; None (or "") stays None. Floats go through their shortest text."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def shown(value: Value, value_format: str) -> Decimal | None:
    """The figure a reader sees before rounding: a fraction is shown as a percentage."""
    number = as_decimal(value)
    if number is None:
        return None
    return number * 100 if value_format == FRACTION else number


def rounded(number: Decimal, decimals: int) -> Decimal:
    """Half-up rounding ("2.45" to one decimal is "2.5"), which is what readers expect of a table."""
    places = max(0, min(int(decimals), MAX_DECIMALS))
    result = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result if result != 0 else abs(result)  # never "-0.0"


def suffix(value_format: str, unit: str = "") -> str:
    """What follows the figure: " %" for percentages (and a unit written as "%"), else " unit"."""
    unit = (unit or "").strip()
    if value_format in (PERCENT, FRACTION) or unit.startswith("%"):
        rest = unit[1:].strip() if unit.startswith("%") else unit
        return " %" + (f" {rest}" if rest else "")
    return f" {unit}" if unit else ""


def plain_number(number: Decimal, decimals: int) -> str:
    """A rounded figure in the neutral notation: "1\u202f234.5", never "1.2E+3"."""
    text = f"{rounded(number, decimals):f}"
    sign = "-" if text.startswith("-") else ""
    whole, _dot, fraction = text.lstrip("-").partition(".")
    if len(whole) > 4:  # "2025" stays whole, "12\u202f500" is set apart (as the SI writes numbers)
        groups: list[str] = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = THOUSANDS.join(groups)
    return sign + whole + (f".{fraction}" if fraction else "")


def format_value(value: Value, *, decimals: int, value_format: str, unit: str = "") -> str:
    """An indicator's value as it is shown: rounded half-up to `decimals`, with " %" or its unit.

    format_value(11.552347, decimals=1, value_format="percent") == "11.6 %"
    format_value(0.115, decimals=1, value_format="fraction") == "11.5 %"
    format_value(None, ...) == "—"
    """
    number = shown(value, value_format)
    if number is None:
        return EMPTY
    return plain_number(number, decimals) + suffix(value_format, unit)


def format_kpi_value(value: Value, kpi: Formatted) -> str:
    """format_value with the KPI's own format, decimals and unit."""
    return format_value(value, decimals=kpi.decimals, value_format=kpi.value_format, unit=kpi.unit)
