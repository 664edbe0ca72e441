"""A case's systemic recommendation creates a risk in the risk map, or updates one.

Cases stand above risk mapping and call `risk_from_recommendation` when a handler sends a
recommendation to the risk map. The recommendation's text (written without names) becomes
the risk's note, encrypted like every restricted text. A new risk goes to the latest
assessment open for risks whose scope covers the process; an existing risk gets the note
added and, when its assessment is monitoring, is reopened to be rated again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.risks.access import authorize_risk, process_ancestors
from arusha.risks.models import Cycle, Process, Risk
from arusha.risks.services.cycles import OPEN_FOR_RISKS
from arusha.risks.services.register import risk_create, risk_reopen, risk_update
from arusha.risks.vocabulary import CycleStatus, RiskStatus

TITLE_LENGTH = 120


def open_cycle_for(process: Process) -> Cycle | None:
    """The latest assessment open for risks whose scope covers the process."""
    family = {p.pk for p in process_ancestors(process)}
    with scopes_disabled():
        cycles = Cycle.objects.filter(
            organization_id=process.organization_id, status__in=OPEN_FOR_RISKS
        ).order_by("-created_at", "-id")
        for cycle in cycles.prefetch_related("processes"):
            if family & {p.pk for p in cycle.processes.all()}:
                return cycle
    return None


def _note(text: str, reference: str) -> str:
    day = date_format(timezone.localdate(), "DATE_FORMAT")
    return (
        _("Systemic recommendation from case %(case)s (%(day)s):") % {"case": reference, "day": day}
        + f"\n{text}"
    )


def _may_rate(actor: User | None, obj: Cycle | Risk, field: str) -> None:
    """The risk map's own answer, as a message on the form: a case handler may not know its register."""
    try:
        authorize_risk(actor, "rate", obj)
    except (Http404, PermissionDenied) as error:
        raise DomainError(
            _("You may not change this part of the risk map. Ask an integrity officer to add it."),
            field=field,
        ) from error


def risk_from_recommendation(
    *,
    actor: User | None,
    organization: Organization,
    process: Process,
    text: str,
    reference: str,
    risk: Risk | None = None,
) -> Risk:
    """Create a risk of the process from the recommendation, or add it to `risk`."""
    if process.organization_id != organization.pk:
        raise DomainError(_("Choose a process of the organization's catalogue."), field="process_ref")
    text = text.strip()
    if not text:
        raise DomainError(_("Write the recommendation."), field="text")
    if risk is not None:
        if risk.organization_id != organization.pk:
            raise DomainError(_("Choose a risk of the organization."), field="risk")
        _may_rate(actor, risk, "risk")
        if risk.cycle.status not in OPEN_FOR_RISKS:
            raise DomainError(
                _("The assessment of %(risk)s is %(status)s: its register cannot change.")
                % {"risk": risk.code, "status": risk.cycle.get_status_display()},
                field="risk",
            )
        with scope(organization=organization), transaction.atomic():
            notes = "\n\n".join(part for part in (risk.notes, _note(text, reference)) if part)
            risk_update(actor=actor, risk=risk, values={"notes": notes})
            if risk.cycle.status == CycleStatus.MONITORING and risk.status != RiskStatus.REOPENED:
                risk_reopen(
                    actor=actor,
                    risk=risk,
                    reason=_("A case recommends a change (%(case)s).") % {"case": reference},
                )
            risk.refresh_from_db()
            return risk
    cycle = open_cycle_for(process)
    if cycle is None:
        raise DomainError(
            _("No risk assessment open for risks covers %(process)s. Start one, or link an existing risk.")
            % {"process": process.name},
            field="process_ref",
        )
    _may_rate(actor, cycle, "risk_map")
    title = text.splitlines()[0][:TITLE_LENGTH]
    return risk_create(
        actor=actor,
        cycle=cycle,
        values={"title": title, "process": process, "notes": _note(text, reference)},
    )
