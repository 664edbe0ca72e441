"""The final report of an assessment (IDG step 6), generated from its data.

The content is assembled once as sections of paragraphs, tables and charts
(arusha.documents.report), then written out twice: as PDF and as editable DOCX, on the
organization's paper. Both files therefore say the same thing, and the charts are the
very SVG of the results page.
"""

from __future__ import annotations

from django.db.models import Avg
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from arusha.assessments import charts, maturity, selectors
from arusha.assessments.models import Assessment, Feedback, FindingKind, ReportText, Scope
from arusha.assessments.selectors.results import results_of
from arusha.documents import report as document
from arusha.documents.report import Chart, Paragraph, Report, Section, Table
from arusha.frameworks.templatetags.arusha_text import tr


def _date(value: object) -> str:
    return date_format(value) if value else "—"  # type: ignore[arg-type]


def _methodology(assessment: Assessment) -> Section:
    section = Section(_("Description and methodology"))
    section.blocks.append(
        Paragraph(
            _(
                "The administration assessed its integrity situation against %(framework)s, "
                "following the steps of the WCO Integrity Development Guide (Part II)."
            )
            % {"framework": tr(assessment.framework_version.name) or str(assessment.framework_version)}
        )
    )
    excluded = list(assessment.excluded_areas.all())
    rows = [
        [_("Mode"), assessment.get_mode_display()],
        [_("Scope"), assessment.get_scope_display()],
        [_("Planned period"), f"{_date(assessment.planned_start)} - {_date(assessment.planned_end)}"],
        [_("Responsible division"), str(assessment.responsible_division or "—")],
        [_("Earlier assessment"), str(assessment.previous or "—")],
    ]
    section.blocks.append(Table([_("Item"), _("Value")], rows))
    if assessment.scope == Scope.TARGETED and excluded:
        section.blocks.append(
            Table([_("Area left out"), _("Reason")], [[e.area_code, e.reason] for e in excluded])
        )
    steps = selectors.workplan(assessment)
    section.blocks.append(
        Table(
            [_("Step"), _("Activities"), _("Done")],
            [[s.label, str(len(s.tasks)), str(s.done)] for s in steps],
        )
    )
    return section


def _activities(assessment: Assessment) -> Section:
    section = Section(_("Activities, dates and participants"))
    rows = []
    for task in selectors.tasks_of(assessment):
        end = task.completed_on or task.due_date
        days = (end - task.start_date).days + 1 if end and task.start_date else None
        rows.append(
            [
                task.code,
                task.title,
                _date(task.start_date),
                _date(end),
                str(days) if days is not None else "—",
                task.responsible_roles,
                str(task.assignee or "—"),
            ]
        )
    section.blocks.append(
        Table(
            [_("Activity"), _("Title"), _("Start"), _("End"), _("Days"), _("Responsible"), _("Assigned to")],
            rows,
        )
    )
    sessions = selectors.agenda_of(assessment)
    if sessions:
        section.blocks.append(
            Table(
                [_("Date"), _("Time"), _("Session"), _("Led by")],
                [
                    [_date(s.date), f"{s.start_time:%H:%M}-{s.end_time:%H:%M}", s.title, s.lead or "—"]
                    for s in sessions
                ],
            )
        )
    for composition in selectors.working_groups(assessment):
        group = composition.group
        members = ", ".join(f"{p.user} ({p.get_idg_role_display()})" for p in composition.members) or "—"
        section.blocks.append(
            Paragraph(
                _("Working group %(name)s (%(areas)s): %(members)s.")
                % {"name": group.name, "areas": ", ".join(group.area_codes) or "—", "members": members}
            )
        )
    participants = selectors.participants_of(assessment, active_only=True)
    section.blocks.append(
        Table(
            [_("Participant"), _("IDG role"), _("Organization"), _("Working group")],
            [
                [
                    str(p.user),
                    p.get_idg_role_display(),
                    _("Guest") if p.is_guest else str(assessment.organization),
                    str(p.working_group or "—"),
                ]
                for p in participants
            ],
        )
    )
    return section


def _results(assessment: Assessment) -> Section:
    section = Section(_("Results per area"))
    areas = selectors.areas_of(assessment)
    figures = results_of(assessment, areas, selectors.questions_in_scope(assessment, areas))
    drawn = charts.result_charts(figures)
    section.blocks.append(Chart(drawn.radar, _("Maturity profile per area")))
    rows = []
    for row in figures.areas:
        level = row.mean
        # The reading is the level every answer of the area has at least reached on average.
        label = maturity.level_label(int(level)) if level is not None else _("Not determined")
        if not row.answered:
            label = _("Not yet answered")  # a gap on the radar, named the same way
        rows.append(
            [
                f"{row.area.code} {tr(row.area.title)}",
                f"{level}" if level is not None else "—",
                label,
                f"{row.answered}/{row.questions}",
                str(row.agreed),
            ]
        )
    section.blocks.append(Table([_("Area"), _("Mean level"), _("Reading"), _("Answered"), _("Agreed")], rows))
    section.blocks.append(Chart(drawn.distribution, _("Distribution of maturity levels per area")))
    heat_rows = [
        [row.area.code]
        + [
            f"{round(v * 100)} %" if (v := row.heat.get(d.field)) is not None else "—"
            for d in maturity.DIMENSIONS
        ]
        for row in figures.areas
    ]
    section.blocks.append(Table([_("Area"), *[str(d.label) for d in maturity.DIMENSIONS]], heat_rows))
    if figures.earlier_title:
        section.blocks.append(
            Paragraph(
                _("Compared with “%(title)s”, %(count)s questions changed level.")
                % {"title": figures.earlier_title, "count": len(figures.changes)}
            )
        )
    return section


def _findings(assessment: Assessment, text: ReportText) -> Section:
    # Five columns, two of them long texts: the findings need the width of landscape pages.
    section = Section(_("Findings, recommendations and key messages"), wide=True)
    if text.key_messages:
        section.blocks.append(Paragraph(_("Key messages")))
        section.blocks.append(Paragraph(text.key_messages))
    findings = list(selectors.findings_of(assessment))
    for kind in FindingKind:
        rows = [
            [f.area_code, f.title, f.description, f.recommendation or "—", f.get_priority_display()]
            for f in findings
            if f.kind == kind
        ]
        if rows:
            section.blocks.append(Paragraph(str(kind.label)))
            section.blocks.append(
                Table(
                    [_("Area"), _("Finding"), _("What was found"), _("Recommendation"), _("Priority")], rows
                )
            )
    if not findings:
        section.blocks.append(Paragraph(_("No finding was recorded.")))
    return section


def _challenges(assessment: Assessment, text: ReportText) -> Section:
    section = Section(_("Challenges and feedback on the process"))
    section.blocks.append(Paragraph(text.challenges or _("No challenge was recorded.")))
    feedback = Feedback.objects.filter(assessment=assessment)
    count = feedback.count()
    if not count:
        section.blocks.append(Paragraph(_("No participant gave feedback.")))
        return section
    mean = feedback.aggregate(mean=Avg("satisfaction"))["mean"]
    summary = _("%(count)s participants gave feedback.") % {"count": count}
    if mean is not None:
        summary += " " + _("Mean satisfaction: %(mean)s out of 5.") % {"mean": round(mean, 1)}
    section.blocks.append(Paragraph(summary))
    names = {f.name: str(f.verbose_name).capitalize() for f in Feedback._meta.fields}
    # Feedback is summarized without names, so that people speak freely.
    for name in Feedback.TEXTS:
        texts = [getattr(f, name) for f in feedback if getattr(f, name).strip()]
        if texts:
            section.blocks.append(Table([names[name]], [[t] for t in texts]))
    return section


def build(assessment: Assessment) -> Report:
    text = selectors.report_text_of(assessment)
    return Report(
        title=_("Integrity assessment: final report"),
        subtitle=f"{assessment.organization} · {assessment.title} · {date_format(timezone.localdate())}",
        sections=[
            _methodology(assessment),
            _activities(assessment),
            _results(assessment),
            _findings(assessment, text),
            _challenges(assessment, text),
        ],
        paper=assessment.organization.paper_size,
    )


def to_pdf(report: Report) -> bytes:
    return document.to_pdf(report)


def to_docx(report: Report) -> bytes:
    return document.to_docx(report)
