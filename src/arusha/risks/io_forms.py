"""The form of the register's import page (arusha.risks.views.io_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arusha.risks.workbook import read_limits


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register workbook (XLSX)"),
        help_text=gettext_lazy(
            "A workbook exported from this assessment or another one, with its sheets and their first "
            "two rows as exported."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = read_limits().max_bytes
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("The workbook is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
            )
        return upload
