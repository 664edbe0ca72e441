"""Forms of the signal screens: the dashboard's and the list's filters, the review steps,
re-identification.

Filters are read from GET: a value that is not a choice is ignored, never an error page.
The review forms carry the version the review was read at (arusha.core.concurrency), so
that two reviewers never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arusha.analytics.selectors.indicators import indicator_text
from arusha.analytics.selectors.signals import RunChoices, SignalFilters
from arusha.analytics.services.reidentification import MAX_PURPOSE, MIN_PURPOSE
from arusha.analytics.services.reviews import MAX_TEXT
from arusha.analytics.vocabulary import ReviewStatus
from arusha.core.concurrency import VersionField

if TYPE_CHECKING:
    from arusha.analytics.models import Run
    from arusha.cases.models import Channel

ANY = ("", _("— any —"))


def _run_label(run: Run) -> str:
    finished = f"{run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else ""
    return f"{run.dataset} · {finished} · {run.get_engine_display()}"


class _Filters(forms.Form):
    run = forms.TypedChoiceField(label=_("Run"), required=False, coerce=int, empty_value=None)
    office = forms.ChoiceField(label=_("Office"), required=False)
    period = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args: Any, runs: Sequence[Run], choices: RunChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [(run.pk, _run_label(run)) for run in runs]  # type: ignore[attr-defined]
        self.fields["office"].choices = [ANY, *((code, code) for code in choices.offices)]  # type: ignore[attr-defined]
        self.fields["period"].choices = [ANY, *((p, p) for p in reversed(choices.periods))]  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name)


class DashboardForm(_Filters):
    """The dashboard's choice of run, office and month (the latest of each by default)."""

    def __init__(self, *args: Any, runs: Sequence[Run], choices: RunChoices, **kwargs: Any) -> None:
        super().__init__(*args, runs=runs, choices=choices, **kwargs)
        self.fields["office"].choices = [(code, code) for code in choices.offices]  # type: ignore[attr-defined]
        self.fields["period"].choices = [(p, p) for p in reversed(choices.periods)]  # type: ignore[attr-defined]


class SignalFilterForm(_Filters):
    """The list's filters; the export takes the same query."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    entity_kind = forms.ChoiceField(label=_("Entity"), required=False)
    review = forms.ChoiceField(label=_("Review"), required=False, choices=[ANY, *ReviewStatus.choices])
    flagged = forms.BooleanField(label=_("Flagged only"), required=False)

    def __init__(
        self,
        *args: Any,
        runs: Sequence[Run],
        choices: RunChoices,
        kinds: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, runs=runs, choices=choices, **kwargs)
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            ANY,
            *((code, f"{indicator_text(code).name} ({code})") for code in choices.indicators),
        ]
        self.fields["entity_kind"].choices = [ANY, *kinds]  # type: ignore[attr-defined]

    def filters(self) -> SignalFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SignalFilters(
            indicator=data.get("indicator") or "",
            entity_kind=data.get("entity_kind") or "",
            period=data.get("period") or "",
            office=data.get("office") or "",
            flagged=bool(data.get("flagged")),
            review=data.get("review") or "",
        )


# --- The review -------------------------------------------------------------------------------


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=_("The officer's explanation"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What the officer (or the firm) said about the signal, as they said it. It is kept "
            "encrypted and only reviewers read it."
        ),
    )
    version = VersionField()


class CloseForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Why no further action is needed"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Kept with the review's outcome, to recalibrate the indicator."),
    )
    version = VersionField()


class ReferForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Case channel"), coerce=int)
    conclusion = forms.CharField(
        label=_("Why the signal is referred"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Goes into the case with the indicator, the pseudonym and the period. Name nobody: "
            "the case knows the entity by its pseudonym only."
        ),
    )
    version = VersionField()

    def __init__(self, *args: Any, channels: Sequence[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channels = {channel.pk: channel for channel in channels}
        self.fields["channel"].choices = [(c.pk, c.name) for c in channels]  # type: ignore[attr-defined]

    def chosen_channel(self) -> Channel:
        return self.channels[int(self.cleaned_data["channel"])]


class ReopenForm(forms.Form):
    version = VersionField()


class ReidentifyForm(forms.Form):
    pseudonym = forms.ChoiceField(label=_("Pseudonym"))
    purpose = forms.CharField(
        label=_("Purpose"),
        min_length=MIN_PURPOSE,
        max_length=MAX_PURPOSE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, pseudonyms: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pseudonym"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} ({label})") for code, label in pseudonyms
        ]
        if len(pseudonyms) == 1:
            self.fields["pseudonym"].initial = pseudonyms[0][0]
        # Formatted here, in the reader's language (a lazy text formatted at import would not be).
        self.fields["purpose"].help_text = gettext(
            "Why you need to know who this is, in at least %(count)s characters. The purpose, "
            "your name and the time are kept and audited."
        ) % {"count": MIN_PURPOSE}
