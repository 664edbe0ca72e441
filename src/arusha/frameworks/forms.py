from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Pack file (YAML)"),
        help_text=_("One YAML file holding the whole pack. See the pack format in the documentation."),
    )

    def clean_file(self) -> str:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > settings.ARUSHA_FRAMEWORK_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        try:
            text: str = upload.read().decode("utf-8")
            return text
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search questions"), required=False, max_length=200)
