"""The evidence register: fingerprints, the hash-chained custody log, the nightly integrity check."""

from __future__ import annotations

import hashlib
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled
from tests.cases import Desk, database_holds, desk, signed_in, unlocked
from tests.cases import case_url as url
from tests.forms import hidden_value

from arusha.cases import crypto
from arusha.cases.models import CaseFile, CustodyAction, CustodyEvent, Evidence
from arusha.cases.services import evidence as ev
from arusha.cases.services.intake import Upload
from arusha.cases.tests.investigation_support import CANARY, assigned, in_review
from arusha.core.errors import DomainError
from arusha.core.models import Notification

DATA = b"%PDF-1.4 gate log of 12 March " + CANARY.encode()


@pytest.fixture
def d(cast) -> Desk:  # type: ignore[no-untyped-def]
    return desk(cast)


def _item(d: Desk, case=None, data: bytes = DATA) -> Evidence:  # type: ignore[no-untyped-def]
    return ev.evidence_register(
        keyring=d.keyring(d.officer),
        case=case or in_review(d),
        description=f"Gate log {CANARY}",
        upload=Upload(name="gate-log.pdf", content_type="application/pdf", data=data),
        seal_number="S-001",
        note="Received from the port manager.",
    )


def _file_of(item: Evidence) -> CaseFile:
    assert item.file_id is not None
    with scopes_disabled():
        return CaseFile.objects.get(pk=item.file_id)


def _stored(item: Evidence) -> bytes:
    stored = _file_of(item)
    with stored.blob.open("rb") as handle:
        return bytes(handle.read())


def _check() -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("evidence_check", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


# --- Registering -------------------------------------------------------------------------


def test_a_registered_file_keeps_both_fingerprints_and_starts_its_custody_log(d: Desk) -> None:
    item = _item(d)
    key = d.keyring(d.officer).key(item.case)
    assert item.content_sha256 is not None
    assert crypto.unseal(key, bytes(item.content_sha256)).decode() == hashlib.sha256(DATA).hexdigest()
    stored = _file_of(item)
    with scopes_disabled():
        events = list(CustodyEvent.objects.filter(evidence=item))
    assert stored.sealed_sha256 == hashlib.sha256(_stored(item)).hexdigest()
    assert [e.action for e in events] == [CustodyAction.RECEIVED]
    assert (
        events[0].previous_hash == ev.GENESIS
        and events[0].by == d.officer
        and events[0].seal_number == "S-001"
    )
    assert ev.evidence_problems(item) == []
    assert ev.evidence_file(d.keyring(d.officer), item) == ("gate-log.pdf", "application/pdf", DATA)


def test_a_physical_item_needs_its_seal_number_and_nothing_is_registered_without_either(d: Desk) -> None:
    case = in_review(d)
    with pytest.raises(DomainError) as refused:
        ev.evidence_register(keyring=d.keyring(d.officer), case=case, description="A phone.")
    assert refused.value.field == "file"
    item = ev.evidence_register(
        keyring=d.keyring(d.officer), case=case, description="A phone.", seal_number="S-9"
    )
    assert item.file is None and item.content_sha256 is None and item.number == 1
    assert ev.chain_problem(item) is None
    with pytest.raises(DomainError, match="physical item"):
        ev.evidence_file(d.keyring(d.officer), item)


def test_items_are_numbered_per_case(d: Desk) -> None:
    case = in_review(d)
    first, second = _item(d, case), _item(d, case)
    other = _item(d)
    assert (first.number, second.number, other.number) == (1, 2, 1)


# --- Custody -----------------------------------------------------------------------------


def test_the_custody_log_is_a_chain_that_follows_the_item(d: Desk) -> None:
    item = _item(d)
    officer = d.keyring(d.officer)
    ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.EXAMINED, note="Pages counted: 4.")
    handed = ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.TRANSFERRED, to=d.handler)
    item.refresh_from_db()
    assert item.holder == d.handler
    # The officer no longer holds it, but as a supervisor may still record what happened.
    ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.RESEALED, seal_number="S-002")
    item.refresh_from_db()
    assert item.seal_number == "S-002"
    with scopes_disabled():
        events = list(CustodyEvent.objects.filter(evidence=item).order_by("position"))
    assert [e.position for e in events] == [1, 2, 3, 4]
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert handed.to == d.handler
    assert ev.chain_problem(item) is None


def test_only_the_holder_or_a_supervisor_records_custody_and_destruction_closes_the_log(d: Desk) -> None:
    item = _item(d)
    officer = d.keyring(d.officer)
    handler = assigned(d, item.case, d.handler)
    with scopes_disabled(), pytest.raises(DomainError, match="Only the person who holds the item"):
        ev.custody_record(keyring=handler, evidence=item, action=CustodyAction.EXAMINED)
    with pytest.raises(DomainError) as refused:
        ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.TRANSFERRED)
    assert refused.value.field == "to"
    with pytest.raises(DomainError) as refused:
        ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.RESEALED)
    assert refused.value.field == "seal_number"
    ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.DESTROYED, note="Shredded.")
    with pytest.raises(DomainError, match="destroyed"):
        ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.RETURNED)


def test_a_changed_removed_or_forged_custody_row_breaks_the_chain(d: Desk) -> None:
    item = _item(d)
    officer = d.keyring(d.officer)
    ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.EXAMINED)
    ev.custody_record(keyring=officer, evidence=item, action=CustodyAction.TRANSFERRED, to=d.handler)
    with scopes_disabled():
        rows = CustodyEvent.objects.filter(evidence=item)
        rows.filter(position=2).update(by=d.handler)
    assert ev.chain_problem(item) == "custody event 2 was altered"
    with scopes_disabled():
        rows.filter(position=2).update(by=d.officer)
        assert ev.chain_problem(item) is None
        rows.filter(position=2).delete()
    assert ev.chain_problem(item) == "custody event 2 is missing"
    # Changing the stored fingerprint to match a swapped file breaks the chain as well.
    other = _item(d)
    with scopes_disabled():
        CaseFile.objects.filter(pk=_file_of(other).pk).update(sealed_sha256="0" * 64)
    assert ev.chain_problem(other) == "custody event 1 was altered"


# --- The nightly check -------------------------------------------------------------------


def test_the_nightly_check_passes_intact_evidence_and_flags_a_tampered_file(d: Desk) -> None:
    item = _item(d)
    physical = ev.evidence_register(
        keyring=d.keyring(d.officer), case=item.case, description="A phone.", seal_number="S-7"
    )
    output, error = _check()
    assert error is None and "2 items of evidence" in output and "Everything is intact." in output
    item.refresh_from_db()
    assert item.last_checked_at is not None and not item.check_failed
    # One byte of the stored ciphertext changes.
    stored = _file_of(item)
    data = bytearray(_stored(item))
    data[-1] ^= 1
    path = stored.blob.path
    with open(path, "wb") as handle:  # noqa: PTH123
        handle.write(bytes(data))
    output, error = _check()
    assert error is not None and "1 failed the check" in str(error)
    assert f"{item.case.reference} E1: the stored file does not match its fingerprint" in output
    item.refresh_from_db()
    physical.refresh_from_db()
    assert item.check_failed and not physical.check_failed
    with scopes_disabled():
        told = Notification.objects.filter(subject="Evidence failed its integrity check")
        assert {n.recipient for n in told} == {d.officer, d.supervisor}
        assert all(CANARY not in n.body for n in told)
    with pytest.raises(DomainError, match="altered"):
        ev.evidence_file(d.keyring(d.officer), item)


def test_the_nightly_check_finds_a_tampered_custody_row_and_an_altered_report_attachment(d: Desk) -> None:
    from arusha.cases.services.intake import Report, report_submit

    item = _item(d)
    with scopes_disabled():
        CustodyEvent.objects.filter(evidence=item, position=1).update(seal_number="S-999")
        case = report_submit(
            Report(
                channel=d.channel,
                answers={"where": "Port"},
                narrative="See the photo.",
                files=[Upload(name="photo.jpg", content_type="image/jpeg", data=b"JPEG" * 100)],
            )
        ).case
        attachment = CaseFile.objects.get(case=case)
    with open(attachment.blob.path, "ab") as handle:  # noqa: PTH123
        handle.write(b"x")
    output, error = _check()
    assert error is not None and "2 failed the check" in str(error)
    assert "E1: custody event 1 was altered" in output
    assert f"{case.reference} file {attachment.pk}: the stored file does not match its fingerprint" in output


# --- Pages -------------------------------------------------------------------------------


def test_registering_through_the_page_stores_the_file_sealed(d: Desk, settings) -> None:  # type: ignore[no-untyped-def]
    case = in_review(d)
    officer = unlocked(d, d.officer)
    page = officer.get(url("case-investigation-evidence-add", case)).content.decode()
    response = officer.post(
        url("case-investigation-evidence-add", case),
        {
            "description": f"Photo {CANARY}",
            "file": SimpleUploadedFile("photo.jpg", DATA, content_type="image/jpeg"),
            "note": "",
            "idempotency_key": hidden_value(page, "idempotency_key"),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        item = Evidence.objects.get(case=case)
    assert database_holds(CANARY) == []
    download = officer.get(url("case-investigation-evidence-file", case, item.pk))
    assert download.status_code == 200 and download.content == DATA
    assert download["Content-Disposition"] == 'attachment; filename="photo.jpg"'
    detail = officer.get(url("case-investigation-evidence", case, item.pk)).content.decode()
    assert CANARY in detail and "Received" in detail


def test_the_register_form_asks_for_a_file_or_a_seal(d: Desk) -> None:
    case = in_review(d)
    response = unlocked(d, d.officer).post(url("case-investigation-evidence-add", case), {"description": "x"})
    assert response.status_code == 400 and "give the seal number" in response.content.decode()


def test_another_cases_evidence_is_not_found_through_this_case(d: Desk) -> None:
    item = _item(d)
    mine = in_review(d)
    officer = unlocked(d, d.officer)
    for name in ("case-investigation-evidence", "case-investigation-evidence-file"):
        assert officer.get(url(name, mine, item.pk)).status_code == 404
        assert officer.get(url(name, item.case, item.pk)).status_code == 200
    assert officer.get(url("case-investigation-evidence", mine, 10**12)).status_code == 404


def test_a_custody_event_through_the_page_and_a_locked_vault_shows_no_content(d: Desk) -> None:
    item = _item(d)
    officer = unlocked(d, d.officer)
    page = officer.get(url("case-investigation-evidence", item.case, item.pk)).content.decode()
    response = officer.post(
        url("case-investigation-evidence", item.case, item.pk),
        {
            "action": CustodyAction.TRANSFERRED,
            "to": d.supervisor.pk,
            "note": "For the lab.",
            "idempotency_key": hidden_value(page, "idempotency_key"),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.holder == d.supervisor
    response = officer.post(
        url("case-investigation-evidence", item.case, item.pk), {"action": CustodyAction.TRANSFERRED}
    )
    assert response.status_code == 400 and "to whom" in response.content.decode()
    locked = signed_in(d.officer).get(url("case-investigation-evidence", item.case, item.pk)).content.decode()
    assert "Unlock your case vault" in locked and CANARY not in locked and "Handed over" in locked
    assert (
        signed_in(d.officer).get(url("case-investigation-evidence-file", item.case, item.pk)).status_code
        == 302
    )


def test_evidence_files_are_not_listed_among_the_reports_files(d: Desk) -> None:
    from arusha.cases.services.dialogue import case_content

    item = _item(d)
    assert case_content(d.keyring(d.officer), item.case).files == []
