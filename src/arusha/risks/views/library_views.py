"""The library of risk mapping: the process catalogue with its example scenarios, and the matrices.

Anyone who works on risks reads it; the keepers of the library (`risks.library.manage`)
change it. Every write goes through arusha.risks.services.library (matrices, the shipped
library) or arusha.risks.services.processes (the catalogue); a frozen matrix is
never changed, its edit makes the next version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arusha.core.form_pages import form_page
from arusha.core.policies import custom
from arusha.core.requests import notes_of, organization_of, user_of
from arusha.risks.access import LIBRARY, works_on_risks
from arusha.risks.library_forms import (
    LibraryKeyForm,
    MatrixEditForm,
    MatrixPresetForm,
    ProcessForm,
    ProcessStateForm,
    ScenarioForm,
)
from arusha.risks.models import Matrix, Process, Scenario
from arusha.risks.selectors import library as selectors
from arusha.risks.services import library as services
from arusha.risks.services import processes
from arusha.risks.views.base import (
    can_of,
    matrix_of,
    on_matrix,
    on_process,
    one_button,
    process_of,
    works_on_risks_policy,
)


def _keeper(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    access = notes_of(request).access
    if not works_on_risks(access):
        raise Http404(_("Not found"))
    if not access.has(LIBRARY):
        raise PermissionDenied(_("Only the keepers of the risk library may change it."))


# Pages that change the library without an object yet: 404 for those who do not work on
# risks (they may not know the section exists), 403 for readers of it.
library_keeper_policy = custom("risks:library", _keeper)


def _language() -> str:
    language = (get_language() or "en").split("-")[0]
    return language if language in ("en", "fr", "es") else "en"


def library_url(organization: str) -> str:
    return reverse("risk-library", args=[organization])


def matrix_url(matrix: Matrix) -> str:
    return reverse("matrix-detail", args=[matrix.organization.slug, matrix.pk])


def process_url(process: Process) -> str:
    return reverse("process-detail", args=[process.organization.slug, process.pk])


def _may_keep(request: HttpRequest) -> bool:
    return notes_of(request).access.has(LIBRARY)


# --- The library page -----------------------------------------------------------------------------


@works_on_risks_policy
@require_GET
def risk_library(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    rows = selectors.catalogue_rows(org)
    return render(
        request,
        "risks/library/library.html",
        {
            "rows": rows,
            "in_use": sum(1 for row in rows if row.process.active),
            "matrices": selectors.matrix_rows(org),
            "missing": selectors.library_missing(org) if rows else 0,
            "may_keep": _may_keep(request),
            "preset_form": MatrixPresetForm(),
            "install_form": LibraryKeyForm(),
        },
    )


@library_keeper_policy
@require_http_methods(["GET", "POST"])
def catalogue_install(request: HttpRequest, organization: str) -> HttpResponse:
    """Copy the shipped process library into the catalogue (processes the catalogue lacks, by code)."""
    org, user = organization_of(request), user_of(request)
    back = library_url(org.slug)

    def done(added: int) -> str:
        if not added:
            return _("The catalogue already holds every process of the library.")
        return ngettext(
            "%(count)s process of the library is added to the catalogue, with its scenarios.",
            "%(count)s processes of the library are added to the catalogue, with their scenarios.",
            added,
        ) % {"count": added}

    def page() -> HttpResponse:
        missing = selectors.library_missing(org)
        return render(
            request,
            "risks/library/confirm.html",
            {
                "form": LibraryKeyForm(),
                "heading": _("Install the process library"),
                "explanation": [
                    _(
                        "Arusha's library of Customs processes is copied into your catalogue, in the "
                        "language of this page, with its example corruption scenarios. You can change all "
                        "of it afterwards."
                    ),
                    _("Processes whose code the catalogue already has are left as they are."),
                ],
                "refusal": "" if missing else _("The catalogue already holds every process of the library."),
                "button": _("Install the library"),
                "back_url": back,
            },
        )

    return one_button(
        request,
        lambda: services.catalogue_install(actor=user, organization=org, language=_language()),
        done=done,
        url=back + "#catalogue",
        refused_url=back,
        page=page,
    )


# --- Matrices -------------------------------------------------------------------------------------


@library_keeper_policy
@require_http_methods(["GET", "POST"])
def matrix_add(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = organization_of(request), user_of(request)
    form = MatrixPresetForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: services.matrix_add(
            actor=user, organization=org, preset=data["preset"], name=data["name"], language=_language()
        ),
        success=matrix_url,
        message=lambda matrix: _("The matrix %(name)s is added as a draft.") % {"name": matrix.name},
        template="risks/library/matrix_add.html",
        context={},
    )


@on_matrix("view")
@require_GET
def matrix_detail(request: HttpRequest, organization: str, matrix: int) -> HttpResponse:
    current = matrix_of(request)
    return render(
        request,
        "risks/library/matrix_detail.html",
        {"matrix": current, "can": can_of(request, "matrix"), **selectors.matrix_page(current)},
    )


def _matrix_values(matrix: Matrix) -> dict[str, Any]:
    return {"name": matrix.name, "definition": selectors.definition_yaml(matrix), "version": matrix.version}


@on_matrix("edit")
@require_http_methods(["GET", "POST"])
def matrix_edit(request: HttpRequest, organization: str, matrix: int) -> HttpResponse:
    current, user = matrix_of(request), user_of(request)
    form = MatrixEditForm(request.POST or None, initial=_matrix_values(current))
    versions = selectors.matrix_versions(current)

    def message(saved: Matrix) -> str:
        if saved.pk == current.pk and current.frozen:
            return _("Nothing changed: no new version was made.")
        if saved.pk != current.pk:
            return _(
                "The matrix is saved as version %(number)s, a draft. Version %(old)s stays as it was."
            ) % {
                "number": saved.number,
                "old": current.number,
            }
        return _("The matrix is saved.")

    return form_page(
        request,
        form,
        lambda data: services.matrix_edit(
            actor=user,
            matrix=current,
            name=data["name"],
            text=data["definition"],
            version=data.get("version"),
        ),
        success=matrix_url,
        message=message,
        template="risks/library/matrix_form.html",
        context={
            "matrix": current,
            "next_number": (versions[0].number if versions else current.number) + 1,
            "latest": versions[0] if versions else current,
        },
        theirs=_matrix_values,
    )


# --- Processes ------------------------------------------------------------------------------------


def _process_form(request: HttpRequest, process: Process | None, initial: dict[str, Any]) -> ProcessForm:
    org = organization_of(request)
    parents = selectors.parent_choices(org, exclude=process)
    rows = selectors.catalogue_rows(org)
    return ProcessForm(
        request.POST or None,
        initial=initial,
        parents=parents,
        processes={row.process.pk: row.process for row in rows},
        offices=selectors.office_choices(org),
        editing=process is not None,
    )


def _process_values(process: Process) -> dict[str, Any]:
    return {
        "code": process.code,
        "name": process.name,
        "description": process.description,
        "parent": process.parent_id or "",
        "offices": [office.pk for office in process.offices.all()],
        "external_actors": process.external_actors,
        "systems": process.systems,
        "version": process.version,
    }


@library_keeper_policy
@require_http_methods(["GET", "POST"])
def process_add(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = organization_of(request), user_of(request)
    parent = request.GET.get("parent", "")
    initial = {"parent": int(parent)} if parent.isdigit() and len(parent) < 12 else {}
    form = _process_form(request, None, initial)
    return form_page(
        request,
        form,
        lambda data: processes.process_save(actor=user, organization=org, **data),
        success=process_url,
        message=lambda process: (
            _("The process %(process)s is added to the catalogue.") % {"process": process}
        ),
        template="risks/library/process_form.html",
        context={"process": None},
    )


@on_process("view")
@require_GET
def process_detail(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    current = process_of(request)
    org = organization_of(request)
    rows = selectors.catalogue_rows(org)
    row = next((row for row in rows if row.process.pk == current.pk), None)
    children = [other for other in rows if other.process.parent_id == current.pk]
    return render(
        request,
        "risks/library/process_detail.html",
        {
            "process": current,
            "row": row,
            "parent": next((other.process for other in rows if other.process.pk == current.parent_id), None),
            "children": children,
            "scenarios": selectors.scenarios_of(current),
            "can": can_of(request, "process"),
            "state_form": ProcessStateForm(initial={"version": current.version}),
        },
    )


@on_process("edit")
@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    current, user, org = process_of(request), user_of(request), organization_of(request)
    form = _process_form(request, current, _process_values(current))
    return form_page(
        request,
        form,
        lambda data: processes.process_save(actor=user, organization=org, process=current, **data),
        success=process_url,
        message=_("The process is saved."),
        template="risks/library/process_form.html",
        context={"process": current},
        theirs=_process_values,
    )


def _process_action(
    request: HttpRequest,
    process: Process,
    action: Callable[[int | None], object],
    *,
    done: str,
    done_url: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A one-button change of a process: GET asks once, POST runs it and says how it went."""
    form = ProcessStateForm(request.POST or None, initial={"version": process.version})
    return one_button(
        request,
        lambda: action(form.cleaned_data.get("version") if form.is_valid() else None),
        done=done,
        url=done_url,
        refused_url=process_url(process),
        page=lambda: render(
            request, "risks/library/confirm.html", {"form": form, "back_url": process_url(process), **context}
        ),
    )


@on_process("edit")
@require_http_methods(["GET", "POST"])
def process_deactivate(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    current, user = process_of(request), user_of(request)
    return _process_action(
        request,
        current,
        lambda version: processes.process_deactivate(actor=user, process=current, version=version),
        done=_("The process %(process)s is out of use: new cycles no longer offer it.")
        % {"process": current},
        done_url=process_url(current),
        context={
            "heading": _("Take %(process)s out of use") % {"process": current},
            "explanation": [
                _("New assessment cycles will no longer offer it, nor its sub-processes."),
                _("Registers and cycles that already use it keep it."),
                _("You can put it back in use at any time."),
            ],
            "refusal": "" if current.active else _("This process is already out of use."),
            "button": _("Take it out of use"),
        },
    )


@on_process("edit")
@require_http_methods(["GET", "POST"])
def process_activate(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    current, user = process_of(request), user_of(request)
    return _process_action(
        request,
        current,
        lambda version: processes.process_activate(actor=user, process=current, version=version),
        done=_("The process %(process)s is in use again.") % {"process": current},
        done_url=process_url(current),
        context={
            "heading": _("Put %(process)s back in use") % {"process": current},
            "explanation": [
                _("New assessment cycles will offer it again. Its sub-processes stay as they are.")
            ],
            "refusal": _("This process is in use.") if current.active else "",
            "button": _("Put it back in use"),
        },
    )


@on_process("edit")
@require_http_methods(["GET", "POST"])
def process_delete(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    current, user = process_of(request), user_of(request)
    return _process_action(
        request,
        current,
        lambda version: processes.process_delete(actor=user, process=current),
        done=_("The process %(process)s is removed from the catalogue.") % {"process": current},
        done_url=library_url(current.organization.slug) + "#catalogue",
        context={
            "heading": _("Remove %(process)s from the catalogue") % {"process": current},
            "explanation": [
                _("The process and its example scenarios are deleted. This cannot be undone."),
                _("A process that registers or cycles use cannot be removed: take it out of use instead."),
            ],
            "refusal": "",
            "button": _("Remove the process"),
            "danger": True,
        },
    )


# --- Scenarios ------------------------------------------------------------------------------------


def _scenario_values(scenario: Scenario, process: Process) -> dict[str, Any]:
    scheme = scenario.scheme or {}
    return {
        "code": scenario.code,
        "title": scenario.title,
        **{part: scheme.get(part, "") for part in ("who", "with_whom", "what", "how", "benefit")},
        "corruption_types": list(scenario.corruption_types or []),
        "factors": list(scenario.factors or []),
        "risk_factors": list(scenario.risk_factors or []),
        "version": process.version,
    }


def _next_code(process: Process) -> str:
    family = process.code.split(".")[0]
    # Codes are unique in the organization and a family shares them (EXA-S2 belongs to EXA.1):
    # counting this process's scenarios alone would offer a sub-process a code already taken.
    taken = {
        scenario["scenario"].code
        for row in selectors.catalogue_rows(process.organization)
        if row.scenario_count and row.process.code.split(".")[0] == family
        for scenario in selectors.scenarios_of(row.process)
    }
    number = len(taken) + 1
    while f"{family}-S{number}" in taken:
        number += 1
    return f"{family}-S{number}"


@on_process("edit")
@require_http_methods(["GET", "POST"])
def scenario_add(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    current, user = process_of(request), user_of(request)
    form = ScenarioForm(request.POST or None, initial={"code": _next_code(current)})
    return form_page(
        request,
        form,
        lambda data: processes.scenario_save(
            actor=user,
            process=current,
            code=data["code"],
            title=data["title"],
            scheme=data["scheme"],
            corruption_types=data["corruption_types"],
            factors=data["factors"],
            risk_factors=data["risk_factors"],
        ),
        success=lambda scenario: process_url(current) + "#scenarios",
        message=lambda scenario: _("The scenario %(code)s is added.") % {"code": scenario.code},
        template="risks/library/scenario_form.html",
        context={"process": current, "scenario": None},
    )


@on_process("edit")
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, organization: str, process: int, scenario: int) -> HttpResponse:
    current, user = process_of(request), user_of(request)
    found = selectors.scenario_of(current, scenario)
    form = ScenarioForm(request.POST or None, initial=_scenario_values(found, current), editing=True)

    def theirs(_process: Any) -> dict[str, Any]:
        found.refresh_from_db()
        return _scenario_values(found, current)

    return form_page(
        request,
        form,
        lambda data: processes.scenario_save(
            actor=user,
            process=current,
            scenario=found,
            code=data["code"],
            title=data["title"],
            scheme=data["scheme"],
            corruption_types=data["corruption_types"],
            factors=data["factors"],
            risk_factors=data["risk_factors"],
            version=data.get("version"),
        ),
        success=process_url(current) + "#scenarios",
        message=_("The scenario is saved."),
        template="risks/library/scenario_form.html",
        context={"process": current, "scenario": found},
        theirs=theirs,
    )
