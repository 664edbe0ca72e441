"""Arm's-length rules: who may not work on a matter about whom.

A context that assigns people to confidential work (a case, a declaration review)
asks `conflicts_of(assignee, subjects, rules)` before it assigns, and refuses or asks
for an override when the answer is not empty. The reasons come from the data core
holds: the subject is the assignee; they sit in each other's reporting line (up to
`line_levels` levels, either way); they share a division; one has declared a
relationship with the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.core.models import Membership, Relationship


class ConflictReason(models.TextChoices):
    IS_SUBJECT = "is_subject", _("is a subject of the matter")
    REPORTING_LINE = "reporting_line", _("is in the reporting line of a subject")
    SAME_UNIT = "same_unit", _("works in the same division as a subject")
    RELATIONSHIP = "relationship", _("has a declared relationship with a subject")


@dataclass(frozen=True)
class ConflictRules:
    """What counts as a conflict; each organization or channel may set its own."""

    line_levels: int = 2
    same_unit: bool = True
    relationships: bool = True


@dataclass(frozen=True)
class Conflict:
    reason: ConflictReason
    subject: Membership

    @property
    def label(self) -> str:
        return str(self.reason.label)


def _line(member: Membership, levels: int) -> list[int]:
    """The ids of the members above `member`, up to `levels` levels."""
    found: list[int] = []
    current = member
    with scopes_disabled():
        for _level in range(levels):
            if current.reports_to_id is None or current.reports_to_id in found:
                break
            found.append(current.reports_to_id)
            nxt = Membership.objects.filter(pk=current.reports_to_id).first()
            if nxt is None:
                break
            current = nxt
    return found


def conflicts_of(
    assignee: Membership, subjects: Iterable[Membership], rules: ConflictRules | None = None
) -> list[Conflict]:
    """Every reason why `assignee` may not work at arm's length on a matter about `subjects`."""
    rules = rules or ConflictRules()
    found: list[Conflict] = []
    above_assignee = _line(assignee, rules.line_levels)
    today = timezone.localdate()
    for subject in subjects:
        if subject.pk == assignee.pk or subject.user_id == assignee.user_id:
            found.append(Conflict(ConflictReason.IS_SUBJECT, subject))
            continue
        if assignee.pk in _line(subject, rules.line_levels) or subject.pk in above_assignee:
            found.append(Conflict(ConflictReason.REPORTING_LINE, subject))
        if (
            rules.same_unit
            and subject.division_id is not None
            and subject.division_id == assignee.division_id
        ):
            found.append(Conflict(ConflictReason.SAME_UNIT, subject))
        if rules.relationships:
            with scopes_disabled():
                related = (
                    Relationship.objects.filter(
                        Q(member=assignee, other=subject) | Q(member=subject, other=assignee)
                    )
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
                    .exists()
                )
            if related:
                found.append(Conflict(ConflictReason.RELATIONSHIP, subject))
    return found
