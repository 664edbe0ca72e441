"""The demo's integrity analytics: a synthetic year imported and run, for the analyst and the integrity officer."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from arusha.analytics.models import Dataset, Pseudonym, Review, Run, Signal
from arusha.analytics.vocabulary import DatasetStatus, RunStatus
from arusha.core.models import User
from arusha.demo.analytics import ANALYST, DECLARATIONS
from arusha.demo.data import load_demo


def test_the_demo_has_a_dataset_run_with_signals_to_review(client, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    rows = load_demo()
    load_demo()  # a second run changes nothing
    with scopes_disabled():
        dataset = Dataset.objects.get()
        run = Run.objects.get()
        open_reviews = Review.objects.filter(signal__run=run, status="open").count()
        # Context indicators (tenure) are flagged but open no review.
        to_review = Signal.objects.filter(run=run, flag=True).exclude(indicator="TENURE").count()
        officers = Pseudonym.objects.filter(kind="officer").count()
    assert ANALYST in [email for email, _roles, _where in rows]
    assert dataset.status == DatasetStatus.READY and dataset.quality["declarations"]["read"] == DECLARATIONS
    assert run.status == RunStatus.DONE and run.flagged > 0 and open_reviews == to_review > 0
    assert officers > 0
    organization = dataset.organization
    client.force_login(User.objects.get(email=ANALYST))
    page = client.get(reverse("analytics-dataset", args=[organization.slug, dataset.pk]))
    assert page.status_code == 200 and "Run the indicators" in page.content.decode()
    client.force_login(User.objects.get(email="integrity@kilima.example"))
    signals = client.get(reverse("analytics-signals", args=[organization.slug]) + f"?run={run.pk}&flagged=on")
    text = signals.content.decode()
    assert signals.status_code == 200 and ("OF-" in text or "BR-" in text)
