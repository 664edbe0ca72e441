"""Forms of performance contracts. They check shapes; services/contracts.py checks the rules."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arusha.analytics.models import Contract
from arusha.analytics.selectors.scorecard import contract_indicators, office_measures
from arusha.analytics.services.contracts import MAX_INDICATORS, Term, linkable_kpis, plain
from arusha.analytics.vocabulary import Direction
from arusha.core.access import Access
from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.models import Division, Organization

MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
ROWS = range(1, MAX_INDICATORS + 1)


class MonthField(forms.Field):
    """A month typed as YYYY-MM (browsers that know it show a month picker); cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "inputmode": "numeric"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        text = str(value or "").strip()
        if not text:
            return None
        found = MONTH.match(text[:20])
        if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
            raise forms.ValidationError(_("Give a month as YYYY-MM, for example 2026-01."))
        return datetime.date(int(found.group(1)), int(found.group(2)), 1)


class KpiChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class ContractForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Port office performance contract 2026."),
    )
    office = forms.ModelChoiceField(
        label=_("Office or team"), queryset=Division.objects.none(), empty_label=_("— choose —")
    )
    office_code = forms.CharField(
        label=_("Office code in the clearance data"),
        max_length=30,
        required=False,
        help_text=_("Leave it empty to use the division's code. It must be the code the declarations carry."),
    )
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"))
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was agreed beyond the figures: the means given to the office, the reviews planned."
        ),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        access: Access,
        contract: Contract | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=contract is not None)
        cast("forms.ModelChoiceField[Division]", self.fields["office"]).queryset = Division.objects.filter(
            organization=organization
        ).order_by("name")
        measures = [("", _("— none —"))] + [(m.code, f"{m.name} ({m.unit})") for m in office_measures()]
        directions = [("", pgettext_lazy("indicator target", "as the catalogue says")), *Direction.choices]
        kpis = linkable_kpis(access, organization)
        for row in ROWS:
            self.fields[f"indicator_{row}"] = forms.ChoiceField(
                label=_("Indicator %(row)s") % {"row": row}, choices=measures, required=False
            )
            self.fields[f"target_{row}"] = forms.DecimalField(
                label=_("Target %(row)s") % {"row": row}, max_digits=14, decimal_places=4, required=False
            )
            self.fields[f"direction_{row}"] = forms.ChoiceField(
                label=_("Better %(row)s") % {"row": row}, choices=directions, required=False
            )
            self.fields[f"kpi_{row}"] = KpiChoice(
                label=_("Feeds the KPI %(row)s") % {"row": row},
                queryset=kpis,
                required=False,
                empty_label=_("— no KPI —"),
            )

    def main_fields(self) -> list[forms.BoundField]:
        names = ("title", "office", "office_code", "first_month", "last_month", "notes")
        return [self[name] for name in names]

    def rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        """The indicator rows, each as (number, [indicator, target, better, KPI])."""
        return [
            (row, [self[f"{name}_{row}"] for name in ("indicator", "target", "direction", "kpi")])
            for row in ROWS
        ]


def terms_of(data: dict[str, Any]) -> list[Term]:
    """The form's indicator rows as the service takes them, blank ones included (it skips them)."""
    return [
        Term(
            indicator=str(data.get(f"indicator_{row}") or ""),
            target=data.get(f"target_{row}"),
            direction=str(data.get(f"direction_{row}") or ""),
            kpi=data.get(f"kpi_{row}"),
        )
        for row in ROWS
    ]


def contract_values(contract: Contract, *, with_version: bool = True) -> dict[str, Any]:
    """The form's values for the contract as saved (its initial data, and "their version")."""
    values: dict[str, Any] = {
        "title": contract.title,
        "office": contract.office_id,
        "office_code": contract.office_code,
        "first_month": contract.first_month,
        "last_month": contract.last_month,
        "notes": contract.notes,
    }
    for row, item in enumerate(contract_indicators(contract), start=1):
        values[f"indicator_{row}"] = item.indicator
        values[f"target_{row}"] = plain(item.target)
        values[f"direction_{row}"] = item.direction
        values[f"kpi_{row}"] = item.kpi_id
    if with_version:
        values["version"] = contract.version
    return values


class ActForm(forms.Form):
    """A one-button form (agree, close): the version the page was read at, so a double click acts once."""

    version = VersionField(required=True)
