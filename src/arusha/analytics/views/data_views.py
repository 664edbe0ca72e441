"""Screens of clearance data and catalogue runs, under /o/<organization>/analytics/.

Datasets and runs say nothing about any person (their pages show counts, the quality
report and timings), so they are not confidential: analysts manage them
(analytics.data.manage); office and people readers see the datasets, anyone working on
analytics sees the runs (arusha.analytics.access). The full output of a run names
officers, brokers and traders: only people readers download it, and each download is
audited (services/runs.py). Imports, generations and runs are done by the worker; their
pages follow its progress (arusha.core.jobs, polled by htmx every two seconds).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scope

from arusha.analytics.access import DATA, PEOPLE_VIEW, DatasetPolicy, RunPolicy
from arusha.analytics.data_forms import NULL, DatasetGenerateForm, DatasetImportForm, RunForm
from arusha.analytics.engine.quality import GATES
from arusha.analytics.models import Dataset, Run, Signal
from arusha.analytics.services import imports, runs
from arusha.analytics.views.base import (
    can_of,
    dataset_of,
    on_dataset,
    on_run,
    one_button,
    run_of,
    works_on_analytics_policy,
)
from arusha.analytics.vocabulary import DatasetSource, RunStatus
from arusha.core.form_pages import form_page
from arusha.core.jobs import job_recent_for
from arusha.core.jobs_views import job_context, job_poll_response
from arusha.core.listing import paginate
from arusha.core.models import BackgroundJob, JobStatus
from arusha.core.policies import member
from arusha.core.requests import access_of_request, is_htmx, organization_of, user_of

GATE_LABELS = {
    "missing": gettext_lazy("a required value is missing"),
    "unparseable": gettext_lazy("a value does not parse"),
    "negative": gettext_lazy("a negative value or quantity"),
    "unknown_channel": gettext_lazy("an unknown channel"),
    "future": gettext_lazy("a date in the future"),
    "release_before_lodgement": gettext_lazy("released before it was lodged"),
    "end_before_start": gettext_lazy("a posting that ends before it starts"),
    "duplicate": gettext_lazy("a duplicate key"),
    "orphan": gettext_lazy("its declaration is missing"),
}


@dataclass(frozen=True)
class QualityRow:
    table: str
    file: str
    supplied: bool
    read: int
    kept: int
    excluded: list[tuple[str, int, str]]  # (gate label, rows, columns)


def quality_rows(dataset: Dataset) -> list[QualityRow]:
    """The import's quality report, one row per canonical table, for the dataset's page."""
    rows = []
    for table, report in (dataset.quality or {}).items():
        excluded = report.get("excluded", {})
        columns = report.get("columns", {})
        gated = [
            (
                str(GATE_LABELS[gate]),
                int(excluded[gate]),
                ", ".join(f"{name} ({count})" for name, count in columns.get(gate, {}).items()),
            )
            for gate in GATES
            if gate in excluded
        ]
        rows.append(
            QualityRow(
                table,
                str(report.get("file", "")),
                bool(report.get("supplied")),
                int(report.get("read", 0)),
                int(report.get("kept", 0)),
                gated,
            )
        )
    return rows


# ------------------------------------------------------------------ datasets


@works_on_analytics_policy
@require_GET
def dataset_list(request: HttpRequest, organization: str) -> HttpResponse:
    org, access = organization_of(request), access_of_request(request)
    with scope(organization=org):
        datasets = DatasetPolicy().visible(access, Dataset.objects.filter(organization=org))
        page = paginate(request, datasets.select_related("created_by"))
    return render(request, "analytics/data/dataset_list.html", {"page": page, "may_manage": access.has(DATA)})


def _dataset_job(dataset: Dataset) -> BackgroundJob | None:
    kind = imports.GENERATE_KIND if dataset.source == DatasetSource.GENERATED else imports.IMPORT_KIND
    with scope(organization=dataset.organization):
        return job_recent_for(dataset, kind)


def _dataset_job_context(dataset: Dataset) -> dict[str, Any]:
    slug = dataset.organization.slug
    page_url = reverse("analytics-dataset", args=[slug, dataset.pk])
    job = _dataset_job(dataset)
    links = (
        [(_("Show the quality report"), page_url)] if job is not None and job.status == JobStatus.DONE else []
    )
    return job_context(
        job,
        poll_url=reverse("analytics-dataset-progress", args=[slug, dataset.pk]),
        page_url=page_url,
        links=links,
        done_text=_("The dataset is ready.") if links else "",
    )


def _dataset_page(request: HttpRequest, dataset: Dataset) -> HttpResponse:
    access = access_of_request(request)
    with scope(organization=dataset.organization):
        dataset_runs = list(
            RunPolicy().visible(access, Run.objects.filter(dataset=dataset)).select_related("requested_by")
        )
    context = {
        "dataset": dataset,
        "can": can_of(request, "dataset"),
        "quality": quality_rows(dataset),
        "runs": dataset_runs,
        **_dataset_job_context(dataset),
    }
    return render(request, "analytics/data/dataset_detail.html", context)


@on_dataset("view")
@require_GET
def dataset_detail(request: HttpRequest, organization: str, dataset: int) -> HttpResponse:
    return _dataset_page(request, dataset_of(request))


@on_dataset("view")
@require_GET
def dataset_progress(request: HttpRequest, organization: str, dataset: int) -> HttpResponse:
    """The import's progress for htmx; without script, the page itself."""
    current = dataset_of(request)
    if is_htmx(request):
        return job_poll_response(request, _dataset_job_context(current))
    return _dataset_page(request, current)


def _dataset_url(dataset: Dataset) -> str:
    return reverse("analytics-dataset", args=[dataset.organization.slug, dataset.pk])


@member(DATA)
@require_http_methods(["GET", "POST"])
def dataset_import(request: HttpRequest, organization: str) -> HttpResponse:
    """Upload a ZIP of CSV/Parquet files, with a mapping; the worker imports it."""
    org, user = organization_of(request), user_of(request)

    def save(data: dict[str, Any]) -> Dataset:
        upload = data["file"]
        return imports.dataset_import(
            actor=user,
            organization=org,
            title=data["title"],
            upload=upload,
            size=int(upload.size or 0),
            mapping=data["mapping"] or "",
            language=get_language() or "en",
        )

    return form_page(
        request,
        DatasetImportForm(request.POST or None, request.FILES or None),
        save,
        success=_dataset_url,
        message=_("The data are being imported: this page shows the progress."),
        template="analytics/data/dataset_import.html",
    )


@member(DATA)
@require_http_methods(["GET", "POST"])
def dataset_generate(request: HttpRequest, organization: str) -> HttpResponse:
    """Generate a synthetic dataset, with planted anomalies or none; the worker makes it."""
    org, user = organization_of(request), user_of(request)

    def save(data: dict[str, Any]) -> Dataset:
        return imports.dataset_generate(
            actor=user,
            organization=org,
            title=data["title"],
            declarations=data["declarations"],
            seed=data["seed"],
            planted=data["anomalies"] != NULL,
            language=get_language() or "en",
        )

    initial = {"title": _("Synthetic clearance data")}
    return form_page(
        request,
        DatasetGenerateForm(request.POST or None, initial=initial),
        save,
        success=_dataset_url,
        message=_("The synthetic data are being made: this page shows the progress."),
        template="analytics/data/dataset_generate.html",
    )


@on_dataset("manage")
@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, organization: str, dataset: int) -> HttpResponse:
    current, user = dataset_of(request), user_of(request)
    with scope(organization=current.organization):
        run_count = Run.objects.filter(dataset=current).count()
    return one_button(
        request,
        lambda: imports.dataset_delete(actor=user, dataset=current),
        done=_("The dataset %(title)s is deleted.") % {"title": current.title},
        url=reverse("analytics-datasets", args=[current.organization.slug]),
        refused_url=_dataset_url(current),
        page=lambda: render(
            request, "analytics/data/dataset_delete.html", {"dataset": current, "run_count": run_count}
        ),
    )


@on_dataset("manage")
@require_http_methods(["GET", "POST"])
def dataset_run(request: HttpRequest, organization: str, dataset: int) -> HttpResponse:
    """Choose the engine and start a run of the catalogue over the dataset."""
    current, user = dataset_of(request), user_of(request)
    return form_page(
        request,
        RunForm(request.POST or None),
        lambda data: runs.run_request(
            actor=user, dataset=current, engine=data["engine"], language=get_language() or "en"
        ),
        success=lambda run: reverse("analytics-run", args=[current.organization.slug, run.pk]),
        message=_("The indicators are being computed: this page shows the progress."),
        template="analytics/data/run_form.html",
        context={"dataset": current},
    )


# ------------------------------------------------------------------ runs


@works_on_analytics_policy
@require_GET
def run_list(request: HttpRequest, organization: str) -> HttpResponse:
    org, access = organization_of(request), access_of_request(request)
    with scope(organization=org):
        visible = RunPolicy().visible(access, Run.objects.filter(organization=org))
        page = paginate(request, visible.select_related("dataset", "requested_by"))
    return render(request, "analytics/data/run_list.html", {"page": page, "may_manage": access.has(DATA)})


def _run_job_context(run: Run) -> dict[str, Any]:
    slug = run.organization.slug
    page_url = reverse("analytics-run", args=[slug, run.pk])
    with scope(organization=run.organization):
        job = job_recent_for(run, runs.RUN_KIND)
    done = job is not None and job.status == JobStatus.DONE
    return job_context(
        job,
        poll_url=reverse("analytics-run-progress", args=[slug, run.pk]),
        page_url=page_url,
        links=[(_("Show the run"), page_url)] if done else [],
        done_text=_("The run is done.") if done else "",
    )


def _run_page(request: HttpRequest, run: Run) -> HttpResponse:
    access = access_of_request(request)
    with scope(organization=run.organization):
        flagged = Counter(Signal.objects.filter(run=run, flag=True).values_list("indicator", flat=True))
    timings = sorted(
        ((code, seconds) for code, seconds in (run.timings or {}).items() if code != "total"),
        key=lambda pair: -float(pair[1]),
    )
    context = {
        "run": run,
        "can": can_of(request, "run"),
        "flagged": sorted(flagged.items()),
        "timings": timings,
        "downloads": run.status == RunStatus.DONE and access.has(PEOPLE_VIEW),
        "dataset_visible": DatasetPolicy().can_view(access, run.dataset),
        **_run_job_context(run),
    }
    return render(request, "analytics/data/run_detail.html", context)


@on_run("view")
@require_GET
def run_detail(request: HttpRequest, organization: str, run: int) -> HttpResponse:
    return _run_page(request, run_of(request))


@on_run("view")
@require_GET
def run_progress(request: HttpRequest, organization: str, run: int) -> HttpResponse:
    """The run's progress for htmx; without script, the page itself."""
    current = run_of(request)
    if is_htmx(request):
        return job_poll_response(request, _run_job_context(current))
    return _run_page(request, current)


@on_run("view")
@require_GET
def run_output(request: HttpRequest, organization: str, run: int, fmt: str) -> FileResponse:
    """The run's full output (every entity, every period) for people readers; audited."""
    current = run_of(request)
    path = runs.run_output(actor=user_of(request), run=current, fmt=fmt)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"run-{current.pk}-{path.name}")
    # It names people under their pseudonyms: no cache on the way may keep a copy.
    response["Cache-Control"] = "no-store"
    return response
