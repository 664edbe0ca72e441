"""No page of the organization or the API shows a case's content to someone without its key.

The walked case (tests/test_isolation.py `_cases`) carries a canary in its answers,
narrative, reporter's identity, subject and attachment. Administrators, analysts,
statistics readers, a supervisor who holds no key and a custodian open every URL of the
URLconf under /o/<organization>/ and /api/: the canary never appears. The intake
officer, who holds the key, sees it: the walk would notice a leak.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django_scopes import scopes_disabled

from arusha.cases.models import Case
from arusha.core import services
from arusha.core.models import Membership
from tests.cases import person, signed_in, unlocked
from tests.test_isolation import CANARY, _urls


def _body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return str(response.content.decode(errors="replace"))


def test_no_page_shows_a_case_to_anyone_without_its_key(cast, world) -> None:  # type: ignore[no-untyped-def]
    urls = _urls(cast, world)
    every = [*urls["organization"], *urls["assessment"], reverse("api-schema")]
    analyst = person(
        cast, "analyst@test.example", "Ana Analyst", ["analyst", "steering_committee"], vault=False
    )
    supervisor = person(cast, "keyless@test.example", "Kim Keyless", ["integrity_officer"])
    custodian = person(cast, "keeper@test.example", "Kay Keeper", ["custodian"])
    with scopes_disabled():
        owner = Membership.objects.get(organization=cast.customs, user=cast.owner)
        case = Case.objects.filter(organization=cast.customs).select_related("channel").first()
        assert case is not None
        officer = case.channel.recipients.get()
    services.membership_update(
        actor=cast.owner, membership=owner, roles=["administrator", "head_of_administration"],
        division=None, job_title="", is_active=True, version=owner.version,
    )  # fmt: skip
    desk = SimpleNamespace(organization=cast.customs)
    readers = [
        ("administrator", signed_in(cast.owner)),
        ("analyst", signed_in(analyst)),
        ("supervisor without the key", unlocked(desk, supervisor)),  # type: ignore[arg-type]
        ("custodian", unlocked(desk, custodian)),  # type: ignore[arg-type]
    ]
    leaks = []
    for who, client in readers:
        for url in every:
            for response in (client.get(url), client.post(url, {"name": "x"})):
                if CANARY in _body(response):
                    leaks.append((who, url, response.status_code))
    assert leaks == []
    # The officer who holds the key reads it on the case page: the walk looks where content is.
    page = unlocked(desk, officer).get(reverse("case-detail", args=[cast.customs.slug, case.pk]))  # type: ignore[arg-type]
    assert CANARY in page.content.decode()
