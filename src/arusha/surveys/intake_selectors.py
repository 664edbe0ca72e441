"""What the processing screens read: counts of envelopes, the quarantine, pending re-sends.

Counts only, by state, source and reason: no time, no station, no answer. Lists never
load a ciphertext.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django_scopes import scopes_disabled

from arusha.surveys.models import Envelope, EnvelopeState, OpenKey, Reason, Resend, Source, Wave


@dataclass(frozen=True)
class CountRow:
    label: str
    state: str
    by_source: list[int]
    total: int


@dataclass
class IntakeTable:
    sources: list[tuple[str, str]]
    rows: list[CountRow] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    total: int = 0
    # (reason code, label, count) of quarantined envelopes
    reasons: list[tuple[str, str, int]] = field(default_factory=list)
    pending_resends: int = 0
    resolved_resends: int = 0

    @property
    def by_state(self) -> dict[str, int]:
        return {row.state: row.total for row in self.rows}


def intake_table(wave: Wave) -> IntakeTable:
    """Envelopes of the wave per state and source, quarantine per reason, re-sends."""
    with scopes_disabled():
        counted = {
            (row["state"], row["source"]): row["n"]
            for row in Envelope.objects.filter(wave=wave).values("state", "source").annotate(n=Count("pk"))
        }
        reasons = dict(
            Envelope.objects.filter(wave=wave, state=EnvelopeState.QUARANTINED)
            .values("reason")
            .annotate(n=Count("pk"))
            .values_list("reason", "n")
        )
        resends = dict(
            Resend.objects.filter(envelope__wave=wave)
            .values("resolved")
            .annotate(n=Count("pk"))
            .values_list("resolved", "n")
        )
    sources = [(str(code), str(label)) for code, label in Source.choices]
    table = IntakeTable(sources=sources)
    for state, label in EnvelopeState.choices:
        by_source = [counted.get((state, code), 0) for code, _label in sources]
        table.rows.append(CountRow(str(label), str(state), by_source, sum(by_source)))
    table.totals = [sum(row.by_source[i] for row in table.rows) for i in range(len(sources))]
    table.total = sum(table.totals)
    table.reasons = [
        (str(code), str(label), reasons.get(code, 0))
        for code, label in Reason.choices
        if code and reasons.get(code)
    ]
    table.pending_resends = resends.get(False, 0)
    table.resolved_resends = resends.get(True, 0)
    return table


def quarantined(wave: Wave, reason: str = "") -> QuerySet[Envelope]:
    """The wave's quarantined envelopes, oldest first, optionally of one reason."""
    with scopes_disabled():
        rows = Envelope.objects.filter(wave=wave, state=EnvelopeState.QUARANTINED).defer("ciphertext")
        if reason in Reason.values and reason:
            rows = rows.filter(reason=reason)
        return rows.order_by("pk")


def pending_resends(wave: Wave) -> QuerySet[Resend]:
    with scopes_disabled():
        return (
            Resend.objects.filter(envelope__wave=wave, resolved=False)
            .select_related("envelope")
            .defer("ciphertext", "envelope__ciphertext")
            .order_by("pk")
        )


def open_key_until(wave: Wave) -> OpenKey | None:
    """The wave's open key while it is open (its time limit), without unsealing it."""
    from django.utils import timezone

    with scopes_disabled():
        return OpenKey.objects.filter(wave=wave, until__gt=timezone.now()).select_related("opened_by").first()
