"""Forms of the risk register: they parse input; the services (arusha.risks.services) hold the rules.

Every choice comes from the cycle, its matrix or the organization, so a value typed by
hand (a rank out of the matrix, a process outside the scope, another organization's
plan) is refused by the form with a message on its field, never by an error page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.forms import ModelChoicesField
from arusha.core.models import Division, User
from arusha.frameworks.factors import FACTORS, factor_label
from arusha.planning import selectors as planning_selectors
from arusha.risks.matrices import Scale, localized
from arusha.risks.models import STAGES, Cycle, Process, Risk, Scenario
from arusha.risks.selectors.register import (
    SORTS,
    Register,
    RegisterFilters,
    members_of,
    owner_candidates,
    processes_in_scope,
    stage_label,
)
from arusha.risks.services.register import MAX_TEXT
from arusha.risks.vocabulary import (
    ControlKind,
    CorruptionType,
    Decision,
    Effectiveness,
    Knowledge,
    RiskFactor,
    RiskStatus,
    TreatmentStatus,
)

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan, Objective

_MAX_ID = 2**63 - 1


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def _area(label: Any, *, rows: int = 3, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
    )


class _Process(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


# --- The register's filters ------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    """The register's filters (GET): a value that is not a choice is ignored, never an error page.

    The choices come from the register itself (the owners and processes of the risks the
    person sees), so the filters cost no query of their own.
    """

    process = forms.TypedChoiceField(label=_("Process"), required=False, coerce=int, empty_value=None)
    level = forms.ChoiceField(label=_("Current level"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    appetite = forms.ChoiceField(
        label=_("Appetite"),
        required=False,
        choices=[("", _("— any —")), ("above", _("above appetite")), ("within", _("within appetite"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("— any —")), *RiskStatus.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("code", _("code")), ("level", _("current level, highest first")), ("title", _("title"))],
    )

    def __init__(self, *args: Any, register: Register, scale: Scale | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = ("", _("— any —"))
        self.fields["process"].choices = [any_choice, *register.processes]  # type: ignore[attr-defined]
        levels = scale.levels() if scale is not None else []
        self.fields["level"].choices = [any_choice, *((lv.code, lv.label) for lv in levels)]  # type: ignore[attr-defined]
        self.fields["owner"].choices = [any_choice, *register.owners]  # type: ignore[attr-defined]

    def filters(self) -> RegisterFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        appetite = data.get("appetite")
        sort = data.get("sort") or "code"
        return RegisterFilters(
            process=data.get("process"),
            level=data.get("level") or "",
            owner=data.get("owner"),
            above=True if appetite == "above" else False if appetite == "within" else None,
            status=data.get("status") or "",
            sort=sort if sort in SORTS else "code",
        )


# --- A risk ---------------------------------------------------------------------------------


class RiskForm(forms.Form):
    """Identify a risk (with a creation key) or change it (with the version it was read at)."""

    title = forms.CharField(label=_("Title"), max_length=300, help_text=_("The risk in a few words."))
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("Left empty, the risk gets the next free code (R-001…)."),
    )
    process = _Process(label=_("Process"), queryset=Process.objects.none())
    who = _area(_("Who"), rows=2, help_text=_("Who could act corruptly: a post or a function, never a name."))
    with_whom = _area(
        _("With whom"), rows=2, help_text=_("Who else takes part: a trader, a broker, a colleague…")
    )
    what = _area(_("What"), rows=2, help_text=_("What they would do or fail to do."))
    how = _area(_("How"), help_text=_("How it would be done, step by step."))
    benefit = _area(_("Benefit"), rows=2, help_text=_("What each side gains."))
    notes = _area(_("Notes"), rows=2)
    corruption_types = forms.MultipleChoiceField(
        label=_("Corruption types"),
        choices=CorruptionType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    factors = forms.MultipleChoiceField(
        label=_("Key factors"),
        choices=[(code, factor_label(code)) for code in FACTORS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The key factors of the Revised Arusha Declaration the risk bears on."),
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RiskFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What makes the corruption possible."),
    )
    offices: forms.ModelMultipleChoiceField[Division] = ModelChoicesField(
        label=_("Offices"),
        queryset=Division.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The person who answers for the risk and follows its treatments."),
    )
    decision = forms.ChoiceField(label=_("Treatment decision"), choices=Decision.choices, required=False)
    review_on = forms.DateField(label=_("Review date"), widget=DateInput(), required=False)
    scenario = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=_MAX_ID)
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, cycle: Cycle, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        if editing:
            del self.fields["code"]
            del self.fields["scenario"]
        else:
            # A new risk's treatment is decided once it is rated.
            del self.fields["decision"]
        self.fields["process"].queryset = processes_in_scope(cycle)  # type: ignore[attr-defined]
        self.fields["offices"].queryset = Division.objects.filter(organization=cycle.organization)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owner_candidates(cycle.organization)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """What the services take as `values` (offices, the scenario, the code and keys apart)."""
        data = self.cleaned_data
        skip = {"offices", "code", "scenario", "version", "idempotency_key"}
        return {name: data[name] for name in self.fields if name not in skip and name in data}


def risk_initial(risk: Risk) -> dict[str, Any]:
    """The edit form's values for a risk as saved: the page's start and "their version" on a conflict."""
    return {
        "title": risk.title,
        "process": risk.process_id,
        **{name: getattr(risk, name) for name in ("who", "with_whom", "what", "how", "benefit", "notes")},
        "corruption_types": list(risk.corruption_types),
        "factors": list(risk.factors),
        "risk_factors": list(risk.risk_factors),
        "offices": [o.pk for o in risk.offices.all()],
        "owner": risk.owner_id,
        "decision": risk.decision,
        "review_on": risk.review_on,
    }


def scenario_initial(scenario: Scenario) -> dict[str, Any]:
    """A new risk's values taken from a scenario of the library."""
    scheme = scenario.scheme if isinstance(scenario.scheme, dict) else {}
    return {
        "title": scenario.title,
        "process": scenario.process_id,
        **{part: str(scheme.get(part) or "") for part in ("who", "with_whom", "what", "how", "benefit")},
        "corruption_types": list(scenario.corruption_types),
        "factors": list(scenario.factors),
        "risk_factors": list(scenario.risk_factors),
        "scenario": scenario.pk,
    }


class RateForm(forms.Form):
    """Likelihood and impact at each stage, as ranks of the cycle's matrix."""

    knowledge = forms.ChoiceField(
        label=_("Strength of knowledge"),
        choices=[("", _("— not said —")), *Knowledge.choices],
        required=False,
        help_text=_("How well the evidence supports these ratings."),
    )
    reason = forms.CharField(
        label=_("Why this rating"),
        max_length=300,
        required=False,
        help_text=_("Kept in the rating history: what was seen, what changed."),
    )
    version = VersionField()

    def __init__(self, *args: Any, scale: Scale, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows, columns = scale.size
        likelihood = [("", "—"), *((r, f"{r} · {scale.likelihood_label(r)}") for r in range(1, rows + 1))]
        impact = [("", "—"), *((r, f"{r} · {scale.impact_label(r)}") for r in range(1, columns + 1))]
        for stage in STAGES:
            name = stage_label(stage).capitalize()
            self.fields[f"{stage}_likelihood"] = forms.TypedChoiceField(
                label=_("%(stage)s likelihood") % {"stage": name},
                choices=likelihood,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"{stage}_impact"] = forms.TypedChoiceField(
                label=_("%(stage)s impact") % {"stage": name},
                choices=impact,
                coerce=int,
                empty_value=None,
                required=False,
            )
        self.order_fields([f"{stage}_{part}" for stage in STAGES for part in ("likelihood", "impact")])

    def ratings(self) -> dict[str, tuple[int | None, int | None]]:
        data = self.cleaned_data
        return {stage: (data.get(f"{stage}_likelihood"), data.get(f"{stage}_impact")) for stage in STAGES}


def rate_initial(risk: Risk) -> dict[str, Any]:
    return {
        **{
            f"{stage}_{part}": getattr(risk, f"{stage}_{part}")
            for stage in STAGES
            for part in ("likelihood", "impact")
        },
        "knowledge": risk.knowledge,
    }


# --- Controls, treatments, acceptances --------------------------------------------------------


class ControlForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ControlKind.choices)
    description = _area(_("Control"), required=True, help_text=_("What is done today that lowers the risk."))
    design = forms.ChoiceField(
        label=_("Design effectiveness"),
        choices=Effectiveness.choices,
        required=False,
        help_text=_("Would the control stop or reveal the scheme if it worked as written?"),
    )
    operation = forms.ChoiceField(
        label=_("Operating effectiveness"),
        choices=Effectiveness.choices,
        required=False,
        help_text=_("Does it work that way in practice?"),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)


class TreatmentForm(forms.Form):
    title = forms.CharField(
        label=_("Treatment"), max_length=200, help_text=_("What will be done, in a few words.")
    )
    description = _area(_("Description"))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who carries it out; they become the performer of the action-plan activity."),
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=TreatmentStatus.choices)
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, cycle: Cycle, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        self.fields["owner"].queryset = members_of(cycle.organization)  # type: ignore[attr-defined]


class TreatmentPlanForm(forms.Form):
    """Choose the action plan (editable ones only), an objective of it, and the activity's KPIs."""

    objective = forms.TypedChoiceField(
        label=_("Objective it serves"), required=False, coerce=int, empty_value=None
    )
    new_kpis = _area(
        _("New indicators"),
        help_text=_("One name a line: each is added to the KPI library and measures the activity."),
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, plans: list[ActionPlan], organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {plan.pk: plan for plan in plans}
        self.fields["plan"] = forms.TypedChoiceField(
            label=_("Action plan"),
            coerce=int,
            choices=[("", "—"), *((plan.pk, plan.title) for plan in plans)],
            help_text=_("Plans still in draft that you may change."),
        )
        self.objectives: dict[int, Objective] = {}
        choices: list[tuple[Any, Any]] = [("", _("— none —"))]
        for plan in plans:
            for objective in planning_selectors.plan_objectives(plan):
                self.objectives[objective.pk] = objective
                choices.append((objective.pk, f"{plan.title}: {objective}"))
        self.fields["objective"].choices = choices  # type: ignore[attr-defined]
        self.fields["kpis"] = ModelChoicesField(
            label=_("Indicators of the library"),
            queryset=planning_selectors.kpi_choices(organization),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.order_fields(["plan", "objective", "kpis", "new_kpis"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan = self.plans.get(data.get("plan") or 0)
        if plan is None:
            if "plan" not in self.errors:
                self.add_error("plan", _("Choose an action plan."))
            return data
        data["plan"] = plan
        objective = self.objectives.get(data.get("objective") or 0)
        if objective is not None and objective.plan_id != plan.pk:
            self.add_error("objective", _("The objective belongs to another plan."))
        data["objective"] = objective
        data["new_kpis"] = [line for line in str(data.get("new_kpis") or "").splitlines() if line.strip()]
        return data


class AcceptanceForm(forms.Form):
    reason = _area(
        _("Why the risk may be accepted"),
        rows=5,
        required=True,
        help_text=_("Why treating it would cost more than it saves, and what keeps it watched meanwhile."),
    )
    idempotency_key = CreationKeyField()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Accept the risk")), ("refuse", _("Refuse: the risk must be treated"))],
        widget=forms.RadioSelect,
    )


def impact_help(scale: Scale) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each impact level's label and what it means in each dimension, for the rating page."""
    from arusha.risks.selectors.register import DIMENSION_LABELS

    found = []
    for level in scale.definition.impact:
        rows = [
            (str(DIMENSION_LABELS.get(dimension, dimension)), localized(level.description[dimension]))
            for dimension in scale.definition.dimensions
            if dimension in level.description
        ]
        found.append((f"{level.rank} · {localized(level.label)}", rows))
    return found


def likelihood_help(scale: Scale) -> list[tuple[str, str]]:
    return [
        (
            f"{level.rank} · {localized(level.label)}",
            localized(level.description) if level.description else "",
        )
        for level in scale.definition.likelihood
    ]
