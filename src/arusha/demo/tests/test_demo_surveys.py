"""The demo's perception survey: the example published, a closed round and an open one."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from arusha.core.models import User
from arusha.demo.data import load_demo
from arusha.demo.surveys import DEMO_SURVEY_PASSPHRASE
from arusha.surveys.keys import open_private
from arusha.surveys.models import Item, Survey, WaveStatus


def test_the_demo_survey_has_the_example_published_and_two_waves(client, builtin_pack) -> None:  # type: ignore[no-untyped-def]
    load_demo()
    load_demo()  # a second run changes nothing
    with scopes_disabled():
        survey = Survey.objects.get(slug="integrity-perception")
        [version] = survey.versions.all()
        waves = list(survey.waves.order_by("number"))
        factors = set(
            Item.objects.filter(questionnaire=version).exclude(factor="").values_list("factor", flat=True)
        )
    assert survey.title == "Integrity perception survey" and version.is_published
    assert factors == {f"KF{n}" for n in range(1, 11)}
    assert [w.status for w in waves] == [WaveStatus.CLOSED, WaveStatus.OPEN]
    assert all(open_private(bytes(w.private_key or b""), DEMO_SURVEY_PASSPHRASE) for w in waves)
    client.force_login(User.objects.get(email="integrity@kilima.example"))
    page = client.get(reverse("survey-detail", args=[survey.organization.slug, survey.pk])).content.decode()
    assert "Round" in page and "Collecting" in page and "Closed" in page
