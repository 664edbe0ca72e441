"""The reporters' pages: channels, the form, the receipt, the dialogue, and hostile input."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import desk as make_desk

from arusha.cases import pow
from arusha.cases.models import Anonymity, Case, CaseFile, Channel, ChannelKind, Message
from arusha.cases.services import dialogue
from arusha.cases.services.dialogue import receipt_open, reporter_token, staff_write
from arusha.cases.services.intake import Report, Upload, report_submit
from arusha.cases.tests.reporter import (
    channel_url,
    followup_url,
    hidden,
    receipt_of,
    send_report,
    solved,
    upload,
)

ORG = "test-customs"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):  # type: ignore[no-untyped-def]
    """Each test starts with no attempt counted and limits it will not reach unless it means to."""
    caches["ephemeral"].clear()
    settings.ARUSHA_REPORT_SUBMISSIONS_PER_HOUR = 1000
    settings.ARUSHA_REPORT_RECEIPT_TRIES_PER_15_MINUTES = 1000
    settings.ARUSHA_REPORT_MESSAGES_PER_HOUR = 1000
    settings.ARUSHA_REPORT_FLOOD_PER_MINUTE = 1000


@pytest.fixture
def desk(cast):  # type: ignore[no-untyped-def]
    return make_desk(cast)


def _cases() -> int:
    with scopes_disabled():
        return Case.objects.count()


def _channel(desk, slug: str, **fields):  # type: ignore[no-untyped-def]
    values = {"kind": ChannelKind.INTEGRITY_REPORT, "name": slug.title(), "slug": slug, **fields}
    with scopes_disabled():
        channel = Channel.objects.create(organization=desk.organization, **values)
    channel.recipients.add(desk.officer)
    return channel


def test_the_start_page_lists_the_open_public_channels_and_the_way_back(client, desk) -> None:  # type: ignore[no-untyped-def]
    _channel(desk, "closed-line", is_active=False)
    _channel(desk, "referrals", kind=ChannelKind.REFERRAL_IN, is_public=False)
    with scopes_disabled():
        unread = Channel.objects.create(
            organization=desk.organization, kind=ChannelKind.SERVICE_COMPLAINT, name="Nobody", slug="nobody"
        )
    assert unread.pk  # no intake officer: nobody could read a report
    page = client.get(reverse("report-start", kwargs={"organization": ORG}))
    assert page.status_code == 200
    text = page.content.decode()
    assert channel_url(ORG, "integrity") in text
    for hidden_slug in ("closed-line", "referrals", "nobody"):
        assert channel_url(ORG, hidden_slug) not in text
    assert followup_url(ORG) in text
    assert client.get("/report/no-such-organization/").status_code == 404


def test_a_reporter_reports_comes_back_and_talks_with_the_desk(client, desk) -> None:  # type: ignore[no-untyped-def]
    form = client.get(channel_url(ORG, "integrity")).content.decode()
    for words in (
        "Where did it happen?",
        'type="date"',
        "Bribery",
        'name="narrative"',
        'name="name"',
        "multiple",
    ):
        assert words in form
    assert "What anonymity means here" in form
    sent = client.post(
        channel_url(ORG, "integrity"),
        {
            **solved(form),
            "q_where": "Port of Lumi, gate 4",
            "q_when": "2025-03-02",
            "q_kind": "Bribery",
            "narrative": "An officer asked for money to release a container.",
            "files": [upload("photo.txt", b"a picture of the receipt")],
        },
    )
    assert sent.status_code == 200 and "Location" not in sent
    receipt = receipt_of(sent)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt)
    assert "Write your receipt down now" in sent.content.decode()
    with scopes_disabled():
        case = Case.objects.get()
        assert case.anonymous and case.files.count() == 1
    content = dialogue.case_content(desk.keyring(desk.officer), case)
    assert content.narrative == "An officer asked for money to release a container."
    assert dict(content.answers)["Where did it happen?"] == "Port of Lumi, gate 4"

    # The desk answers, and keeps a note the reporter must never see.
    keyring = desk.keyring(desk.officer)
    staff_write(
        keyring,
        case,
        "Thank you. Which day was it?",
        [Upload("form.txt", "text/plain", b"a form")],
        internal=False,
    )
    staff_write(
        keyring,
        case,
        "SECRET NOTE: check the gate roster",
        [Upload("roster.txt", "text/plain", b"x")],
        internal=True,
    )

    page = client.post(followup_url(ORG), {"receipt": receipt})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Received" in text
    assert "Thank you. Which day was it?" in text
    assert "SECRET NOTE" not in text and "roster.txt" not in text
    assert "Iris Officer" not in text and "officer@test.example" not in text
    assert "photo.txt" in text and "form.txt" in text
    token = hidden(text, "token")

    written = client.post(
        followup_url(ORG),
        {
            "token": token,
            "action": "write",
            "body": "It was a Monday.",
            "files": [upload("more.txt", b"more")],
        },
    )
    assert "Your message was sent." in written.content.decode()
    shown = dialogue.staff_dialogue(keyring, case)
    assert [m.body for m in shown if m.from_reporter] == ["It was a Monday."]
    assert [name for m in shown if m.from_reporter for _pk, name in m.files] == ["more.txt"]

    with scopes_disabled():
        staff_file = CaseFile.objects.get(message__internal=False, from_reporter=False)
        own = CaseFile.objects.get(message__isnull=True)
    token = hidden(written.content.decode(), "token")
    for stored, expected in ((staff_file, b"a form"), (own, b"a picture of the receipt")):
        download = client.post(followup_url(ORG), {"token": token, "action": "file", "file": stored.pk})
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert download["Content-Type"] == "application/octet-stream"
        assert download.content == expected


def test_the_reporter_cannot_download_notes_files_or_another_cases_files(client, desk) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        mine = report_submit(Report(channel=desk.channel, answers={"where": "Port"}, narrative="mine"))
        other = report_submit(
            Report(
                channel=desk.channel,
                answers={"where": "Port"},
                narrative="other",
                files=[Upload("theirs.txt", "text/plain", b"theirs")],
            )
        )
    keyring = desk.keyring(desk.officer)
    staff_write(keyring, mine.case, "note", [Upload("note.txt", "text/plain", b"internal")], internal=True)
    with scopes_disabled():
        note_file = CaseFile.objects.get(message__internal=True)
        their_file = CaseFile.objects.get(case=other.case)
    access = receipt_open(desk.organization, mine.receipt)
    assert access is not None
    token = reporter_token(access)
    for file_id in (note_file.pk, their_file.pk, "abc", "", "9" * 40, -1):
        page = client.post(followup_url(ORG), {"token": token, "action": "file", "file": file_id})
        assert page.status_code == 200
        assert "Content-Disposition" not in page
        assert "This file cannot be opened here." in page.content.decode()


def test_identity_fields_follow_the_channels_anonymity(client, desk) -> None:  # type: ignore[no-untyped-def]
    _channel(desk, "anonymous", anonymity=Anonymity.ANONYMOUS_ONLY)
    _channel(desk, "named", anonymity=Anonymity.IDENTIFIED)
    anonymous = client.get(channel_url(ORG, "anonymous")).content.decode()
    assert 'name="name"' not in anonymous and "it asks nothing about who you are" in anonymous
    # A name sent anyway to an anonymous-only channel is not kept.
    sent = send_report(client, ORG, "anonymous", narrative="Something happened.", name="Ann Onymous")
    assert "Your report was sent" in sent.content.decode()
    with scopes_disabled():
        assert Case.objects.get(channel__slug="anonymous").identity is None

    refused = send_report(client, ORG, "named", narrative="Something happened.")
    text = refused.content.decode()
    assert "Your name" in text and "This field is required." in text and 'aria-invalid="true"' in text
    named = send_report(client, ORG, "named", narrative="Something happened.", name="Nora Named")
    assert "Your report was sent" in named.content.decode()
    with scopes_disabled():
        case = Case.objects.get(channel__slug="named")
    assert not case.anonymous and case.identity


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"q_where": ""}, "Where did it happen?: This field is required."),
        ({"q_when": "2025-13-45"}, "Enter a valid date."),
        ({"q_when": "'; DROP TABLE cases_case; --"}, "Enter a valid date."),
        ({"q_kind": "Murder"}, "Select a valid choice."),
        ({"q_where": "x" * 20_001}, "at most 20000 characters"),
        ({"narrative": "x" * 50_001}, "at most 50000 characters"),
        ({"q_where": "", "narrative": ""}, "This field is required."),
        ({"name": "n" * 201}, "at most 200 characters"),
        ({"contact": "c" * 501}, "at most 500 characters"),
    ],
)
def test_bad_input_gets_the_form_back_with_a_message_naming_the_field(client, desk, fields, message) -> None:  # type: ignore[no-untyped-def]
    values = {"q_where": "Port", "narrative": "It happened.", **fields}
    page = send_report(client, ORG, "integrity", **values)
    text = page.content.decode()
    assert page.status_code == 200
    assert message in text and "There is a problem" in text
    assert _cases() == 0


def test_a_report_without_words_is_refused_by_the_service_on_the_narrative(client, desk) -> None:  # type: ignore[no-untyped-def]
    _channel(desk, "no-questions")
    page = send_report(client, ORG, "no-questions", narrative="   ")
    assert "Say what happened." in page.content.decode() and 'href="#id_narrative"' in page.content.decode()
    assert _cases() == 0


def test_hostile_files_and_fields_never_fail_and_write_nothing(client, desk) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        Channel.objects.filter(pk=desk.channel.pk).update(max_attachment_mb=1)
    big = upload("big.bin", b"x" * (1024 * 1024 + 1))
    page = send_report(client, ORG, "integrity", q_where="Port", narrative="x", files=[big])
    assert "The file big.bin is larger than 1 MB." in page.content.decode()
    many = [upload(f"f{n}.txt", b"x") for n in range(11)]
    page = send_report(client, ORG, "integrity", q_where="Port", narrative="x", files=many)
    assert "Attach at most 10 files at a time." in page.content.decode()
    empty = upload("empty.txt", b"")
    page = send_report(client, ORG, "integrity", q_where="Port", narrative="x", files=[empty])
    assert "The submitted file is empty." in page.content.decode()
    huge = send_report(client, ORG, "integrity", q_where="Port", narrative="x" * (3 * 1024 * 1024))
    assert huge.status_code == 200 and "too large" in huge.content.decode()
    assert _cases() == 0
    # A file part without a name is no file; unknown questions are no answers.
    url = channel_url(ORG, "integrity")
    challenge = solved(client.get(url).content.decode())
    boundary = "BoUnDaRy"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename=""\r\n'
        "Content-Type: text/plain\r\n\r\nnameless\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="q_where"\r\n\r\nPort\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="q_unknown"\r\n\r\nsurprise\r\n'
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="challenge"\r\n\r\n{challenge["challenge"]}\r\n'
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="nonce"\r\n\r\n{challenge["nonce"]}\r\n'
        f"--{boundary}--\r\n"
    )
    page = client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert "Your report was sent" in page.content.decode()
    with scopes_disabled():
        case = Case.objects.get()
        assert case.files.count() == 0
    content = dialogue.case_content(desk.keyring(desk.officer), case)
    assert content.answers == [("Where did it happen?", "Port")]
    broken = client.post(url, "--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert broken.status_code == 200
    nonsense = client.post(url, b"\xff\xfe" * 10, content_type="multipart/form-data")
    assert nonsense.status_code == 200


def test_closed_foreign_and_unknown_channels_answer_without_failing(client, cast, desk) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        Channel.objects.create(
            organization=cast.other, kind=ChannelKind.INTEGRITY_REPORT, name="Theirs", slug="theirs"
        )
    assert client.get(channel_url(ORG, "theirs")).status_code == 404
    assert client.post(channel_url(ORG, "theirs"), {"narrative": "x"}).status_code == 404
    assert client.get(channel_url(ORG, "no-such-channel")).status_code == 404
    assert client.get(channel_url("other-body", "integrity")).status_code == 404
    _channel(desk, "referrals", kind=ChannelKind.REFERRAL_IN, is_public=False)
    assert client.get(channel_url(ORG, "referrals")).status_code == 404
    form = client.get(channel_url(ORG, "integrity")).content.decode()
    with scopes_disabled():
        Channel.objects.filter(pk=desk.channel.pk).update(is_active=False)
    closed = client.post(channel_url(ORG, "integrity"), {**solved(form), "q_where": "Port", "narrative": "x"})
    assert closed.status_code == 200
    assert "This channel does not take reports at the moment." in closed.content.decode()
    assert _cases() == 0


def test_proof_of_work_refuses_missing_wrong_reused_and_expired_challenges(client, desk) -> None:  # type: ignore[no-untyped-def]
    url = channel_url(ORG, "integrity")
    fields = {"q_where": "Port", "narrative": "It happened."}
    page = client.get(url).content.decode()
    challenge = hidden(page, "challenge")
    nonce = pow.solve(challenge)
    wrong = next(
        str(n)
        for n in range(10_000)
        if str(n) != nonce
        and pow.leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) < pow.bits()
    )
    expired = pow.challenge_new(issued_at=0)
    cases = [
        ({}, "The check against automated floods is missing."),
        ({"challenge": challenge}, "The check against automated floods is missing."),
        ({"challenge": challenge, "nonce": wrong}, "The check against automated floods failed."),
        ({"challenge": "forged:value", "nonce": "1"}, "was not recognised"),
        ({"challenge": expired, "nonce": pow.solve(expired)}, "The form was open for more than an hour."),
    ]
    for extra, message in cases:
        answer = client.post(url, {**fields, **extra})
        assert answer.status_code == 200
        assert message in answer.content.decode(), message
        assert 'href="#pow-status"' in answer.content.decode()
    assert _cases() == 0
    assert (
        "Your report was sent"
        in client.post(url, {**fields, "challenge": challenge, "nonce": nonce}).content.decode()
    )
    again = client.post(url, {**fields, "challenge": challenge, "nonce": nonce})
    assert "This form was already sent once." in again.content.decode()
    assert _cases() == 1


def test_hostile_receipts_and_tokens_get_one_neutral_message(client, desk) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        submitted = report_submit(Report(channel=desk.channel, answers={"where": "Port"}, narrative="x"))
    wrong = "0000 0000 0000 0000" if submitted.receipt != "0" * 16 else "1111 1111 1111 1111"
    for receipt in ("", "abcd efgh ijkl mnop", "1234", "9" * 10_000, wrong, "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "<script>"):
        page = client.post(followup_url(ORG), {"receipt": receipt})
        assert page.status_code == 200
        assert "This receipt opens no report." in page.content.decode()
    spaced = "-".join(submitted.receipt[i : i + 4] for i in range(0, 16, 4))
    assert "Where it stands" in client.post(followup_url(ORG), {"receipt": spaced}).content.decode()
    # The same receipt opens nothing at another organization.
    assert client.post(followup_url("other-body"), {"receipt": submitted.receipt}).status_code == 200
    assert (
        "Where it stands"
        not in client.post(followup_url("other-body"), {"receipt": submitted.receipt}).content.decode()
    )
    assert client.post(followup_url("no-such-org"), {"receipt": submitted.receipt}).status_code == 404

    access = receipt_open(desk.organization, submitted.receipt)
    assert access is not None
    real = reporter_token(access)
    forged = real[:-8] + ("A" * 8 if not real.endswith("A" * 8) else "B" * 8)
    for token in (forged, "not-base64!!", "x" * 5000, real[::-1]):
        page = client.post(followup_url(ORG), {"token": token, "action": "write", "body": "hello"})
        assert page.status_code == 200
        assert "Enter your receipt again." in page.content.decode()
    assert client.post(followup_url("other-body"), {"token": real, "action": "show"}).status_code == 200
    assert "Where it stands" not in client.post(followup_url("other-body"), {"token": real}).content.decode()


def test_an_expired_token_sends_the_reporter_back_to_the_receipt(client, desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        submitted = report_submit(Report(channel=desk.channel, answers={"where": "Port"}, narrative="x"))
    access = receipt_open(desk.organization, submitted.receipt)
    assert access is not None
    monkeypatch.setattr(dialogue, "TOKEN_SECONDS", -1)
    stale = reporter_token(access)
    page = client.post(followup_url(ORG), {"token": stale, "action": "write", "body": "late"})
    assert "Enter your receipt again." in page.content.decode()
    with scopes_disabled():
        assert not Message.objects.exists()


def test_bad_messages_get_the_dialogue_back_with_the_text_kept(client, desk) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        submitted = report_submit(Report(channel=desk.channel, answers={"where": "Port"}, narrative="x"))
    access = receipt_open(desk.organization, submitted.receipt)
    assert access is not None
    token = reporter_token(access)
    empty = client.post(followup_url(ORG), {"token": token, "action": "write", "body": "  "})
    assert "Write a message or attach a file." in empty.content.decode()
    long = client.post(followup_url(ORG), {"token": token, "action": "write", "body": "y" * 20_001})
    assert "A message has at most 20000 characters." in long.content.decode()
    with scopes_disabled():
        Channel.objects.filter(pk=desk.channel.pk).update(max_attachment_mb=1)
    big = client.post(
        followup_url(ORG),
        {
            "token": token,
            "action": "write",
            "body": "keep me",
            "files": [upload("big.bin", b"x" * (1024 * 1024 + 1))],
        },
    )
    assert "The file big.bin is larger than 1 MB." in big.content.decode()
    assert "keep me" in big.content.decode()
    with scopes_disabled():
        assert not Message.objects.exists()


def test_a_reporter_names_the_people_involved_and_staff_find_them_sealed(client, desk) -> None:  # type: ignore[no-untyped-def]
    from tests.cases import database_holds

    from arusha.cases.services.subjects import subjects_of

    form = client.get(channel_url(ORG, "integrity")).content.decode()
    assert "Your name (optional)" in form and "Who is involved? (optional)" in form
    sent = send_report(
        client, ORG, "integrity", q_where="Gate 4", narrative="Cash asked.",
        involved="Quirinus Bellweather, gate clerk\n\n   the  supervisor on duty  \n",
    )  # fmt: skip
    assert receipt_of(sent)
    with scopes_disabled():
        case = Case.objects.get()
    names = [s.name for s in subjects_of(desk.keyring(desk.officer), case)]
    assert names == ["Quirinus Bellweather, gate clerk", "the supervisor on duty"]
    assert database_holds("Quirinus") == []
    too_many = send_report(client, ORG, "integrity", q_where="Gate 4", involved="\n".join(["X"] * 21))
    assert "Name at most 20 people" in too_many.content.decode()
    too_long = send_report(client, ORG, "integrity", q_where="Gate 4", involved="Y" * 201)
    assert "at most 200 characters a line" in too_long.content.decode()
    assert _cases() == 1
