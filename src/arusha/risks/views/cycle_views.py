"""Screens of assessment cycles: the list, start and edit, the overview with its steps, the
working group with declarations of interests, the evidence, and the steps forward and back.

Every write goes through arusha.risks.services.cycles, which checks the right again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scopes_disabled

from arusha.core.access import policy_for
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.policies import custom, member
from arusha.core.requests import access_of_request, notes_of, object_of, organization_of, user_of
from arusha.risks.access import MANAGE
from arusha.risks.cycle_forms import (
    CycleForm,
    DeclarationForm,
    EvidenceForm,
    MemberForm,
    ReturnForm,
    StepForm,
    cycle_values,
)
from arusha.risks.models import Cycle, CycleMember
from arusha.risks.selectors import cycles as selectors
from arusha.risks.services import cycles as services
from arusha.risks.services.guards import blockers
from arusha.risks.templatetags.risk_cycle import url_or_none
from arusha.risks.views.base import can_of, cycle_of, on_cycle, one_button, works_on_risks_policy
from arusha.risks.vocabulary import CycleStatus, EvidenceKind


def cycle_url(cycle: Cycle, name: str = "cycle-detail") -> str:
    return reverse(name, args=[cycle.organization.slug, cycle.pk])


def _page(
    request: HttpRequest, template: str, cycle: Cycle, *, status: int = 200, **values: Any
) -> HttpResponse:
    context = {"cycle": cycle, "can": can_of(request, "cycle"), **values}
    return render(request, f"risks/cycle/{template}.html", context, status=status)


def _confirm(
    request: HttpRequest, cycle: Cycle, action: Callable[[], object], *, done: str, back: str, **values: Any
) -> HttpResponse:
    """Remove something from the cycle (a member, a source), asking once first; then back to `back`."""
    return one_button(
        request,
        action,
        done=done,
        url=back,
        page=lambda: _page(request, "confirm", cycle, back_url=back, **values),
    )


# --- The list, start and edit -----------------------------------------------------------


@works_on_risks_policy
@require_GET
def cycle_list(request: HttpRequest, organization: str) -> HttpResponse:
    current, access = organization_of(request), access_of_request(request)
    return render(
        request,
        "risks/cycle/list.html",
        {
            "rows": selectors.cycles_for(access, current),
            "may_add": access.has(MANAGE),
            "library_url": url_or_none("risk-library", organization=current.slug),
            "dashboard_url": url_or_none("risk-dashboard", organization=current.slug),
        },
    )


@member(MANAGE)
@require_http_methods(["GET", "POST"])
def cycle_add(request: HttpRequest, organization: str) -> HttpResponse:
    current, user = organization_of(request), user_of(request)
    form = CycleForm(request.POST or None, organization=current)

    def save(data: dict[str, Any]) -> Cycle:
        return services.cycle_create(
            actor=user,
            organization=current,
            title=data["title"],
            matrix=data["matrix"],
            processes=list(data["processes"]),
            scope_text=data["scope"],
            offices=list(data["offices"]),
            starts_on=data["starts_on"],
            reassess_on=data["reassess_on"],
            previous=data["previous"],
        )

    return form_page(
        request,
        form,
        save,
        success=cycle_url,
        message=_("The assessment is started. Build its working group next."),
        template="risks/cycle/form.html",
        context={"cycle": None, "cancel_url": reverse("cycle-list", args=[current.slug])},
    )


@on_cycle("manage")
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    current, user = cycle_of(request), user_of(request)
    form = CycleForm(
        request.POST or None, organization=current.organization, cycle=current, initial=cycle_values(current)
    )

    def save(data: dict[str, Any]) -> Cycle:
        return services.cycle_update(
            actor=user,
            cycle=current,
            values={
                name: data[name]
                for name in ("title", "scope", "starts_on", "reassess_on", "matrix", "previous")
            },
            processes=list(data["processes"]),
            offices=list(data["offices"]),
            version=data.get("version"),
        )

    return form_page(
        request,
        form,
        save,
        success=cycle_url,
        message=_("The assessment is saved."),
        template="risks/cycle/form.html",
        context={"cycle": current, "can": can_of(request, "cycle"), "cancel_url": cycle_url(current)},
        theirs=cycle_values,
    )


# --- The overview and the steps -----------------------------------------------------------


def _detail(
    request: HttpRequest, cycle: Cycle, *, status: int = 200, return_form: ReturnForm | None = None
) -> HttpResponse:
    can = can_of(request, "cycle")
    user = user_of(request)
    step = selectors.next_step(cycle)
    back = selectors.previous_step(cycle)
    may_advance = step is not None and can.get(step[2], False)
    may_return = back is not None and services.may_return(user, cycle)
    return _page(
        request,
        "detail",
        cycle,
        status=status,
        steps=selectors.steps_of(cycle),
        blockers=blockers(cycle) if step is not None else [],
        next_step=step,
        back_step=back,
        may_advance=may_advance,
        may_return=may_return,
        step_form=StepForm(initial={"version": cycle.version}),
        return_form=return_form or ReturnForm(initial={"version": cycle.version}),
        summary=selectors.summary_of(access_of_request(request), cycle),
        processes=selectors.processes_in_scope(cycle),
        offices=selectors.offices_in_scope(cycle),
        overdue=selectors.reassessment_overdue(cycle),
        mine=selectors.own_membership(cycle, user),
    )


@on_cycle("view")
@require_GET
def cycle_detail(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    return _detail(request, cycle_of(request))


@on_cycle("view")
@require_POST
def cycle_advance(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    """The next step. The service checks the right (run or approve) and the guard again."""
    current, user = cycle_of(request), user_of(request)
    version = StepForm.posted(request.POST)
    if version is None:
        messages.error(request, _("The form is damaged: reload the page."))
        return _detail(request, current, status=400)
    try:
        services.cycle_advance(actor=user, cycle=current, version=version)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The assessment is now at the step “%(status)s”.") % {"status": current.get_status_display()},
        )
    return redirect(cycle_url(current))


@on_cycle("view")
@require_http_methods(["GET", "POST"])
def cycle_return(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    """Send the cycle one step back, saying why (those who run it, or approve a review)."""
    current, user = cycle_of(request), user_of(request)
    back = selectors.previous_step(current)
    if back is not None and not services.may_return(user, current):
        raise PermissionDenied(_("You may read this risk assessment, not send it back."))
    form = ReturnForm(request.POST or None, initial={"version": current.version})
    if back is None:
        return _page(
            request,
            "return",
            current,
            form=None,
            back_step=None,
            status=400 if request.method == "POST" else 200,
        )
    return form_page(
        request,
        form,
        lambda data: services.cycle_return(
            actor=user, cycle=current, reason=data["reason"], version=data.get("version")
        ),
        success=cycle_url,
        message=lambda moved: (
            _("The assessment is back at the step “%(status)s”.") % {"status": moved.get_status_display()}
        ),
        template="risks/cycle/return.html",
        context={"cycle": current, "can": can_of(request, "cycle"), "back_step": back},
    )


# --- The working group ----------------------------------------------------------------------


@on_cycle("view", post="manage")
@require_http_methods(["GET", "POST"])
def cycle_members(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    """The group with its declarations; those who run the cycle add people here."""
    current, user = cycle_of(request), user_of(request)
    can = can_of(request, "cycle")
    form = MemberForm(request.POST or None, cycle=current)
    # The interests are read by the member and those who run the cycle, nobody else.
    rows = [
        {"member": m, "private": can.get("manage", False) or m.user_id == user.pk}
        for m in selectors.members_of(current)
    ]
    return form_page(
        request,
        form,
        lambda data: services.member_add(actor=user, cycle=current, user=data["user"], role=data["role"]),
        success=lambda added: cycle_url(current, "cycle-members"),
        message=lambda added: (
            _("%(person)s joins the working group and is asked to declare their interests.")
            % {"person": added.user}
        ),
        template="risks/cycle/members.html",
        context={"cycle": current, "can": can, "rows": rows, "open": current.status != CycleStatus.CLOSED},
    )


@on_cycle("manage")
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, organization: str, cycle: int, member: int) -> HttpResponse:
    current, user = cycle_of(request), user_of(request)
    found = selectors.member_in(current, member)
    return _confirm(
        request,
        current,
        lambda: services.member_remove(actor=user, member=found),
        done=_("%(person)s has left the working group and no longer rates its risks.")
        % {"person": found.user},
        back=cycle_url(current, "cycle-members"),
        section="members",
        heading=_("Remove %(person)s from the working group") % {"person": found.user},
        explanation=[
            _("They lose their access to the assessment's risks at once, unless their roles give it."),
            _("Their declaration stays in the history of the assessment."),
        ],
        button=_("Remove from the group"),
    )


def _own_member(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Only the member themselves opens their declaration; to anyone else it does not exist."""
    notes = notes_of(request)
    if notes.organization is None:
        raise Http404
    with scopes_disabled():
        found = (
            CycleMember.objects.select_related("cycle", "cycle__organization", "user")
            .filter(
                pk=kwargs["member"],
                cycle_id=kwargs["cycle"],
                cycle__organization=notes.organization,
                user_id=user_of(request).pk,
                active=True,
            )
            .first()
        )
    if found is None:
        raise Http404
    policy = policy_for(found.cycle)
    notes.objects["cycle"] = found.cycle
    notes.objects["member"] = found
    notes.answers["cycle"] = policy.answers(notes.access, found.cycle)


own_member_policy = custom("risks:own-member", _own_member)


@own_member_policy
@require_http_methods(["GET", "POST"])
def member_declare(request: HttpRequest, organization: str, cycle: int, member: int) -> HttpResponse:
    found = object_of(request, "member", CycleMember)
    current, user = found.cycle, user_of(request)
    initial: dict[str, Any] = {}
    if found.declared:
        with scopes_disabled():
            conflicts = [p.pk for p in found.conflicts.all()]
        initial = {"no_conflict": found.no_conflict, "interests": found.interests, "conflicts": conflicts}
    form = DeclarationForm(request.POST or None, cycle=current, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.member_declare(
            actor=user,
            member=found,
            no_conflict=data["no_conflict"],
            interests=data["interests"],
            conflicts=list(data["conflicts"]),
        ),
        success=lambda saved: cycle_url(current, "cycle-members"),
        message=_("Your declaration is saved."),
        template="risks/cycle/declare.html",
        context={"cycle": current, "can": can_of(request, "cycle"), "member": found},
    )


# --- Evidence -----------------------------------------------------------------------------


@on_cycle("view")
@require_GET
def cycle_evidence(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    current = cycle_of(request)
    return _page(
        request,
        "evidence",
        current,
        sources=selectors.evidence_of(current),
        interview=EvidenceKind.INTERVIEW,
        open=current.status != CycleStatus.CLOSED,
    )


@on_cycle("rate")
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    current, user = cycle_of(request), user_of(request)
    form = EvidenceForm(request.POST or None, cycle=current)
    return form_page(
        request,
        form,
        lambda data: services.evidence_add(
            actor=user,
            cycle=current,
            kind=data["kind"],
            title=data["title"],
            reference=data["reference"],
            dated=data["dated"],
            note=data["note"],
            interviewee=data["interviewee"],
            processes=list(data["processes"]),
        ),
        success=lambda added: cycle_url(current, "cycle-evidence"),
        message=lambda added: _("The source %(title)s is added.") % {"title": added.title},
        template="risks/cycle/evidence_form.html",
        context={"cycle": current, "can": can_of(request, "cycle")},
    )


@on_cycle("rate")
@require_http_methods(["GET", "POST"])
def evidence_remove(request: HttpRequest, organization: str, cycle: int, evidence: int) -> HttpResponse:
    current, user = cycle_of(request), user_of(request)
    found = selectors.evidence_in(current, evidence)
    return _confirm(
        request,
        current,
        lambda: services.evidence_remove(actor=user, evidence=found),
        done=_("The source %(title)s is removed.") % {"title": found.title},
        back=cycle_url(current, "cycle-evidence"),
        section="evidence",
        heading=_("Remove the source %(title)s") % {"title": found.title},
        explanation=[
            _("The source and its note are deleted. The risks that cite it keep their own text."),
            _("This cannot be undone."),
        ],
        button=_("Remove the source"),
    )
