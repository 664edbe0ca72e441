"""Reporters' pages, under /report/<organization>/: no account, no cookie, no address kept.

Every page goes through `reporter_page` (arusha.core.public): it is public and CSRF-exempt
(a CSRF token would need a cookie), answers `no-store` with a strict Content Security
Policy and `Referrer-Policy: no-referrer`, and lets no cookie out, whatever the middleware
did (the session is detached so it is neither saved nor sent). Templates are rendered
without the request, so no context processor can reach the session, the CSRF token
or the signed-in person. Uploads stay in memory (`_InMemoryUploads`): plaintext never
touches the disk before the services seal it.

The reporter's way back is their receipt (`receipt_open`); between their pages a
sealed token travels in a hidden field (`reporter_token`), never in an address.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from arusha.cases import crypto, pow, ratelimit
from arusha.cases.forms import (
    MAX_FILES,
    MAX_NARRATIVE,
    QUESTION_PREFIX,
    _question_field,
    uploads,
)
from arusha.cases.models import Anonymity, CaseFile, Channel
from arusha.cases.services.dialogue import (
    MAX_MESSAGE,
    ReporterAccess,
    _file_name,
    coarse_status,
    file_open,
    receipt_open,
    reporter_dialogue,
    reporter_token,
    reporter_write,
    token_open,
)
from arusha.cases.services.intake import Report, channel_refusal, report_submit
from arusha.core.errors import DomainError
from arusha.core.forms import MultipleFileField
from arusha.core.models import Organization
from arusha.core.public import View, cookieless_page
from arusha.core.requests import organization_of

# Room for the form's fields beside the files (Django's own cap on them is 2.5 MB).
_FIELDS_ALLOWANCE = 3 * 1024 * 1024
DEFAULT_ATTACHMENT_MB = 30


def _not_found() -> HttpResponse:
    # Our own page: the site's 404 template is the staff one, which may set a CSRF cookie.
    return _page("cases/report/not_found.html", {"organization": None}, status=404)


def reporter_page(view: View) -> View:
    """A reporter's page: public, no cookie, no session write, no-store, strict CSP, no referrer."""
    return cookieless_page(view, not_found=_not_found, who="A reporter's page")


def _page(template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    # Without the request: no context processor runs, so nothing reads the session or
    # the signed-in person, and no CSRF token is made.
    return HttpResponse(render_to_string(template, context), status=status)


def _too_many(organization: Organization) -> HttpResponse:
    return _page("cases/report/too_many.html", {"organization": organization}, status=429)


class _InMemoryUploads(MemoryFileUploadHandler):
    """Keeps every uploaded file in memory, whatever its size, and skips those over the limit.

    Django's own memory handler gives way to temporary files above 2.5 MB; reporters'
    files must never be written to disk in the clear, so this one always holds them.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.size = 0
        self.count = 0
        self.too_large: list[str] = []
        self.too_many = False

    def handle_raw_input(
        self, input_data: Any, meta: Any, content_length: Any, boundary: Any, encoding: Any = None
    ) -> None:
        self.activated = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.size = 0
        self.count += 1
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.size += len(raw_data)
        if self.count > MAX_FILES:
            self.too_many = True
            raise SkipFile
        if self.size > self.limit:
            self.too_large.append(str(self.file_name or ""))
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)

    def problems(self, max_mb: int) -> list[str]:
        found = [
            _("The file %(name)s is larger than %(size)d MB.") % {"name": name, "size": max_mb}
            for name in self.too_large
        ]
        if self.too_many:
            found.append(_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES})
        return found


def _read_post(request: HttpRequest, limit_mb: int) -> tuple[_InMemoryUploads, str | None]:
    """Parse the body with files in memory only; a message when the request is refused whole."""
    handler = _InMemoryUploads(request, limit_mb * 1024 * 1024)
    request.upload_handlers = [handler]
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit_mb * 1024 * 1024 * MAX_FILES + _FIELDS_ALLOWANCE:
        return handler, _("What you sent is too large. Attach fewer or smaller files.")
    try:
        request.POST  # noqa: B018 - parsing now, with the handler above, is the point
        request.FILES  # noqa: B018
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
        return handler, _("What you sent is too large or damaged. Shorten the text or attach fewer files.")
    return handler, None


def _open_channels(organization: Organization) -> list[Channel]:
    with scopes_disabled():
        channels = list(
            Channel.objects.filter(organization=organization, is_public=True, is_active=True).order_by("name")
        )
    return [channel for channel in channels if channel_refusal(channel) is None]


def _channel(organization: Organization, slug: str) -> Channel:
    with scopes_disabled():
        channel = Channel.objects.filter(organization=organization, slug=slug, is_public=True).first()
    if channel is None:
        raise Http404
    return channel


def _attachment_limit_mb(organization: Organization) -> int:
    with scopes_disabled():
        sizes = list(
            Channel.objects.filter(organization=organization, is_public=True).values_list(
                "max_attachment_mb", flat=True
            )
        )
    return max(sizes, default=DEFAULT_ATTACHMENT_MB)


@reporter_page
def report_not_found(request: HttpRequest, organization: str) -> HttpResponse:
    raise Http404


# --- The list of channels ------------------------------------------------------------


@reporter_page
def report_start(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    return _page("cases/report/start.html", {"organization": org, "channels": _open_channels(org)})


# --- A channel's form ----------------------------------------------------------------


MAX_INVOLVED_LINES = 20


class ReportForm(forms.Form):
    """What a reporter gives: the channel's questions, the narrative, perhaps who they are, files."""

    def __init__(self, *args: Any, channel: Channel, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.channel = channel
        for question in channel.questionnaire:
            if isinstance(question, dict):
                self.fields[QUESTION_PREFIX + str(question.get("key", ""))] = _question_field(question)
        self.fields["narrative"] = forms.CharField(
            label=gettext_lazy("What happened?"),
            help_text=gettext_lazy("Who, what, where and when, as far as you know."),
            required=False,
            max_length=MAX_NARRATIVE,
            widget=forms.Textarea(attrs={"rows": 8}),
        )
        self.fields["involved"] = forms.CharField(
            label=gettext_lazy("Who is involved? (optional)"),
            help_text=gettext_lazy("One person per line: a name, a position or a description."),
            required=False,
            max_length=MAX_INVOLVED_LINES * 200,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        if channel.anonymity != Anonymity.ANONYMOUS_ONLY:
            self.fields["name"] = forms.CharField(
                label=gettext_lazy("Your name")
                if channel.anonymity == Anonymity.IDENTIFIED
                else gettext_lazy("Your name (optional)"),
                required=channel.anonymity == Anonymity.IDENTIFIED,
                max_length=200,
            )
            self.fields["contact"] = forms.CharField(
                label=gettext_lazy("How to reach you (optional)"),
                help_text=gettext_lazy("An e-mail address or a telephone number."),
                required=False,
                max_length=500,
            )
        self.fields["files"] = MultipleFileField(
            label=gettext_lazy("Files (optional)"),
            help_text=gettext_lazy("Up to %(count)d files of at most %(size)d MB each.")
            % {"count": MAX_FILES, "size": channel.max_attachment_mb},
            required=False,
        )

    def clean_files(self) -> Any:
        return uploads(self.cleaned_data.get("files") or [], self.channel.max_attachment_mb)

    def clean_involved(self) -> list[dict[str, Any]]:
        """The people the reporter names, one a line; staff later link them to members."""
        lines = [" ".join(line.split()) for line in (self.cleaned_data.get("involved") or "").splitlines()]
        people = [line for line in lines if line]
        if len(people) > MAX_INVOLVED_LINES:
            raise forms.ValidationError(
                gettext_lazy("Name at most %(count)d people, one a line.") % {"count": MAX_INVOLVED_LINES}
            )
        if any(len(line) > 200 for line in people):
            raise forms.ValidationError(gettext_lazy("Write at most 200 characters a line."))
        return [{"name": line, "role": "", "membership": None} for line in people]

    def report(self) -> Report:
        data = self.cleaned_data
        answers = {}
        for name, value in data.items():
            if name.startswith(QUESTION_PREFIX) and value not in (None, ""):
                answers[name[len(QUESTION_PREFIX) :]] = (
                    value.isoformat() if hasattr(value, "isoformat") else str(value)
                )
        identity = None
        name = (data.get("name") or "").strip()
        contact = (data.get("contact") or "").strip()
        if name or contact:
            identity = {"name": name, "contact": contact}
        return Report(
            channel=self.channel,
            answers=answers,
            narrative=data.get("narrative") or "",
            identity=identity,
            files=data.get("files") or [],
            subjects=data.get("involved") or [],
        )

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field
        if field is not None and field not in self.fields and QUESTION_PREFIX + field in self.fields:
            field = QUESTION_PREFIX + field
        if field is not None and field not in self.fields:
            field = None
        self.add_error(field, str(error.message))


def _channel_page(
    channel: Channel, form: ReportForm, *, problems: list[str] | None = None, status: int = 200
) -> HttpResponse:
    return _page(
        "cases/report/channel.html",
        {
            "organization": channel.organization,
            "channel": channel,
            "form": form,
            "problems": problems or [],
            "challenge": pow.challenge_new(),
            "pow_bits": pow.bits(),
            "anonymity": channel.anonymity,
        },
        status=status,
    )


@reporter_page
def report_channel(request: HttpRequest, organization: str, channel: str) -> HttpResponse:
    org = organization_of(request)
    found = _channel(org, channel)
    if not found.is_active or channel_refusal(found) is not None:
        return _page("cases/report/closed.html", {"organization": org, "channel": found})
    if request.method != "POST":
        return _channel_page(found, ReportForm(channel=found))
    if not ratelimit.submission_allowed(request):
        return _too_many(org)
    handler, refused = _read_post(request, found.max_attachment_mb)
    form = ReportForm(request.POST, request.FILES, channel=found)
    problems: list[str] = []
    if refused:
        problems.append(refused)
    try:
        pow.challenge_check(str(request.POST.get("challenge", "")), str(request.POST.get("nonce", "")))
    except DomainError as error:
        problems.append(str(error.message))
    valid = form.is_valid()
    file_problems = handler.problems(found.max_attachment_mb)
    for problem in file_problems:
        form.add_error("files", problem)
    if problems or not valid or file_problems:
        return _channel_page(found, form, problems=problems)
    if not ratelimit.flood_allowed(org):
        return _too_many(org)
    try:
        submitted = report_submit(form.report())
    except DomainError as error:
        form.add_domain_error(error)
        return _channel_page(found, form)
    return _page(
        "cases/report/receipt.html",
        {"organization": org, "channel": found, "receipt": crypto.group_receipt(submitted.receipt)},
    )


# --- Following up: the receipt, then the dialogue ---------------------------------------


def _followup_page(organization: Organization, *, problem: str = "", status: int = 200) -> HttpResponse:
    return _page(
        "cases/report/followup.html", {"organization": organization, "problem": problem}, status=status
    )


def _own_files(access: ReporterAccess) -> list[tuple[int, str]]:
    """The files the reporter sent with their report."""
    with scopes_disabled():
        rows = list(
            CaseFile.objects.filter(case=access.case, message__isnull=True, from_reporter=True).order_by("pk")
        )
    return [(row.pk, _file_name(access.key, row) or _("file")) for row in rows]


def _dialogue_page(
    organization: Organization,
    access: ReporterAccess,
    *,
    sent: bool = False,
    problem: str = "",
    body: str = "",
) -> HttpResponse:
    return _page(
        "cases/report/dialogue.html",
        {
            "organization": organization,
            "status": coarse_status(access.case),
            "messages": reporter_dialogue(access),
            "own_files": _own_files(access),
            "token": reporter_token(access),
            "sent": sent,
            "problem": problem,
            "body": body,
            "max_message": MAX_MESSAGE,
            "max_files": MAX_FILES,
        },
    )


def _downloadable(access: ReporterAccess, raw: str) -> CaseFile | None:
    """The case file the reporter may download: theirs, or one of a message they can see."""
    if not raw.isdigit() or len(raw) > 18:
        return None
    with scopes_disabled():
        stored = CaseFile.objects.filter(case=access.case, pk=int(raw)).select_related("message").first()
    if stored is None:
        return None
    if stored.message is None:
        return stored if stored.from_reporter else None
    return None if stored.message.internal else stored


def _download(organization: Organization, access: ReporterAccess, raw: str) -> HttpResponse:
    stored = _downloadable(access, raw)
    if stored is None:
        return _dialogue_page(organization, access, problem=_("This file cannot be opened here."))
    try:
        name, _content_type, data = file_open(access.key, stored)
    except (crypto.CryptoError, OSError):
        return _dialogue_page(organization, access, problem=_("This file cannot be opened here."))
    # Always as a download of bytes: a file from anyone must never run as a page here.
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name or "file") or "attachment"
    return response


def _write(request: HttpRequest, organization: Organization, access: ReporterAccess) -> HttpResponse:
    body = str(request.POST.get("body", ""))
    if not ratelimit.message_allowed(request):
        return _too_many(organization)
    try:
        files = uploads(request.FILES.getlist("files"), access.case.channel.max_attachment_mb)
    except forms.ValidationError as error:
        return _dialogue_page(organization, access, problem=" ".join(error.messages), body=body)
    try:
        reporter_write(access, body, files)
    except DomainError as error:
        return _dialogue_page(organization, access, problem=str(error.message), body=body[:MAX_MESSAGE])
    return _dialogue_page(organization, access, sent=True)


@reporter_page
def report_followup(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    if request.method != "POST":
        return _followup_page(org)
    handler, refused = _read_post(request, _attachment_limit_mb(org))
    token = str(request.POST.get("token", ""))
    if token:
        access = token_open(org, token[:4000])
        if access is None:
            return _followup_page(
                org,
                problem=_(
                    "Your page was open for more than half an hour, or it was damaged. "
                    "Enter your receipt again."
                ),
            )
        file_problems = handler.problems(access.case.channel.max_attachment_mb)
        if refused or file_problems:
            body = str(request.POST.get("body", ""))[:MAX_MESSAGE]
            return _dialogue_page(org, access, problem=refused or " ".join(file_problems), body=body)
        action = str(request.POST.get("action", ""))
        if action == "write":
            return _write(request, org, access)
        if action == "file":
            return _download(org, access, str(request.POST.get("file", "")))
        return _dialogue_page(org, access)
    if refused:
        return _followup_page(org, problem=refused)
    if not ratelimit.receipt_allowed(request):
        return _too_many(org)
    # Argon2 runs for every attempt, right or wrong, well-formed or not: the answer takes as
    # long either way, and guessing costs the guesser.
    access = receipt_open(org, str(request.POST.get("receipt", "")))
    if access is None:
        return _followup_page(
            org, problem=_("This receipt opens no report. Check the sixteen digits and try again.")
        )
    return _dialogue_page(org, access)
