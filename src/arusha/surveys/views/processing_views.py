"""What staff do with what arrives: the wave's key and processing, intake counts, review,
station files, paper responses and imports from KoboToolbox or ODK.

Every view stands under the wave's survey policy (`on_wave`, views/base.py): people outside the
organization, or with no survey permission, get 404; a member who sees the survey but
lacks the action gets 403. Custody (the key, quarantine, re-sends) and collect (upload,
paper, import, and the intake counts) are separate permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from arusha.core.errors import DomainError
from arusha.core.form_pages import attach_error
from arusha.core.jobs import job_recent_for
from arusha.core.jobs_views import job_context, job_poll_response
from arusha.core.listing import paginate
from arusha.core.models import JobStatus
from arusha.core.requests import is_htmx, user_of
from arusha.surveys import intake_selectors as selectors
from arusha.surveys.models import Envelope, Reason, Resend, Wave
from arusha.surveys.services import intake, review
from arusha.surveys.services.ingest import Outcome
from arusha.surveys.services.processing import PROCESS_JOB, key_close, key_open
from arusha.surveys.services.tool_import import (
    IMPORT_JOB,
    MAX_IMPORT_BYTES,
    inline_bytes,
    tool_import,
    tool_import_request,
)
from arusha.surveys.views.base import can_of, on_wave, wave_of
from arusha.surveys.views.processing_forms import (
    DecisionForm,
    FileForm,
    ImportForm,
    KeyOpenForm,
    PaperForm,
    ResendForm,
    group_choices,
)


def _url(name: str, wave: Wave) -> str:
    return reverse(name, args=[wave.survey.organization.slug, wave.pk])


def _page(request: HttpRequest, template: str, tab: str, status: int = 200, **context: Any) -> HttpResponse:
    wave = wave_of(request)
    return render(
        request,
        template,
        {"wave": wave, "survey": wave.survey, "tab": tab, "may": can_of(request), **context},
        status=status,
    )


def _poll(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The job's progress for htmx; once the job has ended, htmx reloads the whole page,
    whose counts or outcome the job has changed."""
    response = job_poll_response(request, context)
    if context["job"] is not None and not context["job"].is_active:
        response["HX-Refresh"] = "true"
    return response


def counts_text(counts: intake.IntakeCounts) -> str:
    parts = [
        ngettext("%(count)s response stored", "%(count)s responses stored", counts.stored)
        % {"count": counts.stored},
        ngettext(
            "%(count)s already held (duplicate)", "%(count)s already held (duplicates)", counts.duplicate
        )
        % {"count": counts.duplicate},
        ngettext(
            "%(count)s conflicting re-send kept for review",
            "%(count)s conflicting re-sends kept for review",
            counts.conflict,
        )
        % {"count": counts.conflict},
    ]
    return "; ".join(parts) + "."


# --- The key and processing ------------------------------------------------------------


def _key_job_context(wave: Wave) -> dict[str, Any]:
    job = job_recent_for(wave, PROCESS_JOB)
    done_text = ""
    if job is not None and job.status == JobStatus.DONE:
        accepted = int(job.result_data.get("accepted", 0))
        quarantined = int(job.result_data.get("quarantined", 0))
        done_text = _("Opened: %(accepted)s accepted, %(quarantined)s quarantined.") % {
            "accepted": accepted,
            "quarantined": quarantined,
        }
    return job_context(
        job,
        poll_url=_url("wave-key", wave),
        page_url=_url("wave-key", wave),
        links=[(_("See the counts"), _url("wave-intake", wave))],
        done_text=done_text,
    )


@on_wave("custody")
@require_http_methods(["GET", "POST"])
def wave_key(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The custodian opens the key for some hours (processing starts), processes again, or closes it."""
    current = wave_of(request)
    if request.method == "GET" and is_htmx(request):
        return _poll(request, _key_job_context(current))
    form = KeyOpenForm(request.POST if request.POST.get("action") == "open" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        actor = user_of(request)
        try:
            if action == "open":
                if form.is_valid():
                    key_open(
                        current,
                        form.cleaned_data["passphrase"],
                        actor=actor,
                        hours=form.cleaned_data["hours"],
                    )
                    messages.success(request, _("The key is open. The responses are being opened."))
                    return redirect(_url("wave-key", current))
            elif action == "close":
                key_close(current, actor=actor)
                messages.success(
                    request, _("The key is closed. Nothing more is opened until it is opened again.")
                )
                return redirect(_url("wave-key", current))
            elif action == "process":
                review.processing_request(current, actor=actor)
                messages.success(request, _("The responses that arrived are being opened."))
                return redirect(_url("wave-key", current))
            else:
                messages.error(request, _("Choose what to do."))
                return redirect(_url("wave-key", current))
        except DomainError as error:
            if action == "open":
                form.add_error("passphrase", str(error.message))
            else:
                messages.error(request, str(error.message))
                return redirect(_url("wave-key", current))
        status = 400
    return _page(
        request,
        "surveys/processing_key.html",
        "key",
        status=status,
        form=form,
        opened=selectors.open_key_until(current),
        table=selectors.intake_table(current),
        **_key_job_context(current),
    )


# --- Intake counts ------------------------------------------------------------------------


@on_wave("collect")
@require_http_methods(["GET"])
def wave_intake(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """How many responses arrived, per state and source, and why some are in quarantine."""
    current = wave_of(request)
    return _page(request, "surveys/processing_intake.html", "intake", table=selectors.intake_table(current))


# --- Review -----------------------------------------------------------------------------


def _envelope(wave: Wave, pk: int) -> Envelope:
    with scopes_disabled():
        found = (
            Envelope.objects.select_related("wave__survey")
            .filter(wave=wave, pk=pk)
            .defer("ciphertext")
            .first()
        )
    if found is None:
        raise Http404
    return found


@on_wave("custody")
@require_http_methods(["GET", "POST"])
def wave_quarantine(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The quarantined responses, with their reason: accept (late, old version) or exclude."""
    current = wave_of(request)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        back = _url("wave-quarantine", current)
        if request.GET.get("reason"):
            back += "?" + request.GET.urlencode()
        if not form.is_valid():
            messages.error(request, _("Choose a response and what to do with it."))
            return redirect(back)
        envelope = _envelope(current, form.cleaned_data["pk"])
        reference = str(envelope.response_id)[:8]
        try:
            if form.cleaned_data["action"] == "accept":
                review.quarantine_accept(envelope, actor=user_of(request))
                messages.success(request, _("Response %(ref)s is accepted and counted.") % {"ref": reference})
            else:
                review.quarantine_exclude(
                    envelope, actor=user_of(request), reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, _("Response %(ref)s is excluded. It is kept on record.") % {"ref": reference}
                )
        except DomainError as error:
            messages.error(request, f"{reference}: {error.message}")
        return redirect(back)
    reason = request.GET.get("reason", "")
    reason = reason if reason in Reason.values else ""
    page = paginate(request, selectors.quarantined(current, reason))
    return _page(
        request,
        "surveys/processing_quarantine.html",
        "quarantine",
        page=page,
        rows=list(page),
        reason=reason,
        reasons=[(code, label) for code, label in Reason.choices if code],
        acceptable=sorted(review.ACCEPTABLE),
        key_open=selectors.open_key_until(current) is not None,
        query=f"reason={reason}" if reason else "",
    )


@on_wave("custody")
@require_http_methods(["GET", "POST"])
def wave_resends(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """Conflicting re-sends: keep the first copy or the second."""
    current = wave_of(request)
    if request.method == "POST":
        form = ResendForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a re-send and the copy to keep."))
            return redirect(_url("wave-resends", current))
        with scopes_disabled():
            resend = (
                Resend.objects.filter(envelope__wave=current, pk=form.cleaned_data["pk"])
                .defer("ciphertext")
                .first()
            )
        if resend is None:
            raise Http404
        try:
            review.resend_resolve(resend, actor=user_of(request), keep=form.cleaned_data["keep"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("The first copy is kept.")
                if form.cleaned_data["keep"] == review.KEEP_FIRST
                else _("The second copy is kept: it is opened at the next processing."),
            )
        return redirect(_url("wave-resends", current))
    page = paginate(request, selectors.pending_resends(current))
    return _page(request, "surveys/processing_resends.html", "resends", page=page, rows=list(page))


# --- Station files, paper, imports ---------------------------------------------------------


def _read(form: FileForm, limit: int) -> bytes | None:
    upload = form.cleaned_data["file"]
    if (upload.size or 0) > limit:
        form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
        return None
    data: bytes = upload.read(limit + 1)
    return data


@on_wave("collect")
@require_http_methods(["GET", "POST"])
def wave_upload(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """Upload the file a station exported for USB transport: all its responses, or none."""
    current = wave_of(request)
    posted = request.method == "POST"
    form = FileForm(request.POST if posted else None, request.FILES if posted else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = _read(form, intake.MAX_BUNDLE_BYTES)
        if data is not None:
            try:
                counts = intake.bundle_upload(current, data, actor=user_of(request))
            except intake.IntakeRefusedError as refused:
                errors = refused.errors
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(
                    request, _("The file is uploaded: %(counts)s") % {"counts": counts_text(counts)}
                )
                return redirect(_url("wave-upload", current))
    status = 400 if request.method == "POST" else 200
    return _page(request, "surveys/processing_upload.html", "upload", status=status, form=form, errors=errors)


@on_wave("collect")
@require_http_methods(["GET", "POST"])
def wave_paper(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """Key in one paper response; the next form is ready after each save."""
    current = wave_of(request)
    form = PaperForm(request.POST if request.method == "POST" else None, wave=current)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = intake.paper_submit(
                current,
                answers=form.answers(),
                group=form.cleaned_data["group"],
                language=form.cleaned_data["language"],
                response_id=form.cleaned_data["response_id"],
                actor=user_of(request),
            )
        except DomainError as error:
            field = form.field_of(error.field)
            form.add_error(field, str(error.message))
        else:
            if outcome == Outcome.DUPLICATE:
                messages.info(request, _("This paper response was already saved: it is counted once."))
            else:
                messages.success(
                    request, _("The paper response is saved. The form is ready for the next one.")
                )
            return redirect(_url("wave-paper", current))
    status = 400 if form.errors else 200
    return _page(request, "surveys/processing_paper.html", "paper", status=status, form=form)


def _import_job_context(wave: Wave) -> dict[str, Any]:
    job = job_recent_for(wave, IMPORT_JOB)
    done_text, errors = "", []
    if job is not None and job.status == JobStatus.DONE:
        data = job.result_data
        counts = intake.IntakeCounts(
            stored=int(data.get("stored", 0)),
            duplicate=int(data.get("duplicate", 0)),
            conflict=int(data.get("conflict", 0)),
        )
        done_text = _("The file is imported: %(counts)s") % {"counts": counts_text(counts)}
    elif job is not None and job.status == JobStatus.FAILED:
        errors = [str(e) for e in job.result_data.get("errors", [])]
    return {
        **job_context(
            job, poll_url=_url("wave-import", wave), page_url=_url("wave-import", wave), done_text=done_text
        ),
        "job_errors": errors,
    }


@on_wave("collect")
@require_http_methods(["GET", "POST"])
def wave_import(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """Import a KoboToolbox or ODK Central export (CSV or XLSX): every row, or none."""
    current = wave_of(request)
    if request.method == "GET" and is_htmx(request):
        return _poll(request, _import_job_context(current))
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None, request.FILES if posted else None, groups=group_choices(current)
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        group = form.cleaned_data["group"] or None
        actor = user_of(request)
        try:
            if (upload.size or 0) > MAX_IMPORT_BYTES:
                raise intake.refuse(
                    _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
                )
            if (upload.size or 0) > inline_bytes():
                job = tool_import_request(
                    current, upload, actor=actor, group=group, language=get_language() or "en"
                )
                job.refresh_from_db()
                if job.requested_by_id != actor.pk:
                    messages.warning(
                        request,
                        _("Another file is being imported into this wave. Upload yours again when it ends."),
                    )
                elif job.is_active:
                    messages.success(request, _("The file is being imported. This page shows its progress."))
                return redirect(_url("wave-import", current))
            counts = tool_import(
                current, upload.read(MAX_IMPORT_BYTES + 1), upload.name or "", actor=actor, group=group
            )
        except intake.IntakeRefusedError as refused:
            errors = refused.errors
            if refused.field == "group":
                form.add_error("group", errors[0])
                errors = []
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The file is imported: %(counts)s") % {"counts": counts_text(counts)})
            return redirect(_url("wave-import", current))
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        "surveys/processing_import.html",
        "import",
        status=status,
        form=form,
        errors=errors,
        **_import_job_context(current),
    )
