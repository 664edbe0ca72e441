"""What a context's views answer about a background job (see arusha.core.jobs).

These are helpers, not views: each context wraps them in a view under the access policy
of the job's target, so a job and its result are only for those who may read the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from arusha.core.models import BackgroundJob, JobStatus

# htmx stops polling when the answer has this status (and still shows it).
STOP_POLLING = 286


def job_context(
    job: BackgroundJob | None,
    *,
    poll_url: str,
    page_url: str,
    links: Sequence[tuple[str, str]] = (),
    done_text: str = "",
) -> dict[str, Any]:
    """What `core/_job.html` needs, for the page that includes it."""
    return {"job": job, "poll_url": poll_url, "page_url": page_url, "links": links, "done_text": done_text}


def job_poll_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The inside of the job's live region, for htmx; a finished job ends the polling."""
    job: BackgroundJob | None = context["job"]
    status = 200 if job is not None and job.is_active else STOP_POLLING
    return render(request, "core/_job.html#job-state", context, status=status)


def job_file_response(job: BackgroundJob) -> FileResponse:
    """The job's result file, for a view that has checked access to the job's target."""
    if job.status != JobStatus.DONE or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
