"""The cryptography of cases: keys open what they sealed and nothing else."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from tests.cases import PASSPHRASE, desk

from arusha.cases import crypto
from arusha.cases.keys import Keyring, NoKey, VaultLocked, open_vault, vault_create, vault_of
from arusha.cases.models import CaseKey, KeyPurpose
from arusha.cases.services.dialogue import receipt_open
from arusha.cases.services.intake import Report, report_submit
from arusha.core.errors import DomainError


def test_a_sealed_text_opens_with_its_key_only() -> None:
    key, other = crypto.new_key(), crypto.new_key()
    sealed = crypto.seal(key, b"the report")
    assert b"the report" not in sealed
    assert crypto.unseal(key, sealed) == b"the report"
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(other, sealed)
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(key, bytes(tampered))


def test_a_wrapped_key_opens_with_the_private_half_only() -> None:
    mine, theirs = crypto.new_key_pair(), crypto.new_key_pair()
    key = crypto.new_key()
    wrapped = crypto.wrap(mine.public, key)
    assert crypto.unwrap(mine.private, wrapped) == key
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap(theirs.private, wrapped)


def test_receipts_are_sixteen_digits_and_typed_loosely() -> None:
    receipt = crypto.new_receipt()
    assert len(receipt) == 16 and receipt.isdigit()
    assert crypto.normalize_receipt(crypto.group_receipt(receipt)) == receipt
    assert crypto.normalize_receipt(receipt.replace("", "-")[1:-1]) == receipt
    for bad in ("", "1234", "a" * 16, "\uff11" * 16, "1" * 17, "1" * 10_000):
        assert crypto.normalize_receipt(bad) == ""


def test_receipt_lookup_and_wrapping_key_differ_and_depend_on_the_salt() -> None:
    salt, other_salt = crypto.new_salt(), crypto.new_salt()
    keys = crypto.receipt_keys("1234567812345678", salt)
    assert keys.lookup != keys.wrap_key.hex()
    assert crypto.receipt_keys("1234567812345678", salt) == keys
    assert crypto.receipt_keys("1234567812345678", other_salt).lookup != keys.lookup


@pytest.mark.django_db
def test_a_vault_opens_with_its_passphrase_only(cast) -> None:
    vault = vault_create(user=cast.member, organization=cast.customs, passphrase="twelve chars ok")
    assert len(open_vault(vault, "twelve chars ok")) == 32
    with pytest.raises(DomainError) as refused:
        open_vault(vault, "twelve chars no")
    assert refused.value.field == "passphrase"
    with pytest.raises(DomainError):
        vault_create(user=cast.owner, organization=cast.customs, passphrase="short")
    with pytest.raises(DomainError):
        vault_create(user=cast.member, organization=cast.customs, passphrase="another long one")


@pytest.mark.django_db
def test_only_the_channels_intake_officers_and_custodians_get_keys(cast) -> None:
    d = desk(cast)
    with scopes_disabled():
        submitted = report_submit(
            Report(channel=d.channel, answers={"where": "Port"}, narrative="Bribe", identity={"name": "Rita"})
        )
        holders = set(CaseKey.objects.filter(case=submitted.case).values_list("user__email", "purpose"))
    assert holders == {
        ("officer@test.example", KeyPurpose.CONTENT),
        ("custodian@test.example", KeyPurpose.IDENTITY),
    }
    assert (
        crypto.unseal_json(d.keyring(d.officer).key(submitted.case), bytes(submitted.case.content))[
            "narrative"
        ]
        == "Bribe"
    )
    with pytest.raises(NoKey):
        d.keyring(d.supervisor).key(submitted.case)
    with pytest.raises(NoKey):
        d.keyring(d.officer).key(submitted.case, KeyPurpose.IDENTITY)
    locked = Keyring(user=d.officer, organization=d.organization, private_key=None)
    with pytest.raises(VaultLocked):
        locked.key(submitted.case)
    identity_key = d.keyring(d.custodian).key(submitted.case, KeyPurpose.IDENTITY)
    assert crypto.unseal_json(identity_key, bytes(submitted.case.identity or b"")) == {"name": "Rita"}
    # The custodian holds the identity, not the content.
    with pytest.raises(NoKey):
        d.keyring(d.custodian).key(submitted.case)
    assert vault_of(d.officer, d.organization) is not None and PASSPHRASE


@pytest.mark.django_db
def test_the_receipt_opens_its_own_case_and_nothing_else(cast) -> None:
    d = desk(cast)
    with scopes_disabled():
        first = report_submit(Report(channel=d.channel, answers={"where": "Port"}, narrative="One"))
        second = report_submit(Report(channel=d.channel, answers={"where": "Airport"}, narrative="Two"))
    opened = receipt_open(d.organization, crypto.group_receipt(first.receipt))
    assert opened is not None and opened.case.pk == first.case.pk
    assert crypto.unseal_json(opened.key, bytes(first.case.content))["narrative"] == "One"
    assert receipt_open(d.organization, second.receipt).case.pk == second.case.pk  # type: ignore[union-attr]
    assert receipt_open(cast.other, first.receipt) is None
    assert receipt_open(d.organization, "0000000000000000") is None
    assert receipt_open(d.organization, "not a receipt") is None
    with scopes_disabled():
        stored = first.case.__class__.objects.get(pk=first.case.pk)
    assert first.receipt not in (stored.receipt_lookup or "")
