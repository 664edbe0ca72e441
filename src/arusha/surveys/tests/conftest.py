"""What every test of surveys shares."""

from __future__ import annotations

import pytest

from arusha.surveys import analysis


@pytest.fixture(autouse=True)
def _fresh_analysis() -> None:
    # The analysis keeps answer matrices by wave, response count and last response ID; a
    # test database reuses ids, and the seeded responses repeat, so each test starts cold.
    analysis.clear_cache()
