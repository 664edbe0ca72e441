"""The PDF report of a wave's results, written by the task worker (arusha.core.jobs).

The report holds the factor x group table, the trend chart across the survey's waves,
the comparison with the previous wave and notes on the method, in the language of the
person who asked (the job keeps it). Like the dashboard, it shows only what the
analysis returns, already suppressed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled
from django_tasks import task

from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User
from arusha.documents import report as document
from arusha.documents.report import Chart, Paragraph, Report, Section, Table
from arusha.surveys import analysis
from arusha.surveys.access import authorize_survey
from arusha.surveys.charts import trend_chart
from arusha.surveys.models import Population, Wave, WaveStatus
from arusha.surveys.presentation import Labels, Shown, changes, ordered_factors, wave_label
from arusha.surveys.results import EVERYONE
from arusha.surveys.results import Table as ResultTable

KIND = "surveys.results.pdf"
KIND_WEIGHTED = "surveys.results.weighted.pdf"


def report_kind(*, weighted: bool) -> str:
    return KIND_WEIGHTED if weighted else KIND


def previous_wave(wave: Wave) -> Wave | None:
    """The survey's wave just before this one that collected responses (not one being prepared)."""
    with scopes_disabled():
        return (
            Wave.objects.filter(survey_id=wave.survey_id, number__lt=wave.number)
            .exclude(status=WaveStatus.DRAFT)
            .select_related("survey", "questionnaire")
            .order_by("-number")
            .first()
        )


def has_populations(wave: Wave) -> bool:
    with scopes_disabled():
        return Population.objects.filter(wave=wave).exists()


def report_request(*, actor: User, wave: Wave, weighted: bool, language: str) -> BackgroundJob:
    """Ask the worker to write the wave's results report; a request while one runs answers that one."""
    authorize_survey(actor, "results", wave.survey)
    if weighted and not has_populations(wave):
        raise DomainError(
            gettext_noop("Enter the population counts of the wave's groups before weighting."),
            field="weighted",
        )
    return job_request(
        actor=actor,
        organization=wave.survey.organization,
        kind=report_kind(weighted=weighted),
        target=wave,
        language=language,
        task=results_report_task,
    )


@task()
def results_report_task(job_id: int) -> str:
    """The worker's side of `report_request`."""
    return str(job_run(job_id, _write_for_job))


def _write_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    with scopes_disabled():
        wave = (
            Wave.objects.select_related("survey", "survey__organization", "questionnaire")
            .filter(pk=int(job.object_id), survey__organization=job.organization)
            .first()
        )
    if wave is None:
        raise DomainError(gettext_noop("The wave no longer exists."))
    try:
        # The person may have lost the right to read the results since they asked.
        if job.requested_by is None:
            raise PermissionDenied
        authorize_survey(job.requested_by, "results", wave.survey)
    except (Http404, PermissionDenied) as refused:
        raise DomainError(gettext_noop("You may no longer read these results.")) from refused
    progress(0, 3, gettext_noop("Computing the results"))
    weighted = job.kind == KIND_WEIGHTED
    try:
        report = build_report(wave, weighted=weighted, progress=progress)
    except analysis.AnalysisError as error:
        raise DomainError(str(error)) from error
    progress(2, 3, gettext_noop("Writing the file"))
    return JobResult(
        content=document.to_pdf(report),
        name=f"{wave.survey.slug}-wave-{wave.number}-results.pdf",
        data={"weighted": weighted},
    )


def _heat_table(table: ResultTable, labels: Labels) -> Table:
    factors = ordered_factors(table.factors)
    header = [_("Factor"), *(labels.group(group) for group in table.groups)]
    rows = [
        [
            labels.factor_with_code(factor),
            *(Shown(table.cell(factor, group), table.k).index for group in table.groups),
        ]
        for factor in factors
    ]
    return Table(header, rows)


def _detail_table(table: ResultTable, labels: Labels) -> Table:
    header = [
        _("Group"),
        _("Factor"),
        _("Respondents (n)"),
        _("Index"),
        _("Interval (95 %)"),
        _("Don't know"),
        _("Favourable"),
    ]
    rows = []
    for group in table.groups:
        for factor in ordered_factors(table.factors):
            shown = Shown(table.cell(factor, group), table.k)
            if shown.cell is None:
                continue
            rows.append(
                [
                    labels.group(group),
                    factor,
                    shown.n,
                    shown.index,
                    shown.interval,
                    shown.dont_know,
                    shown.favourable,
                ]
            )
    return Table(header, rows)


def _method_notes(k: int, weighted: bool) -> list[Paragraph]:
    notes = [
        _(
            "Each Likert answer is rescaled to 0-100 (the least favourable answer 0, the most favourable "
            "100; items worded against integrity are reversed). A respondent's factor score is the mean "
            "of their rescaled answers in the factor; the factor index is the mean of the respondents' "
            "scores, with its interval (95 %) from Student's t. “Don't know”, refused and not applicable "
            "answers are left out of the scores; the don't-know share is counted among the factor's "
            "answers, and “favourable” is the share of substantive answers above the scale's midpoint."
        ),
        _(
            "No result of fewer than %(k)d respondents is shown. Where hiding one cell would let it be "
            "worked out from others by subtraction, further cells are hidden too; all of them read "
            "“fewer than %(k)d”."
        )
        % {"k": k},
        _(
            "Differences between waves are tested with Welch's t-test on the items both questionnaires "
            "share, and the p-values are corrected for the number of tests (Benjamini-Hochberg); a "
            "difference is marked significant when its corrected value q is below 0.05."
        ),
    ]
    if weighted:
        notes.append(
            _(
                "The results are weighted to the population counts of the respondent groups entered for "
                "the wave (post-stratification)."
            )
        )
    notes.append(_("The method is set out in full, step by step, in the documentation: “Survey method”."))
    return [Paragraph(text) for text in notes]


def build_report(wave: Wave, *, weighted: bool, progress: Progress | None = None) -> Report:
    survey = wave.survey
    labels = Labels(survey, wave)
    table = analysis.results(wave, weighted=weighted)
    sections: list[Section] = []
    if table.respondents == 0:
        summary = _("No responses yet.")
    elif table.respondents is None:
        summary = _("Fewer than %(k)d respondents so far: no result can be shown yet.") % {"k": table.k}
    else:
        summary = _("%(n)d respondents. Results of fewer than %(k)d respondents are not shown.") % {
            "n": table.respondents,
            "k": table.k,
        }
    sections.append(
        Section(
            _("Index per factor and respondent group"),
            [Paragraph(summary), _heat_table(table, labels)],
        )
    )
    sections.append(Section(_("Details per group"), [_detail_table(table, labels)]))
    if progress is not None:
        progress(1, 3, gettext_noop("Drawing the trend"))
    tables = analysis.trend(survey)
    if tables:
        names = _wave_names(tables)
        chart = trend_chart(tables, names, labels)
        trend_rows = [
            [labels.factor_with_code(factor), *(Shown(t.cell(factor, EVERYONE), t.k).index for t in tables)]
            for factor in ordered_factors({f for t in tables for f in t.factors})
        ]
        sections.append(
            Section(
                _("Across waves (every respondent)"),
                [
                    Chart(chart, _("Index per factor, one mark per wave, with its interval (95 %).")),
                    Table([_("Factor"), *names], trend_rows),
                ],
            )
        )
    earlier = previous_wave(wave)
    if earlier is not None:
        differences = analysis.compare(earlier, wave, weighted=weighted and has_populations(earlier))
        rows = [
            [
                labels.factor_with_code(change.factor),
                labels.group(change.group),
                change.earlier.index,
                change.later.index,
                change.difference,
                change.q,
                _("significant") if change.significant else "",
            ]
            for change in changes(differences, table.k)
        ]
        header = [
            _("Factor"),
            _("Group"),
            wave_label(earlier),
            wave_label(wave),
            _("Difference"),
            _("q"),
            "",
        ]
        sections.append(
            Section(
                _("Compared with the previous wave"),
                [Table(header, rows)] if rows else [Paragraph(_("No factor can be compared."))],
            )
        )
    sections.append(Section(_("How the figures are computed"), list(_method_notes(table.k, table.weighted))))
    subtitle = wave_label(wave)
    if table.weighted:
        subtitle += " · " + _("weighted to population counts")
    return Report(
        title=_("Perception survey results: %(survey)s") % {"survey": survey.title},
        subtitle=subtitle,
        sections=sections,
        paper=survey.organization.paper_size,
    )


def _wave_names(tables: list[ResultTable]) -> list[str]:
    with scopes_disabled():
        waves = {w.pk: w for w in Wave.objects.filter(pk__in=[t.wave_id for t in tables])}
    return [wave_label(waves[t.wave_id]) if t.wave_id in waves else str(t.wave_id) for t in tables]
