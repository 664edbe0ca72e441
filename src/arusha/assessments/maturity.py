"""The evaluation of an existing integrity measure, after IDG Figure 5.

The working group walks a chain of four questions about the measure a checklist
question is concerned with: does a measure exist, is it adequately designed, is it
implemented, is it effective. Each is answered yes, partly, no or unknown.

The maturity level is how far along that chain the answers stay "yes":

    0  no measure, or one that only partly exists
    1  a measure exists, but its design falls short
    2  designed adequately, but not (fully) implemented
    3  implemented, but not (fully) effective
    4  effective

The walk stops at the first answer that is not "yes". If that answer is "unknown",
or a step is not answered yet, the level is not determined: the group must find out
before it can rate the measure. When no measure exists, the later steps do not apply
and must be left blank or answered "no".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class Rating(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


@dataclass(frozen=True)
class Dimension:
    field: str
    label: StrPromise
    question: StrPromise


DIMENSIONS = (
    Dimension("exists", _("Exists"), _("Does a measure or control exist for this question?")),
    Dimension("designed", _("Designed"), _("Is it adequately designed for the risk it addresses?")),
    Dimension("implemented", _("Implemented"), _("Is it applied in practice, as designed?")),
    Dimension("effective", _("Effective"), _("Does it achieve its purpose?")),
)
FIELDS = tuple(d.field for d in DIMENSIONS)

LEVELS: dict[int, StrPromise] = {
    0: _("No measure"),
    1: _("Exists, design falls short"),
    2: _("Designed, not fully implemented"),
    3: _("Implemented, not fully effective"),
    4: _("Effective"),
}
MAX_LEVEL = 4

# Heat-map weight of one answer: a measure that partly holds counts half.
WEIGHTS = {Rating.YES: 1.0, Rating.PARTLY: 0.5, Rating.NO: 0.0}


def level(ratings: Mapping[str, str]) -> int | None:
    """The maturity level of the answers (see the module docstring), or None if not determined."""
    for reached, name in enumerate(FIELDS):
        answer = ratings.get(name, "")
        if answer == Rating.YES:
            continue
        if answer in (Rating.NO, Rating.PARTLY):
            return reached
        return None
    return MAX_LEVEL


def inconsistent(ratings: Mapping[str, str]) -> list[str]:
    """The steps rated yes or partly although no measure exists."""
    if ratings.get("exists") != Rating.NO:
        return []
    return [name for name in FIELDS[1:] if ratings.get(name) in (Rating.YES, Rating.PARTLY)]


def first_unanswered(ratings: Mapping[str, str]) -> Dimension | None:
    """The first step left blank before the chain stops, which an answer needs before it is proposed."""
    for dimension in DIMENSIONS:
        answer = ratings.get(dimension.field, "")
        if not answer:
            return dimension
        if answer != Rating.YES:
            return None
    return None


def level_label(value: int | None) -> str:
    return str(LEVELS[value]) if value is not None else str(_("Not determined"))
