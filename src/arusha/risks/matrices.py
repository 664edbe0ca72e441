"""Risk matrices as versioned data: the schema, the presets, the lookup of a level.

A matrix definition holds the levels of likelihood and of impact (ranks 1…n, with
labels and descriptions; impact is described per dimension: revenue, trade
facilitation, public trust, security, legal, staff), the risk levels from the lowest
to the highest, and the grid that gives the level of every (likelihood, impact) pair.
The level is always read from the grid, never computed by multiplying ranks.

The appetite policy says which level is acceptable (no treatment needed), which is
the highest that may still be accepted, who may accept each level, for how long, and
which kinds of corruption may never be accepted whatever their level.

The presets (3x3, 4x4, 5x5) are data/matrices.yaml, written in the project's own words.
`check()` validates a definition before anything is written; errors name the place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any

from django.utils.translation import get_language
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from ruamel.yaml import YAML

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]*$", max_length=20)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Localized = dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")], Text]

DIMENSIONS = ("revenue", "trade", "trust", "security", "legal", "staff")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _english(value: Localized, where: str) -> None:
    if "en" not in value:
        raise ValueError(f"{where} needs an English text (en)")


class LikelihoodLevel(_Strict):
    rank: int = Field(ge=1, le=10)
    code: Code
    label: Localized
    description: Localized = Field(default_factory=dict)


class ImpactLevel(_Strict):
    rank: int = Field(ge=1, le=10)
    code: Code
    label: Localized
    # What this impact looks like in each dimension.
    description: dict[Code, Localized] = Field(default_factory=dict)


class RiskLevel(_Strict):
    code: Code
    label: Localized
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class ZeroTolerance(_Strict):
    """Risks of these corruption types in these processes (codes; empty: any) are never accepted."""

    corruption_types: list[Code] = Field(default_factory=list)
    processes: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]] = (
        Field(default_factory=list)
    )
    label: Localized


class Appetite(_Strict):
    acceptable: Code
    tolerable: Code
    # level code → the role (a preset role or one of the organization's roles) that may accept it.
    acceptors: dict[Code, Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]]
    acceptance_months: int = Field(ge=1, le=60, default=12)
    zero_tolerance: list[ZeroTolerance] = Field(default_factory=list)


class MatrixDefinition(_Strict):
    name: Localized
    dimensions: list[Code] = Field(min_length=1, max_length=12)
    likelihood: list[LikelihoodLevel] = Field(min_length=2, max_length=10)
    impact: list[ImpactLevel] = Field(min_length=2, max_length=10)
    levels: list[RiskLevel] = Field(min_length=2, max_length=8)
    # grid[l - 1][i - 1] is the level code of likelihood rank l and impact rank i.
    grid: list[list[Code]]
    appetite: Appetite

    @model_validator(mode="after")
    def _coherent(self) -> MatrixDefinition:
        _english(self.name, "The name")
        for scale, title in ((self.likelihood, "likelihood"), (self.impact, "impact")):
            ranks = [level.rank for level in scale]
            if sorted(ranks) != list(range(1, len(scale) + 1)):
                raise ValueError(f"The {title} ranks must be 1 to {len(scale)}, each once")
            codes = [level.code for level in scale]
            if len(set(codes)) != len(codes):
                raise ValueError(f"The {title} codes must differ")
            for code, label in ((level.code, level.label) for level in scale):
                _english(label, f"The {title} level {code}")
        if len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError("The impact dimensions must differ")
        for level in self.impact:
            unknown = set(level.description) - set(self.dimensions)
            if unknown:
                raise ValueError(
                    f"The impact level {level.code} describes unknown dimensions: {sorted(unknown)}"
                )
        order = self.level_order
        if len(order) != len(self.levels):
            raise ValueError("The risk level codes must differ")
        for risk_level in self.levels:
            _english(risk_level.label, f"The risk level {risk_level.code}")
        if len(self.grid) != len(self.likelihood):
            raise ValueError(f"The grid needs {len(self.likelihood)} rows, one per likelihood rank")
        for row_number, row in enumerate(self.grid, start=1):
            if len(row) != len(self.impact):
                raise ValueError(f"Grid row {row_number} needs {len(self.impact)} cells, one per impact rank")
            for column, code in enumerate(row, start=1):
                if code not in order:
                    raise ValueError(f"Grid row {row_number}, cell {column}: unknown level {code!r}")
        # More likely or more harmful never means a lower level.
        for l_rank in range(len(self.grid)):
            for i_rank in range(len(self.impact)):
                here = order[self.grid[l_rank][i_rank]]
                if i_rank and here < order[self.grid[l_rank][i_rank - 1]]:
                    raise ValueError(
                        f"Grid row {l_rank + 1}, cell {i_rank + 1}: lower than the cell before it"
                    )
                if l_rank and here < order[self.grid[l_rank - 1][i_rank]]:
                    raise ValueError(f"Grid row {l_rank + 1}, cell {i_rank + 1}: lower than the row below it")
        appetite = self.appetite
        for name, code in (("acceptable", appetite.acceptable), ("tolerable", appetite.tolerable)):
            if code not in order:
                raise ValueError(f"The appetite's {name} level {code!r} is not a risk level")
        if order[appetite.acceptable] > order[appetite.tolerable]:
            raise ValueError("The acceptable level cannot be above the tolerable level")
        for code in appetite.acceptors:
            if code not in order:
                raise ValueError(f"The appetite names an unknown level {code!r}")
            if order[code] > order[appetite.tolerable]:
                raise ValueError(f"The level {code!r} is above the tolerable level: nobody may accept it")
        for code in order:
            if (
                order[appetite.acceptable] < order[code] <= order[appetite.tolerable]
                and code not in appetite.acceptors
            ):
                raise ValueError(f"Say who may accept the level {code!r}")
        return self

    @property
    def level_order(self) -> dict[str, int]:
        """Each level's code and its severity (0 is the lowest)."""
        return {level.code: index for index, level in enumerate(self.levels)}


def localized(value: Mapping[str, str], language: str | None = None) -> str:
    """A matrix text in `language` (the reader's, when not given), else in English."""
    language = (language or get_language() or "en").split("-")[0]
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    colour: str
    severity: int


class MatrixError(ValueError):
    """A definition that does not hold; the message names the place."""


def check(data: Any) -> MatrixDefinition:
    """The validated definition, or MatrixError naming the first problem found."""
    try:
        return MatrixDefinition.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = " > ".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise MatrixError(f"{where}: {message}" if where else message) from error


def checksum(definition: MatrixDefinition) -> str:
    text = json.dumps(definition.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class Scale:
    """A checked matrix as the screens and services use it."""

    def __init__(self, definition: MatrixDefinition | dict[str, Any]) -> None:
        self.definition = (
            definition
            if isinstance(definition, MatrixDefinition)
            else _cached(json.dumps(definition, sort_keys=True))
        )
        self.order = self.definition.level_order

    @property
    def size(self) -> tuple[int, int]:
        return len(self.definition.likelihood), len(self.definition.impact)

    def level(self, likelihood: int, impact: int) -> str:
        """The level of a pair of ranks, read from the grid."""
        rows, columns = self.size
        if not (1 <= likelihood <= rows and 1 <= impact <= columns):
            raise MatrixError(f"No cell for likelihood {likelihood} and impact {impact}")
        return self.definition.grid[likelihood - 1][impact - 1]

    def severity(self, code: str) -> int:
        return self.order.get(code, -1)

    def levels(self, language: str | None = None) -> list[Level]:
        return [
            Level(level.code, localized(level.label, language), level.colour, index)
            for index, level in enumerate(self.definition.levels)
        ]

    def level_label(self, code: str, language: str | None = None) -> str:
        for level in self.definition.levels:
            if level.code == code:
                return localized(level.label, language)
        return ""

    def likelihood_label(self, rank: int, language: str | None = None) -> str:
        return localized(self.definition.likelihood[rank - 1].label, language)

    def impact_label(self, rank: int, language: str | None = None) -> str:
        return localized(self.definition.impact[rank - 1].label, language)

    def above_acceptable(self, code: str) -> bool:
        return self.severity(code) > self.severity(self.definition.appetite.acceptable)

    def acceptable_levels(self) -> list[str]:
        """Levels at or below the acceptable level: no treatment or acceptance is needed."""
        limit = self.severity(self.definition.appetite.acceptable)
        return [code for code, severity in self.order.items() if severity <= limit]

    def may_be_accepted(self, code: str) -> bool:
        return self.severity(code) <= self.severity(self.definition.appetite.tolerable)

    def acceptor(self, code: str) -> str | None:
        return self.definition.appetite.acceptors.get(code)

    def zero_tolerance(self, corruption_types: list[str], process_codes: list[str]) -> ZeroTolerance | None:
        """The zero-tolerance rule a risk falls under, if any (process codes: its process and ancestors)."""
        for rule in self.definition.appetite.zero_tolerance:
            types_match = not rule.corruption_types or bool(
                set(rule.corruption_types) & set(corruption_types)
            )
            processes_match = not rule.processes or bool(set(rule.processes) & set(process_codes))
            if types_match and processes_match:
                return rule
        return None


@cache
def _cached(text: str) -> MatrixDefinition:
    return check(json.loads(text))


@cache
def presets() -> dict[str, MatrixDefinition]:
    """The matrices shipped with Arusha, by code: 3x3, 4x4, 5x5."""
    raw = resources.files("arusha.risks").joinpath("data/matrices.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe").load(raw)
    return {str(code): check(definition) for code, definition in data["presets"].items()}


DEFAULT_PRESET = "5x5"
