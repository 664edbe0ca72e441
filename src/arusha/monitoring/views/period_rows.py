"""The rows of the reporting-period page, built in Python.

The page lists every activity and every indicator of the plan (hundreds of rows). A
template loop with a `{% url %}`, a few `{% if %}` and translations per row cost more
than the rest of the page together; here each label is translated once, each address
is reversed once and filled in per row, and the rows are joined with format_html.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from arusha.monitoring import rates
from arusha.monitoring.access import Rights
from arusha.monitoring.models import ActivityStatus

if TYPE_CHECKING:
    from arusha.monitoring.models import Measurement, ProgressReport, ReportingPeriod
    from arusha.planning.models import ActionPlan, Activity, Kpi

NOTHING = SafeString("")
# Stands for the identifier in an address reversed once, then replaced per row.
_SENTINEL = 2147483001


def _addresses(name: str, plan: ActionPlan, key: str, **kwargs: Any) -> Callable[[int], str]:
    """The address of `name` for any value of the keyword `key`, from one reverse()."""
    address = reverse(
        name, kwargs={"organization": plan.organization.slug, "plan": plan.pk, key: _SENTINEL, **kwargs}
    )
    head, _found, tail = address.partition(str(_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


def report_rows(
    plan: ActionPlan,
    period: ReportingPeriod,
    reports: list[tuple[Activity, ProgressReport | None]],
    can: Rights,
    *,
    started: bool,
) -> SafeString:
    """One row per activity: performer, % done, status, and the link to report or read."""
    progress = _addresses("monitoring-progress", plan, "activity", pk=period.pk)
    statuses = {value: str(label) for value, label in ActivityStatus.choices}
    not_reported = format_html('<span class="muted">{}</span>', _("not reported"))
    update, report_label, read_label = _("Update the report"), _("Report"), _("Read")

    def link(activity: Activity, report: ProgressReport | None) -> SafeString:
        if not started:
            return NOTHING
        if can.report_on(activity):
            label = update if report else report_label
        elif report:
            label = read_label
        else:
            return NOTHING
        return format_html(
            '<a href="{}">{}<span class="visually-hidden">: {}</span></a>',
            progress(activity.pk),
            label,
            activity.title,
        )

    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                activity.title,
                activity.performer or "—",
                report.percent_done if report else not_reported,
                statuses.get(report.status, report.status) if report else "—",
                link(activity, report),
            )
            for activity, report in reports
        ),
    )


def measurement_rows(
    request: HttpRequest,
    plan: ActionPlan,
    period: ReportingPeriod,
    measurements: list[tuple[Kpi, Measurement | None]],
    can: Rights,
    *,
    started: bool,
) -> SafeString:
    """One row per indicator: its value (and each category's, rounded as the KPI says), who entered
    it, its verification (with the button for the coordinator), and the link to enter or change it."""
    entry = _addresses("monitoring-measurement", plan, "kpi", pk=period.pk)
    verify = _addresses("monitoring-verify", plan, "pk")
    token = get_token(request)
    not_measured = format_html('<span class="muted">{}</span>', _("not measured"))
    change, enter, verify_label, not_yet = _("Change"), _("Enter"), _("Verify"), _("not yet")

    def value(kpi: Kpi, m: Measurement | None) -> SafeString:
        if m is None:
            return not_measured
        summary = rates.summary(kpi, m.disaggregated)
        if not summary:
            return format_html("{}", rates.format_value(m.value, kpi))
        return format_html(
            '{}<br><span class="muted small">{}</span>', rates.format_value(m.value, kpi), summary
        )

    def verified(kpi: Kpi, m: Measurement | None) -> SafeString:
        if m is None:
            return SafeString("—")
        if m.verified_at:
            return format_html("{}", _("by %(who)s") % {"who": m.verified_by})
        if not can.verify(m):
            return format_html("{}", not_yet)
        return format_html(
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="version" value="{}">'
            '<button type="submit" class="secondary">{}<span class="visually-hidden">: {}</span></button>'
            "</form>",
            verify(m.pk),
            token,
            m.version,
            verify_label,
            kpi.code,
        )

    def link(kpi: Kpi, m: Measurement | None) -> SafeString:
        if not started or not can.measure(kpi):
            return NOTHING
        return format_html(
            '<a href="{}">{}<span class="visually-hidden">: {}</span></a>',
            entry(kpi.pk),
            change if m else enter,
            kpi.code,
        )

    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                kpi,
                value(kpi, m),
                (m.entered_by if m else None) or "—",
                verified(kpi, m),
                link(kpi, m),
            )
            for kpi, m in measurements
        ),
    )
