"""The demo's risk map: 2024 closed, 2026 monitored with an accepted risk and a reopened one."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from arusha.core.models import User
from arusha.demo.data import load_demo
from arusha.risks.models import Cycle, Indicator
from arusha.risks.vocabulary import Band, CycleStatus, RiskStatus


def test_the_demo_risk_map_follows_an_earlier_assessment(client, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    load_demo()  # a second run changes nothing
    with scopes_disabled():
        earlier, current = Cycle.objects.order_by("starts_on")
        statuses = {risk.code: risk.status for risk in current.risks.all()}
        bands = sorted(Indicator.objects.filter(risk__cycle=current).values_list("band", flat=True))
        organization = current.organization
    assert (earlier.status, current.status) == (CycleStatus.CLOSED, CycleStatus.MONITORING)
    assert current.previous == earlier and current.matrix is not None and current.matrix == earlier.matrix
    assert current.matrix.frozen
    assert RiskStatus.ACCEPTED in statuses.values() and RiskStatus.REOPENED in statuses.values()
    assert bands == sorted([Band.GREEN, Band.AMBER, Band.RED])
    client.force_login(User.objects.get(email="integrity@kilima.example"))
    page = client.get(reverse("cycle-heatmap", args=[organization.slug, current.pk]))
    assert page.status_code == 200
    client.force_login(User.objects.get(email="riskowner@kilima.example"))
    dashboard = client.get(reverse("risk-dashboard", args=[organization.slug]))
    assert dashboard.status_code == 200
