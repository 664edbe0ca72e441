"""The demo's perception survey: the example questionnaire published, a closed wave and an open one.

Made once, for an administration that has no survey of this short name yet. Both waves'
keys are locked with `DEMO_SURVEY_PASSPHRASE` (printed by `manage.py load_demo`: in real
use the key custodian chooses it and nobody else knows it). Synthetic responses, when the
surveys context provides them (arusha.surveys.synthetic.demo_responses), fill both waves.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from arusha.core.models import Organization, User
from arusha.surveys.example import example_add
from arusha.surveys.models import RespondentGroup, Survey, Wave
from arusha.surveys.services.questionnaires import (
    survey_create,
    version_publish,
    wave_create,
    wave_populations,
)
from arusha.surveys.services.waves import wave_close, wave_open

DEMO_SURVEY_PASSPHRASE = "kilima-survey-2026"  # noqa: S105 - printed for people trying the demo
SURVEY_SLUG = "integrity-perception"
MANAGER = "integrity@kilima.example"
# People in each group, for weighting the results to known totals.
POPULATIONS = {"staff": 1450, "broker": 320, "importer": 900, "carrier": 260}


def _manager() -> User | None:
    return User.objects.filter(email=MANAGER).first()


def _responses(wave: Wave) -> None:
    """Synthetic responses for a wave, when the surveys context offers them (another part of it)."""
    try:
        from arusha.surveys.synthetic import demo_responses
    except ImportError:  # pragma: no cover - the synthetic generator is not installed
        return
    demo_responses(wave)


def load_surveys_demo(customs: Organization) -> None:
    """Create the survey once; running it again changes nothing."""
    with scopes_disabled():
        if Survey.objects.filter(organization=customs, slug=SURVEY_SLUG).exists():
            return
    manager = _manager()
    survey = survey_create(
        actor=manager,
        organization=customs,
        title="Integrity perception survey",
        slug=SURVEY_SLUG,
        description="How staff and the private sector see integrity in Kilima Customs, factor by factor, "
        "in rounds two years apart.",
    )
    version = version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    with scopes_disabled():
        groups = {group.code: group.pk for group in RespondentGroup.objects.filter(survey=survey)}
    counts: dict[int, int | None] = {
        groups[code]: count for code, count in POPULATIONS.items() if code in groups
    }
    today = timezone.localdate()
    first = wave_create(
        actor=manager,
        survey=survey,
        name=f"Round {today.year - 2}",
        questionnaire=version,
        opens_on=datetime.date(today.year - 2, 3, 1),
        closes_on=datetime.date(today.year - 2, 4, 30),
    )
    wave_populations(actor=manager, wave=first, counts=counts)
    wave_open(first, DEMO_SURVEY_PASSPHRASE, actor=manager)
    _responses(first)
    wave_close(first, actor=manager)
    second = wave_create(
        actor=manager,
        survey=survey,
        name=f"Round {today.year}",
        questionnaire=version,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=60),
    )
    wave_populations(actor=manager, wave=second, counts=counts)
    wave_open(second, DEMO_SURVEY_PASSPHRASE, actor=manager)
    _responses(second)
