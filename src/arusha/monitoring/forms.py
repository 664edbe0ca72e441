"""Forms of monitoring, evaluation and review: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.assessments.forms import DateInput
from arusha.assessments.selectors import Mode
from arusha.core.concurrency import CreationKeyField, VersionField
from arusha.core.models import Membership, Organization, User
from arusha.monitoring.models import ActivityStatus, Carry, IndicatorKind
from arusha.planning import selectors as planning_selectors
from arusha.planning.kpis import Periodicity
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    percent_done = forms.IntegerField(label=_("% done"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    narrative = _text(_("What was done in the period"), rows=4)
    obstacles = _text(_("Obstacles"), required=False)
    evidence = MultipleFileField(
        label=_("Evidence"), required=False, help_text=_("Minutes, photographs, circulars, reports…")
    )
    version = _version()


class MeasurementForm(forms.Form):
    """One field per variable of the KPI's formula, one text box per disaggregation dimension."""

    note = _text(_("Note"), rows=2, required=False)
    version = _version()

    def __init__(self, *args: Any, kpi: Kpi, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.variable_names = [v["name"] for v in kpi.variables]
        self.dimensions = list(kpi.disaggregation)
        for variable in kpi.variables:
            self.fields[f"var_{variable['name']}"] = forms.CharField(
                label=f"{variable['name']}: {variable.get('label', '')}".rstrip(": "), max_length=30
            )
        for dimension in self.dimensions:
            self.fields[f"dis_{dimension}"] = forms.CharField(
                label=_("By %(dimension)s") % {"dimension": dimension},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("One category per line: “category: value”."),
            )
        self.order_fields(
            [*(f"var_{n}" for n in self.variable_names), *(f"dis_{d}" for d in self.dimensions)]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
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
                categories[category.strip()] = value.strip()
            if categories:
                breakdown[dimension] = categories
        cleaned["variables"] = {n: cleaned.get(f"var_{n}", "") for n in self.variable_names}
        cleaned["disaggregated"] = breakdown
        return cleaned

    @staticmethod
    def initial_from(variables: dict[str, str], disaggregated: dict[str, dict[str, str]]) -> dict[str, str]:
        initial = {f"var_{k}": v for k, v in variables.items()}
        for dimension, categories in disaggregated.items():
            initial[f"dis_{dimension}"] = "\n".join(f"{c}: {v}" for c, v in categories.items())
        return initial


class MeetingForm(MemberChoiceForm):
    person_fields = ("attendees",)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    attendees: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
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
