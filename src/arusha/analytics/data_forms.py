"""The forms of the clearance-data screens (arusha.analytics.views.data_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arusha.analytics.engine.mapping import MAPPING_MAX_CHARS
from arusha.analytics.services.imports import GENERATE_MAX
from arusha.analytics.services.runs import engines
from arusha.analytics.vocabulary import Engine
from arusha.core.concurrency import CreationKeyField

PLANTED = "planted"
NULL = "null"


class DatasetImportForm(forms.Form):
    idempotency_key = CreationKeyField()
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("For example: ASYCUDA export, January to June 2026."),
    )
    file = forms.FileField(
        label=gettext_lazy("Clearance data (a ZIP of CSV or Parquet files)"),
        help_text=gettext_lazy(
            "One file per table: declarations and items at least. Without a mapping, each file is named "
            "after its table (declarations.csv, items.parquet…) and its columns after the schema's."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip"}),
    )
    mapping = forms.CharField(
        label=gettext_lazy("Mapping (YAML, optional)"),
        required=False,
        max_length=MAPPING_MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Which file and which column feed each table and column, and how dates and numbers are written. "
            "docs/analytics-schema.md has an example."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.ARUSHA_ANALYTICS_UPLOAD_MAX_BYTES
        if not str(upload.name or "").lower().endswith(".zip"):
            raise forms.ValidationError(_("Choose a ZIP file (.zip) of CSV or Parquet files."))
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("The ZIP file is larger than %(mb)s MB: import larger data from a folder with the command.")
                % {"mb": limit // (1024 * 1024)}
            )
        return upload


class DatasetGenerateForm(forms.Form):
    idempotency_key = CreationKeyField()
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    declarations = forms.IntegerField(
        label=gettext_lazy("Declarations"),
        min_value=1000,
        max_value=GENERATE_MAX,
        initial=60_000,
        help_text=gettext_lazy("Twelve months of clearance: 60,000 declarations take a few seconds."),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        initial=1,
        help_text=gettext_lazy("The same seed gives the same data."),
    )
    anomalies = forms.ChoiceField(
        label=gettext_lazy("Anomalies"),
        choices=[
            (
                PLANTED,
                gettext_lazy("Plant anomalies (with look-alike legitimate patterns), to see what is found"),
            ),
            (NULL, gettext_lazy("Plant nothing (the null dataset), to see what is flagged by chance")),
        ],
        initial=PLANTED,
        widget=forms.RadioSelect,
    )


class RunForm(forms.Form):
    engine = forms.ChoiceField(label=gettext_lazy("Engine"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = engines()
        field = self.fields["engine"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = offered
        wanted = settings.ARUSHA_ANALYTICS_ENGINE
        field.initial = wanted if wanted in dict(offered) else Engine.DUCKDB
        if len(offered) == 1:
            field.help_text = _("Apache Spark is not installed here: the catalogue runs on this machine.")
