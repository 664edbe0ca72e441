"""What waits for supervisors and handlers in the cases, for their home page.

Registered from CasesConfig.ready (arusha.core.home): cases to acknowledge, cases past a
statutory date, and cases with something unread (a new report, a reporter's message).
Supervisors count every case of the organization, handlers the cases they are assigned
to, as the case list shows them. Counts only, never a reference or content; two queries
at most, whatever the number of organizations and cases.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from arusha.cases.access import HANDLE, SUPERVISE
from arusha.cases.models import Assignment, Case, Status
from arusha.cases.selectors import overdue_q
from arusha.cases.services.workflow import OPEN_STATUSES
from arusha.core.home import WorkItem, Workspace
from arusha.core.models import Organization


def _items(organization: Organization, row: dict[str, int]) -> list[WorkItem]:
    url = reverse("case-list", args=[organization.slug])
    place = str(_("Cases"))

    def item(text: str, count: int, query: str, *, late: bool = False) -> WorkItem:
        return WorkItem(
            organization=organization,
            place=place,
            place_url=url,
            text=text,
            count=count,
            url=f"{url}?{query}",
            late=late,
        )

    items = []
    n = row["to_acknowledge"]
    if n:
        text = ngettext("%(count)s case to acknowledge", "%(count)s cases to acknowledge", n) % {"count": n}
        items.append(item(text, n, "status=submitted", late=row["late_acknowledge"] > 0))
    n = row["overdue"]
    if n:
        text = ngettext(
            "%(count)s case past an acknowledgement or feedback date",
            "%(count)s cases past an acknowledgement or feedback date",
            n,
        ) % {"count": n}
        items.append(item(text, n, "overdue=on", late=True))
    n = row["unread"]
    if n:
        text = ngettext(
            "%(count)s case with a new report or message to read",
            "%(count)s cases with a new report or message to read",
            n,
        ) % {"count": n}
        items.append(item(text, n, "unread=on"))
    return items


def cases_work(workspace: Workspace) -> list[WorkItem]:
    supervised = set(workspace.organizations_with(SUPERVISE))
    handled = set(workspace.organizations_with(HANDLE)) - supervised
    if not supervised and not handled:
        return []
    today = workspace.today
    counts = {
        "to_acknowledge": Count("pk", filter=Q(status=Status.SUBMITTED)),
        "late_acknowledge": Count("pk", filter=Q(status=Status.SUBMITTED, acknowledge_by__lt=today)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "unread": Count("pk", filter=Q(unread_by_staff=True)),
    }
    rows: list[dict[str, int]] = []
    with scopes_disabled():
        open_cases = Case.objects.filter(status__in=OPEN_STATUSES).order_by()
        if supervised:
            rows += (
                open_cases.filter(organization_id__in=supervised).values("organization_id").annotate(**counts)
            )
        if handled:
            mine = Assignment.objects.filter(
                user=workspace.user, ended_at__isnull=True, case__organization_id__in=handled
            ).values("case_id")
            rows += open_cases.filter(pk__in=mine).values("organization_id").annotate(**counts)
    organizations = {org.pk: org for org in workspace.organizations}
    return [item for row in rows for item in _items(organizations[row["organization_id"]], row)]
