"""Retention: the daily run archives and purges; purging crypto-shreds; a legal hold blocks it."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from tests.cases import desk, signed_in

from arusha.cases import crypto
from arusha.cases.models import (
    Allegation,
    Assignment,
    Authority,
    Case,
    CaseFile,
    CaseKey,
    CaseRecord,
    CustodyEvent,
    Disclosure,
    Evidence,
    Interview,
    InvestigationPlan,
    Message,
    ProtectionMeasure,
    Referral,
    Sanction,
    Status,
    Subject,
)
from arusha.cases.services.dialogue import receipt_open, staff_dialogue, staff_write
from arusha.cases.services.intake import Report, Upload, report_submit
from arusha.cases.services.retention import case_legal_hold, case_purge
from arusha.cases.services.workflow import case_move
from arusha.cases.tests.stats_support import TO_CLOSE, closed_report
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent


@pytest.fixture
def d(cast):  # type: ignore[no-untyped-def]
    return desk(cast)


def _no_retention(d) -> None:  # type: ignore[no-untyped-def]
    """Closed cases of the channel are due for purging the day they close."""
    with scopes_disabled():
        d.channel.retention = dict.fromkeys(
            ("not_admissible", "redirected", "resolved", "unsubstantiated", "substantiated"), 0
        )
        d.channel.save(update_fields=["retention"])


def _run(django_capture_on_commit_callbacks, **options) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("case_retention", stdout=out, **options)
    return out.getvalue()


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _investigated(d):  # type: ignore[no-untyped-def]
    """A report with a file, messages, a pending assignment and a row of every investigation kind, closed."""
    with scopes_disabled():
        submitted = report_submit(
            Report(
                channel=d.channel,
                answers={"where": "Port"},
                narrative="CANARY-NARRATIVE",
                identity={"name": "CANARY-NAME", "contact": "x"},
                files=[Upload("proof.pdf", "application/pdf", b"CANARY-FILE")],
                subjects=[{"name": "CANARY-SUBJECT"}],
            )
        )
    case = submitted.case
    keyring = d.keyring(d.officer)
    key = keyring.key(case)
    staff_write(
        keyring, case, "CANARY-NOTE", [Upload("note.txt", "text/plain", b"CANARY-NOTE-FILE")], internal=True
    )
    sealed = crypto.seal(key, b"CANARY-SEALED")
    now, today = timezone.now(), timezone.localdate()
    with scopes_disabled():
        Assignment.objects.create(case=case, user=d.handler, role="handler", assigned_by=d.supervisor,
                                  pending_key=b"wrapped-key")  # fmt: skip
        InvestigationPlan.objects.create(case=case, sealed=sealed, written_by=d.officer)
        allegation = Allegation.objects.create(case=case, sealed=sealed, sealed_finding=sealed)
        evidence = Evidence.objects.create(
            case=case,
            number=1,
            sealed=sealed,
            file=CaseFile.objects.filter(case=case).first(),
            holder=d.officer,
        )
        CustodyEvent.objects.create(evidence=evidence, position=1, action="received", by=d.officer, at=now,
                                    note=sealed, previous_hash="0" * 64, hash="1" * 64)  # fmt: skip
        Interview.objects.create(case=case, held_on=today, lead=d.officer, second=d.supervisor, sealed=sealed)
        Disclosure.objects.create(case=case, requested_by=d.handler, motivation=sealed)
        ProtectionMeasure.objects.create(case=case, sealed=sealed, starts_on=today, decided_by=d.officer)
        Sanction.objects.create(case=case, allegation=allegation, kind="none", reason_for_none=sealed,
                                decided_by=d.officer, decided_on=today)  # fmt: skip
        authority = Authority.objects.create(organization=d.organization, name="Prosecutor", public_key="k")
        referral = Referral(case=case, authority=authority, sent_by=d.officer, sent_on=today)
        referral.package.save("package", ContentFile(b"CANARY-PACKAGE"), save=False)
        referral.save()
    for step in TO_CLOSE:
        case = case_move(actor=d.officer, case=case, to=step)
    return case, submitted.receipt


def test_the_daily_run_crypto_shreds_a_case_past_its_retention(d, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _no_retention(d)
    case, receipt = _investigated(d)
    assert receipt_open(d.organization, receipt) is not None
    assert len(_stored_files()) == 3  # the report's file, the note's file, the referral package
    output = _run(django_capture_on_commit_callbacks)
    assert "1 purged" in output and "CANARY" not in output and case.reference not in output
    with scopes_disabled():
        case.refresh_from_db()
        assert case.status == Status.PURGED
        assert bytes(case.content) == b"" and bytes(case.identity) == b""
        assert case.receipt_lookup is None and case.reporter_key is None
        for model in (CaseKey, Message, CaseFile, Subject):
            assert not model.objects.filter(case=case).exists(), model
        assert Assignment.objects.get(case=case).pending_key is None
        assert bytes(InvestigationPlan.objects.get(case=case).sealed) == b""
        allegation = Allegation.objects.get(case=case)
        assert bytes(allegation.sealed) == b"" and allegation.sealed_finding is None
        evidence = Evidence.objects.get(case=case)
        assert bytes(evidence.sealed) == b"" and evidence.file is None
        assert CustodyEvent.objects.get(evidence=evidence).note is None
        assert bytes(Interview.objects.get(case=case).sealed) == b""
        assert bytes(Disclosure.objects.get(case=case).motivation) == b""
        assert bytes(ProtectionMeasure.objects.get(case=case).sealed) == b""
        assert Sanction.objects.get(case=case).reason_for_none is None
        assert Referral.objects.get(case=case).package.name == ""
        # The tombstone keeps its reference, channel and dates; the record survives, unlinked.
        assert case.reference and case.channel_id == d.channel.pk and case.closed_on == timezone.localdate()
        survivor = CaseRecord.objects.get(organization=d.organization)
        assert survivor.case_id is None and survivor.channel_kind == d.channel.kind
        assert AuditEvent.objects.filter(object_id=str(case.pk), action="arusha.case.purged").exists()
    assert receipt_open(d.organization, receipt) is None
    assert _stored_files() == []


def test_a_legal_hold_blocks_the_purge_until_it_is_lifted(d, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _no_retention(d)
    case, receipt = closed_report(d)
    held = case_legal_hold(actor=d.supervisor, case=case, on=True, reason="Court order CANARY-REASON")
    assert held.case.legal_hold and not held.reason_kept  # the supervisor holds no key of this case
    assert "0 purged, 1 kept by a legal hold" in _run(django_capture_on_commit_callbacks)
    with scopes_disabled():
        case.refresh_from_db()
        assert case.status == Status.CLOSED and CaseKey.objects.filter(case=case).exists()
    with pytest.raises(DomainError, match="legal hold"):
        case_purge(case=case, actor=d.supervisor)
    assert receipt_open(d.organization, receipt) is not None
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(object_id=str(case.pk), action="arusha.case.updated"))
    assert events and all("CANARY" not in str(e.changes) for e in events)
    assert events[-1].changes["legal_hold"] == [False, True]
    case_legal_hold(actor=d.supervisor, case=case, on=False, reason="The court lifted it")
    assert "1 purged" in _run(django_capture_on_commit_callbacks)
    assert receipt_open(d.organization, receipt) is None


def test_the_reason_for_a_hold_is_sealed_in_the_case_when_the_supervisor_holds_its_key(d) -> None:  # type: ignore[no-untyped-def]
    case, _receipt = closed_report(d)
    keyring = d.keyring(d.officer)
    held = case_legal_hold(actor=d.officer, case=case, on=True, reason="Court order 12/2026", keyring=keyring)
    assert held.reason_kept
    assert any("Court order 12/2026" in shown.body for shown in staff_dialogue(keyring, case))
    with scopes_disabled():
        assert all(b"Court order" not in bytes(m.body) for m in Message.objects.filter(case=case))


def test_a_hold_needs_a_reason_and_a_supervisor(d) -> None:  # type: ignore[no-untyped-def]
    case, _receipt = closed_report(d)
    with pytest.raises(DomainError, match="Say why"):
        case_legal_hold(actor=d.officer, case=case, on=True, reason="  ")
    # A handler not assigned to the case may not know it exists (views run in the tenant's scope).
    with pytest.raises(Http404), scopes_disabled():
        case_legal_hold(actor=d.handler, case=case, on=True, reason="x")
    with scopes_disabled():
        assert not Case.objects.get(pk=case.pk).legal_hold


def test_the_daily_run_archives_closed_cases_after_the_grace_period(
    d, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    case, _receipt = closed_report(d)
    later = (timezone.localdate() + datetime.timedelta(days=91)).isoformat()
    assert "Would have: 1 archived" in _run(django_capture_on_commit_callbacks, today=later, dry_run=True)
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    assert "1 archived, 0 purged" in _run(django_capture_on_commit_callbacks, today=later)
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).status == Status.ARCHIVED
    with pytest.raises(CommandError):
        call_command("case_retention", today="not a date")


def test_the_retention_page_lists_due_cases_and_sets_a_hold(d) -> None:  # type: ignore[no-untyped-def]
    _no_retention(d)
    case, _receipt = closed_report(d)
    url = reverse("case-retention", args=[d.organization.slug])
    client = signed_in(d.supervisor)
    page = client.get(url)
    assert page.status_code == 200 and case.reference in page.content.decode()
    refused = client.post(url, {"case": case.reference, "hold": "on", "reason": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    unknown = client.post(url, {"case": "ZZZZ-ZZZZ", "hold": "on", "reason": "Court"})
    assert unknown.status_code == 400 and "No case has this reference." in unknown.content.decode()
    hostile = client.post(url, {"case": "x" * 500, "hold": "maybe", "reason": "y" * 5000})
    assert hostile.status_code == 400
    done = client.post(
        url, {"case": case.reference.lower(), "hold": "on", "reason": "Court order"}, follow=True
    )
    assert done.status_code == 200 and "The legal hold is set." in done.content.decode()
    assert "On hold: not purged" in done.content.decode()
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).legal_hold
