"""Writes of the register's risks: identify, describe, rate (with append-only snapshots), reopen.

A risk's levels are read from its cycle's matrix grid for each (likelihood, impact) pair
and kept beside the ranks; every rating appends a RatingSnapshot.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Division, Membership, User
from arusha.frameworks.factors import FACTORS
from arusha.risks.access import OWN, RATE, authorize_risk, conflicted, process_family
from arusha.risks.appetite import scale_of
from arusha.risks.models import RESTRICTED_FIELDS, STAGES, Cycle, Process, RatingSnapshot, Risk, Scenario
from arusha.risks.services.checks import choice, text
from arusha.risks.services.cycles import open_for_risks
from arusha.risks.vocabulary import CorruptionType, CycleStatus, Decision, Knowledge, RiskFactor, RiskStatus

DESCRIPTION_FIELDS = ("title", "process", *RESTRICTED_FIELDS, "corruption_types", "factors", "risk_factors")
RISK_FIELDS = (*DESCRIPTION_FIELDS, "owner", "decision", "review_on", "status")
RATING_FIELDS = tuple(f"{stage}_{part}" for stage in STAGES for part in ("likelihood", "impact", "level"))
MAX_TEXT = 5_000


def _codes(values: Sequence[str], allowed: Sequence[str], field: str, label: str) -> list[str]:
    chosen = [str(v).strip() for v in values if str(v).strip()]
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise DomainError(
            _("Unknown %(what)s: %(codes)s.") % {"what": label, "codes": ", ".join(unknown)}, field=field
        )
    return sorted(set(chosen), key=list(allowed).index)


def _check(cycle: Cycle, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values a risk may take, checked and tidied; errors name the field."""
    clean: dict[str, Any] = {}
    if "title" in values:
        title = str(values["title"] or "").strip()
        if not title:
            raise DomainError(_("Give the risk a short title."), field="title")
        if len(title) > 300:
            raise DomainError(_("Keep the title under 300 characters."), field="title")
        clean["title"] = title
    for name in RESTRICTED_FIELDS:
        if name in values:
            clean[name] = text(values, name, limit=MAX_TEXT)
    if "process" in values:
        process = values["process"]
        if not isinstance(process, Process) or process.organization_id != cycle.organization_id:
            raise DomainError(_("Choose a process of the catalogue."), field="process")
        with scopes_disabled():
            scoped = set(process_family([p.pk for p in cycle.processes.all()]))
        if process.pk not in scoped:
            raise DomainError(_("Choose a process within the assessment's scope."), field="process")
        clean["process"] = process
    if "corruption_types" in values:
        clean["corruption_types"] = _codes(
            values["corruption_types"], CorruptionType.values, "corruption_types", _("corruption types")
        )
    if "factors" in values:
        clean["factors"] = _codes(values["factors"], FACTORS, "factors", _("key factors"))
    if "risk_factors" in values:
        clean["risk_factors"] = _codes(
            values["risk_factors"], RiskFactor.values, "risk_factors", _("risk factors")
        )
    if "owner" in values:
        owner = values["owner"]
        if owner is not None:
            if not isinstance(owner, User):
                raise DomainError(_("The owner must be a member who may own risks."), field="owner")
            _check_owner(cycle, owner)
        clean["owner"] = owner
    if "decision" in values:
        clean["decision"] = choice(values, "decision", Decision.values, _("Choose a treatment decision."))
    if "review_on" in values:
        review_on = values["review_on"]
        if review_on is not None and not isinstance(review_on, datetime.date):
            raise DomainError(_("Give the review date as a date."), field="review_on")
        clean["review_on"] = review_on
    return clean


def _check_owner(cycle: Cycle, owner: User) -> None:
    from arusha.core.access import membership_permissions

    with scopes_disabled():
        membership = Membership.objects.filter(
            organization=cycle.organization, user=owner, is_active=True
        ).first()
    permissions = membership_permissions(membership)
    if membership is None or not ({OWN, RATE} & permissions):
        raise DomainError(_("The owner must be a member who may own risks."), field="owner")


def _check_offices(cycle: Cycle, offices: Sequence[Division]) -> None:
    if any(o.organization_id != cycle.organization_id for o in offices):
        raise DomainError(_("Choose offices of the organization."), field="offices")


def next_code(cycle: Cycle) -> str:
    with scopes_disabled():
        count = cycle.risks.count()
        taken = set(cycle.risks.values_list("code", flat=True))
    number = count + 1
    while f"R-{number:03d}" in taken:
        number += 1
    return f"R-{number:03d}"


def risk_create(
    *,
    actor: User | None,
    cycle: Cycle,
    values: Mapping[str, Any],
    offices: Sequence[Division] = (),
    scenario: Scenario | None = None,
    code: str = "",
) -> Risk:
    """Identify a risk of the cycle (from a scenario of the library, if given)."""
    authorize_risk(actor, "rate", cycle)
    open_for_risks(cycle)
    if scenario is not None:
        if scenario.process.organization_id != cycle.organization_id:
            raise DomainError(_("The scenario belongs to another organization."))
        values = {
            "title": scenario.title,
            "process": scenario.process,
            "corruption_types": scenario.corruption_types,
            "factors": scenario.factors,
            "risk_factors": scenario.risk_factors,
            **{part: text for part, text in scenario.scheme.items() if part in RESTRICTED_FIELDS},
            **values,
        }
    if "process" not in values or "title" not in values:
        raise DomainError(
            _("Give the risk a title and a process."), field="title" if "title" not in values else "process"
        )
    clean = _check(cycle, values)
    _check_offices(cycle, offices)
    code = code.strip()
    if code and len(code) > 20:
        raise DomainError(_("Keep the code under 20 characters."), field="code")
    probe = Risk(cycle=cycle, process=clean["process"])
    if conflicted(actor, probe):
        raise DomainError(_("You declared a conflict of interest on this process."), field="process")
    with scope(organization=cycle.organization), transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        code = code or next_code(cycle)
        if cycle.risks.filter(code=code).exists():
            raise DomainError(
                _("The code %(code)s is already used in this assessment.") % {"code": code}, field="code"
            )
        risk = Risk.objects.create(
            organization=cycle.organization,
            cycle=cycle,
            code=code,
            scenario=scenario,
            created_by=actor,
            **clean,
        )
        risk.offices.set(offices)
        audit_change(
            actor=actor,
            action="arusha.risks.risk.created",
            obj=risk,
            organization=cycle.organization,
            fields=RISK_FIELDS,
        )
        return risk


def risk_update(
    *,
    actor: User | None,
    risk: Risk,
    values: Mapping[str, Any],
    offices: Sequence[Division] | None = None,
    version: int | None = None,
) -> Risk:
    """Change a risk's description, owner, decision or review date."""
    authorize_risk(actor, "rate", risk)
    open_for_risks(risk.cycle)
    clean = _check(risk.cycle, values)
    if offices is not None:
        _check_offices(risk.cycle, offices)
    moved = clean.get("process")
    if (
        moved is not None
        and moved.pk != risk.process_id
        and conflicted(actor, Risk(cycle=risk.cycle, process=moved))
    ):
        # Moving a risk into a process one declared a conflict on would let them rate it there.
        raise DomainError(_("You declared a conflict of interest on this process."), field="process")
    with scope(organization=risk.organization), transaction.atomic():
        before = {**snapshot(risk, RISK_FIELDS), "offices": sorted(o.name for o in risk.offices.all())}
        for name, value in clean.items():
            setattr(risk, name, value)
        save_versioned(risk, version=version, fields=list(clean))
        if offices is not None:
            risk.offices.set(offices)
        after = {**snapshot(risk, RISK_FIELDS), "offices": sorted(o.name for o in risk.offices.all())}
        audit_record(
            actor=actor,
            action="arusha.risks.risk.updated",
            obj=risk,
            organization=risk.organization,
            changes=diff(before, after),
        )
        return risk


Ratings = Mapping[str, tuple[int | None, int | None]]


def _rank(value: Any, limit: int, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        rank = int(value)
    except (TypeError, ValueError) as error:
        raise DomainError(_("Choose a level from the matrix."), field=field) from error
    if not 1 <= rank <= limit:
        raise DomainError(_("Choose a level from 1 to %(n)d.") % {"n": limit}, field=field)
    return rank


def risk_rate(
    *,
    actor: User | None,
    risk: Risk,
    ratings: Ratings,
    knowledge: str = "",
    reason: str = "",
    version: int | None = None,
) -> Risk:
    """Rate the risk at one or more stages ({"inherent": (likelihood, impact), ...}).

    Each pair is all or nothing; the level comes from the matrix's grid. A snapshot of the
    whole rating is appended. A reopened risk rated again is rated once more.
    """
    authorize_risk(actor, "rate", risk)
    cycle = risk.cycle
    if cycle.status not in (CycleStatus.RATING, CycleStatus.TREATMENT, CycleStatus.MONITORING):
        raise DomainError(
            _("Risks are rated while the assessment is at rating, treatment planning or monitoring.")
        )
    scale = scale_of(cycle)
    if scale is None:
        raise DomainError(_("Choose the risk matrix first."))
    rows, columns = scale.size
    unknown = set(ratings) - set(STAGES)
    if unknown:
        raise DomainError(_("Unknown stage: %(stages)s.") % {"stages": ", ".join(sorted(unknown))})
    if knowledge and knowledge not in Knowledge.values:
        raise DomainError(_("Choose how strong the knowledge is."), field="knowledge")
    if not ratings and not knowledge:
        raise DomainError(_("Rate the risk at one stage at least."))
    pairs: dict[str, tuple[int | None, int | None]] = {}
    for stage, given in ratings.items():
        if not isinstance(given, tuple | list) or len(given) != 2:
            raise DomainError(_("Give both likelihood and impact, or neither."), field=f"{stage}_likelihood")
        likelihood, impact = given
        pair = (_rank(likelihood, rows, f"{stage}_likelihood"), _rank(impact, columns, f"{stage}_impact"))
        if (pair[0] is None) != (pair[1] is None):
            missing = f"{stage}_impact" if pair[1] is None else f"{stage}_likelihood"
            raise DomainError(_("Give both likelihood and impact, or neither."), field=missing)
        pairs[stage] = pair
    with scope(organization=risk.organization), transaction.atomic():
        before = snapshot(risk, (*RATING_FIELDS, "knowledge", "status"))
        fields: list[str] = []
        for stage, (likelihood, impact) in pairs.items():
            level = scale.level(likelihood, impact) if likelihood is not None and impact is not None else ""
            setattr(risk, f"{stage}_likelihood", likelihood)
            setattr(risk, f"{stage}_impact", impact)
            setattr(risk, f"{stage}_level", level)
            fields += [f"{stage}_likelihood", f"{stage}_impact", f"{stage}_level"]
        if knowledge:
            risk.knowledge = knowledge
            fields.append("knowledge")
        if (
            risk.rated("inherent")
            and risk.rated("current")
            and risk.status
            in (
                RiskStatus.IDENTIFIED,
                RiskStatus.REOPENED,
            )
        ):
            risk.status = RiskStatus.RATED
            fields.append("status")
        save_versioned(risk, version=version, fields=fields)
        RatingSnapshot.objects.create(
            risk=risk,
            **{name: getattr(risk, name) for name in RATING_FIELDS},
            knowledge=risk.knowledge,
            reason=reason.strip()[:300],
            rated_by=actor,
        )
        audit_record(
            actor=actor,
            action="arusha.risks.risk.rated",
            obj=risk,
            organization=risk.organization,
            changes=diff(before, snapshot(risk, (*RATING_FIELDS, "knowledge", "status"))),
        )
        return risk


def risk_reopen(*, actor: User | None, risk: Risk, reason: str) -> Risk:
    """Reopen a risk (a key risk indicator turned red, or someone saw it change): it must be rated again."""
    authorize_risk(actor, "rate", risk)
    if not reason.strip():
        raise DomainError(_("Say why the risk is reopened."), field="reason")
    with scope(organization=risk.organization), transaction.atomic():
        locked = Risk.objects.select_for_update().get(pk=risk.pk)
        if locked.status == RiskStatus.REOPENED:
            return locked
        before = locked.status
        locked.status = RiskStatus.REOPENED
        locked.reopened_on = timezone.localdate()
        locked.reopen_reason = reason.strip()[:300]
        save_versioned(locked, version=None, fields=["status", "reopened_on", "reopen_reason"])
        audit_record(
            actor=actor,
            action="arusha.risks.risk.reopened",
            obj=locked,
            organization=locked.organization,
            changes={"status": [before, RiskStatus.REOPENED], "reason": [None, locked.reopen_reason]},
        )
        risk.refresh_from_db()
        return locked


def risk_delete(*, actor: User, risk: Risk) -> None:
    """Remove a risk identified by mistake, while the cycle is still at identification."""
    authorize_risk(actor, "rate", risk)
    if risk.cycle.status != CycleStatus.IDENTIFICATION:
        raise DomainError(_("Risks are removed only during identification; later, close them with a reason."))
    with scopes_disabled():
        if RatingSnapshot.objects.filter(risk=risk).exists():
            raise DomainError(_("This risk has been rated: its ratings are kept, so it cannot be removed."))
    with scope(organization=risk.organization), transaction.atomic():
        audit_record(
            actor=actor, action="arusha.risks.risk.deleted", obj=risk, organization=risk.organization
        )
        Risk.objects.filter(pk=risk.pk).delete()
