"""Throttling: per address across accounts, per (account, address) pair, and on password resets."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from arusha.accounts.tests.helpers import sign_in

HOME = reverse("home")


def _fail(client, email, address, times):  # type: ignore[no-untyped-def]
    for _ in range(times):
        sign_in(client, email, "wrong-password", REMOTE_ADDR=address)


def test_repeated_failures_lock_the_account_and_address_pair_only(client, cast) -> None:  # type: ignore[no-untyped-def]
    _fail(client, "member@test.example", "203.0.113.7", 5)
    # The stranger's address is locked for this account, even with the right password …
    assert sign_in(client, "member@test.example", REMOTE_ADDR="203.0.113.7").status_code == 429
    # … but the person, from their own address, still signs in.
    assert sign_in(client, "member@test.example", REMOTE_ADDR="198.51.100.2").status_code == 302


def test_one_address_trying_many_accounts_is_stopped(client, cast) -> None:  # type: ignore[no-untyped-def]
    for n in range(20):
        sign_in(client, f"guess{n}@test.example", "wrong-password", REMOTE_ADDR="203.0.113.9")
    refused = sign_in(client, "member@test.example", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 200 and "Too many failed" in refused.content.decode()
    assert client.get(HOME).status_code == 302
    assert sign_in(client, "member@test.example", REMOTE_ADDR="198.51.100.2").status_code == 302


def test_password_resets_are_limited_per_account(client, cast) -> None:  # type: ignore[no-untyped-def]
    for n in range(4):
        client.post(
            reverse("password_reset"), {"email": "member@test.example"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
    assert len(mail.outbox) == 3


def test_password_resets_are_limited_per_address(client, cast) -> None:  # type: ignore[no-untyped-def]
    for n in range(6):
        client.post(
            reverse("password_reset"), {"email": f"someone{n}@test.example"}, REMOTE_ADDR="203.0.113.5"
        )
    refused = client.post(
        reverse("password_reset"), {"email": "member@test.example"}, REMOTE_ADDR="203.0.113.5"
    )
    assert refused.status_code in (200, 429) and mail.outbox == []
