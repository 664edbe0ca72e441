"""Forms of action planning: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.assessments.forms import DateInput
from arusha.assessments.models import Assessment
from arusha.planning import priority
from arusha.planning.models import ActionPlan, Objective, Outcome, OutcomeLevel


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    assessment: forms.ModelChoiceField[Assessment] = forms.ModelChoiceField(
        label=_("Assessment it answers"), queryset=Assessment.objects.none()
    )
    period_start = forms.DateField(label=_("Start of the plan"), widget=DateInput())
    period_end = forms.DateField(label=_("End of the plan"), widget=DateInput())

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=OutcomeLevel.choices)
    statement = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))


class ObjectiveForm(forms.Form):
    what = forms.CharField(label=_("What is to be achieved"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("How it is measured"), max_length=300)
    target = forms.CharField(label=_("Target"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    outcome: forms.ModelChoiceField[Outcome] = forms.ModelChoiceField(
        label=_("Outcome it serves"), queryset=Outcome.objects.none(), required=False
    )

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

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(plan=plan)  # type: ignore[attr-defined]


class RatingForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in priority.CRITERIA:
            self.fields[criterion.field] = forms.ChoiceField(
                label=criterion.label,
                help_text=criterion.help,
                choices=[("", _("Not rated")), *priority.Level.choices],
                required=False,
            )
