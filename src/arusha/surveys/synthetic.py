"""Synthetic responses for tests, benchmarks and the demo: made up, seeded, never real people.

`payloads(wave, n, seed=...)` makes what stations would send for the wave's questionnaire:
each respondent has a latent view of each factor (a mean per group and factor, drawn
from the seed, plus the respondent's own spread), answers the factor's Likert items
around it (reversed items the other way), says "don't know", refuses or finds an item
not applicable at realistic rates, skips optional items now and then, answers banded
demographics (the last band rarer) and respects relevance and required rules, so every
payload passes `arusha.surveys.form.check`. The last leaf group gets only `tiny`
respondents, so that suppression has something to hide. `shift` plants a difference
(index points per factor) for wave comparisons.

`write_responses()` stores payloads directly as accepted responses (bulk, fast: for the
analysis and its benchmark); `envelopes()` encrypts them to the wave's key as a station
would (for ingest tests). `demo_responses(wave, n)` does both for the demo.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from arusha.surveys.form import FormSpec, ItemSpec, accepted_response, check
from arusha.surveys.models import (
    Envelope,
    EnvelopeState,
    ItemKind,
    ItemRole,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Source,
    Special,
    Wave,
)
from arusha.surveys.relevance import evaluate

# Shares of Likert answers that are special codes, when the item's list has them.
RATES = {Special.DONT_KNOW: 0.06, Special.REFUSED: 0.015, Special.NOT_APPLICABLE: 0.01}
SKIP = 0.03  # optional items left unanswered
SPREAD = 18.0  # respondents' spread around their group's mean, in index points
PLACEHOLDER = b"synthetic response, stored without encryption"


AGREE = ["1", "2", "3", "4", "5"]
BANDS = {
    "age": ["18-29", "30-44", "45-59", "60+"],
    "gender": ["woman", "man", "other"],
    "seniority": ["0-4", "5-14", "15+"],
}


def questionnaire(
    survey: Any,
    number: int = 1,
    *,
    factors: int = 10,
    per_factor: int = 6,
    like: QuestionnaireVersion | None = None,
) -> QuestionnaireVersion:
    """A published version of `factors` x `per_factor` Likert items (every third reversed), with
    "don't know", "refused" and "not applicable", and three banded demographics. With `like`,
    items of the same name keep that version's lineage (a new version of the same questionnaire).
    """
    from arusha.surveys.models import Choice, Item, VersionStatus

    with scopes_disabled():
        lineage = dict(Item.objects.filter(questionnaire=like).values_list("name", "lineage")) if like else {}
        version = QuestionnaireVersion.objects.create(
            survey=survey,
            number=number,
            title=f"Synthetic perception questionnaire v{number}",
            languages=["en", "fr"],
            anonymity_statement={
                "en": "Nobody can tell who answered.",
                "fr": "Personne ne sait qui a répondu.",
            },
            status=VersionStatus.PUBLISHED,
            published_on=timezone.localdate(),
        )
        choices = [
            Choice(questionnaire=version, list_name="agree", name=name, position=n, labels={"en": name})
            for n, name in enumerate(AGREE)
        ]
        for n, (name, special) in enumerate(
            [("98", Special.DONT_KNOW), ("99", Special.REFUSED), ("97", Special.NOT_APPLICABLE)], start=5
        ):
            choices.append(
                Choice(
                    questionnaire=version,
                    list_name="agree",
                    name=name,
                    position=n,
                    labels={"en": str(Special(special).label)},
                    special=special,
                )
            )
        for item, values in BANDS.items():
            choices += [
                Choice(questionnaire=version, list_name=item, name=v, position=n, labels={"en": v})
                for n, v in enumerate(values)
            ]
        Choice.objects.bulk_create(choices)
        items = [
            Item(
                questionnaire=version,
                name=name,
                position=n,
                kind=ItemKind.SINGLE,
                role=ItemRole.DEMOGRAPHIC,
                choice_list=name,
                labels={"en": name.capitalize()},
            )
            for n, name in enumerate(BANDS)
        ]
        for f in range(1, factors + 1):
            for i in range(1, per_factor + 1):
                items.append(
                    Item(
                        questionnaire=version,
                        name=f"kf{f}_q{i}",
                        position=len(items),
                        kind=ItemKind.LIKERT,
                        block=f"kf{f}",
                        factor=f"KF{f}",
                        polarity=-1 if i % 3 == 0 else 1,
                        required=i == 1,
                        choice_list="agree",
                        labels={"en": f"Statement {i} about key factor {f}"},
                    )
                )
        for row in items:
            if row.name in lineage:
                row.lineage = lineage[row.name]
        Item.objects.bulk_create(items)
    return version


def _leaves(wave: Wave) -> list[str]:
    with scopes_disabled():
        groups = list(RespondentGroup.objects.filter(survey_id=wave.survey_id).order_by("position", "code"))
    parents = {g.parent_id for g in groups}
    return [g.code for g in groups if g.pk not in parents]


def effects(factors: Sequence[str], groups: Sequence[str], seed: int = 0) -> dict[tuple[str, str], float]:
    """The mean index (0-100) of each group on each factor: a factor level plus a group offset."""
    rng = np.random.default_rng([seed, 7])
    level = {f: float(rng.uniform(45, 75)) for f in factors}
    offset = {g: float(rng.normal(0, 6)) for g in groups}
    return {(g, f): level[f] + offset[g] + float(rng.normal(0, 4)) for g in groups for f in factors}


def payloads(
    wave: Wave,
    n: int,
    *,
    seed: int = 0,
    version: QuestionnaireVersion | None = None,
    shift: Mapping[str, float] | None = None,
    tiny: int = 4,
    groups: Sequence[str] | None = None,
    language: str | None = None,
    population: int = 0,
) -> list[dict[str, Any]]:
    """`n` payloads answering `version` (default: the wave's); valid for `form.check`.

    `population` seeds the groups' means (the same in every wave unless `shift` moves
    them); `seed` the draw of respondents and their answers.
    """
    with scopes_disabled():
        version = version or QuestionnaireVersion.objects.get(pk=wave.questionnaire_id)
        spec = FormSpec.of(version)
    rng = np.random.default_rng(seed)
    leaves = list(groups) if groups is not None else _leaves(wave)
    factors = sorted({item.factor for item in spec.items if item.factor})
    means = effects(factors, leaves, population)
    shift = dict(shift or {})
    # Group of each respondent: the last leaf gets `tiny`, the others share the rest.
    share = np.array([3.0 if i == 0 else 1.0 for i in range(max(len(leaves) - 1, 1))])
    rest = n - min(tiny, n) if len(leaves) > 1 else n
    chosen = list(rng.choice(len(share), size=rest, p=share / share.sum())) if rest else []
    chosen += [len(leaves) - 1] * (n - rest)
    rng.shuffle(chosen)
    latent = rng.normal(0.0, SPREAD, size=(n, len(factors)))
    languages = [language] if language else list(spec.languages) or ["en"]
    made = []
    for r in range(n):
        group = leaves[chosen[r]]
        views = {f: means[(group, f)] + shift.get(f, 0.0) + latent[r, i] for i, f in enumerate(factors)}
        answers: dict[str, Any] = {}
        for item in spec.items:
            if item.kind == ItemKind.NOTE or not evaluate(item.relevance, answers):
                continue
            value = _answer(spec, item, views, rng)
            if value is None or (not item.required and rng.random() < SKIP):
                continue
            answers[item.name] = value
        made.append(
            {
                "response_id": str(uuid.UUID(bytes=rng.bytes(16), version=4)),
                "questionnaire": spec.number,
                "group": group,
                "language": languages[r % len(languages)]
                if len(languages) > 1 and r % 5 == 0
                else languages[0],
                "answers": answers,
            }
        )
    return made


def _answer(spec: FormSpec, item: ItemSpec, views: Mapping[str, float], rng: np.random.Generator) -> Any:
    choices = spec.choices.get(item.choice_list, {})
    ordinary = [name for name, special in choices.items() if not special]
    if item.kind == ItemKind.LIKERT:
        draw = rng.random()
        for name, special in choices.items():
            rate = RATES.get(Special(special), 0.0) if special else 0.0
            if draw < rate:
                return name
            draw -= rate
        if not ordinary:
            return None
        view = views.get(item.factor, 60.0)
        if item.polarity == -1:
            view = 100.0 - view
        position = view / 100.0 * (len(ordinary) - 1) + rng.normal(0.0, 0.7)
        return ordinary[int(np.clip(np.rint(position), 0, len(ordinary) - 1))]
    if item.kind == ItemKind.SINGLE:
        if not ordinary:
            return None
        if item.role == ItemRole.DEMOGRAPHIC:
            weights = np.array([1.0] * (len(ordinary) - 1) + [0.25])
            return ordinary[int(rng.choice(len(ordinary), p=weights / weights.sum()))]
        return ordinary[int(rng.integers(len(ordinary)))]
    if item.kind == ItemKind.MULTIPLE:
        if not ordinary:
            return None
        picked = [name for name in ordinary if rng.random() < 0.3]
        return picked or [ordinary[0]]
    if item.kind == ItemKind.NUMBER:
        return int(rng.integers(0, 40))
    if item.kind == ItemKind.TEXT:
        return "A synthetic remark."
    return None


@transaction.atomic
def write_responses(
    wave: Wave,
    bodies: Sequence[dict[str, Any]],
    *,
    encrypt: bool = False,
    source: str = Source.STATION,
    received_on: datetime.date | None = None,
) -> int:
    """Store payloads as accepted envelopes and their responses, in bulk; answers how many.

    Each payload is checked against its version (`form.check`). With `encrypt`, the
    envelope holds the payload encrypted to the wave's key, as a station sends it; else
    a placeholder (enough for the analysis, which never reads envelopes).
    """
    from arusha.surveys.keys import digest
    from arusha.surveys.keys import encrypt as seal

    received_on = received_on or timezone.localdate()
    with scopes_disabled():
        specs = {
            v.number: FormSpec.of(v) for v in QuestionnaireVersion.objects.filter(survey_id=wave.survey_id)
        }
        envelopes, responses = [], []
        for body in bodies:
            spec = specs[body["questionnaire"]]
            checked = check(spec, body)
            data = seal(wave.public_key, body) if encrypt else PLACEHOLDER + body["response_id"].encode()
            envelope = Envelope(
                wave=wave,
                response_id=uuid.UUID(body["response_id"]),
                digest=digest(data) if encrypt else hashlib.sha256(data).hexdigest(),
                ciphertext=data,
                source=source,
                received_on=received_on,
                state=EnvelopeState.ACCEPTED,
            )
            envelopes.append(envelope)
            responses.append(accepted_response(wave, envelope, spec, checked))
        Envelope.objects.bulk_create(envelopes, batch_size=1000)
        for response in responses:
            response.envelope_id = response.envelope.pk
        Response.objects.bulk_create(responses, batch_size=1000)
    return len(responses)


def envelopes(wave: Wave, bodies: Sequence[dict[str, Any]]) -> list[Any]:
    """The Incoming envelopes a station would send for `bodies` (encrypted to the wave's key)."""
    from arusha.surveys.keys import digest, encrypt
    from arusha.surveys.services.ingest import Incoming

    made = []
    for body in bodies:
        data = encrypt(wave.public_key, body)
        made.append(
            Incoming(response_id=uuid.UUID(body["response_id"]), ciphertext=data, digest=digest(data))
        )
    return made


# What the demo's later rounds plant, per round after the first: a clear gain, a clear loss
# and a change too small to be told from chance.
DEMO_SHIFT = {"KF2": 10.0, "KF6": -8.0, "KF9": 1.0}


def demo_responses(
    wave: Wave, n: int = 400, *, seed: int = 2026, shift: Mapping[str, float] | None = None
) -> int:
    """Fill a demo wave with `n` synthetic accepted responses (encrypted when the wave has a key).

    Every round has the same groups' means, moved by `DEMO_SHIFT` for each round after the
    first (unless `shift` is given), so that the comparison has changes to find; the last
    group gets 4 respondents, which the results must hide.
    """
    if shift is None:
        shift = {factor: change * (wave.number - 1) for factor, change in DEMO_SHIFT.items()}
    bodies = payloads(wave, n, seed=seed + wave.number, shift=shift, tiny=4)
    return write_responses(wave, bodies, encrypt=bool(wave.public_key))
