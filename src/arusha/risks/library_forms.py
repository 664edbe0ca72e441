"""Forms of the library's screens: they parse input; the services (library, processes) enforce the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.core.concurrency import CreationKeyField, VersionField, create_or_edit
from arusha.core.forms import ModelChoicesField
from arusha.core.models import Division
from arusha.frameworks.factors import FACTOR_NAMES
from arusha.risks.matrices import DEFAULT_PRESET
from arusha.risks.models import Process
from arusha.risks.services.library import MAX_DEFINITION_BYTES
from arusha.risks.services.processes import MAX_DESCRIPTION, MAX_SCHEME_PART
from arusha.risks.vocabulary import CorruptionType, RiskFactor

PRESETS = [
    ("3x3", _("Three by three: three levels of likelihood and of impact")),
    ("4x4", _("Four by four")),
    ("5x5", _("Five by five (recommended)")),
]


def _text(label: Any, *, rows: int = 3, max_length: int = 2000, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class LibraryKeyForm(forms.Form):
    """A one-button form: it carries nothing but the CSRF token (the services are idempotent)."""


class ProcessStateForm(forms.Form):
    """A one-button change of a process: it carries the version the page was read at."""

    version = VersionField()


class MatrixPresetForm(forms.Form):
    preset = forms.ChoiceField(label=_("Preset"), choices=PRESETS, initial=DEFAULT_PRESET)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the preset's name. You can change everything in it afterwards."),
    )
    idempotency_key = CreationKeyField()


class MatrixEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    definition = forms.CharField(
        label=_("Definition (YAML)"),
        max_length=MAX_DEFINITION_BYTES,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "The levels of likelihood and impact, the risk levels with their colours, the grid "
            "(one row per likelihood rank, from rank 1, one cell per impact rank) and the appetite. "
            "JSON is accepted too."
        ),
    )
    version = VersionField()


class ProcessForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_("Capital letters and digits, with a dot for a sub-process: EXA, EXA.4."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = _text(_("Description"), rows=3, max_length=MAX_DESCRIPTION)
    parent = forms.TypedChoiceField(label=_("Part of"), required=False, coerce=int, empty_value=None)
    offices: forms.ModelMultipleChoiceField[Division] = ModelChoicesField(
        label=_("Offices involved"),
        queryset=Division.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    external_actors = _text(
        _("Outside actors"),
        rows=4,
        max_length=10_000,
        help_text=_("One a line: brokers, carriers, other agencies…"),
    )
    systems = _text(
        _("Systems"), rows=3, max_length=10_000, help_text=_("One a line: the IT systems involved.")
    )
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(
        self,
        *args: Any,
        parents: list[tuple[int, str]],
        processes: dict[int, Process],
        offices: list[Division],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)
        cast(forms.ChoiceField, self.fields["parent"]).choices = [
            ("", _("— none: a process of the first level —")),
            *parents,
        ]
        self.processes = processes
        field = cast(ModelChoicesField, self.fields["offices"])
        field.queryset = Division.objects.filter(pk__in=[office.pk for office in offices]).order_by("name")
        if not offices:
            field.help_text = _("The organization has no divisions yet: add them under Divisions.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = data.get("parent")
        data["parent"] = self.processes.get(parent) if isinstance(parent, int) else None
        data["offices"] = list(data.get("offices") or [])
        return data


class ScenarioForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_("The process's code, -S and a number: EXA-S5."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    who = _text(_("Who (inside the administration)"), rows=2, max_length=MAX_SCHEME_PART)
    with_whom = _text(_("With whom"), rows=2, max_length=MAX_SCHEME_PART)
    what = _text(_("What (the decision, document or asset at stake)"), rows=2, max_length=MAX_SCHEME_PART)
    how = _text(
        _("How, in general terms"),
        rows=3,
        max_length=MAX_SCHEME_PART,
        help_text=_("Describe the situation, not a method: the catalogue is read widely."),
    )
    benefit = _text(_("Benefit"), rows=2, max_length=MAX_SCHEME_PART)
    corruption_types = forms.MultipleChoiceField(
        label=_("Corruption types"),
        choices=CorruptionType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    factors = forms.MultipleChoiceField(
        label=_("Key factors whose measures address it"),
        choices=[(code, f"{code} · {name}") for code, name in FACTOR_NAMES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors (what makes it possible)"),
        choices=RiskFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # The process's version: a scenario is part of its process's entry (services.processes.scenario_save).
    version = VersionField()
    idempotency_key = CreationKeyField()

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        create_or_edit(self.fields, editing=editing)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["scheme"] = {
            part: data.pop(part, "") or "" for part in ("who", "with_whom", "what", "how", "benefit")
        }
        return data
