"""The demo that `make run` loads: complete, and safe to load again."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django_scopes import scopes_disabled

from arusha.assessments.models import Assessment, Finding, Response
from arusha.core.models import User
from arusha.demo.data import load_demo
from arusha.monitoring import alerts
from arusha.planning.models import ActionPlan


def test_the_demo_loads_once_with_an_assessment_under_way(client, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    rows = load_demo()
    assert load_demo() == rows  # a second run changes nothing
    with scopes_disabled():
        assessment = Assessment.objects.get(title="Integrity self-assessment 2027")
        assert (
            assessment.previous is not None and assessment.previous.title == "Integrity self-assessment 2024"
        )
        plan = ActionPlan.objects.get()
        assert plan.status == "adopted" and plan.assessment_id == assessment.previous_id
        # Each activity carries its own target, the training its own KPI (IDG Annex 9).
        training = plan.activities.get(title="Train every officer on the revised code")
        assert training.target == "90 % of officers trained by December 2025"
        assert [k.code for k in training.kpis.all()] == ["KIL-01"]
        assert all(a.target for a in plan.activities.all())
        statuses = sorted(Response.objects.filter(assessment=assessment).values_list("status", flat=True))
        assert statuses == ["agreed", "draft", "proposed"]
        assert Finding.objects.filter(assessment=assessment).count() == 1
    client.force_login(User.objects.get(email="facilitator@kilima.example"))
    page = client.get(reverse("assessment-analysis", args=[assessment.organization.slug, assessment.pk]))
    assert "3 of 282 questions answered." in page.content.decode()
    # The 2025 plan is monitored: three quarters reported, the committee has met, the next cycle started.
    client.force_login(User.objects.get(email="coordinator@kilima.example"))
    org = assessment.organization.slug
    dashboard = client.get(reverse("monitoring-dashboard", args=[org, plan.pk])).content.decode()
    assert "3 activities" in dashboard and "KIL-01" in dashboard
    meetings = client.get(reverse("monitoring-meetings", args=[org, plan.pk])).content.decode()
    assert "Schedule evening sessions" in meetings
    review = client.get(reverse("monitoring-review", args=[org, plan.pk])).content.decode()
    assert "Integrity self-assessment 2027" in review
    summary = alerts.run(datetime.date(2025, 11, 20))
    assert summary.raised > 0


def test_the_demo_opens_a_reporting_desk_whose_staff_read_the_reports(client, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    from arusha.cases import crypto
    from arusha.cases.keys import Keyring, open_vault, vault_of
    from arusha.cases.models import Case, Channel
    from arusha.cases.services.dialogue import receipt_open
    from arusha.demo.cases import DEMO_VAULT_PASSPHRASE

    receipts: list[str] = []
    load_demo(receipts)
    load_demo(receipts)
    assert len(receipts) == 1  # the desk is set up once
    with scopes_disabled():
        officer = User.objects.get(email="integrity@kilima.example")
        customs = Channel.objects.get(slug="integrity").organization
        assert sorted(Channel.objects.values_list("slug", flat=True)) == [
            "complaints", "integrity", "oral", "referrals", "staff"
        ]  # fmt: skip
        cases = list(Case.objects.all())
        assert len(cases) == 3
        vault = vault_of(officer, customs)
        assert vault is not None
        keyring = Keyring(
            user=officer, organization=customs, private_key=open_vault(vault, DEMO_VAULT_PASSPHRASE)
        )
        narratives = {crypto.unseal_json(keyring.key(c), bytes(c.content))["narrative"][:20] for c in cases}
        assert "An officer at gate 4" in narratives
    opened = receipt_open(customs, receipts[0])
    assert opened is not None
    assert client.get(reverse("report-start", args=[customs.slug])).status_code == 200
