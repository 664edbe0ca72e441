"""Classify a case at triage: its category and the office concerned."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha.cases.forms import ClassifyForm
from arusha.cases.models import Case
from arusha.cases.services.workflow import case_classify
from arusha.core.concurrency import StaleEdit
from arusha.core.errors import DomainError
from arusha.core.policies import on_object
from arusha.core.requests import object_of, organization_of, user_of


@on_object("case", Case, "handle")
@require_POST
def case_classify_view(request: HttpRequest, organization: str, case: uuid.UUID) -> HttpResponse:
    current = object_of(request, "case", Case)
    form = ClassifyForm(request.POST, organization=organization_of(request))
    back = reverse("case-detail", args=[current.organization.slug, current.pk])
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, _("The classification was not saved: %(error)s") % {"error": first})
        return redirect(back)
    data = form.cleaned_data
    try:
        case_classify(
            actor=user_of(request),
            case=current,
            category_id=data["category"],
            office_id=data["office"],
            version=data["version"],
        )
    except StaleEdit:
        messages.error(request, _("Someone changed this case meanwhile: look at it again, then classify it."))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The case is classified."))
    return redirect(back)
