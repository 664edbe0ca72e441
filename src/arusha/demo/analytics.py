"""The demo's integrity analytics: a year of synthetic clearance data, and the indicators run on it.

30,000 declarations of 2025 with planted anomalies (arusha.analytics.engine.generator),
imported like real data (quality gates, pseudonyms), then the whole catalogue run on
DuckDB, at once, as the system: the dashboards, the signals and their reviews are there
when the demo opens. An analyst of the statistics unit imports data and runs the
indicators; the integrity officer (already in the demo) reads the signals about people
and reviews them; the head of administration reads the offices'. Made once, for an
administration with no dataset yet. It adds about fifteen seconds to `make demo` on two cores
(generation and import 2 s, the catalogue 4 s, storing 35,000 signals 6 s); 60,000
declarations took 25 s.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from arusha.analytics.models import Dataset
from arusha.analytics.services.imports import dataset_generate_now
from arusha.analytics.services.runs import run_now
from arusha.core import services
from arusha.core.models import Division, Membership, Organization, User
from arusha.core.permissions import PresetRole
from arusha.demo.data import DEMO_PASSWORD

ANALYST = "analyst@kilima.example"
DECLARATIONS = 30_000
SEED = 2025


def _analyst(customs: Organization) -> User:
    """The demo's analyst, in the planning and statistics unit (made here, after the first demo load)."""
    user = User.objects.filter(email=ANALYST).first()
    if user is None:
        user = services.user_create(email=ANALYST, full_name="Neema Kessy", password=DEMO_PASSWORD)
    with scopes_disabled():
        if not Membership.objects.filter(organization=customs, user=user).exists():
            services.membership_create(
                actor=None,
                organization=customs,
                user=user,
                roles=[PresetRole.ANALYST],
                job_title="Data analyst, clearance statistics",
                division=Division.objects.filter(organization=customs, code="OPS").first(),
            )
    return user


def load_analytics_demo(customs: Organization) -> None:
    """Generate, import and run the demo's clearance data once; running it again changes nothing."""
    _analyst(customs)
    with scopes_disabled():
        if Dataset.objects.filter(organization=customs).exists():
            return
    dataset = dataset_generate_now(
        actor=None,
        organization=customs,
        title="Clearance data 2025 (synthetic)",
        declarations=DECLARATIONS,
        seed=SEED,
        planted=True,
    )
    run_now(actor=None, dataset=dataset)
