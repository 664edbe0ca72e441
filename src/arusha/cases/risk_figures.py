"""What cases tell the risk map about a process (arusha.risks.figures), registered from CasesConfig.ready.

Two counts for the per-process thread: the cases closed in the period whose category
falls under one of the risks' key factors (from the de-identified records, with the
statistics' small-cell rule: a count under the smallest shown is None), and the
systemic recommendations written in the period about the process or one under it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.models import Recommendation
from arusha.cases.statistics import Period, count_hidden, minimum_of, records_of
from arusha.core.models import Organization
from arusha.risks.figures import ProcessFigure, register_process_figures


def process_counts(
    organization: Organization,
    process_ids: Sequence[int],
    factors: Sequence[str],
    start: datetime.date,
    end: datetime.date,
) -> list[ProcessFigure]:
    minimum = minimum_of(organization)
    records = records_of(organization, Period(start, end))
    closed = sum(1 for record in records if record["factor"] in set(factors))
    with scopes_disabled():
        recommendations = Recommendation.objects.filter(
            case__organization=organization,
            process_ref_id__in=list(process_ids),
            written_on__gte=start,
            written_on__lte=end,
        ).count()
    return [
        ProcessFigure(
            _("Cases closed in categories of these key factors"),
            None if count_hidden(closed, minimum) else closed,
            _("fewer than %(minimum)d") % {"minimum": minimum} if count_hidden(closed, minimum) else "",
        ),
        ProcessFigure(_("Systemic recommendations from cases about this process"), recommendations),
    ]


def register() -> None:
    register_process_figures("cases", _("Complaints and cases"), process_counts)
