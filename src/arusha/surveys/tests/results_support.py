"""What the results, exports and metrics tests share: a wave with synthetic responses and a small group.

`answered(cast)` gives the common survey field (tests/surveys.py) with k raised to 40 and
300 synthetic responses in the open wave, of which `SMALL` (37) are carriers: fewer than
k, so every figure of theirs must stay hidden, and 37 is a number no other figure of the
tables takes, so that its absence from a file can be checked in the file's bytes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.test import Client
from django_scopes import scopes_disabled
from tests.surveys import Field, field

from arusha.surveys import synthetic
from arusha.surveys.models import Survey, Wave

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.core.models import User

K = 40
SMALL = 37  # carriers: the last leaf group gets `tiny` respondents
RESPONSES = 300
CLOSES = datetime.date(2026, 5, 31)


@dataclass
class Answered:
    f: Field
    survey: Survey
    wave: Wave


def answered(cast: Cast, *, n: int = RESPONSES, tiny: int = SMALL, k: int = K, seed: int = 11) -> Answered:
    f = field(cast)
    with scopes_disabled():
        Survey.objects.filter(pk=f.survey.pk).update(minimum_cell=k)
        Wave.objects.filter(pk=f.wave.pk).update(opens_on=datetime.date(2026, 4, 1), closes_on=CLOSES)
        f.survey.refresh_from_db()
        f.wave.refresh_from_db()
    if n:
        synthetic.write_responses(f.wave, synthetic.payloads(f.wave, n, seed=seed, tiny=tiny))
    return Answered(f, f.survey, f.wave)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Every attribute's value: addresses, option values and ids depend on what the database made
# before (on PostgreSQL, sequences run on across tests), and none of them is shown as text.
_ADDRESSES = re.compile(r'\s[\w:.-]+="[^"]*"')


def standalone(number: int, text: str) -> list[str]:
    """Where `number` stands alone in `text` (not inside another number such as 137 or 37.5),
    leaving out the values of attributes, whose ids depend on what the database made before."""
    shown = _ADDRESSES.sub("", text)
    return [m.group(0) for m in re.finditer(rf"(?<![\d.]){number}(?![\d.])", shown)]


def hidden_numbers(wave: Wave, group: str = "carrier") -> set[int]:
    """The small group's true counts (its size and its n per factor) that no shown cell happens to have."""
    import numpy as np

    from arusha.surveys import analysis

    scores = analysis.respondent_scores(wave)
    members = scores.group == scores.groups.index(group)
    true = {int(members.sum())}
    true |= {int((~np.isnan(scores.score[factor][members])).sum()) for factor in scores.factors}
    shown = {cell.n for cell in analysis.results(wave).cells if cell.n is not None}
    shown |= {cell.n for cell in analysis.results(wave, by=["age"]).cells if cell.n is not None}
    hidden = true - shown
    assert SMALL in hidden
    return hidden


def second_wave(a: Answered, *, shift: dict[str, float], n: int = RESPONSES, seed: int = 12) -> Wave:
    """Round 2 of the same survey on the same questionnaire, with a planted change per factor."""
    from tests.surveys import PASSPHRASE

    from arusha.surveys.services.waves import wave_open

    with scopes_disabled():
        wave = Wave.objects.create(
            survey=a.survey,
            name="Round 2028",
            number=2,
            questionnaire=a.f.questionnaire,
            opens_on=datetime.date(2028, 4, 1),
            closes_on=datetime.date(2028, 5, 31),
        )
    wave_open(wave, PASSPHRASE, actor=a.f.manager)
    synthetic.write_responses(wave, synthetic.payloads(wave, n, seed=seed, tiny=SMALL, shift=shift))
    with scopes_disabled():
        wave.refresh_from_db()
    return wave
