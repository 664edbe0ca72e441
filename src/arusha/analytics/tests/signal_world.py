"""A finished run with signals of every kind, for the tests of the signal screens.

`world(cast)` builds the analytics field (tests/analytics.py: analyst, integrity officer,
head, office reader with a grant on KIL-PRT, a member with no analytics right) and one
run holding:

- officer OF-0001: HIT_RATE for 2025-02 (not flagged) and 2025-03 (flagged, reviewed),
  DOWNGRADE_UNDOC for 2025-03;
- the office KIL-PRT: HIT_RATE for 2025-02 and 2025-03, RELEASE_OUTLIER for 2025-03 (flagged);
- the office DAR-APT: HIT_RATE for 2025-03 (flagged), another office than the reader's;
- a broker-officer pair, a trader and a trade flow, each flagged in 2025-03.

Officers, brokers, traders and pairs are people (PERSONAL_KINDS): only the integrity
officer sees them; the head and the office reader see the offices and the flow.

Pseudonyms OF-0001 and BR-0001 have their keys in the database (identities IDENTITY and
BROKER_IDENTITY): no page may show them unless re-identified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django_scopes import scopes_disabled
from tests.analytics import Field, field, row, run_with

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.analytics.models import Review, Run, Signal

IDENTITY = "OFF0042-Canary-Mwangi"
BROKER_IDENTITY = "BRK0007-Canary-Freight"
OTHER_OFFICE = "DAR-APT"

ROWS = [
    row("HIT_RATE", "officer", "OF-0001", "2025-02", flag=False, q=0.3, persistence=1, effect=1.4),
    row("HIT_RATE", "officer", "OF-0001", "2025-03", effect=6.0, q=0.00002),
    row("DOWNGRADE_UNDOC", "officer", "OF-0001", "2025-03", flag=False, q=0.4, effect=1.2),
    row("HIT_RATE", "office", "KIL-PRT", "2025-02", flag=False, numerator=12, denominator=240, q=0.5),
    row("HIT_RATE", "office", "KIL-PRT", "2025-03", flag=False, numerator=10, denominator=200, q=0.6),
    row("RELEASE_OUTLIER", "office", "KIL-PRT", "2025-03", numerator=40, denominator=400, effect=2.5),
    row("HIT_RATE", "office", OTHER_OFFICE, "2025-03", office_code=OTHER_OFFICE, effect=3.3),
    row("ASSIGN_EXCESS", "pair", "BR-0001|OF-0001", "2025-03", effect=4.0),
    row("UNIT_VALUE", "trader", "TR-000001", "2025-03", effect=2.2),
    row("MIRROR_GAP", "flow", "870323|JP", "2025-03", office_code="", effect=3.1),
]


@dataclass
class World:
    f: Field
    run: Run

    def signal(self, indicator: str, entity: str, period: str = "2025-03") -> Signal:
        from arusha.analytics.models import Signal

        with scopes_disabled():
            return Signal.objects.select_related("run").get(
                run=self.run, indicator=indicator, entity=entity, period=period
            )

    def review(self, indicator: str, entity: str, period: str = "2025-03") -> Review:
        from arusha.analytics.models import Review

        with scopes_disabled():
            return Review.objects.select_related("signal", "signal__run").get(
                signal=self.signal(indicator, entity, period)
            )

    @property
    def officer_signal(self) -> Signal:
        return self.signal("HIT_RATE", "OF-0001")

    @property
    def office_signal(self) -> Signal:
        return self.signal("RELEASE_OUTLIER", "KIL-PRT")

    @property
    def other_office_signal(self) -> Signal:
        return self.signal("HIT_RATE", OTHER_OFFICE)

    @property
    def trader_signal(self) -> Signal:
        return self.signal("UNIT_VALUE", "TR-000001")

    def url(self, name: str, *args: object) -> str:
        return reverse(name, args=[self.f.organization.slug, *args])


def world(cast: Cast) -> World:
    from arusha.analytics.services.pseudonyms import pseudonyms_store

    f = field(cast)
    run = run_with(f, ROWS)
    # The keys back to the people, as an import keeps them.
    pseudonyms_store(
        organization=f.organization,
        mapping={"officer": {"OF-0001": IDENTITY}, "broker": {"BR-0001": BROKER_IDENTITY}},
    )
    return World(f, run)
