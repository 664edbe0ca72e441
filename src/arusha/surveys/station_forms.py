"""Forms of the collection screens: adding a survey station, making a batch of invitations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha.core.concurrency import CreationKeyField, VersionField
from arusha.surveys.models import Wave
from arusha.surveys.services.invitations import MAX_BATCH


class WaveChoices(forms.ModelMultipleChoiceField[Wave]):
    def label_from_instance(self, obj: Any) -> str:
        wave: Wave = obj
        return f"{wave.survey.title} · {wave.name}"


class StationForm(forms.Form):
    idempotency_key = CreationKeyField()
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What is written on the tablet, e.g. “Tablet 3, port office”."),
    )
    waves = WaveChoices(
        label=_("Waves it collects"),
        queryset=Wave.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one wave for the station to collect.")},
    )

    def __init__(self, *args: Any, waves: list[Wave], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["waves"]
        assert isinstance(field, WaveChoices)
        field.queryset = Wave.objects.filter(pk__in=[w.pk for w in waves]).select_related("survey")


class StationActionForm(forms.Form):
    """A one-button change of a station (a new code, retiring), read at its version."""

    version = VersionField()


class InvitationForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many invitations"),
        min_value=1,
        max_value=MAX_BATCH,
        initial=100,
        help_text=_("Each invitation answers the survey once. At most %(most)d at a time.")
        % {"most": MAX_BATCH},
    )
    batch = forms.CharField(
        label=_("Name of the batch (optional)"),
        max_length=100,
        required=False,
        help_text=_("To tell batches apart, e.g. “Brokers, March”. Today's date otherwise."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class InvitationCsvForm(forms.Form):
    """The tokens just shown, sent back once to download them as CSV (they are not stored)."""

    batch = forms.CharField(max_length=100, required=False)
    tokens = forms.CharField(max_length=MAX_BATCH * 50)

    def clean_tokens(self) -> list[str]:
        tokens = [line.strip() for line in self.cleaned_data["tokens"].split() if line.strip()]
        if not tokens or len(tokens) > MAX_BATCH or any(len(token) > 100 for token in tokens):
            raise forms.ValidationError(_("The list of invitations is damaged: make a new batch."))
        return tokens
