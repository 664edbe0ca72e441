"""The catalogue's definitions: versioned data in definitions.yaml, validated on load.

The YAML holds what an indicator means (names and descriptions in English, French and
Spanish), the test and effect that stats.py applies, the thresholds of a flag and the
office-level measure it gives for performance contracts. The code that computes each
indicator is in the sibling modules, keyed by the same code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from ruamel.yaml import YAML

DEFINITIONS_FILE = Path(__file__).with_name("definitions.yaml")

EntityKindCode = Literal["office", "officer", "broker", "trader", "pair", "flow"]
TestKind = Literal[
    "poisson_upper",
    "binomial_upper",
    "binomial_lower",
    "z_lower",
    "chi2_upper",
    "robust_z_upper",
    "benford_chi2",
    "rule",
]
EffectKind = Literal[
    "ratio", "excess_share", "inverse_ratio", "shortfall", "statistic_over_df", "mad", "gap", "rule_ratio"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """One text in each language the catalogue is written in."""

    en: str
    fr: str
    es: str

    def get(self, language: str) -> str:
        """The text in `language` ("fr", "es-AR"…), English when the catalogue lacks it."""
        base = language.split("-")[0].lower()
        return str(getattr(self, base, self.en)) if base in {"en", "fr", "es"} else self.en


class Measure(_Strict):
    """An office-level measure an indicator also gives, usable in performance contracts."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")
    unit: Literal["%", "hours"]
    direction: Literal["higher", "lower"]  # which way is better
    names: Texts | None = None  # when they differ from the indicator's

    @property
    def scale(self) -> float:
        """Factor from numerator / denominator to the measure's unit."""
        return 100.0 if self.unit == "%" else 1.0


class IndicatorDefinition(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")
    version: int = Field(ge=1)
    names: Texts
    descriptions: Texts
    strata: Texts  # what the baseline compares with
    entity_kinds: tuple[EntityKindCode, ...] = Field(min_length=1)
    test: TestKind
    effect: EffectKind
    min_support: float = Field(ge=0)
    min_effect: float
    persistence: int = Field(ge=1, le=12)
    alpha: float = Field(default=0.05, gt=0, lt=1)
    measure: Measure | None = None
    params: dict[str, float] = Field(default_factory=dict)
    composite: bool = True
    reference: str

    @property
    def office_level(self) -> bool:
        """Whether the indicator gives an office-level measure for performance contracts."""
        return self.measure is not None

    def param(self, name: str) -> float:
        return self.params[name]

    def measure_names(self) -> Texts:
        assert self.measure is not None
        return self.measure.names or self.names


class _Catalogue(_Strict):
    indicators: tuple[IndicatorDefinition, ...]

    @model_validator(mode="after")
    def _codes_unique(self) -> _Catalogue:
        codes = [d.code for d in self.indicators] + [
            d.measure.code for d in self.indicators if d.measure and d.measure.code != d.code
        ]
        if len(codes) != len(set(codes)):
            raise ValueError("indicator and measure codes must be unique")
        return self


def load_definitions(path: Path = DEFINITIONS_FILE) -> tuple[IndicatorDefinition, ...]:
    """Read and validate a definitions file (YAML, safe loader)."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return _Catalogue.model_validate({"indicators": data}).indicators


@cache
def definitions() -> tuple[IndicatorDefinition, ...]:
    """The built-in catalogue, loaded once per process."""
    return load_definitions()


def definition(code: str) -> IndicatorDefinition:
    for item in definitions():
        if item.code == code:
            return item
    raise KeyError(code)
