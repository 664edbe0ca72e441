"""Screens of the register's exports and import, under /o/<organization>/risks/<cycle>/.

XLSX and CSV are downloaded at once. PDF and DOCX are written by the worker: their page
asks for the file and follows its making, and only the person who asked downloads it
(services/register_io.py). Every view stands under the cycle's policy: those who may not
see the cycle get 404; the import needs the right to rate (403 for a reader).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arusha.core.errors import DomainError
from arusha.core.jobs_views import job_context, job_poll_response
from arusha.core.models import JobStatus
from arusha.core.requests import is_htmx, user_of
from arusha.risks.io_forms import RegisterImportForm
from arusha.risks.models import Cycle
from arusha.risks.services import register_io as services
from arusha.risks.templatetags.risk_cycle import url_or_none
from arusha.risks.views.base import can_of, cycle_of, on_cycle

LABELS = {"xlsx": "XLSX", "csv": "CSV", "pdf": "PDF", "docx": "DOCX"}


def export_links(cycle: Cycle) -> list[tuple[str, str]]:
    """(label, URL) of every format of the register's export."""
    slug = cycle.organization.slug
    return [(label, reverse("register-export", args=[slug, cycle.pk, fmt])) for fmt, label in LABELS.items()]


def _download(export: services.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    # The file holds restricted texts: no cache on the way may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _job_context(request: HttpRequest, cycle: Cycle, fmt: str) -> dict[str, Any]:
    slug = cycle.organization.slug
    job = services.export_job(actor=user_of(request), cycle=cycle, fmt=fmt)
    links: list[tuple[str, str]] = []
    done_text = ""
    if job is not None and job.status == JobStatus.DONE:
        done_text = _("The file is ready.")
        url = reverse("register-export-file", args=[slug, cycle.pk, fmt, job.pk])
        links = [(_("Download %(name)s") % {"name": job.result_name}, url)]
    return job_context(
        job,
        poll_url=reverse("register-export-progress", args=[slug, cycle.pk, fmt]),
        page_url=reverse("register-export", args=[slug, cycle.pk, fmt]),
        links=links,
        done_text=done_text,
    )


def _export_page(request: HttpRequest, cycle: Cycle, fmt: str) -> HttpResponse:
    context = {
        "cycle": cycle,
        "can": can_of(request, "cycle"),
        "format": LABELS[fmt],
        "fmt": fmt,
        "exports": export_links(cycle),
        **_job_context(request, cycle, fmt),
    }
    return render(request, "risks/io/export.html", context)


@on_cycle("view")
@require_http_methods(["GET", "POST"])
def register_export(request: HttpRequest, organization: str, cycle: int, fmt: str) -> HttpResponse:
    """XLSX and CSV: the file. PDF and DOCX: the page of the worker's file; a POST asks for one."""
    if fmt not in services.FORMATS:
        raise Http404
    current, user = cycle_of(request), user_of(request)
    if fmt not in services.IN_WORKER:
        if request.method != "GET":
            return HttpResponse(status=405)
        return _download(services.register_export(actor=user, cycle=current, fmt=fmt))
    if request.method == "POST":
        try:
            job = services.register_export_request(
                actor=user, cycle=current, fmt=fmt, language=get_language() or "en"
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            # A worker that is quick (or runs tasks at once, as in tests) may be done already.
            job.refresh_from_db()
            if job.is_active:
                messages.success(request, _("The file is being written. This page shows its progress."))
        return redirect("register-export", organization=organization, cycle=current.pk, fmt=fmt)
    return _export_page(request, current, fmt)


@on_cycle("view")
@require_GET
def register_export_progress(request: HttpRequest, organization: str, cycle: int, fmt: str) -> HttpResponse:
    """The worker's progress for htmx; without script, the page itself."""
    if fmt not in services.IN_WORKER:
        raise Http404
    current = cycle_of(request)
    if is_htmx(request):
        return job_poll_response(request, _job_context(request, current, fmt))
    return _export_page(request, current, fmt)


@on_cycle("view")
@require_GET
def register_export_file(
    request: HttpRequest, organization: str, cycle: int, fmt: str, pk: int
) -> HttpResponse:
    """A PDF or DOCX the worker wrote, for the person who asked for it."""
    export = services.register_export_file(actor=user_of(request), cycle=cycle_of(request), fmt=fmt, pk=pk)
    return _download(export)


def _done_message(outcome: services.ImportOutcome) -> str:
    parts = [
        ngettext("%(count)s risk added", "%(count)s risks added", outcome.created)
        % {"count": outcome.created},
        ngettext("%(count)s changed", "%(count)s changed", outcome.updated) % {"count": outcome.updated},
        ngettext("%(count)s unchanged", "%(count)s unchanged", outcome.unchanged)
        % {"count": outcome.unchanged},
    ]
    return _("The workbook is imported: %(parts)s.") % {"parts": "; ".join(parts)}


@on_cycle("rate")
@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    """Upload a register workbook: every row is checked, then all of it is saved, or nothing."""
    current = cycle_of(request)
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.register_import(
                actor=user_of(request), cycle=current, data=form.cleaned_data["file"]
            )
        except services.RegisterImportError as refused:
            errors = refused.errors
        except DomainError as error:
            errors = [str(error.message)]
        else:
            messages.success(request, _done_message(outcome))
            slug = current.organization.slug
            target = url_or_none("cycle-register", organization=slug, cycle=current.pk)
            return redirect(target or reverse("cycle-detail", args=[slug, current.pk]))
    context = {
        "cycle": current,
        "can": can_of(request, "cycle"),
        "form": form,
        "errors": errors,
        "exports": export_links(current),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "risks/io/import.html", context, status=status)
