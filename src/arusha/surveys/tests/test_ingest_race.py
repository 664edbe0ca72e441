"""Twenty copies of one response sent at the same moment store it once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled
from tests.surveys import envelope, field, payload

from arusha.surveys.models import Envelope
from arusha.surveys.services.ingest import Outcome, Receipt, ingest

RACERS = 20


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_a_batch_store_each_response_once_on_postgresql(cast) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("The in-memory SQLite test database has no concurrent writers.")
    f = field(cast)
    batch = [envelope(f.wave, payload()) for _ in range(30)]
    start = threading.Barrier(RACERS)
    results: list[list[Receipt] | Exception] = []

    def send() -> None:
        try:
            start.wait()
            with transaction.atomic():
                receipts = ingest(f.wave, batch, source="station")
            results.append(receipts)
        except Exception as error:  # the test inspects every outcome
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, list) for r in results), results
    outcomes = [receipt.outcome for r in results if isinstance(r, list) for receipt in r]
    assert outcomes.count(Outcome.STORED) == 30
    assert outcomes.count(Outcome.DUPLICATE) == 30 * (RACERS - 1)
    with scopes_disabled():
        assert Envelope.objects.filter(wave=f.wave).count() == 30
