"""Referral out: authorities and their keys, a sanitised package sealed to them, opened by their script."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import Desk, desk, signed_in, unlocked
from tests.cases import case_url as url
from tests.forms import hidden_value

from arusha.cases import crypto
from arusha.cases.models import Authority, Case, Finding, Referral
from arusha.cases.services import evidence as ev
from arusha.cases.services import investigation as inv
from arusha.cases.services import referral as rf
from arusha.cases.services.dialogue import staff_write
from arusha.cases.services.intake import Upload
from arusha.cases.tests.investigation_support import (
    CANARY,
    TO_REVIEW,
    in_review,
    investigating,
    move,
    new_case,
)
from arusha.core.errors import DomainError

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "open_referral.py"
IDENTITY = "Rosa Reporter-Identity"
NOTE = "internal-note-never-sent"
FILE = b"scan of the gate log, page 1"


@pytest.fixture
def d(cast) -> Desk:  # type: ignore[no-untyped-def]
    return desk(cast)


def _authorities_url(d: Desk) -> str:
    return reverse("authority-list", args=[d.organization.slug])


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def _keys(tmp_path: Path, name: str = "authority.key") -> tuple[Path, str]:
    """A key pair made by the authority's own script: its private key file and public key."""
    private = tmp_path / name
    done = _script("keygen", str(private))
    assert done.returncode == 0, done.stderr
    public = done.stdout.rsplit(":", 1)[1].strip()
    return private, public


def _authority(d: Desk, public: str) -> Authority:
    return rf.authority_create(
        actor=d.officer, organization=d.organization, name="Anti-Corruption Agency", public_key=public
    )


def _any_authority(d: Desk) -> Authority:
    """An authority whose private key the test does not need."""
    return _authority(d, base64.b64encode(crypto.new_key_pair().public).decode())


def _send(d: Desk, case: Case, authority: Authority, allegations: list[int], evidence: list[int]) -> Referral:
    """The officer refers `case` to `authority` with the allegations and items (ids) chosen."""
    return rf.referral_send(
        keyring=d.keyring(d.officer),
        case=case,
        authority=authority,
        summary="S",
        allegations=allegations,
        evidence=evidence,
    )


# --- Authorities -------------------------------------------------------------------------


def test_an_authoritys_public_key_must_be_32_bytes_of_base64(d: Desk) -> None:
    client = signed_in(d.officer)
    for bad, message in (
        ("not base64 at all!", "must be written in base64"),
        (base64.b64encode(b"x" * 31).decode(), "this one is 31 bytes"),
        ("A" * 5000, "at most 200 characters"),
    ):
        response = client.post(_authorities_url(d), {"name": "Prosecutor", "public_key": bad})
        assert response.status_code == 400 and message in response.content.decode(), bad[:50]
    with scopes_disabled():
        assert not Authority.objects.exists()
    good = base64.b64encode(crypto.new_key_pair().public).decode()
    response = client.post(
        _authorities_url(d), {"name": "Prosecutor", "public_key": f" {good[:20]}\n{good[20:]} "}
    )
    assert response.status_code == 302
    with scopes_disabled():
        authority = Authority.objects.get()
    assert authority.public_key == good
    response = client.post(
        reverse("authority-edit", args=[d.organization.slug, authority.pk]),
        {"name": "Public Prosecutor", "public_key": good},
    )
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.name == "Public Prosecutor" and not authority.is_active


def test_authorities_are_kept_by_channel_managers_and_supervisors_only(d: Desk, cast) -> None:  # type: ignore[no-untyped-def]
    assert (
        signed_in(cast.owner).get(_authorities_url(d)).status_code == 200
    )  # an administrator manages channels
    assert signed_in(d.supervisor).get(_authorities_url(d)).status_code == 200
    assert signed_in(d.handler).get(_authorities_url(d)).status_code == 403
    assert signed_in(cast.outsider).get(_authorities_url(d)).status_code == 404
    assert signed_in(cast.foreigner).get(_authorities_url(d)).status_code == 404
    with pytest.raises(PermissionDenied, match="may not change the authorities"):
        rf.authority_create(actor=d.handler, organization=d.organization, name="X", public_key="")
    with pytest.raises(DomainError, match="this one is 3 bytes"):
        rf.authority_create(actor=d.officer, organization=d.organization, name="X", public_key="AAAA")


# --- The package -------------------------------------------------------------------------


def _referable(d: Desk):  # type: ignore[no-untyped-def]
    """A case with a reporter's identity, an internal note, two allegations and two items of evidence."""
    case = move(
        d, new_case(d, narrative=f"Report narrative {CANARY}", identity={"name": IDENTITY}), *TO_REVIEW
    )
    officer = d.keyring(d.officer)
    staff_write(officer, case, NOTE, [], internal=True)
    chosen = inv.allegation_add(keyring=officer, case=case, text="Took 500 in cash at gate 4.")
    left = inv.allegation_add(keyring=officer, case=case, text="left-out allegation")
    item = ev.evidence_register(
        keyring=officer,
        case=case,
        description="Gate log",
        upload=Upload(name="../../gate log.pdf", content_type="application/pdf", data=FILE),
    )
    other = ev.evidence_register(keyring=officer, case=case, description="left-out item", seal_number="S-1")
    return case, chosen, left, item, other


def test_a_referral_opens_with_the_authoritys_key_and_holds_only_what_was_chosen(
    d: Desk, tmp_path: Path
) -> None:
    private, public = _keys(tmp_path)
    authority = _authority(d, public)
    case, chosen, _left, item, _other = _referable(d)
    officer = unlocked(d, d.officer)
    page = officer.get(url("case-investigation-referral-add", case)).content.decode()
    assert "left-out allegation" in page  # the handler sees what they choose from
    response = officer.post(
        url("case-investigation-referral-add", case),
        {
            "authority": authority.pk,
            "summary": "Cash was asked for the release of containers.",
            "allegations": [chosen.pk],
            "evidence": [item.pk],
            "idempotency_key": hidden_value(page, "idempotency_key"),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        referral = Referral.objects.get(case=case)
    download = officer.get(url("case-investigation-referral-file", case, referral.pk))
    assert download.status_code == 200
    package = tmp_path / "package.sealed"
    package.write_bytes(download.content)
    for secret in (IDENTITY, NOTE, CANARY, "left-out", "Took 500"):
        assert secret.encode() not in download.content
    out = tmp_path / "opened"
    done = _script("open", str(package), "--key", str(private), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"Case {case.reference}" in done.stdout and "1 allegations, 1 items of evidence" in done.stdout
    manifest = json.loads((out / "referral.json").read_text())
    assert manifest["summary"] == "Cash was asked for the release of containers."
    assert [a["allegation"] for a in manifest["allegations"]] == ["Took 500 in cash at gate 4."]
    assert manifest["evidence"][0]["file"] == "files/E1-gate_log.pdf"
    assert (out / "files" / "E1-gate_log.pdf").read_bytes() == FILE
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for secret in (IDENTITY, NOTE, CANARY, "left-out"):
        assert secret.encode() not in everything


def test_a_referral_does_not_open_with_another_key(d: Desk, tmp_path: Path) -> None:
    _private, public = _keys(tmp_path)
    wrong, _other_public = _keys(tmp_path, "someone-else.key")
    authority = _authority(d, public)
    case, chosen, _left, item, _other = _referable(d)
    referral = _send(d, case, authority, [chosen.pk], [item.pk])
    package = tmp_path / "package.sealed"
    package.write_bytes(rf.referral_package(actor=d.officer, referral=referral))
    done = _script("open", str(package), "--key", str(wrong), "--out", str(tmp_path / "out"))
    assert done.returncode != 0 and "does not open with this key" in done.stderr
    assert not (tmp_path / "out" / "referral.json").exists()


def test_a_finding_travels_with_its_allegation(d: Desk) -> None:
    pair = crypto.new_key_pair()
    authority = _authority(d, base64.b64encode(pair.public).decode())
    case = investigating(d)
    allegation = inv.allegation_add(keyring=d.keyring(d.officer), case=case, text="Took cash.")
    inv.finding_record(
        keyring=d.keyring(d.officer),
        allegation=allegation,
        finding=Finding.SUBSTANTIATED,
        reasoning="Witnesses.",
        version=None,
    )
    referral = _send(d, case, authority, [allegation.pk], [])
    sealed = rf.referral_package(actor=d.officer, referral=referral)
    with zipfile.ZipFile(io.BytesIO(crypto.unwrap(pair.private, sealed))) as archive:
        manifest = json.loads(archive.read("referral.json"))
    assert manifest["allegations"][0]["finding"] == "Substantiated"
    assert manifest["allegations"][0]["reasoning"] == "Witnesses."
    assert manifest["case"] == case.reference and manifest["evidence"] == []


def test_items_of_another_case_cannot_be_referred(d: Desk) -> None:
    authority = _any_authority(d)
    _case, chosen, _left, item, _other = _referable(d)
    elsewhere = in_review(d)
    with pytest.raises(DomainError) as refused:
        _send(d, elsewhere, authority, [chosen.pk], [])
    assert refused.value.field == "allegations"
    with pytest.raises(DomainError) as refused:
        _send(d, elsewhere, authority, [], [item.pk])
    assert refused.value.field == "evidence"
    # Through the page, a foreign or absurd id is a message on the field, never an error.
    page = unlocked(d, d.officer).post(
        url("case-investigation-referral-add", elsewhere),
        {"authority": authority.pk, "summary": "S", "allegations": [chosen.pk, "99999999999999999999999"]},
    )
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()
    with scopes_disabled():
        assert not Referral.objects.exists()


def test_an_inactive_authority_or_a_locked_vault_refers_nothing(d: Desk) -> None:
    authority = _any_authority(d)
    rf.authority_update(
        actor=d.officer,
        authority=authority,
        name=authority.name,
        public_key=authority.public_key,
        is_active=False,
    )
    case, chosen, _left, _item, _other = _referable(d)
    with pytest.raises(DomainError) as refused:
        _send(d, case, authority, [chosen.pk], [])
    assert refused.value.field == "authority"
    page = signed_in(d.officer).get(url("case-investigation-referral-add", case)).content.decode()
    assert "Unlock your case vault" in page and "left-out" not in page


def test_only_the_cases_handlers_download_a_package(d: Desk, cast) -> None:  # type: ignore[no-untyped-def]
    authority = _any_authority(d)
    case, chosen, _left, _item, _other = _referable(d)
    referral = _send(d, case, authority, [chosen.pk], [])
    link = url("case-investigation-referral-file", case, referral.pk)
    assert signed_in(d.handler2).get(link).status_code == 404
    assert signed_in(cast.owner).get(link).status_code == 404
    assert signed_in(d.supervisor).get(link).status_code == 200
    assert (
        signed_in(d.officer)
        .get(url("case-investigation-referral-file", in_review(d), referral.pk))
        .status_code
        == 404
    )
