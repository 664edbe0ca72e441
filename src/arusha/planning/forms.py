"""Forms of action planning: they parse input; services enforce the rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.assessments.forms import DateInput

if TYPE_CHECKING:
    from arusha.assessments.models import Assessment
from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.errors import DomainError
from arusha.core.forms import ModelChoicesField
from arusha.core.metrics import metric_choices
from arusha.core.models import Division, Membership, Organization, User
from arusha.planning import kpis, priority
from arusha.planning.models import (
    ActionPlan,
    Activity,
    ConsultationFormat,
    Degree,
    Kpi,
    Objective,
    Outcome,
    OutcomeLevel,
    SignOffStage,
    Stakeholder,
    StakeholderKind,
    StrategicObjective,
    ValueFormat,
)
from arusha.planning.services.kpis import check_dimensions, parse_targets


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    assessment: forms.ModelChoiceField[Assessment] = forms.ModelChoiceField(
        label=_("Assessment it answers"),
        queryset=None,  # set from the caller's choice in __init__
    )
    period_start = forms.DateField(label=_("Start of the plan"), widget=DateInput())
    period_end = forms.DateField(label=_("End of the plan"), widget=DateInput())
    strategic_plan = forms.CharField(
        label=_("Strategic plan"),
        max_length=200,
        required=False,
        help_text=_(
            "The administration's strategic plan whose goals the activities serve, with its period, "
            "e.g. Strategic Plan (2020-2022). Annex 9 names it."
        ),
    )
    national_strategy = forms.CharField(
        label=_("National anti-corruption strategy"),
        max_length=300,
        required=False,
        help_text=_("The national strategy the plan contributes to: its name, reference or address."),
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments  # type: ignore[attr-defined]


class PlanEditForm(forms.Form):
    """The plan's own details; the assessment it answers does not change."""

    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Start of the plan"), widget=DateInput())
    period_end = forms.DateField(label=_("End of the plan"), widget=DateInput())
    strategic_plan = PlanForm.base_fields["strategic_plan"]
    national_strategy = PlanForm.base_fields["national_strategy"]
    version = VersionField()


class OutcomeForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=OutcomeLevel.choices)
    statement = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = CreationKeyField()


class ObjectiveForm(forms.Form):
    what = forms.CharField(label=_("What is to be achieved"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(
        label=_("How it is measured"),
        max_length=300,
        required=False,
        help_text=_("Optional: each activity names its own indicators and target."),
    )
    target = forms.CharField(label=_("Target"), max_length=200, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), required=False)
    outcome: forms.ModelChoiceField[Outcome] = forms.ModelChoiceField(
        label=_("Outcome it serves"), queryset=Outcome.objects.none(), required=False
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = Outcome.objects.filter(plan=plan)  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    objective: forms.ModelChoiceField[Objective] = forms.ModelChoiceField(
        label=_("Objective it serves"), queryset=Objective.objects.none(), required=False
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(plan=plan)  # type: ignore[attr-defined]


class RatingForm(forms.Form):
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in priority.CRITERIA:
            self.fields[criterion.field] = forms.ChoiceField(
                label=criterion.label,
                help_text=criterion.help,
                choices=[("", _("Not rated")), *priority.Level.choices],
                required=False,
            )


def _text(label: Any, rows: int = 2, help_text: Any = "") -> forms.CharField:
    """An optional text of a few lines."""
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), required=False, help_text=help_text
    )


def _degree(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "—"), *Degree.choices], required=False)


class ActivityDetailsForm(forms.Form):
    """The details of an activity and its IDG Figure 14 worksheet. Scoped querysets are set per plan."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("Description"))
    objective: forms.ModelChoiceField[Objective] = forms.ModelChoiceField(
        label=_("Objective it serves"), queryset=Objective.objects.none(), required=False
    )
    strategic_objectives: forms.ModelMultipleChoiceField[StrategicObjective] = ModelChoicesField(
        label=_("Strategic objectives"),
        queryset=StrategicObjective.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    responsible_division: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        label=_("Responsible division"), queryset=Division.objects.none(), required=False
    )
    performer: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Performer"), queryset=User.objects.none(), required=False
    )
    kpis: forms.ModelMultipleChoiceField[Kpi] = ModelChoicesField(
        label=_("Key performance indicators"),
        queryset=Kpi.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The indicators of the library that measure this activity."),
    )
    new_kpis = _text(
        _("New indicators"),
        help_text=_(
            "One name a line. Each is added to the KPI library and measures this activity; "
            "complete its metadata sheet there later."
        ),
    )
    target = _text(
        _("Performance target"),
        help_text=_(
            "What the activity should reach, in words, e.g. every officer trained by the end of the year."
        ),
    )
    target_value = forms.DecimalField(
        label=_("Target value"),
        max_digits=18,
        decimal_places=6,
        required=False,
        help_text=_("Optional: the target as a figure, in the unit of the first indicator."),
    )
    contributors = _text(_("Contributing organizations"))
    budget_amount = forms.DecimalField(
        label=_("Budget"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    budget_currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217 code: XOF, USD, EUR…")
    )
    budget_source = forms.CharField(label=_("Source of funds"), max_length=200, required=False)
    staff = forms.CharField(label=_("Staff"), max_length=200, required=False)
    start_date = forms.DateField(label=_("Start"), widget=DateInput(), required=False)
    due_date = forms.DateField(label=_("Due"), widget=DateInput(), required=False)
    depends_on: forms.ModelMultipleChoiceField[Activity] = ModelChoicesField(
        label=_("Depends on"),
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confidential = forms.BooleanField(
        label=_("Confidential"), required=False, help_text=_("Withheld from the published plan.")
    )
    origin = _text(_("Origin of the task"))
    planned_result = _text(_("Planned result"))
    complexity = _degree(_("Complexity and risk"))
    strengthening = _degree(_("Expected strengthening of integrity"))
    revision_date = forms.DateField(label=_("Revision date"), widget=DateInput(), required=False)
    version = VersionField()

    def __init__(self, *args: Any, plan: ActionPlan, activity: Activity | None = None, **kwargs: Any) -> None:
        if activity is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(activity, name) for name in self.base_fields if hasattr(activity, name)},
                "objective": activity.objective_id,
                "responsible_division": activity.responsible_division_id,
                "performer": activity.performer_id,
                "kpis": list(activity.kpis.all()),
                "strategic_objectives": list(activity.strategic_objectives.all()),
                "depends_on": list(activity.depends_on.all()),
            }
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["objective"].queryset = Objective.objects.filter(plan=plan)  # type: ignore[attr-defined]
        fields["strategic_objectives"].queryset = StrategicObjective.objects.filter(  # type: ignore[attr-defined]
            organization=plan.organization
        )
        fields["strategic_objectives"].label = (
            _("Goals of the %(name)s") % {"name": plan.strategic_plan}
            if plan.strategic_plan
            else _("Strategic objectives")
        )
        fields["responsible_division"].queryset = Division.objects.filter(  # type: ignore[attr-defined]
            organization=plan.organization
        )
        members = Membership.objects.filter(organization=plan.organization, is_active=True).values("user")
        fields["performer"].queryset = User.objects.filter(pk__in=members)  # type: ignore[attr-defined]
        fields["kpis"].queryset = Kpi.objects.filter(organization=plan.organization)  # type: ignore[attr-defined]
        others = Activity.objects.filter(plan=plan)
        if activity is not None:
            others = others.exclude(pk=activity.pk)
        fields["depends_on"].queryset = others  # type: ignore[attr-defined]

    def clean_new_kpis(self) -> list[str]:
        raw: str = self.cleaned_data["new_kpis"]
        return [line for line in raw.splitlines() if line.strip()]


class StrategicObjectiveForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Strategic objective"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    idempotency_key = CreationKeyField()


def _named(check: Callable[[], object]) -> None:
    """Run a service's check of one field, its refusal put on the field that was cleaned."""
    try:
        check()
    except DomainError as error:
        raise forms.ValidationError(str(error.message)) from error


class KpiForm(forms.Form):
    """The Annex 11 metadata sheet. Variables and targets are written one per line.

    Only the name is required: a sheet may start from the name an action plan gives and
    be completed later.
    """

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("Left empty, a new indicator gets the next free code (KPI-001…)."),
    )
    name = forms.CharField(label=_("Name of the indicator"), max_length=200)
    description = _text(
        _("Description"),
        rows=3,
        help_text=_("Describe the indicator in enough detail that nobody can read it two ways."),
    )
    performance_dimension = forms.CharField(
        label=_("Performance dimension"),
        max_length=300,
        required=False,
        help_text=_("The expected outcome the indicator measures."),
    )
    variables_text = _text(
        _("Variables"),
        rows=3,
        help_text=_(
            "One per line: a name, a colon, what it counts. For example “A: cases disclosed by audits”."
        ),
    )
    formula = forms.CharField(
        label=_("Calculation method"),
        max_length=300,
        required=False,
        help_text=_(
            "A formula over the variables, with + - * / and brackets: A / B * 100. "
            "Left empty (with no variables), the value is entered directly each period."
        ),
    )
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    # Both optional: a client that sends neither keeps what the sheet has (a number, 1 decimal).
    value_format = forms.ChoiceField(label=_("Values are"), choices=ValueFormat.choices, required=False)
    decimals = forms.IntegerField(
        label=_("Decimals shown"),
        min_value=0,
        max_value=6,
        initial=1,
        required=False,
        help_text=_("How many decimals values are rounded to on screens, charts and documents."),
    )
    parts_computed = forms.BooleanField(
        label=_("Computed from its parts"),
        required=False,
        help_text=_(
            "Each category of the disaggregation gets its own variables (e.g. women in senior posts and "
            "senior posts, per grade); the overall value is computed from their sums."
        ),
    )
    rationale = _text(_("Rationale (relevance)"), 3)
    related: forms.ModelMultipleChoiceField[Kpi] = ModelChoicesField(
        label=_("Links to other indicators"),
        queryset=Kpi.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    typologies = forms.MultipleChoiceField(
        label=_("Typologies (IDG Annex 10)"),
        choices=[(code, label) for code, (label, _help) in kpis.TYPOLOGIES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "An indicator may belong to several typologies; their definitions are listed below the form."
        ),
    )
    source_of_verification = _text(
        _("Source of verification"),
        help_text=_("Where and how the data are obtained, and any difficulty in collecting them."),
    )
    metric = forms.ChoiceField(
        label=_("Computed by the platform from"),
        required=False,
        help_text=_(
            "A figure the platform computes itself (case statistics, for example): the measurement of "
            "each period can then be filled from it. Left empty, people enter the values."
        ),
    )
    references = _text(_("References to databases and metadata"))
    periodicity = forms.ChoiceField(label=_("Periodicity"), choices=kpis.Periodicity.choices)
    disaggregation_text = forms.CharField(
        label=_("Disaggregation"),
        max_length=300,
        required=False,
        help_text=_("Dimensions separated by commas, for example: gender, region."),
    )
    baseline_value = forms.DecimalField(label=_("Baseline"), max_digits=18, decimal_places=6, required=False)
    baseline_date = forms.DateField(label=_("Baseline date"), widget=DateInput(), required=False)
    targets_text = _text(
        _("Dated targets"),
        rows=3,
        help_text=_("One per line: the date, a colon, the value. For example “2028-12-31: 95”."),
    )
    direction = forms.ChoiceField(label=_("Direction of good"), choices=kpis.Direction.choices)
    disclosure = forms.ChoiceField(label=_("Disclosure policy"), choices=kpis.Disclosure.choices)
    disclosure_notes = _text(_("Disclosure details"))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False
    )
    data_custodian = forms.CharField(label=_("Data custodian"), max_length=200, required=False)
    data_steward = forms.CharField(label=_("Data steward"), max_length=200, required=False)
    limitations = _text(_("Other considerations and limitations"), 3)
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, organization: Organization, kpi: Kpi | None = None, **kwargs: Any) -> None:
        if kpi is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(kpi, name) for name in self.base_fields if hasattr(kpi, name)},
                "owner": kpi.owner_id,
                "related": list(kpi.related.all()),
                "variables_text": "\n".join(f"{v['name']}: {v['label']}" for v in kpi.variables),
                "disaggregation_text": ", ".join(kpi.disaggregation),
                "targets_text": "\n".join(
                    f"{t.date.isoformat()}: {kpis.plain(t.value)}" for t in kpi.targets.all()
                ),
            }
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=kpi is not None)
        self.fields["metric"].choices = [("", _("Entered by people")), *metric_choices(organization)]  # type: ignore[attr-defined]
        others = Kpi.objects.filter(organization=organization)
        if kpi is not None:
            others = others.exclude(pk=kpi.pk)
        self.fields["related"].queryset = others  # type: ignore[attr-defined]
        members = Membership.objects.filter(organization=organization, is_active=True).values("user")
        self.fields["owner"].queryset = User.objects.filter(pk__in=members)  # type: ignore[attr-defined]

    def clean_variables_text(self) -> str:
        raw: str = self.cleaned_data["variables_text"]
        if raw.strip():
            _named(lambda: kpis.parse_variables(raw))
        return raw

    def clean_targets_text(self) -> str:
        raw: str = self.cleaned_data["targets_text"]
        _named(lambda: parse_targets(raw))
        return raw

    def clean_disaggregation_text(self) -> list[str]:
        raw: str = self.cleaned_data["disaggregation_text"]
        dimensions = [part.strip() for part in raw.split(",") if part.strip()]
        _named(lambda: check_dimensions(dimensions))
        return dimensions


class KpiLinkForm(forms.Form):
    objective: forms.ModelChoiceField[Objective] = forms.ModelChoiceField(
        label=_("Objective"), queryset=Objective.objects.none()
    )
    kpi: forms.ModelChoiceField[Kpi] = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Kpi.objects.none()
    )

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(plan=plan)  # type: ignore[attr-defined]
        self.fields["kpi"].queryset = Kpi.objects.filter(organization=plan.organization)  # type: ignore[attr-defined]


class StakeholderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StakeholderKind.choices)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    interest = forms.CharField(
        label=_("Interest in the plan"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    idempotency_key = CreationKeyField()


class ConsultationForm(forms.Form):
    stakeholder: forms.ModelChoiceField[Stakeholder] = forms.ModelChoiceField(
        label=_("Stakeholder"), queryset=Stakeholder.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    format = forms.ChoiceField(label=_("Format"), choices=ConsultationFormat.choices)
    feedback = forms.CharField(label=_("Feedback given"), widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(
        label=_("The plan's answer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = Stakeholder.objects.filter(  # type: ignore[attr-defined]
            organization=plan.organization
        )


class SignOffForm(forms.Form):
    """A sign-off of one of the stages still open for the plan's revision (`stages`)."""

    stage = forms.ChoiceField(label=_("Stage"), choices=SignOffStage.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    signed_by = forms.CharField(label=_("Signed by"), max_length=200)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    upload = forms.FileField(label=_("Decision document"), required=False)

    def __init__(self, *args: Any, stages: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stages is not None:
            self.fields["stage"].choices = stages  # type: ignore[attr-defined]


class ReviseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the revision"), widget=forms.Textarea(attrs={"rows": 2}))


class ReferenceForm(forms.Form):
    """One value of a KPI's reference series (another administration, a regional average)."""

    label = forms.CharField(
        label=_("Series"),
        max_length=100,
        help_text=_("Where the value comes from, as a reader names it: e.g. Regional average."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    value = forms.CharField(
        label=_("Value"),
        max_length=30,
        help_text=_("In the indicator's own unit and format."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("The publication or body that gives the value, with its year."),
    )
    idempotency_key = CreationKeyField()
