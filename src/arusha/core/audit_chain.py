"""The audit log's hash chain: every event seals the one before it.

Each `AuditEvent` has a sequence number (1, 2, 3 … with no gap, one chain for the whole
deployment), the hash of the event before it (`previous_hash`, sixty-four zeros for the
first) and its own `hash`: SHA-256 over a canonical JSON of the sealed columns. Changing,
inserting or deleting a row breaks a link that `manage.py audit_verify` finds.

One row, `AuditChainHead`, holds the last sequence number and hash. Appending writes it
first (see `_reserve`): that write is what makes concurrent appenders queue up one behind
the other on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from arusha.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
HEAD = 1

# The columns a seal covers, in the order `verify` reads them (values_list, no models).
SEALED = (
    "sequence",
    "previous_hash",
    "organization_id",
    "actor_id",
    "actor_label",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "changes",
    "at",
)


def canonical(changes: Any) -> Any:
    """`changes` as the database will give them back: what is sealed must survive the trip.

    The JSON trip turns tuples into lists and keys into strings, and refuses NaN (which
    PostgreSQL refuses too). A float that holds a whole number becomes that integer:
    PostgreSQL's jsonb gives 1e16 back as 10000000000000000. Done once, when an event is
    written, so that verifying needs no walk through every event's changes.
    """
    return _whole_floats(json.loads(json.dumps(changes, allow_nan=False)))


def _whole_floats(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_floats(item) for item in value]
    return value


# One encoder for every seal: keys sorted, no spaces, UTF-8 as is, no NaN.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _digest(
    sequence: int,
    previous_hash: str,
    organization_id: int | None,
    actor_id: int | None,
    actor_label: str,
    action: str,
    content_type: str | None,
    object_id: str,
    object_repr: str,
    changes: Any,
    at: datetime.datetime,
) -> str:
    if at.utcoffset():
        at = at.astimezone(datetime.UTC)
    text = _encode(
        {
            "sequence": sequence,
            "previous_hash": previous_hash,
            "organization": organization_id,
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "content_type": content_type,
            "object_id": object_id,
            "object_repr": object_repr,
            "changes": changes,
            "at": at.isoformat(timespec="microseconds"),
        }
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(
    *,
    sequence: int,
    previous_hash: str,
    organization_id: int | None,
    actor_id: int | None,
    actor_label: str,
    action: str,
    content_type: str | None,
    object_id: str,
    object_repr: str,
    changes: Any,
    at: datetime.datetime,
) -> str:
    """SHA-256 of the canonical JSON of one event: keys sorted, no spaces, UTF-8.

    The content type is sealed by its natural key ("core.division"), not by its id, so a
    chain restored into another database (where ids of content types differ) still holds.
    The time is ISO 8601 in UTC with microseconds.
    """
    return _digest(
        sequence,
        previous_hash,
        organization_id,
        actor_id,
        actor_label,
        action,
        content_type,
        object_id,
        object_repr,
        changes,
        at,
    )


def _content_type_label(content_type_id: int | None) -> str | None:
    if content_type_id is None:
        return None
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def seal_event(event: AuditEvent) -> str:
    return seal(
        sequence=event.sequence,
        previous_hash=event.previous_hash,
        organization_id=event.organization_id,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        content_type=_content_type_label(event.content_type_id),
        object_id=event.object_id,
        object_repr=event.object_repr,
        changes=event.changes,
        at=event.at,
    )


def _create_head() -> None:
    """Make the head row when it is missing (a fresh or flushed database, a restore)."""
    with scopes_disabled():
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, digest = last if last else (0, GENESIS)
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD, sequence=sequence, hash=digest)
    except IntegrityError:
        pass  # another writer made it at the same moment: theirs is as good


def _reserve(count: int) -> tuple[int, str]:
    """Take the next `count` sequence numbers; answer the first and the hash before it.

    Must run inside the appending transaction. The UPDATE comes first on purpose: on
    PostgreSQL it holds the head row's lock until commit, and a second appender waits
    for it, then increments the committed value; on SQLite a write as the transaction's
    first statement takes the database's write lock (waiting out the busy timeout)
    instead of failing later when a read snapshot would have to be upgraded. Either
    way two transactions never get the same number or the same previous hash, and a
    rolled-back transaction gives its numbers back.
    """
    for _attempt in range(2):
        if AuditChainHead.objects.filter(pk=HEAD).update(sequence=F("sequence") + count):
            last, previous = AuditChainHead.objects.filter(pk=HEAD).values_list("sequence", "hash").get()
            return last - count + 1, previous
        _create_head()
    raise RuntimeError("The audit chain head could not be created.")


def append(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Number, seal and insert unsaved events, in order, as the next links of the chain.

    The only way an event is written: `audit_record` calls it with one event, bulk loads
    (the benchmark) with many, in one transaction.
    """
    if not events:
        return []
    with transaction.atomic():
        first, previous = _reserve(len(events))
        now = timezone.now()
        for offset, event in enumerate(events):
            event.changes = canonical(event.changes)
            event.sequence = first + offset
            event.previous_hash = previous
            # The time is taken once the chain is ours, so times follow sequence numbers;
            # an event that must not be dated beyond its day keeps the day only.
            day_only = getattr(event, "day_only", False)
            event.at = (
                timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
                if day_only
                else now
            )
            event.hash = previous = seal_event(event)
        if len(events) == 1:
            events[0].save(force_insert=True)
            saved = [events[0]]
        else:
            with scopes_disabled():  # a bulk load may span organizations
                saved = AuditEvent.objects.bulk_create(events, batch_size=1000)
        AuditChainHead.objects.filter(pk=HEAD).update(hash=previous)
    return saved


# --- Verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first broken link: where, which row, and what differs."""

    GAP = "gap"
    PREVIOUS = "previous_hash"
    HASH = "hash"
    HEAD = "head"

    kind: str
    sequence: int
    event_id: int | None
    expected: str
    found: str


@dataclass(frozen=True)
class Verification:
    count: int
    last_sequence: int
    last_hash: str
    broken: Break | None


def _rows(chunk_size: int, up_to: int | None) -> Iterator[tuple[Any, ...]]:
    with scopes_disabled():  # the chain spans every organization
        rows = AuditEvent.objects.order_by("sequence")
    if up_to is not None:
        rows = rows.filter(sequence__lte=up_to)
    return rows.values_list("id", "hash", *SEALED).iterator(chunk_size=chunk_size)


def verify(*, chunk_size: int = 2000) -> Verification:
    """Recompute the whole chain, in sequence order, and stop at the first broken link.

    Rows are streamed as tuples (no model instances): 100,000 events take a few seconds.
    The head is read first and only the events it covers are checked, so an event
    appended while the check runs is neither a false alarm nor half-read.
    """
    head = AuditChainHead.objects.filter(pk=HEAD).values_list("sequence", "hash").first()
    labels = {
        pk: f"{app}.{model}" for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")
    }
    expected, previous, count = 1, GENESIS, 0
    for row in _rows(chunk_size, head[0] if head else None):
        pk, stored, sequence, previous_hash, org, actor, label, action, ct, oid, orepr, changes, at = row
        found: Break | None = None
        if sequence != expected:
            found = Break(Break.GAP, expected, pk, str(expected), str(sequence))
        elif previous_hash != previous:
            found = Break(Break.PREVIOUS, sequence, pk, previous, previous_hash)
        else:
            computed = _digest(
                sequence, previous_hash, org, actor, label, action, labels.get(ct), oid, orepr, changes, at
            )
            if computed != stored:
                found = Break(Break.HASH, sequence, pk, computed, stored)
        if found:
            return Verification(count, expected - 1, previous, found)
        expected, previous, count = expected + 1, stored, count + 1
    last = expected - 1
    if head is None and count:
        return Verification(count, last, previous, Break(Break.HEAD, last, None, "", ""))
    if head is not None and (head[0], head[1]) != (last, previous):
        # Events at the end are gone (or the head was rewritten): the chain stops short.
        return Verification(count, last, previous, Break(Break.HEAD, last + 1, None, f"{head[0]}", f"{last}"))
    return Verification(count, last, previous, None)


def verify_anchor(anchor: Mapping[int, str]) -> Break | None:
    """Compare events with hashes noted elsewhere (a printout, another system)."""
    with scopes_disabled():
        stored = dict(AuditEvent.objects.filter(sequence__in=list(anchor)).values_list("sequence", "hash"))
    for sequence, digest in sorted(anchor.items()):
        if stored.get(sequence) != digest:
            return Break(Break.HASH, sequence, None, digest, stored.get(sequence, ""))
    return None
