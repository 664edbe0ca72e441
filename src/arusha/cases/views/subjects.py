"""The people a case is about: recorded and linked to members by those who hold its key."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import Case
from arusha.cases.people_forms import SubjectForm
from arusha.cases.services import subjects
from arusha.core.errors import DomainError
from arusha.core.form_pages import done, submit
from arusha.core.policies import on_object
from arusha.core.requests import object_of
from arusha.core.requests import organization_of as _org


def _here(case: Case) -> str:
    return reverse("case-subjects", args=[case.organization.slug, case.pk])


@on_object("case", Case, "view", post="handle")
@require_http_methods(["GET", "POST"])
def case_subjects(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current, org = object_of(request, "case", Case), _org(request)
    keyring = Keyring.of(request, org)
    form = SubjectForm(request.POST or None, organization=org)
    if request.method == "POST":
        saved = submit(
            request,
            form,
            lambda data: subjects.subject_add(
                keyring=keyring, case=current, name=data["name"], role=data["role"], member=data["member"]
            ),
        )
        if saved is not None:
            for user in subjects.now_conflicted(keyring, current):
                messages.warning(
                    request,
                    _("%(name)s is assigned to this case and conflicts with this person: review it.")
                    % {"name": user},
                )
            return done(request, saved.value, _here(current), _("The person concerned is recorded."))
    try:
        found = subjects.subjects_of(keyring, current)
        problem = ""
    except (VaultLocked, NoKey) as error:
        found, problem = [], str(error.message)
    context = {
        "case": current,
        "ctab": "people",
        "form": form,
        "subjects": found,
        "problem": problem,
        "vault_url": reverse("cases-vault", args=[org.slug]) + f"?next={_here(current)}",
    }
    return render(request, "cases/people/subjects.html", context, status=400 if form.errors else 200)


@on_object("case", Case, "handle")
@require_POST
def case_subject_remove(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = object_of(request, "case", Case)
    try:
        subjects.subject_remove(keyring=Keyring.of(request, _org(request)), case=current, pk=pk)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The person is no longer recorded on the case."))
    return redirect(_here(current))
