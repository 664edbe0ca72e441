"""Writes of the KPI library: the Annex 11 metadata sheet, dated targets, links to objectives."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.metrics import metric_of
from arusha.core.models import Membership, Organization, User
from arusha.planning import kpis
from arusha.planning.access import EDIT
from arusha.planning.models import (
    Kpi,
    KpiTarget,
    Objective,
    ValueFormat,
)
from arusha.planning.services.plans import editable

KPI_FIELDS = (
    "code",
    "name",
    "description",
    "performance_dimension",
    "formula",
    "variables",
    "unit",
    "value_format",
    "decimals",
    "parts_computed",
    "rationale",
    "typologies",
    "source_of_verification",
    "metric",
    "references",
    "periodicity",
    "disaggregation",
    "baseline_value",
    "baseline_date",
    "direction",
    "disclosure",
    "disclosure_notes",
    "owner",
    "data_custodian",
    "data_steward",
    "limitations",
)


# KpiTarget.value is a DecimalField(max_digits=18, decimal_places=6).
_LIMIT = Decimal("1e12")


def parse_targets(text: str) -> list[tuple[datetime.date, Decimal]]:
    """Lines `2028-12-31: 95` into dated targets; errors name the line."""
    targets: list[tuple[datetime.date, Decimal]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, _colon, value = line.partition(":")
        try:
            date = datetime.date.fromisoformat(day.strip())
            amount = Decimal(value.strip().replace(",", "."))
        except (ValueError, InvalidOperation) as error:
            raise DomainError(
                _("Line %(line)s: write the date (YYYY-MM-DD), a colon, then the target value.")
                % {"line": number},
                field="targets",
            ) from error
        if not amount.is_finite() or abs(amount) >= _LIMIT:
            raise DomainError(
                _("Line %(line)s: the target value is not a number a sheet can hold.") % {"line": number},
                field="targets",
            )
        if any(existing == date for existing, _value in targets):
            raise DomainError(
                _("Line %(line)s: this date has a target already.") % {"line": number}, field="targets"
            )
        targets.append((date, amount))
    return sorted(targets)


def _check_sheet(values: Mapping[str, Any]) -> None:
    """What a sheet needs: a name and valid choices. The rest of Annex 11 may come later.

    An indicator without a formula has its value entered directly for each period.
    """
    if not str(values.get("name", "")).strip():
        raise DomainError(_("Name the indicator."), field="name")
    variables = list(values.get("variables") or [])
    formula = str(values.get("formula", "") or "").strip()
    if formula:
        kpis.check_formula(formula, [v["name"] for v in variables])
    elif variables:
        raise DomainError(
            _("Write the formula over these variables, or remove them to enter values directly."),
            field="formula",
        )
    if values.get("parts_computed") and not (formula and values.get("disaggregation")):
        raise DomainError(
            _("Only an indicator with a formula and a disaggregation is computed from its parts."),
            field="parts_computed",
        )
    check_dimensions(list(values.get("disaggregation") or []))
    decimals = values.get("decimals", 1)
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise DomainError(_("Show from 0 to 6 decimals."), field="decimals")
    unknown = sorted(set(values.get("typologies") or []) - set(kpis.TYPOLOGIES))
    if unknown:
        raise DomainError(_("Unknown typology: %(code)s.") % {"code": unknown[0]}, field="typologies")
    for field, choices in (
        ("periodicity", kpis.Periodicity.values),
        ("direction", kpis.Direction.values),
        ("disclosure", kpis.Disclosure.values),
        ("value_format", ValueFormat.values),
    ):
        if field in values and values[field] not in choices:
            raise DomainError(_("Choose a value."), field=field)
    if values.get("metric") and metric_of(str(values["metric"])) is None:
        raise DomainError(_("The platform computes no such figure."), field="metric")


def check_dimensions(dimensions: Sequence[str]) -> None:
    """Each dimension of the disaggregation once (a measurement keeps one table per dimension)."""
    folded = [str(d).strip().casefold() for d in dimensions]
    twice = next((str(d).strip() for n, d in enumerate(dimensions) if folded[n] in folded[:n]), None)
    if twice is not None:
        raise DomainError(
            _("The disaggregation names “%(dimension)s” twice.") % {"dimension": twice},
            field="disaggregation",
        )


# A sheet made from a name alone (an activity's new indicator) starts with these choices.
_NEW_SHEET = {
    "periodicity": kpis.Periodicity.YEARLY,
    "direction": kpis.Direction.HIGHER,
    "disclosure": kpis.Disclosure.ADMINISTRATION,
}


def _free_code(organization: Organization) -> str:
    """The next code of the form KPI-001 that the library does not use yet."""
    used = set(
        Kpi.objects.filter(organization=organization, code__startswith="KPI-").values_list("code", flat=True)
    )
    number = len(used) + 1
    while f"KPI-{number:03d}" in used:
        number += 1
    return f"KPI-{number:03d}"


def kpi_save(
    *,
    actor: User,
    organization: Organization,
    values: Mapping[str, Any],
    targets: Sequence[tuple[datetime.date, Decimal]] = (),
    related: Sequence[Kpi] = (),
    kpi: Kpi | None = None,
    version: int | None = None,
) -> Kpi:
    """Create or change a KPI of the library with its metadata sheet and dated targets.

    Only the name is required: a new indicator without a code gets the next free one
    (KPI-001…), and one without a formula has its value entered directly. When changing,
    `version` is the one the form was read at: a save over a newer one is refused.
    """
    authorize_in(actor, EDIT, organization)
    values = {**_NEW_SHEET, **values} if kpi is None else values
    _check_sheet(values)
    owner = values.get("owner")
    with scope(organization=organization):
        owner_is_member = (
            owner is None or Membership.objects.filter(organization=organization, user=owner).exists()
        )
    if not owner_is_member:
        raise DomainError(_("The owner must be a member of the administration."), field="owner")
    with scope(organization=organization), transaction.atomic():
        code = str(values.get("code", "") or "").strip()
        if not code:
            code = kpi.code if kpi is not None else _free_code(organization)
        clash = Kpi.objects.filter(organization=organization, code=code)
        if kpi is not None:
            clash = clash.exclude(pk=kpi.pk)
        if clash.exists():
            raise DomainError(_("The code %(code)s is already used.") % {"code": code}, field="code")
        for other in related:
            if other.organization_id != organization.pk or (kpi is not None and other.pk == kpi.pk):
                raise DomainError(_("Link only to other indicators of the library."), field="related")
        before = snapshot(kpi, KPI_FIELDS) if kpi is not None else None
        kpi = kpi or Kpi(organization=organization)
        for field in KPI_FIELDS:
            if field in values:
                value = values[field]
                setattr(kpi, field, value.strip() if isinstance(value, str) else value)
        kpi.code = code
        if before is None:
            kpi.save()
        else:
            save_versioned(kpi, version=version, fields=KPI_FIELDS)
        kpi.related.set(related)
        KpiTarget.objects.filter(kpi=kpi).delete()
        KpiTarget.objects.bulk_create(KpiTarget(kpi=kpi, date=d, value=v) for d, v in targets)
        audit_change(
            actor=actor,
            action="arusha.plan.kpi.created" if before is None else "arusha.plan.kpi.updated",
            obj=kpi,
            organization=organization,
            fields=KPI_FIELDS,
            before=before,
        )
        return kpi


# New indicators named at once from an activity: a few, whose sheets are completed later.
MAX_NEW_KPIS = 20


def kpi_names(names: Sequence[str]) -> list[str]:
    """Names of new indicators as typed, one a line: spaces tidied, blanks dropped, each checked."""
    cleaned: list[str] = []
    if sum(1 for raw in names if raw.strip()) > MAX_NEW_KPIS:
        raise DomainError(
            _("Name at most %(count)s new indicators at a time.") % {"count": MAX_NEW_KPIS}, field="new_kpis"
        )
    for raw in names:
        name = " ".join(raw.split())
        if len(name) > 200:
            raise DomainError(
                _("“%(name)s…” is too long for an indicator's name (200 characters at most).")
                % {"name": name[:40]},
                field="new_kpis",
            )
        if name and name.casefold() not in {n.casefold() for n in cleaned}:
            cleaned.append(name)
    return cleaned


def kpis_from_names(*, actor: User, organization: Organization, names: Sequence[str]) -> list[Kpi]:
    """The library's indicators of these names, each created from its name alone if missing.

    A name already in the library (whatever its case) is reused, never doubled. Call it
    inside the caller's transaction when the indicators are linked to something.
    """
    authorize_in(actor, EDIT, organization)
    found: list[Kpi] = []
    for name in kpi_names(names):
        with scope(organization=organization):
            kpi = Kpi.objects.filter(organization=organization, name__iexact=name).first()
        found.append(kpi or kpi_save(actor=actor, organization=organization, values={"name": name}))
    return found


def kpi_link(*, actor: User, objective: Objective, kpi: Kpi) -> None:
    """Measure an objective of a plan with a KPI of the library."""
    authorize(actor, "edit", objective.plan)
    plan = objective.plan
    editable(plan)
    if kpi.organization_id != plan.organization_id:
        raise DomainError(_("The indicator belongs to another organization."), field="kpi")
    with scope(organization=plan.organization), transaction.atomic():
        kpi.objectives.add(objective)
        audit_record(
            actor=actor,
            action="arusha.plan.kpi.linked",
            obj=objective,
            organization=plan.organization,
            changes={"kpi": [None, str(kpi)]},
        )
