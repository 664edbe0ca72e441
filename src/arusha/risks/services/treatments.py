"""Writes of what is done about a risk: its controls, its treatments (which become action-plan
activities) and the acceptances of a risk left as it is.

A treatment turns into an activity of an action plan through the planning context's own
services, so the plan's rules (who may edit it, an adopted plan is frozen, dates inside
the plan's period) apply and answer with their own messages. The activity names the
risk by its code only: the scheme of a risk (who, how…) never leaves the register.

An acceptance asks to leave a risk at its current level. The cycle's matrix says which
levels may be accepted (above the acceptable level, up to the tolerable one), which role
decides each level, and for how long; zero-tolerance risks are never accepted.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.core.audit import audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Role, User
from arusha.core.permissions import PresetRole
from arusha.planning import services as planning_services
from arusha.risks.access import authorize_risk, process_ancestors
from arusha.risks.appetite import scale_of, standing
from arusha.risks.matrices import Scale, localized
from arusha.risks.models import Acceptance, Control, Risk, Treatment
from arusha.risks.selectors.acceptances import acceptances_expiring
from arusha.risks.services.checks import choice, text
from arusha.risks.services.cycles import not_closed, open_for_risks
from arusha.risks.vocabulary import (
    AcceptanceStatus,
    ControlKind,
    Decision,
    Effectiveness,
    RiskStatus,
    TreatmentStatus,
)

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan, Activity, Kpi, Objective

__all__ = [
    "CONTROL_FIELDS",
    "TREATMENT_FIELDS",
    "acceptance_decide",
    "acceptance_submit",
    "acceptances_expiring",
    "acceptor_label",
    "control_remove",
    "control_save",
    "may_decide",
    "treatment_plan",
    "treatment_save",
]

CONTROL_FIELDS = ("kind", "description", "design", "operation")
TREATMENT_FIELDS = ("title", "description", "owner", "due_on", "status")
MAX_TEXT = 5_000


def _is_member(organization_id: int, user: User) -> bool:
    with scopes_disabled():
        return Membership.objects.filter(organization_id=organization_id, user=user, is_active=True).exists()


def _member(risk: Risk, user: Any, field: str) -> User | None:
    if user is None:
        return None
    if not isinstance(user, User) or not _is_member(risk.organization_id, user):
        raise DomainError(_("Choose an active member of the organization."), field=field)
    return user


Part = TypeVar("Part", Control, Treatment)


def _add_or_change(
    model: type[Part],
    risk: Risk,
    clean: dict[str, Any],
    found: Part | None,
    fields: Sequence[str],
    version: int | None,
) -> tuple[Part, dict[str, Any]]:
    """Add the risk's next control or treatment, or change `found` (read at `version`); with
    its values before (none for a new one)."""
    if found is None:
        last = model.objects.filter(risk=risk).aggregate(last=Max("position"))["last"]
        return model.objects.create(risk=risk, position=(last or 0) + 1, **clean), {}
    before = snapshot(found, fields)
    for name, value in clean.items():
        setattr(found, name, value)
    save_versioned(found, version=version, fields=list(clean))
    return found, before


# --- Controls ------------------------------------------------------------------------------


def _check_control(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": choice(values, "kind", ControlKind.values, _("Choose preventive, detective or corrective.")),
        "description": text(
            values, "description", limit=MAX_TEXT, required=_("Describe the control in a sentence or two.")
        ),
        "design": choice(
            values, "design", Effectiveness.values, _("Choose how well the control is designed.")
        ),
        "operation": choice(
            values, "operation", Effectiveness.values, _("Choose how well the control works in practice.")
        ),
    }


def control_save(
    *,
    actor: User | None,
    risk: Risk,
    values: Mapping[str, Any],
    control: Control | None = None,
    version: int | None = None,
) -> Control:
    """Add a control that exists today against the risk, or change one (`control` given)."""
    authorize_risk(actor, "rate", risk)
    if control is not None and control.risk_id != risk.pk:
        raise DomainError(_("This control belongs to another risk."))
    open_for_risks(risk.cycle)
    clean = _check_control(values)
    with scope(organization=risk.organization), transaction.atomic():
        control, before = _add_or_change(Control, risk, clean, control, CONTROL_FIELDS, version)
        audit_record(
            actor=actor,
            action="arusha.risks.control.saved",
            obj=risk,
            organization=risk.organization,
            changes={"control": [None, control.pk], **diff(before, snapshot(control, CONTROL_FIELDS))},
        )
        return control


def control_remove(*, actor: User | None, control: Control) -> None:
    """Remove a control recorded by mistake or no longer in place."""
    risk = control.risk
    authorize_risk(actor, "rate", risk)
    open_for_risks(risk.cycle)
    with scope(organization=risk.organization), transaction.atomic():
        audit_record(
            actor=actor,
            action="arusha.risks.control.removed",
            obj=risk,
            organization=risk.organization,
            changes={"control": [control.pk, None], **diff(snapshot(control, CONTROL_FIELDS), {})},
        )
        Control.objects.filter(pk=control.pk).delete()


# --- Treatments ----------------------------------------------------------------------------


def _check_treatment(risk: Risk, values: Mapping[str, Any]) -> dict[str, Any]:
    due_on = values.get("due_on")
    if due_on is not None and not isinstance(due_on, datetime.date):
        raise DomainError(_("Give the due date as a date."), field="due_on")
    return {
        "title": text(values, "title", limit=200, required=_("Give the treatment a short title.")),
        "description": text(values, "description", limit=MAX_TEXT),
        "owner": _member(risk, values.get("owner"), "owner"),
        "due_on": due_on,
        "status": choice(
            {"status": values.get("status") or TreatmentStatus.PLANNED},
            "status",
            TreatmentStatus.values,
            _("Choose the treatment's status."),
        ),
    }


def treatment_save(
    *,
    actor: User | None,
    risk: Risk,
    values: Mapping[str, Any],
    treatment: Treatment | None = None,
    version: int | None = None,
) -> Treatment:
    """Add a treatment of the risk, or change one (`treatment` given).

    The first treatment of a risk with no decision yet decides to treat it, and a rated
    risk becomes "treatment planned".
    """
    authorize_risk(actor, "rate", risk)
    if treatment is not None and treatment.risk_id != risk.pk:
        raise DomainError(_("This treatment belongs to another risk."))
    open_for_risks(risk.cycle)
    clean = _check_treatment(risk, values)
    with scope(organization=risk.organization), transaction.atomic():
        new = treatment is None
        treatment, before = _add_or_change(Treatment, risk, clean, treatment, TREATMENT_FIELDS, version)
        changes = _risk_follows_treatment(risk) if new else {}
        audit_record(
            actor=actor,
            action="arusha.risks.treatment.saved",
            obj=risk,
            organization=risk.organization,
            changes={
                "treatment": [None, treatment.pk],
                **diff(before, snapshot(treatment, TREATMENT_FIELDS)),
                **changes,
            },
        )
        return treatment


def _risk_follows_treatment(risk: Risk) -> dict[str, list[Any]]:
    """A new treatment: an undecided risk is to be treated; a rated one has its treatment planned."""
    before = snapshot(risk, ("decision", "status"))
    fields = []
    if risk.decision == Decision.UNDECIDED:
        risk.decision = Decision.TREAT
        fields.append("decision")
    if risk.status == RiskStatus.RATED:
        risk.status = RiskStatus.TREATED
        fields.append("status")
    if fields:
        save_versioned(risk, version=None, fields=fields)
    return diff(before, snapshot(risk, ("decision", "status")))


def _may_perform(plan: ActionPlan, user: User | None) -> bool:
    return user is not None and _is_member(plan.organization_id, user)


def activity_description(treatment: Treatment) -> str:
    """What the activity says of its origin: the risk's code and assessment, never its scheme."""
    risk = treatment.risk
    origin = _("Treats the corruption risk %(code)s of the risk assessment “%(cycle)s”.") % {
        "code": risk.code,
        "cycle": risk.cycle.title,
    }
    return f"{treatment.description}\n\n{origin}" if treatment.description else origin


def treatment_plan(
    *,
    actor: User,
    treatment: Treatment,
    plan: ActionPlan,
    objective: Objective | None = None,
    kpis: Sequence[Kpi] = (),
    new_kpis: Sequence[str] = (),
) -> Activity:
    """Make the treatment an activity of an action plan, with its KPIs, and link the two.

    The activity takes the treatment's title, due date and owner (as performer, when they
    are a member of the plan's organization); its description names the risk by its code,
    and it is marked confidential, so a published plan withholds it.
    The planning services check the plan: who may edit it, whether it is still a draft,
    whether the due date falls in its period.
    """
    risk = treatment.risk
    authorize_risk(actor, "rate", treatment)
    open_for_risks(risk.cycle)
    if treatment.activity_id is not None:
        raise DomainError(_("This treatment is already an activity of an action plan."))
    if plan.organization_id != risk.organization_id:
        raise DomainError(_("Choose an action plan of the organization."), field="plan")
    if objective is not None and objective.plan_id != plan.pk:
        raise DomainError(_("The objective belongs to another plan."), field="objective")
    with transaction.atomic():
        with scope(organization=risk.organization):
            locked = (
                Treatment.objects.select_for_update().filter(pk=treatment.pk, activity__isnull=True).first()
            )
        if locked is None:
            raise DomainError(_("This treatment is already an activity of an action plan."))
        activity = planning_services.activity_create(
            actor=actor,
            plan=plan,
            title=treatment.title,
            description=activity_description(treatment),
            objective=objective,
        )
        # Withheld from the published plan until someone decides otherwise: it names a risk
        # of the confidential register.
        values: dict[str, Any] = {
            "title": activity.title,
            "description": activity.description,
            "confidential": True,
        }
        if objective is not None:
            values["objective"] = objective
        if treatment.due_on is not None:
            values["due_date"] = treatment.due_on
        if _may_perform(plan, treatment.owner):
            values["performer"] = treatment.owner
        activity = planning_services.activity_update(
            actor=actor, activity=activity, values=values, kpis=list(kpis), new_kpis=list(new_kpis)
        )
        with scope(organization=risk.organization):
            Treatment.objects.filter(pk=treatment.pk).update(activity=activity, version=F("version") + 1)
            treatment.refresh_from_db()
            audit_record(
                actor=actor,
                action="arusha.risks.treatment.planned",
                obj=treatment,
                organization=risk.organization,
                changes={
                    "activity": [None, str(activity)],
                    "plan": [None, str(plan)],
                    "kpis": [None, sorted(k.code for k in activity.kpis.all())],
                },
            )
        return activity


# --- Acceptances ---------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _scale(risk: Risk) -> Scale:
    scale = scale_of(risk.cycle)
    if scale is None:
        raise DomainError(_("Choose the risk matrix first."))
    return scale


def _acceptable_now(risk: Risk, scale: Scale, level: str) -> None:
    """Refuse unless a risk at `level` may be accepted at all (the same rules at submission and decision)."""
    rule = standing(risk, scale, [p.code for p in process_ancestors(risk.process)]).zero_tolerance
    if rule is not None:
        raise DomainError(
            _("This risk falls under zero tolerance (%(rule)s): it is never accepted. Plan a treatment.")
            % {"rule": localized(rule.label)}
        )
    if not scale.above_acceptable(level):
        raise DomainError(_("This risk is within the appetite: there is nothing to accept."))
    if not scale.may_be_accepted(level):
        raise DomainError(
            _("A risk at the level %(level)s is above what may be tolerated: it must be treated.")
            % {"level": scale.level_label(level)}
        )


def acceptance_submit(*, actor: User, risk: Risk, reason: str) -> Acceptance:
    """Ask to accept the risk at its current level; its decision becomes "accept"."""
    authorize_risk(actor, "rate", risk)
    open_for_risks(risk.cycle)
    reason_text = text(
        {"reason": reason}, "reason", limit=MAX_TEXT, required=_("Say why the risk may be accepted.")
    )
    scale = _scale(risk)
    level = risk.current_level
    if not level:
        raise DomainError(_("Rate the risk's current level first."))
    _acceptable_now(risk, scale, level)
    with scope(organization=risk.organization), transaction.atomic():
        Risk.objects.select_for_update().filter(pk=risk.pk).first()
        if Acceptance.objects.filter(risk=risk, status=AcceptanceStatus.SUBMITTED).exists():
            raise DomainError(_("An acceptance of this risk is already waiting for a decision."))
        acceptance = Acceptance.objects.create(
            risk=risk,
            level=level,
            reason=reason_text,
            submitted_by=actor,
            submitted_on=timezone.localdate(),
        )
        before = risk.decision
        if risk.decision != Decision.ACCEPT:
            risk.decision = Decision.ACCEPT
            save_versioned(risk, version=None, fields=["decision"])
        audit_record(
            actor=actor,
            action="arusha.risks.acceptance.submitted",
            obj=risk,
            organization=risk.organization,
            changes={
                "acceptance": [None, acceptance.pk],
                "level": [None, level],
                **({"decision": [before, risk.decision]} if before != risk.decision else {}),
            },
        )
        return acceptance


def acceptor_label(scale: Scale, level: str, organization_id: int) -> str:
    """The name of the role that decides on accepting `level` (a preset role or the organization's own)."""
    code = scale.acceptor(level)
    if code is None:
        return ""
    if code in PresetRole.values:
        return str(PresetRole(code).label)
    with scopes_disabled():
        role = (
            Role.objects.filter(organization_id=organization_id, code=code)
            .values_list("name", flat=True)
            .first()
        )
    return role or code


def may_decide(user: User | None, acceptance: Acceptance) -> bool:
    """Whether the person's roles include the role the appetite names for the acceptance's level
    (and the acceptance is not their own). Seeing the risk is checked apart."""
    if user is None or not user.is_authenticated or acceptance.submitted_by_id == user.pk:
        return False
    scale = scale_of(acceptance.risk.cycle)
    role = scale.acceptor(acceptance.level) if scale is not None else None
    if role is None:
        return False
    with scopes_disabled():
        membership = Membership.objects.filter(
            organization_id=acceptance.risk.organization_id, user=user, is_active=True
        ).first()
    return membership is not None and role in (membership.roles or [])


def acceptance_decide(*, actor: User, acceptance: Acceptance, approve: bool) -> Acceptance:
    """Approve or refuse a submitted acceptance.

    Only someone holding the role the appetite names for the level decides, never the one
    who submitted it. An approval lasts the appetite's number of months; a refusal puts
    the risk's decision back to "not decided".
    """
    risk = acceptance.risk
    authorize_risk(actor, "view", acceptance)
    if acceptance.submitted_by_id == actor.pk:
        raise PermissionDenied(_("Someone else decides on an acceptance you submitted."))
    if not may_decide(actor, acceptance):
        scale = scale_of(risk.cycle)
        raise PermissionDenied(
            _("Only a person with the role %(role)s decides on accepting this level.")
            % {
                "role": acceptor_label(scale, acceptance.level, risk.organization_id)
                if scale is not None
                else "—"
            }
        )
    not_closed(risk.cycle)
    if acceptance.status != AcceptanceStatus.SUBMITTED:
        raise DomainError(_("This acceptance has been decided already."))
    if approve:
        scale = _scale(risk)
        if risk.current_level != acceptance.level:
            raise DomainError(
                _("The risk was rated again since this acceptance was submitted: ask for a new one.")
            )
        _acceptable_now(risk, scale, acceptance.level)
    today = timezone.localdate()
    with scope(organization=risk.organization), transaction.atomic():
        values: dict[str, Any] = {
            "status": AcceptanceStatus.APPROVED if approve else AcceptanceStatus.REFUSED,
            "decided_by": actor,
            "decided_on": today,
            "expires_on": add_months(today, _scale(risk).definition.appetite.acceptance_months)
            if approve
            else None,
        }
        # Two deciders at once: the first one's decision stands.
        if not Acceptance.objects.filter(pk=acceptance.pk, status=AcceptanceStatus.SUBMITTED).update(
            **values
        ):
            raise DomainError(_("This acceptance has been decided already."))
        acceptance.refresh_from_db()
        before = snapshot(risk, ("decision", "status"))
        fields = []
        if approve and risk.status not in (RiskStatus.REOPENED, RiskStatus.CLOSED):
            risk.status = RiskStatus.ACCEPTED
            fields.append("status")
        if not approve and risk.decision == Decision.ACCEPT:
            risk.decision = Decision.UNDECIDED
            fields.append("decision")
        if fields:
            save_versioned(risk, version=None, fields=fields)
        audit_record(
            actor=actor,
            action="arusha.risks.acceptance.decided",
            obj=risk,
            organization=risk.organization,
            changes={
                "acceptance": [acceptance.pk, acceptance.pk],
                "status": [AcceptanceStatus.SUBMITTED, acceptance.status],
                **({"expires_on": [None, str(acceptance.expires_on)]} if acceptance.expires_on else {}),
                **{f"risk_{k}": v for k, v in diff(before, snapshot(risk, ("decision", "status"))).items()},
            },
        )
        return acceptance
