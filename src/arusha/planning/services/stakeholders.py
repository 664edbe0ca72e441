"""Writes of the stakeholder register and the consultations held on a plan (IDG Part III, step 4)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_change
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.planning.access import EDIT
from arusha.planning.models import (
    ActionPlan,
    Consultation,
    ConsultationFormat,
    Stakeholder,
    StakeholderKind,
)


def stakeholder_add(
    *, actor: User, organization: Organization, name: str, kind: str, contact: str = "", interest: str = ""
) -> Stakeholder:
    authorize_in(actor, EDIT, organization)
    name = name.strip()
    if not name:
        raise DomainError(_("Name the stakeholder."), field="name")
    if kind not in StakeholderKind.values:
        raise DomainError(_("Choose the kind of stakeholder."), field="kind")
    with scope(organization=organization), transaction.atomic():
        if Stakeholder.objects.filter(organization=organization, name=name).exists():
            raise DomainError(_("%(name)s is already in the register.") % {"name": name}, field="name")
        stakeholder = Stakeholder.objects.create(
            organization=organization,
            name=name,
            kind=kind,
            contact=contact.strip(),
            interest=interest.strip(),
        )
        audit_change(
            actor=actor,
            action="arusha.plan.stakeholder.added",
            obj=stakeholder,
            organization=organization,
            fields=("name", "kind", "contact", "interest"),
        )
        return stakeholder


def consultation_add(
    *,
    actor: User,
    plan: ActionPlan,
    stakeholder: Stakeholder,
    date: datetime.date,
    format: str,  # the field's name in the model and the form
    feedback: str,
    answer: str = "",
) -> Consultation:
    """Record a consultation of a stakeholder on the plan, and how the plan answers it."""
    authorize(actor, "edit", plan)
    if stakeholder.organization_id != plan.organization_id:
        raise DomainError(_("The stakeholder is not in this administration's register."), field="stakeholder")
    if format not in ConsultationFormat.values:
        raise DomainError(_("Choose how the stakeholder was consulted."), field="format")
    if not feedback.strip():
        raise DomainError(_("Write the feedback the stakeholder gave."), field="feedback")
    with scope(organization=plan.organization), transaction.atomic():
        consultation = Consultation.objects.create(
            plan=plan,
            stakeholder=stakeholder,
            date=date,
            format=format,
            feedback=feedback.strip(),
            answer=answer.strip(),
            recorded_by=actor,
        )
        audit_change(
            actor=actor,
            action="arusha.plan.consultation.added",
            obj=consultation,
            organization=plan.organization,
            fields=("stakeholder", "date", "format", "feedback", "answer"),
        )
        return consultation
