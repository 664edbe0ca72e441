"""The case vault page: set up, unlock, lock; wrong passphrases are refused and counted."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django_scopes import scopes_disabled
from tests.cases import PASSPHRASE, desk, person, signed_in

from arusha.cases.keys import COOKIE, open_vault, private_key_of, vault_of
from arusha.cases.models import VaultKey
from arusha.cases.services.people import VAULT_ATTEMPTS
from arusha.core.models import AuditEvent
from arusha.core.permissions import PresetRole

from .people_support import unlocked, vault_url

pytestmark = pytest.mark.django_db

NEW_PASSPHRASE = "seven green lanterns by the river"


def _private_key(client: Client, organization) -> bytes | None:  # type: ignore[no-untyped-def]
    """What the vault code finds in this browser's session and cookie."""
    request = RequestFactory().get("/")
    request.session = client.session
    morsel = client.cookies.get(COOKIE)
    request.COOKIES = {COOKIE: morsel.value} if morsel is not None else {}
    return private_key_of(request, organization)


def test_a_handler_sets_up_a_vault_with_the_passphrase_typed_twice(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    newcomer = person(cast, "new@test.example", "Nina New", [PresetRole.CASE_HANDLER], vault=False)
    client = signed_in(newcomer)
    page = client.get(vault_url(d)).content.decode()
    assert "Nobody can recover a lost passphrase" in page and "Administrators hold no key" in page

    differ = client.post(
        vault_url(d), {"action": "create", "passphrase": NEW_PASSPHRASE, "again": "something else"}
    )
    assert differ.status_code == 400 and "The two passphrases differ" in differ.content.decode()
    short = client.post(vault_url(d), {"action": "create", "passphrase": "short", "again": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.content.decode()
    assert vault_of(newcomer, d.organization) is None

    made = client.post(
        vault_url(d), {"action": "create", "passphrase": NEW_PASSPHRASE, "again": NEW_PASSPHRASE}
    )
    assert made.status_code == 302
    vault = vault_of(newcomer, d.organization)
    assert vault is not None and len(open_vault(vault, NEW_PASSPHRASE)) == 32
    with scopes_disabled():
        event = AuditEvent.objects.get(action="arusha.case.vault.created", object_id=str(vault.pk))
    assert event.actor == newcomer and event.changes == {}
    assert NEW_PASSPHRASE not in str(event.changes) + event.object_repr
    again = client.post(
        vault_url(d), {"action": "create", "passphrase": NEW_PASSPHRASE, "again": NEW_PASSPHRASE}
    )
    assert again.status_code == 400
    with scopes_disabled():
        assert VaultKey.objects.filter(user=newcomer).count() == 1


def test_unlocking_sets_a_cookie_whose_key_opens_the_vault_and_locking_forgets_it(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(d.handler)
    assert _private_key(client, d.organization) is None
    response = client.post(
        vault_url(d), {"action": "unlock", "passphrase": PASSPHRASE, "next": "/elsewhere/"}
    )
    assert response.status_code == 302 and response["Location"] == "/elsewhere/"
    assert response.cookies[COOKIE]["httponly"] and response.cookies[COOKIE]["samesite"] == "Strict"
    vault = vault_of(d.handler, d.organization)
    assert vault is not None
    assert _private_key(client, d.organization) == open_vault(vault, PASSPHRASE)
    assert "Unlocked" in client.get(vault_url(d)).content.decode()

    locked = client.post(vault_url(d), {"action": "lock"})
    assert locked.status_code == 302 and locked.cookies[COOKIE].value == ""
    assert _private_key(client, d.organization) is None
    assert "Locked" in client.get(vault_url(d)).content.decode()


def test_an_outside_next_address_is_not_followed(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    response = signed_in(d.handler).post(
        vault_url(d), {"action": "unlock", "passphrase": PASSPHRASE, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == vault_url(d)


def test_a_wrong_passphrase_is_said_on_the_field_and_attempts_are_limited(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(d.handler)
    wrong = client.post(vault_url(d), {"action": "unlock", "passphrase": "not my passphrase at all"})
    assert wrong.status_code == 400
    assert "This passphrase does not open your vault." in wrong.content.decode()
    assert _private_key(client, d.organization) is None
    for _attempt in range(VAULT_ATTEMPTS - 1):
        assert (
            client.post(vault_url(d), {"action": "unlock", "passphrase": "still wrong, sorry"}).status_code
            == 400
        )
    blocked = client.post(vault_url(d), {"action": "unlock", "passphrase": PASSPHRASE})
    assert blocked.status_code == 400 and "Too many wrong passphrases" in blocked.content.decode()
    assert _private_key(client, d.organization) is None
    # Another person's count is their own.
    assert unlocked(d, d.officer) is not None


def test_only_people_who_work_on_cases_see_the_vault_page(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    for user in (d.officer, d.handler, d.custodian):
        assert signed_in(user).get(vault_url(d)).status_code == 200
    for user in (cast.owner, cast.member, cast.outsider, cast.foreigner):
        client = signed_in(user)
        assert client.get(vault_url(d)).status_code == 404
        assert (
            client.post(
                vault_url(d), {"action": "create", "passphrase": "x" * 20, "again": "x" * 20}
            ).status_code
            == 404
        )
    assert vault_of(cast.owner, d.organization) is None


def test_hostile_vault_posts_never_fail(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(d.handler)
    for data in (
        {},
        {"action": "nonsense"},
        {"action": "unlock"},
        {"action": "unlock", "passphrase": "x" * 100_000},
        {"action": "unlock", "passphrase": "\x00\ud800".encode("utf-8", "surrogatepass").decode("latin-1")},
        {"action": "create", "passphrase": PASSPHRASE, "again": PASSPHRASE},
        {"action": ["lock", "unlock"], "passphrase": ["a", "b"]},
    ):
        assert client.post(vault_url(d), data).status_code in {302, 400}, data
