"""Reads of the cases context: the staff desk's list of cases, metadata only.

The list never opens content: it shows what a case row keeps in the clear (reference,
channel, category, office, status, dates, handler, flags). Who sees which rows is the
case policy's answer (`policy_for(Case).visible`): supervisors every case of the
organization, handlers the cases they are assigned to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.models import Assignment, Case, Category, Channel, Status
from arusha.cases.services.workflow import OPEN_STATUSES
from arusha.core.access import Access, policy_for
from arusha.core.models import Division, Organization

CLOSED_STATUSES = (Status.CLOSED, Status.ARCHIVED, Status.PURGED)

# Sort keys offered on the list, each with the columns it orders by. The first column
# of each is the one an index starts with after the organization (case_received_idx,
# case_status_idx), so a page of the newest cases reads in index order.
SORTS: dict[str, tuple[str, ...]] = {
    "-received": ("-received_on", "-reference"),
    "received": ("received_on", "reference"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "status": ("status", "-received_on"),
    "-status": ("-status", "-received_on"),
    "acknowledge_by": ("acknowledge_by", "reference"),
    "-acknowledge_by": ("-acknowledge_by", "reference"),
    "feedback_by": ("feedback_by", "reference"),
    "-feedback_by": ("-feedback_by", "reference"),
}
DEFAULT_SORT = "-received"
GROUPS = {"open": _("Open"), "closed": _("Closed"), "all": _("All")}


@dataclass(frozen=True)
class CaseFilters:
    group: str = "open"
    status: str = ""
    channel: int | None = None
    category: int | None = None
    office: int | None = None
    overdue: bool = False
    mine: bool = False
    unread: bool = False
    reference: str = ""
    sort: str = DEFAULT_SORT


def visible_cases(access: Access, organization: Organization) -> QuerySet[Case]:
    """Every case of the organization the person may see (policy's answer), unfiltered."""
    return policy_for(Case).visible(access, Case.objects.filter(organization=organization))


def overdue_q(today: datetime.date) -> Q:
    """Open cases past a statutory date not met yet (the dates never move, hold or not)."""
    late = Q(acknowledged_on__isnull=True, acknowledge_by__lt=today) | Q(
        feedback_on__isnull=True, feedback_by__lt=today
    )
    return late & Q(status__in=OPEN_STATUSES)


def case_list(
    access: Access, organization: Organization, filters: CaseFilters, today: datetime.date
) -> QuerySet[Case]:
    """The cases the person may see, filtered and sorted, with what a row shows joined in."""
    cases = visible_cases(access, organization)
    if filters.group == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.group == "closed":
        cases = cases.filter(status__in=CLOSED_STATUSES)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.channel is not None:
        cases = cases.filter(channel_id=filters.channel)
    if filters.category is not None:
        cases = cases.filter(category_id=filters.category)
    if filters.office is not None:
        cases = cases.filter(office_id=filters.office)
    if filters.overdue:
        cases = cases.filter(overdue_q(today))
    if filters.unread:
        cases = cases.filter(unread_by_staff=True)
    if filters.mine and access.user is not None:
        with scopes_disabled():
            mine = Assignment.objects.filter(case=OuterRef("pk"), user=access.user, ended_at__isnull=True)
        cases = cases.filter(Exists(mine))
    if filters.reference:
        cases = cases.filter(reference__icontains=filters.reference)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return cases.select_related("channel", "category", "office", "handler").order_by(*order)


def channels_of(organization: Organization) -> list[Channel]:
    return list(Channel.objects.filter(organization=organization).order_by("name"))


def categories_of(organization: Organization) -> list[Category]:
    return list(Category.objects.filter(organization=organization).order_by("name"))


def offices_of(organization: Organization) -> list[Division]:
    return list(Division.objects.filter(organization=organization).order_by("name"))


@dataclass(frozen=True)
class Deadline:
    """A statutory date as a row shows it: met, overdue, soon (within the reminder delay) or ahead."""

    due: datetime.date
    done: datetime.date | None
    state: str  # done | overdue | soon | "" (ahead) | stopped (the case closed without it)


def deadline(due: datetime.date, done: datetime.date | None, case: Case, today: datetime.date) -> Deadline:
    if done is not None:
        return Deadline(due, done, "done")
    if case.status in CLOSED_STATUSES:
        return Deadline(due, None, "stopped")
    if due < today:
        return Deadline(due, None, "overdue")
    if due <= today + datetime.timedelta(days=case.channel.remind_days):
        return Deadline(due, None, "soon")
    return Deadline(due, None, "")


@dataclass(frozen=True)
class CaseRow:
    """A case as the list (and the case page's panel) shows it: metadata only."""

    case: Case
    acknowledge: Deadline
    feedback: Deadline

    @property
    def status_label(self) -> str:
        return str(Status(self.case.status).label)

    @property
    def overdue(self) -> bool:
        return "overdue" in (self.acknowledge.state, self.feedback.state)


def case_row(case: Case, today: datetime.date) -> CaseRow:
    return CaseRow(
        case=case,
        acknowledge=deadline(case.acknowledge_by, case.acknowledged_on, case, today),
        feedback=deadline(case.feedback_by, case.feedback_on, case, today),
    )
