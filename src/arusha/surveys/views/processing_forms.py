"""Forms of the processing screens: the key, files, review decisions and the paper questionnaire."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.surveys.models import Choice, Item, ItemKind, RespondentGroup, Wave
from arusha.surveys.services.review import KEEP_FIRST, KEEP_SECOND, MAX_REASON
from arusha.surveys.services.tool_import import parse_number

ITEM_PREFIX = "q_"
_MAX_ID = 2**63 - 1


class KeyOpenForm(forms.Form):
    passphrase = forms.CharField(
        label=_("The wave's passphrase"),
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("The server does not keep it. It opens the key for the hours below, then forgets it."),
    )
    hours = forms.IntegerField(label=_("Keep the key open for (hours)"), min_value=1, max_value=72, initial=8)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ImportForm(FileForm):
    group = forms.ChoiceField(
        label=_("Respondent group of every row"),
        required=False,
        help_text=_("Only when the file has no “respondent_group” column."),
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("— taken from the file —")), *groups]  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    """One decision on one row of a review list."""

    pk = forms.IntegerField(min_value=1, max_value=_MAX_ID, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[("accept", "accept"), ("exclude", "exclude")], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Why it is excluded"), required=False, max_length=MAX_REASON)


class ResendForm(forms.Form):
    pk = forms.IntegerField(min_value=1, max_value=_MAX_ID, widget=forms.HiddenInput)
    keep = forms.ChoiceField(choices=[(KEEP_FIRST, KEEP_FIRST), (KEEP_SECOND, KEEP_SECOND)])


def _label(labels: dict[str, str], language: str, fallback: str) -> str:
    return str(labels.get(language) or labels.get("en") or next(iter(labels.values()), fallback))


def group_choices(wave: Wave) -> list[tuple[str, str]]:
    """The survey's groups, subgroups after their parent's name."""
    language = (get_language() or "en").split("-")[0]
    with scopes_disabled():
        groups = list(RespondentGroup.objects.filter(survey_id=wave.survey_id).select_related("parent"))
    choices = []
    for group in groups:
        label = group.label(language)
        if group.parent is not None:
            label = f"{group.parent.label(language)} \u203a {label}"
        choices.append((group.code, label))
    return choices


class NumberField(forms.CharField):
    """A number as the paper shows it: a whole number stays whole."""

    def to_python(self, value: Any) -> Any:
        text = str(super().to_python(value) or "").strip().replace(",", ".")
        if not text:
            return None
        number = parse_number(text)
        if number is None:
            raise forms.ValidationError(_("Enter a number."), code="invalid")
        return number


@dataclass
class Block:
    name: str
    notes: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


class PaperForm(forms.Form):
    """The wave's questionnaire on one page, as a paper form is keyed in.

    Every item is optional here: the questionnaire's own rules (required, relevance)
    are checked by the service, which names the item at fault.
    """

    response_id = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": _("The form is damaged: reload the page.")}
    )
    group = forms.ChoiceField(label=_("Respondent group"))
    language = forms.ChoiceField(label=_("Language of the paper form"))

    def __init__(self, *args: Any, wave: Wave, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("response_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        language = (get_language() or "en").split("-")[0]
        version = wave.questionnaire
        self.fields["group"].choices = [("", _("Choose…")), *group_choices(wave)]  # type: ignore[attr-defined]
        names = dict(settings.LANGUAGES)
        languages = [(code, str(names.get(code, code))) for code in version.languages]
        self.fields["language"].choices = languages  # type: ignore[attr-defined]
        if version.languages:
            self.fields["language"].initial = version.languages[0]
        with scopes_disabled():
            items = list(Item.objects.filter(questionnaire=version).order_by("position"))
            choices: dict[str, list[tuple[str, str]]] = {}
            for choice in Choice.objects.filter(questionnaire=version).order_by("list_name", "position"):
                text = _label(choice.labels, language, choice.name)
                shown = text if text == choice.name else f"{text} ({choice.name})"
                choices.setdefault(choice.list_name, []).append((choice.name, shown))
        self.items: dict[str, Item] = {}
        self.blocks: list[Block] = []
        for item in items:
            if not self.blocks or self.blocks[-1].name != item.block:
                self.blocks.append(Block(item.block))
            label = _label(item.labels, language, item.name)
            if item.kind == ItemKind.NOTE:
                self.blocks[-1].notes.append(label)
                continue
            name = ITEM_PREFIX + item.name
            help_parts = [f"{item.name}"]
            if item.relevance:
                help_parts.append(str(_("only if %(rule)s")) % {"rule": item.relevance})
            if item.required:
                help_parts.append(str(_("required")))
            hint = _label(item.hints, language, "") if item.hints else ""
            if hint:
                help_parts.append(hint)
            self.fields[name] = self._field(
                item, label, choices.get(item.choice_list, []), " · ".join(help_parts)
            )
            self.items[name] = item
            self.blocks[-1].fields.append(name)

    @staticmethod
    def _field(item: Item, label: str, choices: list[tuple[str, str]], help_text: str) -> forms.Field:
        if item.kind in (ItemKind.LIKERT, ItemKind.SINGLE):
            return forms.ChoiceField(
                label=label, required=False, choices=choices, widget=forms.RadioSelect, help_text=help_text
            )
        if item.kind == ItemKind.MULTIPLE:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=help_text,
            )
        if item.kind == ItemKind.NUMBER:
            return NumberField(label=label, required=False, max_length=40, help_text=help_text)
        return forms.CharField(label=label, required=False, max_length=500, help_text=help_text)

    def sections(self) -> list[tuple[str, list[str], list[forms.BoundField]]]:
        """Each block of the questionnaire: its name, its notes and its fields, in order."""
        return [(block.name, block.notes, [self[name] for name in block.fields]) for block in self.blocks]

    def answers(self) -> dict[str, Any]:
        return {item.name: self.cleaned_data.get(name) for name, item in self.items.items()}

    def field_of(self, name: str | None) -> str | None:
        """The form field for a service's error field (an item's name, "group" or "language")."""
        if name is None:
            return None
        if ITEM_PREFIX + name in self.fields:
            return ITEM_PREFIX + name
        return name if name in ("group", "language") else None
