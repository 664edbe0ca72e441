"""Ingest: store encrypted responses so that none is ever lost or doubled.

The database decides, never a check made before: each envelope is inserted with
`INSERT … ON CONFLICT (wave, response_id) DO NOTHING RETURNING`, so two copies of a
response sent at once (a station retrying while its first request still runs, a file
uploaded twice) store it once. What the insert did not store is then compared by the
SHA-256 of its ciphertext: the same bytes are a duplicate; other bytes under the same
response ID are kept aside as a re-send for review.

The caller answers a station only after the transaction has committed (the views run
`ingest` inside `transaction.atomic()` and build their reply after it), so an
acknowledgement always means "stored".
"""

from __future__ import annotations

import datetime
import enum
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from arusha.surveys.keys import MAX_ENVELOPE_BYTES, digest
from arusha.surveys.models import Envelope, EnvelopeState, Reason, Resend, Wave, WaveStatus

HEX64 = re.compile(r"^[0-9a-f]{64}$")
# The most envelopes one request may carry (stations send batches of 50).
MAX_BATCH = 500


class Outcome(enum.StrEnum):
    STORED = "stored"  # new, now held
    DUPLICATE = "duplicate"  # already held with the same bytes
    CONFLICT = "conflict"  # already held with other bytes: this copy is kept for review
    REJECTED = "rejected"  # not stored (damaged in transit, too large, wave not open): send again later


@dataclass(frozen=True)
class Incoming:
    response_id: uuid.UUID
    ciphertext: bytes
    # The SHA-256 the sender computed: a mismatch means damage on the way.
    digest: str


@dataclass(frozen=True)
class Receipt:
    response_id: uuid.UUID
    outcome: Outcome
    digest: str


def is_late(wave: Wave, today: datetime.date) -> bool:
    return wave.status == WaveStatus.CLOSED or (wave.closes_on is not None and today > wave.closes_on)


def _refusal(wave: Wave, item: Incoming) -> bool:
    return (
        wave.status == WaveStatus.DRAFT
        or not item.ciphertext
        or len(item.ciphertext) > MAX_ENVELOPE_BYTES
        or not HEX64.match(item.digest)
        or digest(item.ciphertext) != item.digest
    )


def _insert(
    wave: Wave, rows: Sequence[Incoming], *, source: str, today: datetime.date, state: str, reason: str
) -> set[uuid.UUID]:
    """Insert what is new; the set of response IDs this statement stored."""
    if not rows:
        return set()
    table = Envelope._meta.db_table
    id_field = Envelope._meta.get_field("response_id")
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, '')"] * len(rows))
    params: list[Any] = []
    for row in rows:
        params += [
            wave.pk,
            id_field.get_db_prep_value(row.response_id, connection),
            row.digest,
            row.ciphertext,
            source,
            today,
            state,
            reason,
        ]
    sql = (
        f"INSERT INTO {table} (wave_id, response_id, digest, ciphertext, source, received_on, state, reason, "  # noqa: S608 - names from the model
        "detail) "
        f"VALUES {placeholders} ON CONFLICT (wave_id, response_id) DO NOTHING RETURNING response_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    return {id_field.to_python(value) for (value,) in returned}


def ingest(
    wave: Wave, incoming: Sequence[Incoming], *, source: str, today: datetime.date | None = None
) -> list[Receipt]:
    """Store a batch of envelopes for `wave`; one receipt per envelope, in the same order.

    Call it inside `transaction.atomic()` and answer only after that block has ended.
    """
    if len(incoming) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} envelopes at once")
    today = today or timezone.localdate()
    late = is_late(wave, today)
    state, reason = (
        (EnvelopeState.QUARANTINED, Reason.LATE) if late else (EnvelopeState.RECEIVED, Reason.NONE)
    )
    refused = [item for item in incoming if _refusal(wave, item)]
    refused_ids = {item.response_id for item in refused}
    # One copy per response ID within the batch: the first wins, the others compare to it.
    first: dict[uuid.UUID, Incoming] = {}
    for item in incoming:
        if item.response_id not in refused_ids:
            first.setdefault(item.response_id, item)
    with transaction.atomic(), scopes_disabled():
        stored = _insert(wave, list(first.values()), source=source, today=today, state=state, reason=reason)
        others = [response_id for response_id in first if response_id not in stored]
        held: dict[uuid.UUID, tuple[int, str]] = {}
        if others:
            held = {
                response_id: (pk, stored_digest)
                for response_id, pk, stored_digest in Envelope.objects.filter(
                    wave=wave, response_id__in=others
                ).values_list("response_id", "pk", "digest")
            }
        resends = []
        receipts: list[Receipt] = []
        counted: set[uuid.UUID] = set()
        for item in incoming:
            if item.response_id in refused_ids:
                receipts.append(Receipt(item.response_id, Outcome.REJECTED, item.digest))
                continue
            if (
                item.response_id in stored
                and item.response_id not in counted
                and first[item.response_id] is item
            ):
                counted.add(item.response_id)
                receipts.append(Receipt(item.response_id, Outcome.STORED, item.digest))
                continue
            original = (
                first[item.response_id].digest if item.response_id in stored else held[item.response_id][1]
            )
            if original == item.digest:
                receipts.append(Receipt(item.response_id, Outcome.DUPLICATE, item.digest))
                continue
            if item.response_id in stored:
                envelope_id = Envelope.objects.values_list("pk", flat=True).get(
                    wave=wave, response_id=item.response_id
                )
            else:
                envelope_id = held[item.response_id][0]
            resends.append(
                Resend(
                    envelope_id=envelope_id,
                    digest=item.digest,
                    ciphertext=item.ciphertext,
                    source=source,
                    received_on=today,
                )
            )
            receipts.append(Receipt(item.response_id, Outcome.CONFLICT, item.digest))
        if resends:
            Resend.objects.bulk_create(resends, ignore_conflicts=True)
    return receipts


def held(wave: Wave, pairs: Sequence[tuple[uuid.UUID, str]]) -> dict[uuid.UUID, bool]:
    """For a station's reconciliation: which (response ID, digest) pairs the server holds, byte for byte."""
    ids = [response_id for response_id, _ in pairs]
    with scopes_disabled():
        stored = dict(
            Envelope.objects.filter(wave=wave, response_id__in=ids).values_list("response_id", "digest")
        )
    return {response_id: stored.get(response_id) == claimed for response_id, claimed in pairs}
