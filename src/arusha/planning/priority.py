"""The priority of an activity from the IDG's eight criteria (Part III, step 1).

Each criterion is rated low, medium or high, in words, as the IDG advises rather than
with scores that would pretend to a precision nobody has. The derived priority is a
word too: the ratings are read so that "high" always speaks for acting first, except
cost, where a high cost speaks against; the derived priority is the middle of what the
rated criteria say (their median), so one extreme rating does not swing it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


@dataclass(frozen=True)
class Criterion:
    field: str
    label: StrPromise
    help: StrPromise
    high_means_first: bool = True


CRITERIA = (
    Criterion(
        "importance", _("Importance"), _("How much the activity matters for integrity in the administration.")
    ),
    Criterion("urgency", _("Urgency"), _("How soon it must start for its effect to come in time.")),
    Criterion("consequence", _("Consequence of failure"), _("How bad it would be if nothing were done.")),
    Criterion(
        "commitment", _("Probability of commitment"), _("How likely management and staff are to back it.")
    ),
    Criterion("impact", _("Impact"), _("How far it would change practice and perceptions.")),
    Criterion(
        "obligations",
        _("National or international obligations"),
        _("How strongly law or commitments require it."),
    ),
    Criterion("ease", _("Ease of implementation"), _("How easily it can be carried out with what exists.")),
    Criterion(
        "cost", _("Cost"), _("How much it would cost; a high cost counts against acting first."), False
    ),
)
FIELDS = tuple(c.field for c in CRITERIA)
_ORDER = {Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3}
_BACK = {1: Level.LOW, 2: Level.MEDIUM, 3: Level.HIGH}


def derive(ratings: Mapping[str, str]) -> str:
    """The derived priority (low, medium, high), or "" while no criterion is rated."""
    values = []
    for criterion in CRITERIA:
        rating = ratings.get(criterion.field, "")
        if rating not in _ORDER:
            continue
        value = _ORDER[Level(rating)]
        values.append(value if criterion.high_means_first else 4 - value)
    if not values:
        return ""
    return _BACK[round(statistics.median(values) + 1e-9)].value
