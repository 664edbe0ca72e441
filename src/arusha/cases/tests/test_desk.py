"""The staff desk through its pages: the list, the case page, dialogue, files, recording a report."""

from __future__ import annotations

import csv
import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from tests.cases import Desk, case_url, desk, signed_in, unlocked
from tests.forms import hidden_value

from arusha.cases.models import Case, Category, Message, Status
from arusha.cases.services.dialogue import ReporterAccess, receipt_open, reporter_dialogue
from arusha.cases.services.workflow import case_move
from arusha.cases.tests.desk_support import NARRATIVE, assign, list_url, report
from arusha.core.models import AuditEvent, Notification


@pytest.fixture
def d(cast) -> Desk:  # type: ignore[no-untyped-def]
    return desk(cast)


def _audited(action: str, case: Case) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action, object_id=str(case.pk)).count()


def _page(client, url: str, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return str(response.content.decode())


def _streamed(response) -> str:  # type: ignore[no-untyped-def]
    return str(b"".join(response.streaming_content).decode("utf-8-sig"))


# --- Who sees the list -------------------------------------------------------------------


def test_a_supervisor_sees_every_case_and_a_handler_only_those_assigned_to_them(d: Desk) -> None:
    first, second = report(d), report(d)
    assign(d, first, d.handler)
    page = _page(signed_in(d.supervisor), list_url(d))
    assert first.reference in page and second.reference in page
    page = _page(signed_in(d.handler), list_url(d))
    assert first.reference in page and second.reference not in page
    # A handler assigned to nothing has an empty desk, not a refusal.
    assert "No open case" in _page(signed_in(d.handler2), list_url(d))


def test_an_ended_assignment_takes_the_case_off_the_handlers_list(d: Desk) -> None:
    case = report(d)
    assignment = assign(d, case, d.handler)
    with scopes_disabled():
        assignment.ended_at = timezone.now()
        assignment.save(update_fields=["ended_at"])
    assert case.reference not in _page(signed_in(d.handler), list_url(d))
    assert signed_in(d.handler).get(case_url("case-detail", case)).status_code == 404


def test_people_without_a_case_permission_get_404_on_every_desk_page(cast, d: Desk) -> None:  # type: ignore[no-untyped-def]
    case = report(d)
    urls = [
        list_url(d),
        list_url(d, "case-export"),
        list_url(d, "case-record"),
        case_url("case-detail", case),
        case_url("case-file", case, 1),
    ]
    # The administrator, a member without the permission, another organization's administrator,
    # someone of no organization, and the custodian (who keeps identities, not cases).
    for person in (cast.owner, cast.member, cast.foreigner, cast.outsider, d.custodian):
        client = signed_in(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        for name in ("case-message", "case-move", "case-hold"):
            assert client.post(case_url(name, case), {"to": "acknowledged", "version": 1}).status_code == 404


def test_a_handler_cannot_record_a_report_nor_open_an_unassigned_case(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.handler)
    assert client.get(list_url(d, "case-record")).status_code == 404
    assert client.get(case_url("case-detail", case)).status_code == 404
    assert client.post(case_url("case-move", case), {"to": "acknowledged", "version": 1}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, d: Desk) -> None:  # type: ignore[no-untyped-def]
    case = report(d)
    for url in (list_url(d), case_url("case-detail", case)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_organization_navigation_links_to_the_cases_for_those_allowed(cast, d: Desk) -> None:  # type: ignore[no-untyped-def]
    home = reverse("organization-home", args=[d.organization.slug])
    target = f'href="{list_url(d)}"'
    assert target in _page(signed_in(d.handler), home)
    assert target not in _page(signed_in(cast.member), home)
    assert target not in _page(signed_in(cast.owner), home)


# --- What the list shows, filters, sorting, export ---------------------------------------------


def test_the_list_shows_metadata_only_with_deadline_markers(d: Desk) -> None:
    late, fresh = report(d, narrative="Canary-in-the-list 7731", where="Wharf-canary"), report(d)
    today = timezone.localdate()
    with scopes_disabled():
        # Received 8 days ago: acknowledgement overdue; the other is due within the reminder delay.
        Case.objects.filter(pk=late.pk).update(
            received_on=today - datetime.timedelta(days=8), acknowledge_by=today - datetime.timedelta(days=1)
        )
        Case.objects.filter(pk=fresh.pk).update(acknowledge_by=today + datetime.timedelta(days=1))
    page = _page(signed_in(d.supervisor), list_url(d))
    assert "Canary-in-the-list" not in page and "Wharf-canary" not in page
    assert "overdue" in page and "due soon" in page and "unread" in page
    assert "Integrity line" in page and "Submitted" in page


def test_the_list_filters_by_status_channel_overdue_unread_reference_and_mine(d: Desk) -> None:
    first, second, third = report(d), report(d), report(d)
    today = timezone.localdate()
    case_move(actor=d.officer, case=second, to=Status.ACKNOWLEDGED)
    assign(d, third, d.officer)
    with scopes_disabled():
        Case.objects.filter(pk=first.pk).update(acknowledge_by=today - datetime.timedelta(days=1))
        Case.objects.filter(pk=second.pk).update(unread_by_staff=False)
    client = signed_in(d.officer)

    def shown(query: str) -> set[str]:
        page = _page(client, f"{list_url(d)}?{query}")
        return {c.reference for c in (first, second, third) if c.reference in page}

    everyone = {first.reference, second.reference, third.reference}
    assert shown("") == everyone
    assert shown("status=acknowledged") == {second.reference}
    assert shown(f"channel={d.channel.pk}") == everyone
    assert shown("channel=999999") == everyone  # an unknown choice is left out
    assert shown("status=acknowledged&channel=999999999999999999999") == {second.reference}
    assert shown("overdue=on") == {first.reference}
    assert shown("unread=on") == {first.reference, third.reference}
    assert shown(f"q={first.reference[:6].lower()}") == {first.reference}
    assert shown("mine=on") == {third.reference}
    assert shown("group=closed") == set()
    assert "No case matches these filters" in _page(client, f"{list_url(d)}?group=closed")


def test_the_list_sorts_and_pages(d: Desk, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_PAGE_SIZE = 2
    cases = [report(d) for _ in range(3)]
    references = sorted(c.reference for c in cases)
    client = signed_in(d.supervisor)
    page = _page(client, f"{list_url(d)}?sort=reference")
    assert references[0] in page and references[1] in page and references[2] not in page
    assert "1\u20132 of 3" in page  # an en dash, as the page writes ranges
    page = _page(client, f"{list_url(d)}?sort=reference&page=2")
    assert references[2] in page and references[0] not in page
    page = _page(client, f"{list_url(d)}?sort=-reference")
    assert references[2] in page and references[0] not in page


def test_damaged_list_queries_answer_the_whole_list(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.supervisor)
    for query in (
        "page=abc",
        "page=99999999999999999999",
        "sort=drop table",
        "status=nonsense",
        "channel=99999999999999999999999",
        "office=-1",
        "q=" + "x" * 500,
        "group=%00",
    ):
        response = client.get(f"{list_url(d)}?{query}")
        assert response.status_code == 200, query
    assert case.reference in _page(client, f"{list_url(d)}?sort=drop+table")


def test_the_export_holds_the_filtered_list_with_no_formula_cells(d: Desk) -> None:
    kept, other = report(d), report(d)
    with scopes_disabled():
        category = Category.objects.create(
            organization=d.organization, code="bribe", name='=HYPERLINK("http://x.example","click")'
        )
        Case.objects.filter(pk=kept.pk).update(reference="=1+2", category=category)
        Case.objects.filter(pk=other.pk).update(status=Status.TRIAGE)
    client = signed_in(d.supervisor)
    response = client.get(f"{list_url(d, 'case-export')}?status=submitted&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_streamed(response))))
    assert rows[0][0] == "Reference" and len(rows) == 2
    assert rows[1][0] == "'=1+2" and rows[1][2].startswith("'=HYPERLINK")
    response = client.get(f"{list_url(d, 'case-export')}?status=submitted&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == 1
    reference_cell, category_cell = cells[0][0], cells[0][2]
    assert reference_cell.value == "=1+2" and reference_cell.data_type == "s"
    assert str(category_cell.value).startswith("=HYPERLINK") and category_cell.data_type == "s"


def test_a_handler_exports_only_their_cases(d: Desk) -> None:
    mine, other = report(d), report(d)
    assign(d, mine, d.handler)
    body = _streamed(signed_in(d.handler).get(list_url(d, "case-export")))
    assert mine.reference in body and other.reference not in body


# --- The case page: content for keyholders only -------------------------------------------------


def test_a_keyholder_reads_the_content_and_the_case_becomes_read(d: Desk) -> None:
    case = report(d)
    page = _page(unlocked(d, d.officer), case_url("case-detail", case))
    assert NARRATIVE in page and "Where did it happen?" in page and "Port" in page
    with scopes_disabled():
        case.refresh_from_db()
        assert case.unread_by_staff is False
        assert _audited("arusha.object.read", case) > 0
    assert 'href="/o/test-customs/cases/"' in page  # the breadcrumb back to the list
    assert "no-store" in unlocked(d, d.officer).get(case_url("case-detail", case))["Cache-Control"]


def test_a_supervisor_without_the_key_sees_the_record_but_no_content(d: Desk) -> None:
    case = report(d, where="Wharf-canary")
    page = _page(unlocked(d, d.supervisor), case_url("case-detail", case))
    assert NARRATIVE not in page and "Wharf-canary" not in page
    assert "You hold no key to this case" in page and case.reference in page
    assert 'action="/o/test-customs/cases/' not in page.split("workflow-title")[0]  # no dialogue form
    with scopes_disabled():
        case.refresh_from_db()
    assert case.unread_by_staff is True  # only a keyholder's reading counts


def test_a_locked_vault_shows_a_message_instead_of_the_content(d: Desk) -> None:
    case = report(d)
    page = _page(signed_in(d.officer), case_url("case-detail", case))
    assert NARRATIVE not in page and "Your case vault is locked" in page
    with scopes_disabled():
        case.refresh_from_db()
    assert case.unread_by_staff is True


def test_an_assigned_handler_reads_their_case(d: Desk) -> None:
    case = report(d)
    assign(d, case, d.handler)
    assert NARRATIVE in _page(unlocked(d, d.handler), case_url("case-detail", case))


def test_the_case_page_links_to_the_other_sections_that_exist(d: Desk) -> None:
    case = report(d)
    page = _page(signed_in(d.supervisor), case_url("case-detail", case))
    assert f'href="{case_url("case-detail", case)}"' in page
    for name in ("case-people", "case-investigation"):
        try:
            url = case_url(name, case)
        except NoReverseMatch:  # that section is not installed
            continue
        assert f'href="{url}"' in page


# --- Dialogue and files ----------------------------------------------------------------------


def _message_form(client, case: Case) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = _page(client, case_url("case-detail", case))
    return {"idempotency_key": hidden_value(page, "idempotency_key")}


def test_staff_write_to_the_reporter_and_add_notes_the_reporter_never_sees(d: Desk) -> None:
    case = report(d)
    client = unlocked(d, d.officer)
    form = _message_form(client, case)
    response = client.post(
        case_url("case-message", case), {**form, "kind": "note", "body": "Check the gate log."}
    )
    assert response.status_code == 302
    form = _message_form(client, case)
    client.post(
        case_url("case-message", case), {**form, "kind": "message", "body": "Thank you, we look into it."}
    )
    page = _page(client, case_url("case-detail", case))
    assert "Check the gate log." in page and "Thank you, we look into it." in page
    assert "Internal note" in page and "To the reporter" in page
    with scopes_disabled():
        case.refresh_from_db()
    # The reporter's side, opened with the case key as their receipt would.
    shown = [m.body for m in reporter_dialogue(ReporterAccess(case=case, key=d.keyring(d.officer).key(case)))]
    assert shown == ["Thank you, we look into it."]
    assert case.unread_by_reporter is True


def test_a_double_submit_writes_the_message_once(d: Desk) -> None:
    case = report(d)
    client = unlocked(d, d.officer)
    form = {**_message_form(client, case), "kind": "note", "body": "Once only."}
    assert client.post(case_url("case-message", case), form).status_code == 302
    assert client.post(case_url("case-message", case), form).status_code == 302
    with scopes_disabled():
        assert Message.objects.filter(case=case).count() == 1


def test_an_attachment_is_sealed_and_downloads_to_a_keyholder_only(d: Desk) -> None:
    case = report(d)
    client = unlocked(d, d.officer)
    upload = SimpleUploadedFile("gate-log.txt", b"canary-file-8812", content_type="text/plain")
    form = {**_message_form(client, case), "kind": "note", "body": "", "attachments": upload}
    assert client.post(case_url("case-message", case), form).status_code == 302
    with scopes_disabled():
        stored = case.files.get()
        with stored.blob.open("rb") as sealed:
            assert b"canary-file-8812" not in sealed.read()
    response = client.get(case_url("case-file", case, stored.pk))
    assert response.status_code == 200 and response.content == b"canary-file-8812"
    assert response["Cache-Control"] == "no-store"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and "gate-log.txt" in response["Content-Disposition"]
    )
    # The supervisor may open the case but holds no key: sent back with a message, never the bytes.
    other = unlocked(d, d.supervisor)
    response = other.get(case_url("case-file", case, stored.pk))
    assert response.status_code == 302 and b"canary" not in response.content
    # A locked vault, the same.
    assert signed_in(d.officer).get(case_url("case-file", case, stored.pk)).status_code == 302


def test_a_file_is_found_only_under_its_own_case(d: Desk) -> None:
    first, second = report(d), report(d)
    client = unlocked(d, d.officer)
    upload = SimpleUploadedFile("a.txt", b"first-case", content_type="text/plain")
    client.post(
        case_url("case-message", first),
        {**_message_form(client, first), "kind": "note", "attachments": upload},
    )
    with scopes_disabled():
        stored = first.files.get()
    assert client.get(case_url("case-file", second, stored.pk)).status_code == 404
    assert client.get(case_url("case-file", first, 2**70)).status_code == 404


def test_an_empty_or_huge_message_is_refused_naming_the_field(d: Desk) -> None:
    case = report(d)
    client = unlocked(d, d.officer)
    response = client.post(
        case_url("case-message", case), {**_message_form(client, case), "kind": "note", "body": " "}
    )
    assert response.status_code == 400 and "Write a message or attach a file." in response.content.decode()
    huge = "x" * 20_001
    response = client.post(
        case_url("case-message", case), {**_message_form(client, case), "kind": "note", "body": huge}
    )
    assert response.status_code == 400 and "at most 20000 characters" in response.content.decode()
    response = client.post(
        case_url("case-message", case), {"idempotency_key": "<script>", "kind": "note", "body": "x"}
    )
    assert response.status_code == 400
    response = client.post(
        case_url("case-message", case), {**_message_form(client, case), "kind": "shout", "body": "x"}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert Message.objects.filter(case=case).count() == 0


def test_writing_with_a_locked_vault_says_so_and_writes_nothing(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.officer)
    response = client.post(
        case_url("case-message", case),
        {"idempotency_key": "k" * 20, "kind": "note", "body": "Hello"},
        follow=True,
    )
    assert response.status_code == 200 and "Unlock your case vault" in response.content.decode()
    with scopes_disabled():
        assert Message.objects.filter(case=case).count() == 0


def test_a_message_to_the_reporter_of_an_archived_case_is_refused(d: Desk) -> None:
    case = report(d)
    with scopes_disabled():
        Case.objects.filter(pk=case.pk).update(status=Status.ARCHIVED)
    client = unlocked(d, d.officer)
    response = client.post(
        case_url("case-message", case), {**_message_form(client, case), "kind": "message", "body": "Hi"}
    )
    assert response.status_code == 400 and "dialogue with the reporter is over" in response.content.decode()


# --- Hostile addresses -----------------------------------------------------------------------------


def test_unknown_or_foreign_cases_answer_404(cast, d: Desk) -> None:  # type: ignore[no-untyped-def]
    case = report(d)
    client = signed_in(d.supervisor)
    base = list_url(d)
    assert client.get(f"{base}{uuid.uuid4()}/").status_code == 404
    assert client.get(f"{base}not-a-uuid/").status_code == 404
    assert client.get(f"{base}{case.pk}/files/abc/").status_code == 404
    # The same case under another organization's address.
    other = reverse("case-detail", args=[cast.other.slug, case.pk])
    assert client.get(other).status_code == 404
    assert client.get(reverse("case-list", args=["no-such-org"])).status_code == 404


def test_get_on_post_only_pages_is_refused_without_error(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.supervisor)
    for name in ("case-message", "case-move", "case-hold"):
        assert client.get(case_url(name, case)).status_code == 405
    assert client.post(list_url(d)).status_code == 405


# --- Recording a report taken by staff ---------------------------------------------------------------


def test_a_supervisor_records_an_oral_report_and_sees_the_receipt_once(d: Desk) -> None:
    client = signed_in(d.officer)
    page = _page(client, list_url(d, "case-record"))
    assert "Integrity line" in page
    url = f"{list_url(d, 'case-record')}?channel={d.channel.pk}"
    page = _page(client, url)
    assert "Where did it happen?" in page
    form = {
        "idempotency_key": hidden_value(page, "idempotency_key"),
        "received_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "q_where": "Airport",
        "q_kind": "Bribery",
        "narrative": "Told at the counter on Monday.",
        "identity_name": "Rita Reporter",
        "identity_contact": "+000 555",
        "attachments": SimpleUploadedFile("letter.pdf", b"%PDF letter", content_type="application/pdf"),
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "shown only once" in page
    with scopes_disabled():
        case = Case.objects.get(organization=d.organization)
    assert case.reference in page and case.anonymous is False and case.identity
    receipt = page.split('class="receipt"><strong>')[1].split("<")[0]
    with scopes_disabled():
        opened = receipt_open(d.organization, receipt)
    assert opened is not None and opened.case.pk == case.pk
    # The same form again: the case is not doubled, the receipt is not shown again.
    form["attachments"] = SimpleUploadedFile("letter.pdf", b"%PDF letter", content_type="application/pdf")
    again = client.post(url, form).content.decode()
    assert receipt not in again and "already sent" in again
    with scopes_disabled():
        assert Case.objects.filter(organization=d.organization).count() == 1
    assert _audited("arusha.case.recorded", case) > 0


def test_recording_refuses_bad_input_naming_the_field(d: Desk) -> None:
    client = signed_in(d.officer)
    url = f"{list_url(d, 'case-record')}?channel={d.channel.pk}"
    key = hidden_value(_page(client, url), "idempotency_key")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"idempotency_key": key, "received_on": future, "q_where": "Port"})
    assert response.status_code == 400 and "cannot be received in the future" in response.content.decode()
    response = client.post(
        url, {"idempotency_key": key, "received_on": "2020-01-01", "q_kind": "Nothing listed"}
    )
    assert response.status_code == 400
    response = client.post(url, {"idempotency_key": key, "received_on": "not a date", "q_where": "Port"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not Case.objects.filter(organization=d.organization).exists()
    # An unknown channel goes back to the choice of channel.
    assert client.get(f"{list_url(d, 'case-record')}?channel=999999999999999999999").status_code == 400


# --- Home page -----------------------------------------------------------------------------------------


def test_the_home_page_lists_cases_waiting_for_supervisors_and_handlers(d: Desk) -> None:
    first, second = report(d), report(d)
    assign(d, first, d.handler)
    with scopes_disabled():
        Case.objects.filter(pk=second.pk).update(
            acknowledge_by=timezone.localdate() - datetime.timedelta(days=1)
        )
    page = _page(signed_in(d.supervisor), reverse("home"))
    assert "2 cases to acknowledge" in page and "1 case past an acknowledgement or feedback date" in page
    assert "2 cases with a new report or message to read" in page
    page = _page(signed_in(d.handler), reverse("home"))
    assert "1 case to acknowledge" in page and "past an acknowledgement" not in page
    assert first.reference not in page  # counts only
    assert "to acknowledge" not in _page(signed_in(d.custodian), reverse("home"))


def test_no_notification_is_left_by_reading(d: Desk) -> None:
    case = report(d)
    _page(unlocked(d, d.officer), case_url("case-detail", case))
    assert not Notification.objects.exists()


def test_no_desk_page_answers_500_to_junk(d: Desk) -> None:
    case = report(d)
    with scopes_disabled():
        d.channel.max_attachment_mb = 1
        d.channel.save(update_fields=["max_attachment_mb"])
    client = unlocked(d, d.officer)
    junk = {
        "to": "purged",
        "version": "99999999999999999999999",
        "on": "\x00",
        "kind": "message",
        "body": "x" * 30_000,
        "idempotency_key": "A" * 64,
        "received_on": "2020-02-30",
        "office": "99999999999999999999999",
        "q_where": "y" * 30_000,
        "channel": "-1",
    }
    urls = [
        list_url(d),
        list_url(d, "case-export") + "?format=xlsx&sort=%FF",
        list_url(d, "case-record") + f"?channel={d.channel.pk}",
        list_url(d, "case-record") + "?channel=%00",
        case_url("case-detail", case),
        case_url("case-message", case),
        case_url("case-move", case),
        case_url("case-hold", case),
        case_url("case-file", case, 0),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, junk)):
            assert response.status_code < 500, (url, response.status_code)
    big = SimpleUploadedFile("big.bin", b"0" * (1024 * 1024 + 1), content_type="application/octet-stream")
    response = client.post(
        case_url("case-message", case),
        {**_message_form(client, case), "kind": "note", "body": "see file", "attachments": big},
    )
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    with scopes_disabled():
        case.refresh_from_db()
        assert case.status == Status.SUBMITTED and not Message.objects.filter(case=case).exists()
