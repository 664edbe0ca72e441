"""The demo that `make run` loads: complete, and safe to load again."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from arusha.assessments.models import Assessment, Finding, Response
from arusha.core.models import User
from arusha.demo.data import load_demo


def test_the_demo_loads_once_with_an_assessment_under_way(client, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    rows = load_demo()
    assert load_demo() == rows  # a second run changes nothing
    with scopes_disabled():
        assessment = Assessment.objects.get()
        statuses = sorted(Response.objects.filter(assessment=assessment).values_list("status", flat=True))
        assert statuses == ["agreed", "draft", "proposed"]
        assert Finding.objects.filter(assessment=assessment).count() == 1
    client.force_login(User.objects.get(email="facilitator@kilima.example"))
    page = client.get(reverse("assessment-analysis", args=[assessment.organization.slug, assessment.pk]))
    assert "3 of 282 questions answered." in page.content.decode()
