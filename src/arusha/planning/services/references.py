"""Writes of a KPI's reference values: the same indicator measured elsewhere (another
administration, a regional average), with its source, drawn beside the KPI's own series."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.access import authorize_in
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.planning.access import EDIT
from arusha.planning.models import Kpi, KpiReference

REFERENCE_FIELDS = ("label", "source", "date", "value")
# KpiReference.value is a DecimalField(max_digits=18, decimal_places=6).
_LIMIT = Decimal("1e12")


def _value(raw: object) -> Decimal:
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    if not text:
        raise DomainError(_("Give the value."), field="value")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise DomainError(_("“%(value)s” is not a number.") % {"value": text[:30]}, field="value") from error
    if not value.is_finite() or abs(value) >= _LIMIT:
        raise DomainError(_("“%(value)s” is not a number.") % {"value": text[:30]}, field="value")
    return value.quantize(Decimal("0.000001"))


def reference_add(
    *, actor: User, kpi: Kpi, label: str, source: str, date: datetime.date, value: object
) -> KpiReference:
    """Add a value of a reference series (its label, e.g. "Regional average") on a date."""
    authorize_in(actor, EDIT, kpi.organization)
    label, source = " ".join(label.split()), source.strip()
    if not label:
        raise DomainError(_("Name the series, e.g. Regional average."), field="label")
    if len(label) > 100:
        raise DomainError(_("Name the series in at most 100 characters."), field="label")
    if not source:
        raise DomainError(_("Say where the value comes from."), field="source")
    if len(source) > 300:
        raise DomainError(_("Give the source in at most 300 characters."), field="source")
    if not isinstance(date, datetime.date):
        raise DomainError(_("Give the date the value refers to."), field="date")
    amount = _value(value)
    with scope(organization=kpi.organization), transaction.atomic():
        # One series per name, whatever the case it is typed in: "regional average" joins
        # "Regional average" rather than drawing a second line beside it.
        series = KpiReference.objects.filter(kpi=kpi).values_list("label", flat=True).distinct()
        label = next((known for known in series if known.casefold() == label.casefold()), label)
        taken = DomainError(
            _("%(label)s already has a value on this date: delete it first.") % {"label": label}, field="date"
        )
        if KpiReference.objects.filter(kpi=kpi, label=label, date=date).exists():
            raise taken
        try:
            # Two people adding the same value at once: the database's unique constraint decides.
            with transaction.atomic():
                reference = KpiReference.objects.create(
                    kpi=kpi, label=label, source=source, date=date, value=amount
                )
        except IntegrityError:
            raise taken from None
        audit_change(
            actor=actor,
            action="arusha.plan.kpi.reference.added",
            obj=reference,
            organization=kpi.organization,
            fields=REFERENCE_FIELDS,
        )
        return reference


def reference_delete(*, actor: User, reference: KpiReference) -> None:
    """Remove a reference value; the audit trail keeps what it was."""
    kpi = reference.kpi
    authorize_in(actor, EDIT, kpi.organization)
    with scope(organization=kpi.organization), transaction.atomic():
        before = snapshot(reference, REFERENCE_FIELDS)
        audit_record(
            actor=actor,
            action="arusha.plan.kpi.reference.deleted",
            obj=reference,
            organization=kpi.organization,
            changes={field: [value, None] for field, value in before.items()},
        )
        KpiReference.objects.filter(pk=reference.pk).delete()
