"""Forms of the questionnaire and wave screens: they parse input; services enforce the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.spreadsheets import MAX_CELL_TEXT
from arusha.surveys.keys import MIN_PASSPHRASE
from arusha.surveys.models import DEFAULT_CELL, SMALLEST_CELL, QuestionnaireVersion, RespondentGroup
from arusha.surveys.xlsform import Questionnaire, XLSFormInvalidError, language_name, parse_workbook


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Lower-case letters, digits and dashes, e.g. cips-2026. It names the survey in exports."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    minimum_cell = forms.IntegerField(
        label=_("Smallest group shown"),
        min_value=SMALLEST_CELL,
        max_value=1000,
        initial=DEFAULT_CELL,
        help_text=_("Results of fewer respondents than this are never shown. It cannot be below 5."),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)


def label_languages(extra: list[str] | None = None) -> list[str]:
    """The interface's languages, then any other a questionnaire of the survey uses."""
    codes = [code for code, _name in settings.LANGUAGES]
    return codes + [code for code in extra or [] if code not in codes]


class GroupForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case, e.g. staff or broker. Stations and exports name the group by it."),
    )
    parent = forms.TypedChoiceField(label=_("Part of"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: Any,
        languages: list[str],
        parents: list[RespondentGroup],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages
        for position, code in enumerate(languages):
            self.fields[f"label_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language_name(code)},
                max_length=200,
                required=position == 0,
            )
        cast(forms.ChoiceField, self.fields["parent"]).choices = [
            ("", _("— none: a group of the first level —"))
        ] + [(group.pk, group.label()) for group in parents]
        self.parents = {group.pk: group for group in parents}
        self.order_fields(["code", *[f"label_{code}" for code in languages], "parent"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["labels"] = {code: data.pop(f"label_{code}", "") or "" for code in self.languages}
        parent = data.get("parent")
        data["parent"] = self.parents.get(parent) if isinstance(parent, int) else None
        return data


def _read_upload(upload: UploadedFile) -> bytes:
    if (upload.size or 0) > settings.ARUSHA_XLSX_MAX_BYTES:
        raise forms.ValidationError(
            _("The workbook is larger than %(mb)s MB.")
            % {"mb": settings.ARUSHA_XLSX_MAX_BYTES // (1024 * 1024)}
        )
    data: bytes = upload.read()
    return data


class XLSFormUploadForm(forms.Form):
    """An XLSForm workbook, read and checked when the form is: `questionnaire` once valid.

    Every problem is kept in `import_errors` (by sheet and row) for the page to list.
    """

    file = forms.FileField(
        label=_("XLSForm workbook (.xlsx)"),
        help_text=_("With the sheets survey, choices and settings. See the columns in the documentation."),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, replacing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=replacing)
        self.import_errors: list[str] = []
        self.questionnaire: Questionnaire | None = None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            self.questionnaire = parse_workbook(_read_upload(upload))
        except XLSFormInvalidError as error:
            self.import_errors = error.errors
            count = len(error.errors)
            raise forms.ValidationError(
                ngettext(
                    "The workbook has %(count)s problem, listed above. Nothing was imported.",
                    "The workbook has %(count)s problems, listed above. Nothing was imported.",
                    count,
                )
                % {"count": count}
            ) from error
        return upload


class KeyForm(forms.Form):
    """A one-button form that creates something: its creation key makes a double submit harmless."""

    idempotency_key = CreationKeyField()


class VersionOnlyForm(forms.Form):
    """A one-button form that changes something: it carries the version the page was read at."""

    version = VersionField()

    @classmethod
    def posted(cls, data: QueryDict) -> int | None:
        """The version the page was read at, as posted (None if it is missing or malformed)."""
        form = cls(data)
        return form.cleaned_data.get("version") if form.is_valid() else None


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("For example: Round 2026."))
    questionnaire = forms.TypedChoiceField(
        label=_("Questionnaire version"),
        coerce=int,
        help_text=_("Only published versions are offered. It cannot change once the wave has opened."),
    )
    opens_on = forms.DateField(label=_("Opens on"), required=False, widget=DateInput())
    closes_on = forms.DateField(
        label=_("Closes on"),
        required=False,
        widget=DateInput(),
        help_text=_("Responses that arrive later are kept, quarantined as late."),
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self, *args: Any, versions: list[QuestionnaireVersion], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        self.versions = {version.pk: version for version in versions}
        cast(forms.ChoiceField, self.fields["questionnaire"]).choices = [
            (
                version.pk,
                _("Version %(number)s: %(title)s") % {"number": version.number, "title": version.title},
            )
            for version in versions
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("questionnaire")
        data["questionnaire"] = self.versions.get(chosen) if isinstance(chosen, int) else None
        return data


class PopulationsForm(forms.Form):
    """How many people each group counts: one field per group, empty when unknown."""

    version = VersionField()

    def __init__(self, *args: Any, groups: list[RespondentGroup], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[f"group_{group.pk}"] = forms.IntegerField(
                label=group.label(language) if group.parent_id is None else f"— {group.label(language)}",
                required=False,
                min_value=1,
                max_value=100_000_000,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["counts"] = {group.pk: data.pop(f"group_{group.pk}", None) for group in self.groups}
        return data


class WaveOpenForm(forms.Form):
    """The passphrase that locks the wave's key, typed twice; never stored, never shown again."""

    passphrase = forms.CharField(
        label=_("Passphrase"),
        min_length=MIN_PASSPHRASE,
        max_length=MAX_CELL_TEXT,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least %(count)s characters. A few unrelated words are easy to keep and hard to guess."
        )
        % {"count": MIN_PASSPHRASE},
    )
    passphrase_again = forms.CharField(
        label=_("The passphrase again"),
        max_length=MAX_CELL_TEXT,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    version = VersionField()

    def __init__(self, *args: Any, needs_passphrase: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_passphrase:
            del self.fields["passphrase"]
            del self.fields["passphrase_again"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "passphrase" in self.fields:
            first, again = data.get("passphrase"), data.get("passphrase_again")
            if first and again is not None and first != again:
                self.add_error("passphrase_again", _("The two passphrases differ: type the same one twice."))
        data.pop("passphrase_again", None)
        return data
