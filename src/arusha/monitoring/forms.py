"""Forms of monitoring, evaluation and review: they parse input; services enforce the rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.assessments.forms import DateInput
from arusha.assessments.selectors import Mode
from arusha.core.concurrency import CreationKeyField, VersionField
from arusha.core.errors import DomainError
from arusha.core.forms import ModelChoicesField, MultipleFileField
from arusha.core.models import Membership, Organization, User
from arusha.monitoring.models import ActivityStatus, Carry, IndicatorKind, Measurement
from arusha.monitoring.rates import (
    MAX_CATEGORIES,
    MAX_CATEGORY_NAME,
    PartError,
    category_value,
    is_parts,
)
from arusha.planning import selectors as planning_selectors
from arusha.planning.kpis import Periodicity, plain
from arusha.planning.priority import Level

if TYPE_CHECKING:
    from arusha.planning.models import Activity, Kpi


def _members(organization: Organization) -> Any:
    members = Membership.objects.filter(organization=organization, is_active=True).values("user")
    return User.objects.filter(pk__in=members).order_by("full_name")


def _version() -> VersionField:
    """The version of the one row the form saves, as read; 0 when nothing was saved yet.

    Monitoring's set-up, reports, measurements, evaluations and gap entries are created by
    their first save: a form read before someone else's first save is stale too.
    """
    return VersionField(min_value=0)


def _text(label: Any, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required)


class MemberChoiceForm(forms.Form):
    """A form whose person fields choose among the organization's active members."""

    person_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.person_fields:
            self.fields[name].queryset = _members(organization)  # type: ignore[attr-defined]


class SetupForm(MemberChoiceForm):
    person_fields = ("coordinator",)
    frequency = forms.ChoiceField(label=_("Reporting frequency"), choices=Periodicity.choices)
    coordinator: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Coordinator"),
        queryset=User.objects.none(),
        help_text=_("Verifies the measurements and receives the alerts nobody has acted on."),
    )
    report_days = forms.IntegerField(
        label=_("Days to report after a period ends"), min_value=0, max_value=120, initial=15
    )
    due_soon_days = forms.IntegerField(
        label=_("Warn this many days before a due date"), min_value=0, max_value=120, initial=14
    )
    escalate_days = forms.IntegerField(
        label=_("Escalate an ignored alert after (days)"), min_value=1, max_value=120, initial=7
    )
    version = _version()


class FilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Factor"), required=False)
    division = forms.TypedChoiceField(label=_("Division"), required=False, coerce=int, empty_value=None)
    performer = forms.TypedChoiceField(label=_("Performer"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[str, str]],
        divisions: list[tuple[int, str]],
        performers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["area"].choices = [*everything, *areas]  # type: ignore[attr-defined]
        self.fields["division"].choices = [*everything, *divisions]  # type: ignore[attr-defined]
        self.fields["performer"].choices = [*everything, *performers]  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    percent_done = forms.IntegerField(label=_("% done"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    narrative = _text(_("What was done in the period"), rows=4)
    obstacles = _text(_("Obstacles"), required=False)
    evidence = MultipleFileField(
        label=_("Evidence"), required=False, help_text=_("Minutes, photographs, circulars, reports…")
    )
    version = _version()


# A KPI computed from its parts is entered as a table per dimension, one row per category:
# the rows saved, and this many empty ones to add categories (at least MIN_ROWS in all).
BLANK_ROWS = 3
MIN_ROWS = 5
MAX_ROWS = MAX_CATEGORIES
_PART_KEY = re.compile(r"^part_(\d+)_(\d+)_category$")


@dataclass(frozen=True)
class PartTable:
    """One dimension's rows of the form: the category's name, then each variable."""

    dimension: str
    headers: list[str]
    rows: list[list[forms.BoundField]]


class MeasurementForm(forms.Form):
    """A KPI's measurement, in the shape its kind asks for (see services.measurement_enter).

    - a formula: one field per variable, one text box per disaggregation dimension
      (“category: value” lines);
    - a formula computed from its parts: per dimension, a table where each row names a
      category and gives its variables;
    - no formula: the value itself.
    """

    note = _text(_("Note"), rows=2, required=False)
    version = _version()

    def __init__(self, *args: Any, kpi: Kpi, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.direct = not kpi.formula.strip()
        self.by_parts = not self.direct and kpi.parts_computed and bool(kpi.disaggregation)
        self.dimensions = list(kpi.disaggregation)
        self.variables = [] if self.direct else list(kpi.variables)
        self.variable_names = [] if self.direct or self.by_parts else [v["name"] for v in self.variables]
        # (dimension, category) → its row's field prefix, for refusals that name a category.
        self.rows_of: dict[tuple[str, str], str] = {}
        self.row_counts: list[int] = []
        self.rows_sent: list[int] = []
        order: list[str] = []
        if self.direct:
            self.fields["value"] = forms.CharField(
                label=_("Value") + (f" ({kpi.unit})" if kpi.unit else ""), max_length=30
            )
            order.append("value")
        for variable in self.variables if not self.by_parts else []:
            self.fields[f"var_{variable['name']}"] = forms.CharField(
                label=_variable_label(variable), max_length=30
            )
            order.append(f"var_{variable['name']}")
        if self.by_parts:
            for k, _dimension in enumerate(self.dimensions):
                count = self._row_count(k)
                self.row_counts.append(count)
                for i in range(count):
                    self.fields[f"part_{k}_{i}_category"] = forms.CharField(
                        label=_("Category"), max_length=MAX_CATEGORY_NAME, required=False
                    )
                    order.append(f"part_{k}_{i}_category")
                    for variable in self.variables:
                        name = f"part_{k}_{i}_{variable['name']}"
                        self.fields[name] = forms.CharField(
                            label=_variable_label(variable), max_length=30, required=False
                        )
                        order.append(name)
        else:
            for dimension in self.dimensions:
                self.fields[f"dis_{dimension}"] = forms.CharField(
                    label=_("By %(dimension)s") % {"dimension": dimension},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=_("One category per line: “category: value”."),
                )
                order.append(f"dis_{dimension}")
        self.order_fields(order)

    def _row_count(self, k: int) -> int:
        """The rows posted, or the categories saved and a few empty rows."""
        source = self.data if self.is_bound else self.initial
        used = [int(m.group(2)) for key in source if (m := _PART_KEY.match(key)) and int(m.group(1)) == k]
        if self.is_bound:
            # More rows than the form shows are refused in clean(), not dropped in silence.
            self.rows_sent.append(max(used, default=-1) + 1)
            return min(self.rows_sent[-1], MAX_ROWS)
        return min(max(len(used) + BLANK_ROWS, MIN_ROWS), MAX_ROWS)

    def plain_fields(self) -> list[forms.BoundField]:
        """The visible fields outside the category tables."""
        return [f for f in self.visible_fields() if not f.name.startswith("part_")]

    def part_tables(self) -> list[PartTable]:
        headers = [str(_("Category")), *(_variable_label(v) for v in self.variables)]
        return [
            PartTable(
                dimension,
                headers,
                [
                    [
                        self[f"part_{k}_{i}_category"],
                        *(self[f"part_{k}_{i}_{v['name']}"] for v in self.variables),
                    ]
                    for i in range(self.row_counts[k])
                ],
            )
            for k, dimension in enumerate(self.dimensions)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for dimension, sent in zip(self.dimensions, self.rows_sent, strict=False):
            if sent > MAX_ROWS:
                self.add_error(
                    None,
                    _("Give at most %(count)s categories of %(dimension)s.")
                    % {"count": MAX_ROWS, "dimension": dimension},
                )
        cleaned["variables"] = {n: cleaned.get(f"var_{n}", "") for n in self.variable_names}
        cleaned["disaggregated"] = self._parts(cleaned) if self.by_parts else self._lines(cleaned)
        return cleaned

    def _lines(self, cleaned: dict[str, Any]) -> dict[str, dict[str, str]]:
        breakdown: dict[str, dict[str, str]] = {}
        for dimension in self.dimensions:
            categories: dict[str, str] = {}
            for number, line in enumerate((cleaned.get(f"dis_{dimension}") or "").splitlines(), start=1):
                if not line.strip():
                    continue
                category, colon, value = line.rpartition(":")
                if not colon or not category.strip():
                    self.add_error(
                        f"dis_{dimension}",
                        _("Line %(n)s: write “category: value”.") % {"n": number},
                    )
                    continue
                if category.strip().casefold() in {c.casefold() for c in categories}:
                    self.add_error(
                        f"dis_{dimension}",
                        _("Line %(n)s: %(category)s is given twice.")
                        % {"n": number, "category": category.strip()},
                    )
                    continue
                categories[category.strip()] = value.strip()
            if categories:
                breakdown[dimension] = categories
        return breakdown

    def _parts(self, cleaned: dict[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
        breakdown: dict[str, dict[str, dict[str, str]]] = {}
        for k, dimension in enumerate(self.dimensions):
            categories: dict[str, dict[str, str]] = {}
            for i in range(self.row_counts[k]):
                prefix = f"part_{k}_{i}_"
                name = (cleaned.get(f"{prefix}category") or "").strip()
                values = {v["name"]: (cleaned.get(prefix + v["name"]) or "").strip() for v in self.variables}
                if f"{prefix}category" in self.errors:
                    continue  # its name was refused already (too long)
                if not name and not any(values.values()):
                    continue  # an empty row
                if not name:
                    self.add_error(f"{prefix}category", _("Name the category of this row."))
                elif name.casefold() in {c.casefold() for c in categories}:
                    self.add_error(f"{prefix}category", _("This category is given twice."))
                else:
                    categories[name] = values
                    self.rows_of[(dimension, name)] = prefix
            if categories:
                breakdown[dimension] = categories
        return breakdown

    def located(self, error: PartError) -> DomainError:
        """The service's refusal about a category, on the row (and the variable) it names."""
        prefix = self.rows_of.get((error.dimension, error.category))
        field = None
        if prefix is not None:
            field = prefix + (error.variable or "category")
        return DomainError(error.message, field=field)

    @staticmethod
    def initial_from(kpi: Kpi, measurement: Measurement) -> dict[str, str]:
        """The form's values for a saved measurement."""
        initial = {f"var_{k}": v for k, v in measurement.variables.items()}
        if not kpi.formula.strip():
            initial["value"] = plain(measurement.value)
        by_parts = bool(kpi.formula.strip()) and kpi.parts_computed and bool(kpi.disaggregation)
        for k, dimension in enumerate(kpi.disaggregation):
            categories = measurement.disaggregated.get(dimension) or {}
            if not isinstance(categories, dict):
                continue
            if not by_parts:
                lines = []
                for category, entry in categories.items():
                    value = category_value(entry)
                    if isinstance(entry, str):
                        lines.append(f"{category}: {entry}")
                    elif value is not None:  # a category's parts, saved before the KPI changed
                        lines.append(f"{category}: {plain(value)}")
                initial[f"dis_{dimension}"] = "\n".join(lines)
                continue
            for i, (category, entry) in enumerate(categories.items()):
                initial[f"part_{k}_{i}_category"] = category
                for name, value in (entry.get("variables") or {}).items() if is_parts(entry) else []:
                    initial[f"part_{k}_{i}_{name}"] = value
        return initial


def _variable_label(variable: dict[str, str]) -> str:
    return f"{variable['name']}: {variable.get('label', '')}".rstrip(": ")


class MeetingForm(MemberChoiceForm):
    person_fields = ("attendees",)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    attendees: forms.ModelMultipleChoiceField[User] = ModelChoicesField(
        label=_("Members present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = _text(_("Other attendees"), rows=2, required=False)
    minutes = _text(_("Minutes"), rows=6)
    decisions = _text(_("Decisions"), rows=4, required=False)
    idempotency_key = CreationKeyField()


class FollowUpForm(MemberChoiceForm):
    person_fields = ("owner",)
    action = _text(_("Action"), rows=2)
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none()
    )
    due = forms.DateField(label=_("Due"), widget=DateInput())
    idempotency_key = CreationKeyField()


class CloseForm(forms.Form):
    outcome = _text(_("What came of it"), rows=2)


class TaskForm(MemberChoiceForm):
    person_fields = ("assignee",)
    task = forms.CharField(label=_("What"), max_length=300)
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none()
    )
    due = forms.DateField(label=_("By when"), widget=DateInput())
    idempotency_key = CreationKeyField()


class EvaluationForm(forms.Form):
    relevance = forms.ChoiceField(
        label=_("Relevance"),
        choices=Level.choices,
        help_text=_("Is it still in line with the administration's and the government's priorities?"),
    )
    success = forms.ChoiceField(
        label=_("Success"),
        choices=Level.choices,
        help_text=_("Is it helping to move toward the outcomes?"),
    )
    cost_effectiveness = forms.ChoiceField(
        label=_("Cost-effectiveness"),
        choices=Level.choices,
        help_text=_("Are the means used the most suitable and efficient ones?"),
    )
    narrative = _text(_("Narrative"), rows=3)
    version = _version()


class GapForm(forms.Form):
    remaining_gap = _text(_("Remaining gap"), rows=3)
    revisit = forms.BooleanField(label=_("Revisit in the next self-assessment"), required=False)
    version = _version()


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Indicator"), choices=IndicatorKind.choices)
    label = forms.CharField(label=_("Description"), max_length=200, required=False)
    kpi: forms.ModelChoiceField[Kpi] = forms.ModelChoiceField(
        label=_("Take it from a KPI"),
        queryset=planning_selectors.no_kpis(),
        required=False,
        help_text=_("Its latest verified measurement in this plan is used; leave the value empty."),
    )
    value = forms.CharField(label=_("Value"), max_length=30, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, kpis: list[Kpi], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = planning_selectors.kpis_among([k.pk for k in kpis])  # type: ignore[attr-defined]


class CycleForm(forms.Form):
    title = forms.CharField(label=_("Title of the second assessment"), max_length=200)
    mode = forms.TypedChoiceField(label=_("Mode (IDG Annex 4)"), choices=Mode.choices, coerce=int)
    planned_start = forms.DateField(label=_("Planned start"), widget=DateInput())
    planned_end = forms.DateField(label=_("Planned end"), widget=DateInput())
    idempotency_key = CreationKeyField()


class NextPlanForm(forms.Form):
    """The next plan's frame, and a decision with its reason for each earlier activity."""

    title = forms.CharField(label=_("Title of the new plan"), max_length=200)
    period_start = forms.DateField(label=_("Start of the plan"), widget=DateInput())
    period_end = forms.DateField(label=_("End of the plan"), widget=DateInput())
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, activities: list[Activity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activities = activities
        for activity in activities:
            self.fields[f"carry_{activity.pk}"] = forms.ChoiceField(
                label=activity.title, choices=Carry.choices, widget=forms.RadioSelect
            )
            self.fields[f"reason_{activity.pk}"] = forms.CharField(
                label=_("Reason"), max_length=1000, required=False
            )

    def decisions(self) -> dict[int, tuple[str, str]]:
        return {
            a.pk: (self.cleaned_data[f"carry_{a.pk}"], self.cleaned_data.get(f"reason_{a.pk}", ""))
            for a in self.activities
        }

    def rows(self) -> list[tuple[Activity, forms.BoundField, forms.BoundField]]:
        return [(a, self[f"carry_{a.pk}"], self[f"reason_{a.pk}"]) for a in self.activities]
