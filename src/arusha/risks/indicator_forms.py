"""Forms of key risk indicators and their readings: they parse input; the services enforce the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from arusha.assessments.forms import DateInput
from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.metrics import metric_choices
from arusha.core.models import Organization
from arusha.planning import selectors as planning_selectors
from arusha.risks.services.indicators import SPANS
from arusha.risks.vocabulary import Direction, IndicatorSource

if TYPE_CHECKING:
    from arusha.planning.models import Kpi


def _number(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=18, decimal_places=6, help_text=help_text)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    source = forms.ChoiceField(
        label=_("Values come from"), choices=IndicatorSource.choices, widget=forms.RadioSelect
    )
    kpi = forms.ChoiceField(
        label=_("KPI"), required=False, help_text=_("When the values come from a KPI's measurements.")
    )
    metric = forms.ChoiceField(
        label=_("Figure"),
        required=False,
        help_text=_("When the values come from a figure the platform computes (cases, surveys…)."),
    )
    direction = forms.ChoiceField(label=_("Which way is worse"), choices=Direction.choices)
    amber = _number(_("Amber from"), _("Values at this threshold or beyond it are amber."))
    red = _number(
        _("Red from"), _("Values at this threshold or beyond it are red: a new red reading reopens the risk.")
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False, help_text=_("e.g. %, cases, days"))
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, organization: Organization, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        with scope(organization=organization):
            self.kpis: dict[str, Kpi] = {
                str(k.pk): k for k in planning_selectors.kpi_choices(organization).order_by("code")
            }
        none = [("", _("—"))]
        self.fields["kpi"].choices = [*none, *((pk, f"{k.code} · {k.name}") for pk, k in self.kpis.items())]  # type: ignore[attr-defined]
        self.fields["metric"].choices = [*none, *metric_choices()]  # type: ignore[attr-defined]

    def clean_kpi(self) -> Kpi | None:
        return self.kpis.get(str(self.cleaned_data.get("kpi") or ""))


class ReadingForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    value = _number(_("Value"))
    idempotency_key = CreationKeyField()


class RefreshForm(forms.Form):
    span = forms.ChoiceField(
        label=_("Period of a computed figure"),
        choices=list(zip(SPANS, [_("the last full month"), _("the last full quarter")], strict=True)),
        initial="month",
        required=False,
    )
