"""A run's output reaches the database: what is kept, and a review for every flag."""

from __future__ import annotations

from django_scopes import scopes_disabled
from tests.analytics import field, row, run_with

from arusha.analytics.models import Review, Signal


def test_officers_and_offices_are_kept_whole_others_only_when_flagged(cast):
    place = field(cast)
    rows = [
        row("HIT_RATE", "officer", "OF-1", "2025-01", flag=False, q=0.6),
        row("HIT_RATE", "office", "KIL-PRT", "2025-01", flag=False),
        row("UNIT_VALUE", "trader", "TR-1", "2025-01", flag=False, q=0.9),
        row("UNIT_VALUE", "trader", "TR-2", "2025-01", flag=False, q=0.01),
        row("UNIT_VALUE", "trader", "TR-2", "2025-02", flag=True),
        row("ASSIGN_EXCESS", "pair", "BR-1|OF-1", "2025-02", flag=False),
    ]
    run = run_with(place, rows)
    with scopes_disabled():
        kept = set(Signal.objects.filter(run=run).values_list("entity", "period"))
        assert kept == {
            ("OF-1", "2025-01"),
            ("KIL-PRT", "2025-01"),
            ("TR-2", "2025-01"),
            ("TR-2", "2025-02"),
        }
        assert (run.rows, run.flagged) == (4, 1)
        review = Review.objects.get(signal__run=run)
        assert (review.signal.entity, review.signal.period, review.status) == ("TR-2", "2025-02", "open")


def test_missing_numbers_are_stored_as_nothing_not_as_nan(cast):
    place = field(cast)
    run = run_with(place, [row(p=None, q=None, effect=float("nan"), flag=False, status="insufficient")])
    with scopes_disabled():
        signal = Signal.objects.get(run=run)
    assert (signal.p, signal.q, signal.effect, signal.status) == (None, None, None, "insufficient")


def test_a_context_indicator_flag_opens_no_review(cast):
    place = field(cast)
    run = run_with(
        place,
        [
            row("TENURE", "officer", "OF-7", "2025-05", p=None, q=None, flag=True),
            row("HIT_RATE", "officer", "OF-7", "2025-05", flag=True),
        ],
    )
    with scopes_disabled():
        reviewed = set(Review.objects.filter(signal__run=run).values_list("signal__indicator", flat=True))
    assert run.flagged == 2
    assert reviewed == {"HIT_RATE"}
