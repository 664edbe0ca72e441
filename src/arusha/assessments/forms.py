"""Forms of the assessments context: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from arusha.assessments import maturity
from arusha.assessments.models import (
    Assessment,
    BackgroundDocument,
    DocumentCategory,
    FindingKind,
    Gender,
    IdgRole,
    Mode,
    Participant,
    Priority,
    ResponseStatus,
    Scope,
    StakeholderGroup,
    TermsOfReference,
    VisitKind,
    WorkingGroup,
)
from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.forms import ModelChoicesField
from arusha.core.models import Division, Organization, User
from arusha.frameworks.models import FrameworkVersion


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    framework_version: forms.ModelChoiceField[FrameworkVersion] = forms.ModelChoiceField(
        label=_("Framework"), queryset=FrameworkVersion.objects.select_related("framework")
    )
    mode = forms.TypedChoiceField(label=_("Mode (IDG Annex 4)"), choices=Mode.choices, coerce=int)
    scope_kind = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    exclusions = forms.CharField(
        label=_("Areas left out (targeted assessments)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One area per line, its code then the reason, e.g. “KF4: assessed last year by the ICT audit”."
        ),
    )
    planned_start = forms.DateField(label=_("Planned start"), widget=DateInput())
    planned_end = forms.DateField(
        label=_("Planned end"), widget=DateInput(), help_text=_("The IDG expects two to three months.")
    )
    responsible_division: forms.ModelChoiceField[Division] = forms.ModelChoiceField(
        label=_("Responsible division"), queryset=Division.objects.none(), required=False
    )
    previous: forms.ModelChoiceField[Assessment] = forms.ModelChoiceField(
        label=_("Earlier assessment (second or later cycle)"),
        queryset=Assessment.objects.none(),
        required=False,
    )
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_division"].queryset = Division.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["previous"].queryset = Assessment.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def clean_exclusions(self) -> dict[str, str]:
        parsed: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["exclusions"].splitlines(), 1):
            if not line.strip():
                continue
            code, sep, reason = line.partition(":")
            if not sep or not code.strip() or not reason.strip():
                raise forms.ValidationError(
                    _("Line %(number)s: write the area code, a colon, then the reason.") % {"number": number}
                )
            parsed[code.strip().upper()] = reason.strip()
        return parsed


class TaskForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("Start"), widget=DateInput(), required=False)
    due_date = forms.DateField(label=_("Due"), widget=DateInput(), required=False)
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = VersionField()

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = Participant.objects.filter(assessment=assessment, revoked_at__isnull=True).values("user")
        self.fields["assignee"].queryset = User.objects.filter(pk__in=users)  # type: ignore[attr-defined]


class _ParticipantFields(forms.Form):
    idg_role = forms.ChoiceField(label=_("IDG role"), choices=IdgRole.choices)
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"),
        choices=[("", "—"), *StakeholderGroup.choices],
        required=False,
        help_text=_("For external contributors."),
    )
    expertise = forms.CharField(label=_("Area of expertise"), max_length=150, required=False)
    gender = forms.ChoiceField(
        label=_("Gender (optional)"), choices=[("", "—"), *Gender.choices], required=False
    )
    working_group: forms.ModelChoiceField[WorkingGroup] = forms.ModelChoiceField(
        label=_("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = WorkingGroup.objects.filter(assessment=assessment)  # type: ignore[attr-defined]


class InviteForm(_ParticipantFields):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("Needed only for a person without an account."),
    )
    idempotency_key = CreationKeyField()
    field_order = [
        "email",
        "full_name",
        "idg_role",
        "stakeholder_group",
        "expertise",
        "gender",
        "working_group",
    ]


class ParticipantForm(_ParticipantFields):
    version = VersionField()


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    area_codes = forms.MultipleChoiceField(
        label=_("Areas"), widget=forms.CheckboxSelectMultiple, required=False
    )
    rapporteur: forms.ModelChoiceField[Participant] = forms.ModelChoiceField(
        label=_("Rapporteur"), queryset=Participant.objects.none(), required=False
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, areas: list[tuple[str, str]], group: WorkingGroup | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=group is not None)
        self.fields["area_codes"].choices = areas  # type: ignore[attr-defined]
        if group is None:
            del self.fields["rapporteur"]
        else:
            members = Participant.objects.filter(working_group=group, revoked_at__isnull=True).select_related(
                "user"
            )
            self.fields["rapporteur"].queryset = members  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the document tells about integrity in the administration."),
    )
    idempotency_key = CreationKeyField()


class ReviewForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the review"), widget=forms.Textarea(attrs={"rows": 4}))
    version = VersionField()


class TermsForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm[...] fails at run time
    version = VersionField()

    class Meta:
        model = TermsOfReference
        fields = list(TermsOfReference.FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in TermsOfReference.FIELDS
            if isinstance(TermsOfReference._meta.get_field(name), models.TextField)
        }


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("End"), widget=forms.TimeInput(attrs={"type": "time"}))
    title = forms.CharField(label=_("Session"), max_length=200)
    location = forms.CharField(label=_("Place or link"), max_length=200, required=False)
    lead = forms.CharField(label=_("Led by"), max_length=200, required=False)
    idempotency_key = CreationKeyField()


_NOT_ANSWERED = [("", _("Not answered yet"))]


class ResponseForm(forms.Form):
    """An answer: the narrative, the Figure 5 evaluation and the evidence."""

    narrative = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_(
            "Describe what is in place, how it works in practice and what shows it. "
            "A bare yes or no is not enough."
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    file = forms.FileField(label=_("Add a file as evidence"), required=False)

    def __init__(self, *args: Any, documents: models.QuerySet[BackgroundDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension in maturity.DIMENSIONS:
            self.fields[dimension.field] = forms.ChoiceField(
                label=dimension.question,
                choices=_NOT_ANSWERED + list(maturity.Rating.choices),
                widget=forms.RadioSelect,
                required=False,
            )
        self.fields["evidence"] = ModelChoicesField(
            label=_("Background documents used as evidence"),
            queryset=documents,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.order_fields(["narrative", *maturity.FIELDS, "evidence", "file", "base_version"])


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    idempotency_key = CreationKeyField()


class AnalysisFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("unanswered", _("Not answered")), *ResponseStatus.choices],
    )
    mine = forms.BooleanField(label=_("Only the questions I may answer"), required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Every area in scope")), *areas]  # type: ignore[attr-defined]


class WorkbookForm(forms.Form):
    file = forms.FileField(
        label=_("Filled workbook (XLSX)"),
        help_text=_("The workbook exported from this page, with the group's answers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    area_code = forms.ChoiceField(label=_("Area"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    priority = forms.ChoiceField(
        label=_("Suggested priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    question_codes = forms.CharField(
        label=_("Questions"),
        required=False,
        help_text=_(
            "The codes of the questions the finding comes from, separated by commas (KF6.II.4, KF6.II.5)."
        ),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, areas: list[tuple[str, str]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        self.fields["area_code"].choices = areas  # type: ignore[attr-defined]

    def clean_question_codes(self) -> list[str]:
        raw: str = self.cleaned_data["question_codes"]
        return [code.strip() for code in raw.replace(";", ",").split(",") if code.strip()]


class FieldVisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=VisitKind.choices)
    place = forms.CharField(label=_("Place"), max_length=200)
    people_met = forms.CharField(
        label=_("People met"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    observations = forms.CharField(label=_("Observations"), widget=forms.Textarea(attrs={"rows": 4}))
    idempotency_key = CreationKeyField()


class ReportTextForm(forms.Form):
    key_messages = forms.CharField(
        label=_("Key messages"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("The few messages decision-makers must take away."),
    )
    challenges = forms.CharField(
        label=_("Challenges met"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Overall satisfaction with the process"),
        choices=[("", _("No rating")), *[(str(n), str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1: not at all satisfied · 5: fully satisfied"),
    )
    impact = forms.CharField(
        label=_("What impact has the assessment had?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    challenges = forms.CharField(
        label=_("What challenges did you meet?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    improvements = forms.CharField(
        label=_("What should be done better next time?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    good_practices = forms.CharField(
        label=_("Which good practices should be kept?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    lessons = forms.CharField(
        label=_("What lessons have you learned?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
