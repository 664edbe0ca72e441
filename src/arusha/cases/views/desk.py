"""The staff desk: the list of cases, the case page with its dialogue and workflow, files, recording a report.

The list shows metadata only. The case page opens content with the person's keyring
(arusha.cases.keys): when their vault is locked or they hold no key, it says so and
links to the vault page instead; nothing here returns content to anyone else.
"""

from __future__ import annotations

import datetime
import io
import re
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scopes_disabled
from openpyxl import Workbook

from arusha.cases import crypto, selectors
from arusha.cases.access import HANDLE, SUPERVISE
from arusha.cases.forms import (
    QUESTION_PREFIX,
    CaseFilterForm,
    ClassifyForm,
    HoldForm,
    MessageForm,
    MoveForm,
    RecordChannelForm,
    RecordForm,
)
from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import Case, CaseFile, Channel, Message, Status
from arusha.cases.services import workflow
from arusha.cases.services.dialogue import case_content, file_open, staff_dialogue, staff_read, staff_write
from arusha.cases.services.intake import Report, channel_refusal, report_record
from arusha.core.errors import DomainError
from arusha.core.form_pages import submit
from arusha.core.listing import csv_response, paginate
from arusha.core.policies import custom, member, on_object
from arusha.core.requests import notes_of, object_of, organization_of, user_of
from arusha.core.spreadsheets import write_only_row

# Steps that cannot be undone from the case page ask once (UX.md, 7).
CONFIRMED_STEPS = {Status.CLOSED: "closed", Status.ARCHIVED: "archived"}
_SAFE_TYPE = re.compile(r"^[A-Za-z0-9.+-]{1,60}/[A-Za-z0-9.+-]{1,80}$")
_MAX_ID = 2**63 - 1


def _desk_check(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Supervisors and handlers use the desk; anyone else may not know it exists (404)."""
    access = notes_of(request).access
    if not (access.has(SUPERVISE) or access.has(HANDLE)):
        raise Http404


desk = custom("cases:desk", _desk_check)


# --- The list ------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> CaseFilterForm:
    org = organization_of(request)
    return CaseFilterForm(
        request.GET or None,
        channels=[(c.pk, c.name) for c in selectors.channels_of(org)],
        categories=[(c.pk, c.name) for c in selectors.categories_of(org)],
        offices=[(d.pk, d.name) for d in selectors.offices_of(org)],
    )


def _query(request: HttpRequest, **changes: str | None) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    return query.urlencode()


def _sort_columns(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the query that sorts by it (or reverses it) and its aria-sort."""
    columns = {}
    for key in ("reference", "status", "received", "acknowledge_by", "feedback_by"):
        if current == key:
            columns[key] = {"query": _query(request, sort="-" + key), "aria": "ascending"}
        elif current == "-" + key:
            columns[key] = {"query": _query(request, sort=key), "aria": "descending"}
        else:
            default = "-received" if key == "received" else key
            columns[key] = {"query": _query(request, sort=default), "aria": "none"}
    return columns


@desk
@require_GET
def case_list(request: HttpRequest, organization: str) -> HttpResponse:
    access = notes_of(request).access
    today = timezone.localdate()
    form = _filter_form(request)
    filters = form.filters()
    cases = selectors.case_list(access, organization_of(request), filters, today)
    page = paginate(request, cases)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": [selectors.case_row(case, today) for case in page.object_list],
            "query": _query(request),
            "columns": _sort_columns(request, filters.sort),
            "may_record": access.has(SUPERVISE),
            "filtered": bool(request.GET.dict().keys() - {"page", "sort"}),
        },
    )


def _export_rows(cases: Any, today: datetime.date) -> Any:
    for case in cases.iterator(chunk_size=500):
        row = selectors.case_row(case, today)
        yield [
            case.reference,
            case.channel.name,
            case.category.name if case.category else "",
            case.office.name if case.office else "",
            row.status_label,
            case.received_on,
            case.acknowledge_by,
            case.acknowledged_on or "",
            case.feedback_by,
            case.feedback_on or "",
            _("yes") if row.overdue else _("no"),
            str(case.handler) if case.handler else "",
            _("yes") if case.on_hold else _("no"),
            _("yes") if case.unread_by_staff else _("no"),
        ]


def _export_header() -> list[str]:
    return [
        _("Reference"),
        _("Channel"),
        _("Category"),
        _("Office"),
        _("Status"),
        _("Received"),
        _("Acknowledge by"),
        _("Acknowledged"),
        _("Feedback by"),
        _("Feedback given"),
        _("Overdue"),
        _("Handler"),
        _("On hold"),
        _("Unread"),
    ]


@desk
@require_GET
def case_export(request: HttpRequest, organization: str) -> HttpResponseBase:
    """The filtered list, every page of it, as CSV or XLSX: metadata only, no formula cells."""
    org = organization_of(request)
    today = timezone.localdate()
    filters = _filter_form(request).filters()
    cases = selectors.case_list(notes_of(request).access, org, filters, today)
    stamp = today.isoformat()
    if request.GET.get("format") == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=_("Cases")[:31])
        sheet.append(write_only_row(sheet, _export_header()))
        for values in _export_rows(cases, today):
            sheet.append(write_only_row(sheet, values))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{org.slug}-cases-{stamp}.xlsx"'
        return response
    return csv_response(f"{org.slug}-cases-{stamp}.csv", _export_header(), _export_rows(cases, today))


# --- The case page -----------------------------------------------------------------------


def _case(request: HttpRequest) -> Case:
    return object_of(request, "case", Case)


def _detail_url(case: Case) -> str:
    return reverse("case-detail", args=[case.organization.slug, case.pk])


def _steps(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    """The next steps the person may take (supervisors' steps for supervisors only)."""
    answers = notes_of(request).answers.get("case", {})
    steps = []
    for step in workflow.next_steps(case):
        if not answers.get("supervise" if step in workflow.SUPERVISED else "handle"):
            continue
        steps.append(
            {
                "value": step,
                "label": Status(step).label,
                "confirm": step in CONFIRMED_STEPS,
                "reopen": case.status == Status.CLOSED and step == Status.TRIAGE,
            }
        )
    return steps


def _detail_page(
    request: HttpRequest, case: Case, *, message_form: MessageForm | None = None, status: int = 200
) -> HttpResponse:
    org = organization_of(request)
    answers = notes_of(request).answers.get("case", {})
    keyring = Keyring.of(request, org)
    content = dialogue = None
    locked = ""
    try:
        content = case_content(keyring, case)
        dialogue = staff_dialogue(keyring, case)
        staff_read(keyring, case)
    except VaultLocked:
        locked = "vault"
    except NoKey:
        locked = "key"
    except (crypto.CryptoError, ValueError):
        locked = "damaged"
        content = dialogue = None
    may_write = content is not None and answers.get("handle", False)
    if may_write and message_form is None:
        message_form = MessageForm(max_mb=case.channel.max_attachment_mb)
    response = render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "row": selectors.case_row(case, timezone.localdate()),
            "content": content,
            "dialogue": dialogue,
            "locked": locked,
            "may_handle": answers.get("handle", False),
            "message_form": message_form if may_write else None,
            "steps": _steps(request, case),
            "classify_form": ClassifyForm(
                organization=org,
                initial={"category": case.category_id, "office": case.office_id, "version": case.version},
            )
            if answers.get("handle", False)
            else None,
            "ctab": "case",
        },
        status=status,
    )
    # Content is shown to one person: no cache keeps a copy.
    patch_cache_control(response, no_store=True, private=True)
    return response


@on_object("case", Case, "view")
@require_GET
def case_detail(request: HttpRequest, organization: str, case: uuid.UUID) -> HttpResponse:
    return _detail_page(request, _case(request))


@on_object("case", Case, "handle")
@require_POST
def case_message(request: HttpRequest, organization: str, case: uuid.UUID) -> HttpResponse:
    """Write to the reporter or add an internal note, with attachments; a double submit writes once."""
    current = _case(request)
    keyring = Keyring.of(request, organization_of(request))
    try:
        keyring.key(current)
    except (VaultLocked, NoKey) as error:
        # The page cannot show the form again without the content: say why, from the case page.
        messages.error(request, str(error.message))
        return redirect(_detail_url(current))
    form = MessageForm(request.POST, request.FILES, max_mb=current.channel.max_attachment_mb)

    def write(data: dict[str, Any]) -> Message:
        try:
            return staff_write(
                keyring, current, data["body"], data["attachments"], internal=data["kind"] != "message"
            )
        except DomainError as error:
            if error.field == "files":  # the service's name for the attachments
                raise DomainError(error.message, field="attachments") from error
            raise

    saved = submit(request, form, write)
    if saved is None:
        return _detail_page(request, current, message_form=form, status=400)
    internal = form.cleaned_data["kind"] != "message"
    messages.success(request, _("Your note is added.") if internal else _("Your message is sent."))
    return redirect(_detail_url(current) + "#dialogue")


def _form_error(form: MoveForm | HoldForm) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("The form is damaged: reload the page.")


@on_object("case", Case, "handle")
@require_POST
def case_move(request: HttpRequest, organization: str, case: uuid.UUID) -> HttpResponse:
    """Take one step of the workflow; guards and stale versions come back as messages."""
    current = _case(request)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(_detail_url(current))
    to = form.cleaned_data["to"]
    if to in CONFIRMED_STEPS and not form.cleaned_data["confirm"]:
        messages.error(request, _("Tick the box to confirm this step: it cannot be undone from this page."))
        return redirect(_detail_url(current))
    try:
        workflow.case_move(actor=user_of(request), case=current, to=to, version=form.cleaned_data["version"])
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The case is now at the step: %(status)s.") % {"status": Status(to).label}
        )
    return redirect(_detail_url(current))


@on_object("case", Case, "handle")
@require_POST
def case_hold(request: HttpRequest, organization: str, case: uuid.UUID) -> HttpResponse:
    """Put the case on hold or take it off; the statutory dates run on either way."""
    current = _case(request)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(_detail_url(current))
    on = bool(form.cleaned_data["on"])
    try:
        workflow.case_hold(actor=user_of(request), case=current, on=on)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The case is on hold. Its deadlines still run.") if on else _("The case is no longer on hold."),
        )
    return redirect(_detail_url(current))


@on_object("case", Case, "view")
@require_GET
def case_file(request: HttpRequest, organization: str, case: uuid.UUID, pk: int) -> HttpResponse:
    """A file of this case, opened with the person's key, as a download nobody caches."""
    current = _case(request)
    if pk > _MAX_ID:
        raise Http404
    with scopes_disabled():
        stored = CaseFile.objects.filter(case=current, pk=pk).first()
    if stored is None:
        raise Http404
    keyring = Keyring.of(request, organization_of(request))
    try:
        name, content_type, data = file_open(keyring.key(current), stored)
    except (VaultLocked, NoKey) as error:
        messages.error(request, str(error.message))
        return redirect(_detail_url(current))
    except (crypto.CryptoError, OSError, ValueError):
        messages.error(request, _("This file could not be opened: it is damaged or missing."))
        return redirect(_detail_url(current))
    if not _SAFE_TYPE.match(content_type):
        content_type = "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name or "file") or "attachment"
    response["Cache-Control"] = "no-store"
    return response


# --- Recording a report taken by staff ------------------------------------------------


def _record_save(request: HttpRequest, form: RecordForm, receipt: dict[str, str]) -> Any:
    def save(data: dict[str, Any]) -> Case:
        office = data.get("office") or ""
        report = Report(
            channel=form.channel,
            answers=form.answers(),
            narrative=data.get("narrative") or "",
            identity=form.identity(),
            files=data.get("attachments") or [],
            office_id=int(office) if office.isdigit() and len(office) < 19 else None,
        )
        try:
            submitted = report_record(actor=user_of(request), report=report, received_on=data["received_on"])
        except DomainError as error:
            # The service names a question by its key and the identity as "name".
            if error.field and QUESTION_PREFIX + error.field in form.fields:
                raise DomainError(error.message, field=QUESTION_PREFIX + error.field) from error
            renamed = {"name": "identity_name", "files": "attachments"}.get(error.field or "")
            if renamed:
                raise DomainError(error.message, field=renamed) from error
            raise
        receipt["value"] = crypto.group_receipt(submitted.receipt)
        return submitted.case

    return save


def _active_channels(request: HttpRequest) -> list[Channel]:
    return [c for c in selectors.channels_of(organization_of(request)) if c.is_active]


@member(SUPERVISE)
@require_http_methods(["GET", "POST"])
def case_record(request: HttpRequest, organization: str) -> HttpResponse:
    """A supervisor records an oral report or a referral in; the reporter's receipt is shown once."""
    org = organization_of(request)
    channels = _active_channels(request)
    wanted = request.GET.get("channel", "")
    channel = next((c for c in channels if str(c.pk) == wanted), None)
    if channel is None:
        choice = RecordChannelForm(request.GET if wanted else None, channels=channels)
        return render(
            request,
            "cases/case_record.html",
            {"choice": choice, "channels": channels},
            status=400 if request.method == "POST" or (wanted and choice.errors) else 200,
        )
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        channel=channel,
        offices=[(d.pk, d.name) for d in selectors.offices_of(org)],
    )
    if request.method == "POST":
        receipt: dict[str, str] = {}
        saved = submit(request, form, _record_save(request, form, receipt))
        if saved is not None:
            recorded = saved.value
            assert isinstance(recorded, Case)
            response = render(
                request,
                "cases/case_recorded.html",
                {"case": recorded, "receipt": receipt.get("value", "")},
            )
            # The receipt is shown once: no cache, no history entry keeps it.
            patch_cache_control(response, no_store=True, private=True)
            return response
    return render(
        request,
        "cases/case_record.html",
        {"form": form, "channel": channel, "refusal": channel_refusal(channel)},
        status=400 if form.errors else 200,
    )
