"""The schema of a framework pack, checked before anything is written.

A pack is YAML: either one file holding every area, or a folder with `pack.yaml`
whose `areas` list names one file per area. `docs/framework-packs.md` describes the
format; `manage.py framework_schema` prints it as JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", max_length=40)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Localized = dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")], Text]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QuestionSchema(_Strict):
    code: Code
    number: int = Field(ge=1)
    idg_reference: str = ""
    text: Localized
    guidance: Localized = Field(default_factory=dict)


class TopicSchema(_Strict):
    code: Code
    order: int = Field(ge=1)
    title: Localized
    questions: list[QuestionSchema] = Field(min_length=1)


class AreaSchema(_Strict):
    code: Code
    kind: Literal["key_factor", "collective_action", "gender_diversity"]
    order: int = Field(ge=1)
    idg_reference: str = ""
    title: Localized
    summary: Localized = Field(default_factory=dict)
    topics: list[TopicSchema] = Field(default_factory=list)
    questions: list[QuestionSchema] = Field(default_factory=list)


class PackSchema(_Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{1,58}[a-z0-9]$")]
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z.\-]{1,30}$")]
    name: Localized
    description: Localized = Field(default_factory=dict)
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(min_length=1)
    source: str = ""
    areas: list[AreaSchema] = Field(min_length=1)
