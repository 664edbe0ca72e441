"""The process library shipped with Arusha: a tree of Customs processes with example scenarios.

data/processes.yaml is written in the project's own words, in English, French and
Spanish. Installing it copies it, in one language, into an organization's own catalogue,
which the organization then edits freely (arusha.risks.services.processes).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from ruamel.yaml import YAML

from arusha.frameworks.factors import FACTORS
from arusha.risks.matrices import MatrixError
from arusha.risks.vocabulary import CorruptionType, RiskFactor

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[A-Z][A-Z0-9]*(\.[0-9A-Z]+)*(-S[0-9]+)?$", max_length=30
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Localized = dict[Language, Text]
# Lists of names per language (outside actors; systems may also be one list for every language).
LocalizedList = dict[Language, list[Text]]

SCHEME_PARTS = ("who", "with_whom", "what", "how", "benefit")


# The codes each list of a scenario may hold, and how a refusal names them.
_CODES: dict[str, tuple[Iterable[str], str]] = {
    "corruption_types": (CorruptionType.values, "corruption types"),
    "factors": (FACTORS, "key factors"),
    "risk_factors": (RiskFactor.values, "risk factors"),
}


def _only(values: Iterable[str], allowed: Iterable[str], what: str) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unknown {what} {sorted(unknown)}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class ScenarioEntry(_Strict):
    code: Code
    title: Localized
    scheme: dict[str, Localized]
    corruption_types: list[str] = Field(default_factory=list)
    factors: list[str] = Field(default_factory=list)
    risk_factors: list[str] = Field(default_factory=list)

    @field_validator("scheme")
    @classmethod
    def _parts(cls, value: dict[str, Localized]) -> dict[str, Localized]:
        _only(value, SCHEME_PARTS, "scheme parts")
        return value

    @field_validator("corruption_types", "factors", "risk_factors")
    @classmethod
    def _codes(cls, value: list[str], info: ValidationInfo) -> list[str]:
        allowed, what = _CODES[str(info.field_name)]
        _only(value, allowed, what)
        return value


class ProcessEntry(_Strict):
    code: Code
    name: Localized
    description: Localized = Field(default_factory=dict)
    external_actors: dict[str, list[Text]] = Field(default_factory=dict)
    systems: LocalizedList | list[Text] = Field(default_factory=list)
    scenarios: list[ScenarioEntry] = Field(default_factory=list)
    children: list[ProcessEntry] = Field(default_factory=list)


class Library(_Strict):
    processes: list[ProcessEntry] = Field(min_length=1)


def walk(
    entries: list[ProcessEntry], parent: ProcessEntry | None = None
) -> list[tuple[ProcessEntry, ProcessEntry | None]]:
    """Every process of the tree with its parent, parents first."""
    found: list[tuple[ProcessEntry, ProcessEntry | None]] = []
    for entry in entries:
        found.append((entry, parent))
        found.extend(walk(entry.children, entry))
    return found


@cache
def library() -> Library:
    raw = resources.files("arusha.risks").joinpath("data/processes.yaml").read_text(encoding="utf-8")
    try:
        checked = Library.model_validate(YAML(typ="safe").load(raw))
    except ValidationError as error:
        first = error.errors()[0]
        raise MatrixError(" > ".join(str(p) for p in first["loc"]) + f": {first['msg']}") from error
    codes = [entry.code for entry, _parent in walk(checked.processes)]
    if len(codes) != len(set(codes)):
        raise MatrixError("Process codes of the library must differ")
    return checked


def localized(value: dict[str, str], language: str) -> str:
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


def localized_list(value: dict[str, list[str]] | list[str], language: str) -> list[str]:
    """Names in one language: a list per language, or one list for every language."""
    if isinstance(value, list):
        return list(value)
    return list(value.get(language) or value.get("en") or next(iter(value.values()), []))
