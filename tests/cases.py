"""Builders for tests of the cases context: a desk of people with vaults, and a channel.

`desk(cast)` adds to the common cast an integrity officer (supervisor and intake officer),
a case handler, a second handler, an identity custodian and a second supervisor, each with
a case vault opened by `PASSPHRASE`, and an open public channel with a short questionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.cases.keys import Keyring
    from arusha.cases.models import Case, Channel
    from arusha.core.models import Organization, User

PASSPHRASE = "a long vault passphrase"
QUESTIONS = [
    {"key": "where", "label": "Where did it happen?", "kind": "text", "required": True},
    {"key": "when", "label": "When did it happen?", "kind": "date", "required": False},
    {
        "key": "kind",
        "label": "What kind of wrongdoing?",
        "kind": "choice",
        "required": False,
        "choices": ["Bribery", "Abuse of office", "Other"],
    },
]


@dataclass
class Desk:
    organization: Organization
    officer: User
    supervisor: User
    handler: User
    handler2: User
    custodian: User
    channel: Channel

    def keyring(self, user: User) -> Keyring:
        from arusha.cases.keys import Keyring, open_vault, vault_of

        vault = vault_of(user, self.organization)
        assert vault is not None
        return Keyring(user=user, organization=self.organization, private_key=open_vault(vault, PASSPHRASE))


def person(cast: Cast, email: str, name: str, roles: list[str], *, vault: bool = True) -> User:
    from arusha.cases.keys import vault_create
    from arusha.core import services

    user = services.user_create(email=email, full_name=name, password=None)
    services.membership_create(actor=None, organization=cast.customs, user=user, roles=roles)
    if vault:
        vault_create(user=user, organization=cast.customs, passphrase=PASSPHRASE)
    return user


def desk(cast: Cast) -> Desk:
    from arusha.cases.models import Anonymity, Channel, ChannelKind
    from arusha.core.permissions import PresetRole

    officer = person(cast, "officer@test.example", "Iris Officer", [PresetRole.INTEGRITY_OFFICER])
    supervisor = person(cast, "supervisor@test.example", "Sam Supervisor", [PresetRole.INTEGRITY_OFFICER])
    handler = person(cast, "handler@test.example", "Hugo Handler", [PresetRole.CASE_HANDLER])
    handler2 = person(cast, "handler2@test.example", "Hana Handler", [PresetRole.CASE_HANDLER])
    custodian = person(cast, "custodian@test.example", "Cora Custodian", [PresetRole.CUSTODIAN])
    channel = Channel.objects.create(
        organization=cast.customs,
        kind=ChannelKind.INTEGRITY_REPORT,
        name="Integrity line",
        slug="integrity",
        anonymity=Anonymity.OPTIONAL,
        questionnaire=QUESTIONS,
    )
    channel.recipients.add(officer)
    return Desk(cast.customs, officer, supervisor, handler, handler2, custodian, channel)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unlocked(d: Desk, user: User) -> Client:
    """A signed-in browser whose case vault is unlocked, through the vault's own code."""
    from arusha.cases.keys import open_vault, unlock, vault_of

    client = signed_in(user)
    vault = vault_of(user, d.organization)
    assert vault is not None
    request = RequestFactory().get("/")
    request.session = client.session
    response = HttpResponse()
    unlock(request, response, vault, open_vault(vault, PASSPHRASE))
    request.session.save()
    for name, morsel in response.cookies.items():
        client.cookies[name] = morsel.value
    return client


def case_url(name: str, case: Case, *args: object) -> str:
    return reverse(name, args=[case.organization.slug, case.pk, *args])


def database_holds(text: str) -> list[str]:
    """The tables where `text` appears anywhere, in any column, as text or bytes."""
    needle = text.encode()
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  # names from the schema
            for row in cursor.fetchall():
                if any(
                    (isinstance(v, str) and text in v)
                    or (isinstance(v, bytes | memoryview) and needle in bytes(v))
                    for v in row
                ):
                    found.append(table)
                    break
    return found
