"""Moving an assessment between Arusha instances: JSON export and import."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from arusha.assessments import portability, services
from arusha.assessments.access import PERMISSION_MANAGE, can_manage
from arusha.assessments.views.base import assessment_of, org_of, user_of
from arusha.core.policies import member

MAX_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Exported assessment (JSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


@can_manage
def assessment_export(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    body = json.dumps(portability.export_document(current), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{current.pk}.json"'
    return response


@member(PERMISSION_MANAGE)
@require_http_methods(["GET", "POST"])
def assessment_import(request: HttpRequest, organization: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if (upload.size or 0) > MAX_BYTES:
            errors = [_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1048576}]
        else:
            try:
                imported = services.assessment_import(
                    actor=user_of(request), organization=org_of(request), data=upload.read()
                )
            except services.ImportRejectedError as rejected:
                errors = rejected.errors
            else:
                messages.success(request, _("The assessment is imported."))
                return redirect("assessment-detail", organization=organization, assessment=imported.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/import.html", {"form": form, "errors": errors}, status=status)
