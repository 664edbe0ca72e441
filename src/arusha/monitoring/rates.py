"""Rates by category, and values shown as their indicator says.

`Measurement.disaggregated` is `{"dimension": {"category": entry}}`. An entry is one of:

- a number written as a string (`"2.5"`): the category's value, entered directly. Every
  measurement made before parts existed has this shape, and so has every KPI not
  computed from its parts;
- `{"variables": {"W": "3", "S": "10"}, "value": "30"}`: the category's variables and
  the formula's result on them, for a KPI computed from its parts
  (`Kpi.parts_computed`). The measurement's own variables are then the sums of the
  categories' variables, and its value the formula on those sums (not a mean of rates).

Readers go through `category_value()` and `breakdown_rows()`, which read both shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.functional import Promise

from arusha.core.errors import DomainError
from arusha.documents.templatetags.documents import kpi_value

if TYPE_CHECKING:
    from arusha.planning.models import Kpi


# A dimension's categories, in the form as through the API: a name of a few words, a few
# dozen categories (grades, regions, offices).
MAX_CATEGORIES = 60
MAX_CATEGORY_NAME = 100


class PartError(DomainError):
    """A refusal about one category (and one of its variables): the form and the API put it there.

    `field` stays the dimension's (`dis_<dimension>`), for callers that know no better.
    """

    def __init__(
        self, message: str | Promise, *, dimension: str, category: str, variable: str | None = None
    ) -> None:
        super().__init__(message, field=f"dis_{dimension}")
        self.dimension = dimension
        self.category = category
        self.variable = variable


def is_parts(entry: object) -> bool:
    return isinstance(entry, Mapping) and isinstance(entry.get("variables"), Mapping)


def _decimal(raw: object) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def category_value(entry: object) -> Decimal | None:
    """A category's value, whatever the shape it was stored in."""
    if isinstance(entry, Mapping):
        return _decimal(entry.get("value")) if "value" in entry else None
    return _decimal(entry)


@dataclass(frozen=True)
class CategoryRow:
    dimension: str
    category: str
    value: Decimal | None
    # The category's variables by name, for a KPI computed from its parts; empty otherwise.
    variables: dict[str, str] = field(default_factory=dict)


def breakdown_rows(disaggregated: Mapping[str, Any]) -> list[CategoryRow]:
    """Every category of every dimension, in the order stored."""
    rows = []
    for dimension, categories in (disaggregated or {}).items():
        if not isinstance(categories, Mapping):
            continue
        for category, entry in categories.items():
            variables = {str(k): str(v) for k, v in entry["variables"].items()} if is_parts(entry) else {}
            rows.append(CategoryRow(str(dimension), str(category), category_value(entry), variables))
    return rows


def format_value(value: Decimal | None, kpi: Kpi) -> str:
    """A value as the KPI says, in the reader's language: the one formatter of pages, charts and documents."""
    return kpi_value(value, kpi)


@dataclass(frozen=True)
class ShownDimension:
    """One dimension's categories as a table: for parts, each variable then the rate."""

    dimension: str
    variables: list[str]  # the variables' labels, for a KPI computed from its parts
    rows: list[tuple[str, list[str], str]]  # category, its variables, its value
    total: tuple[list[str], str] | None  # the sums of the variables and the overall value


@dataclass(frozen=True)
class Shown:
    value: str
    dimensions: list[ShownDimension]


def shown(kpi: Kpi, value: Decimal, variables: Mapping[str, Any], disaggregated: Mapping[str, Any]) -> Shown:
    """A measurement as people read it: the overall value and each category's, rounded as the KPI says."""
    labels = [(v["name"], str(v.get("label") or v["name"])) for v in kpi.variables]
    dimensions = []
    for dimension, categories in (disaggregated or {}).items():
        if not isinstance(categories, Mapping):
            continue
        parts = any(is_parts(entry) for entry in categories.values())
        rows = []
        for category, entry in categories.items():
            given = entry["variables"] if is_parts(entry) else {}
            rows.append(
                (
                    str(category),
                    [_count(given.get(name)) for name, _label in labels] if parts else [],
                    format_value(category_value(entry), kpi),
                )
            )
        total = None
        if parts:
            total = ([_count(variables.get(name)) for name, _label in labels], format_value(value, kpi))
        dimensions.append(
            ShownDimension(str(dimension), [label for _name, label in labels] if parts else [], rows, total)
        )
    return Shown(format_value(value, kpi), dimensions)


def _count(raw: object) -> str:
    """A variable as entered (a count, usually): no rounding, thousands grouped."""
    number = _decimal(raw)
    if number is None:
        return "—"
    text = f"{number.normalize():f}"
    return formats.number_format(Decimal(text), use_l10n=True, force_grouping=True)


def summary(kpi: Kpi, disaggregated: Mapping[str, Any]) -> str:
    """Each category's value on one line, rounded as the KPI says: "grade: A 25.0 %, B 40.0 %"."""
    if not disaggregated:
        return ""
    return " · ".join(
        f"{dimension}: "
        + ", ".join(
            f"{category} {format_value(category_value(entry), kpi)}" for category, entry in categories.items()
        )
        for dimension, categories in disaggregated.items()
        if isinstance(categories, Mapping)
    )
