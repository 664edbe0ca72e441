"""Results screens of surveys: the wave's dashboard, the trend across waves, exports and the report.

Every figure comes from arusha.surveys.analysis, already suppressed (results.py); these
views only choose what to ask and how to word it (arusha.surveys.presentation). Results
readers (SurveyPolicy "results") see the dashboard, the trend, the suppressed exports,
the aggregate pack and the report; microdata is for microdata readers only, and to
anyone else it does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scopes_disabled

from arusha.core.access import policy_for
from arusha.core.errors import DomainError
from arusha.core.jobs import job_get_for, job_recent_for
from arusha.core.jobs_views import job_context, job_file_response, job_poll_response
from arusha.core.listing import csv_response
from arusha.core.models import JobStatus
from arusha.core.policies import custom
from arusha.core.requests import is_htmx, notes_of, user_of
from arusha.surveys import analysis, exports, microdata
from arusha.surveys.charts import trend_chart
from arusha.surveys.models import Response, Wave
from arusha.surveys.presentation import (
    Labels,
    Shown,
    all_suppressed,
    changes,
    heat_rows,
    ordered_factors,
    wave_label,
)
from arusha.surveys.results import EVERYONE, Table
from arusha.surveys.services import results_report
from arusha.surveys.views.base import (
    can_of,
    on_survey,
    on_wave,
    survey_of,
    wave_in_organization,
    wave_of,
)

# ---------------------------------------------------------------- the choices of the dashboard


class ResultsForm(forms.Form):
    """What the dashboard shows: a breakdown by one or two demographic items, weighted or not."""

    by = forms.ChoiceField(label=gettext_lazy("Break down by"), required=False)
    then = forms.ChoiceField(label=gettext_lazy("and then by"), required=False)
    weighted = forms.BooleanField(
        label=gettext_lazy("Weight to the groups' population counts"), required=False
    )

    def __init__(self, *args: Any, items: dict[str, str], weighting: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("nothing")), *items.items()]
        by = self.fields["by"]
        then = self.fields["then"]
        assert isinstance(by, forms.ChoiceField) and isinstance(then, forms.ChoiceField)
        by.choices = choices
        then.choices = choices
        self.weighting = weighting
        if not weighting:
            self.fields["weighted"].help_text = _("The wave has no population counts to weight to.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        by, then = cleaned.get("by"), cleaned.get("then")
        if then and not by:
            self.add_error("then", _("Choose the first breakdown before the second."))
        elif then and then == by:
            self.add_error("then", _("Choose two different items, or only one."))
        if cleaned.get("weighted") and not self.weighting:
            self.add_error(
                "weighted", _("Enter the population counts of the wave's groups before weighting.")
            )
        return cleaned

    def options(self) -> tuple[list[str], bool]:
        """The breakdown items and the weighting asked; nothing of either when the form is wrong."""
        if not self.is_bound or not self.is_valid():
            return [], False
        data = self.cleaned_data
        return [name for name in (data.get("by"), data.get("then")) if name], bool(data.get("weighted"))


def _form(request: HttpRequest, wave: Wave, labels: Labels) -> ResultsForm:
    items = {name: labels.item(name) for name in analysis.breakdowns(wave)}
    data = request.GET if any(key in request.GET for key in ("by", "then", "weighted")) else None
    return ResultsForm(data, items=items, weighting=results_report.has_populations(wave))


def _query(request: HttpRequest) -> str:
    kept = request.GET.copy()
    for key in list(kept):
        if key not in ("by", "then", "weighted"):
            kept.pop(key)
    return kept.urlencode()


@dataclass
class Dashboard:
    table: Table
    weighted: bool
    error: str = ""


def _results(form: ResultsForm, wave: Wave) -> Dashboard:
    by, weighted = form.options()
    try:
        return Dashboard(analysis.results(wave, by=by, weighted=weighted), weighted)
    except analysis.AnalysisError as error:
        return Dashboard(analysis.results(wave), False, str(error))


def _comparison(wave: Wave, weighted: bool) -> tuple[Wave | None, list[Any]]:
    earlier = results_report.previous_wave(wave)
    if earlier is None:
        return None, []
    both = weighted and results_report.has_populations(earlier)
    return earlier, analysis.compare(earlier, wave, weighted=both)


def _has_responses(wave: Wave) -> bool:
    with scopes_disabled():
        return Response.objects.filter(wave=wave).exists()


def _wave_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    wave = wave_of(request)
    return {"survey": survey_of(request), "wave": wave, "can": can_of(request), "section": "results", **extra}


@on_wave("results")
@require_GET
def wave_results(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The dashboard: factor x group heat map, details per cell, and the change since the previous wave."""
    current = wave_of(request)
    labels = Labels(current.survey, current)
    form = _form(request, current, labels)
    dashboard = _results(form, current)
    table = dashboard.table
    earlier, differences = _comparison(current, dashboard.weighted)
    context = _wave_context(
        request,
        form=form,
        error=dashboard.error,
        table=table,
        factors=[(code, labels.factor(code)) for code in ordered_factors(table.factors)],
        by_labels=[labels.item(name) for name in table.by],
        rows=heat_rows(table, labels),
        has_responses=_has_responses(current),
        everything_hidden=table.respondents is None or all_suppressed(table),
        earlier=earlier,
        earlier_label=wave_label(earlier) if earlier else "",
        wave_label=wave_label(current),
        comparison=[
            (labels.factor_with_code(c.factor), labels.group(c.group), c)
            for c in changes(differences, table.k)
        ],
        query=_query(request),
        weighted=dashboard.weighted,
    )
    return render(request, "surveys/results.html", context)


# ---------------------------------------------------------------- the trend across waves


class TrendForm(forms.Form):
    group = forms.ChoiceField(label=gettext_lazy("Respondent group"), required=False)

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = groups

    def chosen(self) -> str:
        if not self.is_bound or not self.is_valid():
            return EVERYONE
        return str(self.cleaned_data.get("group") or EVERYONE)


@on_survey("results")
@require_GET
def survey_trend(request: HttpRequest, organization: str, survey: int) -> HttpResponse:
    """Each factor across the survey's waves, with intervals: a chart and the same figures as a table."""
    current = survey_of(request)
    labels = Labels(current)
    with scopes_disabled():
        codes = [group.code for group in current.groups.all()]
    form = TrendForm(
        request.GET if "group" in request.GET else None,
        groups=[(EVERYONE, labels.group(EVERYONE)), *((code, labels.group(code)) for code in codes)],
    )
    group = form.chosen()
    tables = analysis.trend(current, group=group)
    with scopes_disabled():
        waves = {w.pk: w for w in Wave.objects.filter(survey=current)}
    names = [wave_label(waves[t.wave_id]) for t in tables]
    factors = ordered_factors({factor for table in tables for factor in table.factors})
    rows = [
        (labels.factor_with_code(factor), [Shown(t.cell(factor, group), t.k) for t in tables])
        for factor in factors
    ]
    context = {
        "survey": current,
        "form": form,
        "group_label": labels.group(group),
        "chart": trend_chart(tables, names, labels, group=group) if tables else "",
        "names": names,
        "rows": rows,
        "tables": tables,
        "k": current.minimum_cell,
        "can": policy_for(current).answers(notes_of(request).access, current),
        "latest": waves[tables[-1].wave_id] if tables else None,
    }
    return render(request, "surveys/results_trend.html", context)


# ---------------------------------------------------------------- exports


@on_wave("results")
@require_GET
def results_export(request: HttpRequest, organization: str, wave: int) -> HttpResponseBase:
    """The dashboard's table as XLSX (the default) or CSV, with the comparison: hidden cells as text."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    current = wave_of(request)
    labels = Labels(current.survey, current)
    form = _form(request, current, labels)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            _("The breakdown could not be read: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    by, weighted = form.options()
    try:
        table = analysis.results(current, by=by, weighted=weighted)
    except analysis.AnalysisError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    earlier, differences = _comparison(current, weighted)
    name = f"{current.survey.slug}-wave-{current.number}-results"
    if fmt == "csv":
        rows = exports.results_csv_rows(
            current.survey, current, table, labels, earlier=earlier, differences=differences
        )
        return csv_response(f"{name}.csv", [_("Perception survey results"), current.survey.title], rows)
    content = exports.results_xlsx(
        current.survey, current, table, labels, earlier=earlier, differences=differences
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@on_wave("results")
@require_GET
def aggregate_pack(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The anonymized aggregate pack (ZIP), for pooling across administrations."""
    current = wave_of(request)
    weighted = request.GET.get("weighted") == "on" and results_report.has_populations(current)
    table = analysis.results(current, weighted=weighted)
    response = HttpResponse(
        exports.aggregate_pack(current.survey, current, table), content_type="application/zip"
    )
    name = f"survey-aggregate-round-{current.number}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _microdata_reader(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """The wave exists in the organization and the person may read its microdata; else 404 (confidential)."""
    notes = notes_of(request)
    found = wave_in_organization(request, kwargs)
    policy = policy_for(found.survey)
    if not policy.can(notes.access, "microdata", found.survey):
        raise Http404
    notes.objects["survey"] = found.survey
    notes.objects["wave"] = found
    notes.answers["survey"] = policy.answers(notes.access, found.survey)


microdata_reader = custom("wave:microdata", _microdata_reader)


@microdata_reader
@require_http_methods(["GET", "POST"])
def microdata_export(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The disclosure check's outcome, and the microdata files (a POST downloads one; every one audited)."""
    current = wave_of(request)
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        if fmt not in microdata.FORMATS:
            messages.error(request, _("Choose SPSS or CSV."))
            return redirect(reverse("microdata-export", args=[organization, current.pk]))
        content, filename, _data = microdata.microdata_export(actor=user_of(request), wave=current, fmt=fmt)
        kind = "application/x-spss-sav" if fmt == "sav" else "application/zip"
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    data = microdata.build(current)
    context = _wave_context(request, data=data, k=current.survey.minimum_cell)
    return render(request, "surveys/results_microdata.html", context)


# ---------------------------------------------------------------- the PDF report


def _weighted_of(request: HttpRequest) -> bool:
    sent = request.POST if request.method == "POST" else request.GET
    return sent.get("weighted") == "on"


def _report_url(name: str, wave: Wave, *, weighted: bool, **kwargs: Any) -> str:
    url = reverse(name, kwargs={"organization": wave.survey.organization.slug, "wave": wave.pk, **kwargs})
    return url + ("?weighted=on" if weighted else "")


def _report_context(wave: Wave, weighted: bool) -> dict[str, Any]:
    job = job_recent_for(wave, results_report.report_kind(weighted=weighted))
    links: list[tuple[str, str]] = []
    done_text = ""
    if job is not None and job.status == JobStatus.DONE:
        done_text = _("The report is ready.")
        url = _report_url("results-report-file", wave, weighted=weighted, pk=job.pk)
        links = [(_("Download %(name)s") % {"name": job.result_name}, url)]
    return job_context(
        job,
        poll_url=_report_url("results-report-progress", wave, weighted=weighted),
        page_url=_report_url("results-report", wave, weighted=weighted),
        links=links,
        done_text=done_text,
    )


@on_wave("results")
@require_http_methods(["GET", "POST"])
def results_report_page(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The PDF report: a POST asks the worker for it, the page follows its making to the download link."""
    current = wave_of(request)
    weighted = _weighted_of(request)
    if request.method == "POST":
        try:
            job = results_report.report_request(
                actor=user_of(request), wave=current, weighted=weighted, language=get_language() or "en"
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(_report_url("results-report", current, weighted=False))
        # A worker that is quick (or runs tasks at once, as in tests) may be done already.
        job.refresh_from_db()
        if job.is_active:
            messages.success(request, _("The report is being written. This page shows its progress."))
        return redirect(_report_url("results-report", current, weighted=weighted))
    context = _wave_context(
        request,
        weighted=weighted,
        weighting=results_report.has_populations(current),
        **_report_context(current, weighted),
    )
    return render(request, "surveys/results_report.html", context)


@on_wave("results")
@require_GET
def results_report_progress(request: HttpRequest, organization: str, wave: int) -> HttpResponse:
    """The report's progress for htmx; without script, the page itself."""
    current = wave_of(request)
    weighted = _weighted_of(request)
    if is_htmx(request):
        return job_poll_response(request, _report_context(current, weighted))
    return redirect(_report_url("results-report", current, weighted=weighted))


@on_wave("results")
@require_GET
def results_report_file(request: HttpRequest, organization: str, wave: int, pk: int) -> FileResponse:
    """A written report, for whoever may read the wave's results now (not only the one who asked)."""
    current = wave_of(request)
    return job_file_response(
        job_get_for(current, results_report.report_kind(weighted=_weighted_of(request)), pk)
    )
