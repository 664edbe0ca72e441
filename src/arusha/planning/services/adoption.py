"""Writes of a plan's approval: sign-offs, adoption, revisions and publication (IDG Part III, step 6)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core import services as core_services
from arusha.core.access import authorize
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.planning.models import (
    ActionPlan,
    Activity,
    PlanRevision,
    PlanStatus,
    SignOff,
    SignOffStage,
)

_NEXT_STAGE = {
    SignOffStage.WORKING_GROUP: None,
    SignOffStage.HEAD: SignOffStage.WORKING_GROUP,
    SignOffStage.MINISTER: SignOffStage.HEAD,
}


def plan_sign_off(
    *,
    actor: User,
    plan: ActionPlan,
    stage: str,
    date: datetime.date,
    signed_by: str,
    note: str = "",
    upload: UploadedFile | None = None,
) -> SignOff:
    """Record a step of the approval: the working group, then the head of administration
    (which adopts the plan), then, if sought, the minister's endorsement."""
    authorize(actor, "edit", plan)
    if stage not in SignOffStage.values:
        raise DomainError(_("Choose the stage of the sign-off."), field="stage")
    if not signed_by.strip():
        raise DomainError(_("Say who signed."), field="signed_by")
    with scope(organization=plan.organization), transaction.atomic():
        done = set(SignOff.objects.filter(plan=plan, revision=plan.revision).values_list("stage", flat=True))
        if stage in done:
            raise DomainError(_("This stage is already signed for this revision."), field="stage")
        before_stage = _NEXT_STAGE[SignOffStage(stage)]
        if before_stage is not None and before_stage not in done:
            raise DomainError(
                _("The plan needs the sign-off of “%(stage)s” first.") % {"stage": before_stage.label},
                field="stage",
            )
        document = None
        if upload is not None:
            document = core_services.attachment_add(
                actor=actor, organization=plan.organization, target=plan, upload=upload
            )
        sign_off = SignOff.objects.create(
            plan=plan,
            revision=plan.revision,
            stage=stage,
            date=date,
            signed_by=signed_by.strip(),
            note=note.strip(),
            document=document,
            recorded_by=actor,
        )
        if stage == SignOffStage.HEAD:
            plan.status, plan.adopted_on = PlanStatus.ADOPTED, date
            plan.save(update_fields=["status", "adopted_on"])
        audit_change(
            actor=actor,
            action="arusha.plan.signed_off",
            obj=sign_off,
            organization=plan.organization,
            fields=("stage", "date", "signed_by", "note"),
        )
        return sign_off


def plan_content(plan: ActionPlan) -> dict[str, Any]:
    """What a revision keeps of the plan: enough to say later what changed."""
    activities = (
        Activity.objects.filter(plan=plan)
        .select_related("objective", "performer", "responsible_division")
        .prefetch_related("kpis")
        .order_by("id")
    )
    return {
        "strategic_plan": plan.strategic_plan,
        "national_strategy": plan.national_strategy,
        "outcomes": [f"{o.get_level_display()}: {o.statement}" for o in plan.outcomes.all()],
        "objectives": [
            f"{o.what} | {o.measure} | {o.target} | {o.deadline.isoformat() if o.deadline else ''}"
            for o in plan.objectives.all()
        ],
        "activities": {
            str(a.pk): {
                "title": a.title,
                "objective": str(a.objective or ""),
                "priority": a.priority,
                "division": str(a.responsible_division or ""),
                "performer": str(a.performer or ""),
                "kpis": "\n".join(k.name for k in a.kpis.all()),
                "target": a.target,
                "budget": f"{a.budget_amount} {a.budget_currency}".strip()
                if a.budget_amount is not None
                else "",
                "start": a.start_date.isoformat() if a.start_date else "",
                "due": a.due_date.isoformat() if a.due_date else "",
                "confidential": a.confidential,
            }
            for a in activities
        },
    }


def plan_revise(*, actor: User, plan: ActionPlan, reason: str) -> PlanRevision:
    """Reopen an adopted plan for changes: its adopted content is kept as a revision, with the reason."""
    authorize(actor, "edit", plan)
    if plan.status != PlanStatus.ADOPTED:
        raise DomainError(_("Only an adopted plan is revised; a draft is changed directly."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the revision."), field="reason")
    with scope(organization=plan.organization), transaction.atomic():
        revision = PlanRevision.objects.create(
            plan=plan,
            number=plan.revision,
            reason=reason.strip(),
            content=plan_content(plan),
            adopted_on=plan.adopted_on,
            created_by=actor,
        )
        plan.revision += 1
        # The public sees adopted plans only: the draft of the next revision is withdrawn.
        plan.status, plan.adopted_on, plan.published = PlanStatus.DRAFT, None, False
        plan.save(update_fields=["revision", "status", "adopted_on", "published"])
        audit_record(
            actor=actor,
            action="arusha.plan.revised",
            obj=plan,
            organization=plan.organization,
            changes={"revision": [revision.number, plan.revision], "reason": [None, revision.reason]},
        )
        return revision


def plan_publish(*, actor: User, plan: ActionPlan, published: bool) -> ActionPlan:
    """Show the adopted plan to the public, confidential activities withheld, or stop showing it."""
    authorize(actor, "edit", plan)
    if published and plan.status != PlanStatus.ADOPTED:
        raise DomainError(_("Only an adopted plan is published."))
    with scope(organization=plan.organization), transaction.atomic():
        before = snapshot(plan, ("published",))
        plan.published = published
        plan.save(update_fields=["published"])
        audit_change(
            actor=actor,
            action="arusha.plan.published" if published else "arusha.plan.unpublished",
            obj=plan,
            organization=plan.organization,
            fields=("published",),
            before=before,
        )
        return plan
