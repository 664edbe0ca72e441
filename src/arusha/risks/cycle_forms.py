"""Forms of the assessment cycles' screens. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.models import Division, Organization, User
from arusha.risks.models import Cycle, Matrix, Process
from arusha.risks.selectors import cycles as selectors
from arusha.risks.services.cycles import INTERESTS_LIMIT
from arusha.risks.vocabulary import CycleStatus, EvidenceKind, MemberRole


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProcessChoices(forms.ModelMultipleChoiceField[Process]):
    def label_from_instance(self, obj: Any) -> str:
        process = cast(Process, obj)
        return f"{process.code} · {process.name}"


class CycleForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example: Clearance corruption risks 2026.")
    )
    matrix = forms.ModelChoiceField(
        label=_("Risk matrix"),
        queryset=Matrix.objects.none(),
        required=False,
        empty_label=_("— choose later —"),
        help_text=_("It is fixed once identification starts, and frozen: an edit of it makes a new version."),
    )
    processes = ProcessChoices(
        label=_("Processes in scope"),
        queryset=Process.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A process covers its sub-processes. The scope is fixed once rating starts."),
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the assessment covers, and what it leaves out."),
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DateInput())
    reassess_on = forms.DateField(
        label=_("Re-assessment due"),
        required=False,
        widget=DateInput(),
        help_text=_("When the register must be assessed again."),
    )
    previous = forms.ModelChoiceField(
        label=_("Previous cycle"),
        queryset=Cycle.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The assessment this one follows, to compare the registers."),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, organization: Organization, cycle: Cycle | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=cycle is not None)
        self._choices("matrix", selectors.matrices_of(organization))
        self._choices("processes", selectors.catalogue_of(organization))
        self._choices("offices", selectors.offices_of(organization))
        self._choices("previous", selectors.earlier_cycles(organization, cycle))
        if cycle is not None and cycle.status != CycleStatus.PLANNING:
            self.fields["matrix"].disabled = True
        if cycle is not None and cycle.status not in (CycleStatus.PLANNING, CycleStatus.IDENTIFICATION):
            self.fields["processes"].disabled = True

    def _choices(self, name: str, queryset: QuerySet[Any]) -> None:
        cast("forms.ModelChoiceField[Any]", self.fields[name]).queryset = queryset


def cycle_values(cycle: Cycle) -> dict[str, Any]:
    """The edit form's values for the cycle as saved (the form's initial data, and "their version")."""
    return {
        "title": cycle.title,
        "matrix": cycle.matrix_id,
        "processes": [p.pk for p in selectors.processes_in_scope(cycle)],
        "offices": [o.pk for o in selectors.offices_in_scope(cycle)],
        "scope": cycle.scope,
        "starts_on": cycle.starts_on,
        "reassess_on": cycle.reassess_on,
        "previous": cycle.previous_id,
        "version": cycle.version,
    }


class StepForm(forms.Form):
    """The one-button step: it carries the version the page was read at, so a double click moves once."""

    version = VersionField(required=True)

    @classmethod
    def posted(cls, data: QueryDict) -> int | None:
        form = cls(data)
        return form.cleaned_data["version"] if form.is_valid() else None


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the work goes back"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The working group reads it in the assessment's history."),
    )
    version = VersionField()


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), empty_label=_("— choose —")
    )
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Any]", self.fields["user"])
        field.queryset = selectors.candidates_for(cycle)
        field.help_text = _("Active members of the organization. They can then rate the assessment's risks.")


class DeclarationForm(forms.Form):
    no_conflict = forms.BooleanField(label=_("I have nothing to declare"), required=False)
    interests = forms.CharField(
        label=_("My interests"),
        required=False,
        max_length=INTERESTS_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Interests that could bear on the processes assessed: relatives or friends among traders "
            "or brokers, shares, side jobs, gifts… Only you and those who run the assessment read it."
        ),
    )
    conflicts = ProcessChoices(
        label=_("Processes I stay out of"),
        queryset=Process.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You will not rate the risks of these processes (nor of those under them)."),
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["conflicts"]).queryset = selectors.scope_family(cycle)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("A document number, a survey item, a figure's code, an audit report…"),
    )
    dated = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept encrypted."),
    )
    interviewee = forms.CharField(
        label=_("Interviewee"),
        required=False,
        max_length=200,
        help_text=_(
            "Interviews name nobody by default. Give a name only for an interview, and only if the "
            "person agreed to be named."
        ),
    )
    processes = ProcessChoices(
        label=_("Processes"),
        queryset=Process.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["processes"]).queryset = selectors.scope_family(cycle)
