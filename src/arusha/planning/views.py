"""Screens of action planning: thin wrappers around services and selectors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments import selectors as assessment_selectors
from arusha.core.access import read
from arusha.core.errors import DomainError
from arusha.core.form_pages import Saved, done, form_page, submit
from arusha.core.listing import csv_response, paginate
from arusha.core.permissions import Permission
from arusha.core.policies import member, on_object
from arusha.core.requests import notes_of, object_of
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.planning import annex9, annex9_rows, priority, selectors, services, timeline
from arusha.planning.access import EDIT
from arusha.planning.forms import (
    ActivityDetailsForm,
    ActivityForm,
    ConsultationForm,
    KpiLinkForm,
    ObjectiveForm,
    OutcomeForm,
    PlanEditForm,
    PlanForm,
    RatingForm,
    ReviseForm,
    SignOffForm,
    StakeholderForm,
)
from arusha.planning.models import ActionPlan, Activity, PlanStatus

# The board shows this many activities a page; the CSV export has them all.
BOARD_PAGE = 50


def _can_manage(request: HttpRequest) -> bool:
    """The policy's answer for the plan of the URL, else the organization-wide permission."""
    notes = notes_of(request)
    answers = notes.answers.get("plan")
    return answers["edit"] if answers is not None else notes.access.has(EDIT)


def _plan(request: HttpRequest) -> ActionPlan:
    return object_of(request, "plan", ActionPlan)


@member(Permission.VIEW)
def plan_list(request: HttpRequest, organization: str) -> HttpResponse:
    """Every plan the person may see: all of them with the permission, else those granted."""
    plans = selectors.plan_list(_org(request), notes_of(request).access)
    return render(
        request,
        "planning/plan_list.html",
        {"page": paginate(request, plans), "can_manage": _can_manage(request)},
    )


@member(EDIT)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    form = PlanForm(request.POST or None, assessments=assessment_selectors.assessment_list(org))
    return form_page(
        request,
        form,
        lambda data: services.plan_create(actor=_user(request), organization=org, **data),
        success=lambda plan: reverse("plan-detail", args=[organization, plan.pk]),
        message=_("The action plan is started."),
        template="planning/plan_form.html",
    )


def _is_adopted(plan: ActionPlan) -> bool:
    return plan.status == PlanStatus.ADOPTED


def _can_change(request: HttpRequest, plan: ActionPlan) -> bool:
    """Whether the person may change the plan's content now: an adopted plan is read-only."""
    return _can_manage(request) and not _is_adopted(plan)


def _frozen(request: HttpRequest, plan: ActionPlan, back: str) -> HttpResponse | None:
    """An adopted plan's change pages answer one message and its read view, never a form.

    Changes go through a revision (the adoption page), which reopens the plan as a draft.
    """
    if not _is_adopted(plan):
        return None
    messages.error(request, str(services.FROZEN))
    return redirect(back)


def _detail_url(plan: ActionPlan) -> str:
    return reverse("plan-detail", args=[plan.organization.slug, plan.pk])


@on_object("plan", ActionPlan)
def plan_detail(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """The plan as a document, in the layout of IDG Annex 9; changes open pages of their own."""
    current = _plan(request)
    annex = annex9.annex9(current)
    context = {
        "plan": current,
        "tab": "structure",
        "annex": annex,
        "tables": annex9_rows.tables(_org(request), current, annex),
        # The outcomes and objectives are those of the Annex 9 structure, not read again.
        "has_objectives": any(b.objective for s in annex.sections for b in s.blocks),
        "activity_count": current.activities.count(),
        "warnings": selectors.period_warnings(current),
        "can_change": _can_change(request, current),
    }
    return render(request, "planning/plan_detail.html", context)


def _part_page(
    request: HttpRequest,
    plan: ActionPlan,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], object],
    *,
    heading: str,
    button: str,
    message: str | None,
    intro: str = "",
    theirs: Callable[[Any], Mapping[str, Any]] | None = None,
) -> HttpResponse:
    """A page of its own for one change to the plan, returning to the plan's read view."""
    back = _detail_url(plan)
    if (refused := _frozen(request, plan, back)) is not None:
        return refused
    return form_page(
        request,
        form,
        save,
        success=back,
        message=message,
        template="planning/plan_part_form.html",
        context={"plan": plan, "tab": "structure", "heading": heading, "button": button, "intro": intro},
        theirs=theirs,
    )


@on_object("plan", ActionPlan, "edit")
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """The plan's title, period, strategic plan and national strategy."""
    current = _plan(request)
    form = PlanEditForm(request.POST or None, initial=_plan_values(current))

    def save(data: dict[str, Any]) -> ActionPlan:
        return services.plan_update(actor=_user(request), plan=current, **data)

    return _part_page(
        request,
        current,
        form,
        save,
        heading=_("Change the plan's details"),
        button=_("Save the plan"),
        message=_("The plan is saved."),
        theirs=_plan_values,
    )


def _plan_values(plan: ActionPlan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "strategic_plan": plan.strategic_plan,
        "national_strategy": plan.national_strategy,
        "version": plan.version,
    }


@on_object("plan", ActionPlan, "edit")
@require_http_methods(["GET", "POST"])
def outcome_add(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = _plan(request)
    return _part_page(
        request,
        current,
        OutcomeForm(request.POST or None),
        lambda data: services.outcome_add(actor=_user(request), plan=current, **data),
        heading=_("Add an outcome"),
        button=_("Add the outcome"),
        message=_("The outcome is added."),
        intro=_("What the plan changes, at one of three levels: immediate, intermediate or ultimate."),
    )


@on_object("plan", ActionPlan, "edit")
@require_http_methods(["GET", "POST"])
def objective_add(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = _plan(request)
    return _part_page(
        request,
        current,
        ObjectiveForm(request.POST or None, plan=current),
        lambda data: services.objective_add(actor=_user(request), plan=current, **data),
        heading=_("Add an objective"),
        button=_("Add the objective"),
        message=_("The objective is added."),
        intro=_(
            "What is to be achieved under an outcome. Its activities carry their own indicators "
            "and targets; the objective may state its own measure, target and deadline too."
        ),
    )


@on_object("plan", ActionPlan, "edit")
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """An activity that answers no finding (or whose finding is chosen later); its details follow."""
    current = _plan(request)
    if (refused := _frozen(request, current, _detail_url(current))) is not None:
        return refused
    return form_page(
        request,
        ActivityForm(request.POST or None, plan=current),
        lambda data: services.activity_create(actor=_user(request), plan=current, **data),
        success=lambda activity: reverse("plan-activity", args=[organization, current.pk, activity.pk]),
        message=_(
            "The activity is added to the plan. Give it its indicators, target, timeline and the rest."
        ),
        template="planning/plan_part_form.html",
        context={
            "plan": current,
            "tab": "structure",
            "heading": _("Add an activity"),
            "button": _("Add the activity"),
            "intro": _(
                "Activities usually answer a finding of the assessment (see the findings tab); "
                "an activity may also be added here and tied to an objective."
            ),
        },
    )


@on_object("plan", ActionPlan, "edit")
@require_http_methods(["GET", "POST"])
def kpi_link(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """Measure an objective of the plan with an indicator of the library."""
    current = _plan(request)
    return _part_page(
        request,
        current,
        KpiLinkForm(request.POST or None, plan=current),
        lambda data: services.kpi_link(actor=_user(request), **data),
        heading=_("Measure an objective with an indicator of the library"),
        button=_("Link the indicator"),
        message=_("The objective is now measured by the indicator."),
    )


@on_object("plan", ActionPlan, post="edit")
@require_http_methods(["GET", "POST"])
def plan_findings(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """The assessment's findings, each with the activities that answer it; managers add activities here."""
    current = _plan(request)
    here = reverse("plan-findings", args=[organization, current.pk])
    if request.method == "POST" and (refused := _frozen(request, current, here)) is not None:
        return refused
    form = ActivityForm(request.POST or None, plan=current)
    finding = selectors.finding_of_plan(current, request.POST.get("finding", ""))

    def page(status: int) -> HttpResponse:
        context = {
            "plan": current,
            "tab": "findings",
            "answers": selectors.findings_with_activities(current),
            "form": form,
            "can_change": _can_change(request, current),
        }
        return render(request, "planning/plan_findings.html", context, status=status)

    return form_page(
        request,
        form,
        lambda data: services.activity_create(
            actor=_user(request), plan=current, findings=[finding] if finding else [], **data
        ),
        success=here,
        message=_("The activity is added to the plan."),
        page=page,
    )


@on_object("plan", ActionPlan)
def plan_board(request: HttpRequest, organization: str, plan: int) -> HttpResponseBase:
    current = _plan(request)
    wanted = {k: request.GET.get(k, "") for k in ("priority", "area", "objective")}
    activities = selectors.board(current, **wanted)
    if request.GET.get("format") == "csv":
        header = [
            _("Activity"),
            _("Area"),
            _("Objective"),
            _("Derived priority"),
            *[str(c.label) for c in priority.CRITERIA],
        ]
        rows = (
            [
                a.title,
                a.area_code,
                str(a.objective or ""),
                a.get_priority_display(),
                *[getattr(a, f"get_{c.field}_display")() for c in priority.CRITERIA],
            ]
            for a in activities
        )
        return csv_response(f"plan-{current.pk}-activities.csv", header, rows)
    context = {
        "plan": current,
        "tab": "board",
        "page": paginate(request, activities, per_page=BOARD_PAGE),
        "query": urlencode({k: v for k, v in wanted.items() if v}),
        "wanted": wanted,
        "levels": priority.Level.choices,
        "objectives": selectors.objectives_of(current),
        "areas": selectors.area_codes_of(current),
        "criteria": priority.CRITERIA,
    }
    return render(request, "planning/plan_board.html", context)


def _rating_values(activity: Activity) -> dict[str, Any]:
    return {**{field: getattr(activity, field) for field in priority.FIELDS}, "version": activity.version}


def _details_values(activity: Activity) -> dict[str, Any]:
    return dict(ActivityDetailsForm(plan=activity.plan, activity=activity).initial)


def _activity_page(
    request: HttpRequest,
    current: ActionPlan,
    activity: Activity,
    *,
    rating_form: RatingForm | None = None,
    details_form: ActivityDetailsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "plan": current,
        "tab": "board",
        "activity": activity,
        "form": rating_form or RatingForm(initial=_rating_values(activity)),
        "details_form": details_form or ActivityDetailsForm(plan=current, activity=activity),
        "can_change": _can_change(request, current),
    }
    return render(request, "planning/activity_form.html", context, status=status)


@on_object("plan", ActionPlan, post="edit")
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = _plan(request)
    activity = selectors.activity_get(current, pk)
    read(_user(request), activity)  # a confidential activity's readers are recorded
    here = reverse("plan-activity", args=[organization, current.pk, activity.pk])
    if request.method == "GET":
        return _activity_page(request, current, activity)
    if (refused := _frozen(request, current, here)) is not None:
        return refused
    form = RatingForm(request.POST)

    def rate(data: dict[str, Any]) -> Activity:
        version = data.pop("version")
        return services.activity_rate(actor=_user(request), activity=activity, ratings=data, version=version)

    return form_page(
        request,
        form,
        rate,
        success=reverse("plan-board", args=[organization, current.pk]),
        message=lambda rated: (
            _("The priority is now: %(level)s.") % {"level": rated.get_priority_display() or _("not rated")}
        ),
        page=lambda status: _activity_page(request, current, activity, rating_form=form, status=status),
        theirs=_rating_values,
    )


@on_object("plan", ActionPlan, "edit")
@require_POST
def activity_details(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = _plan(request)
    activity = selectors.activity_get(current, pk)
    here = reverse("plan-activity", args=[organization, current.pk, activity.pk])
    if (refused := _frozen(request, current, here)) is not None:
        return refused
    form = ActivityDetailsForm(request.POST, plan=current, activity=activity)

    def update(data: dict[str, Any]) -> Activity:
        return services.activity_update(
            actor=_user(request),
            activity=activity,
            strategic_objectives=list(data.pop("strategic_objectives")),
            depends_on=list(data.pop("depends_on")),
            kpis=list(data.pop("kpis")),
            new_kpis=data.pop("new_kpis"),
            version=data.pop("version"),
            values=data,
        )

    return form_page(
        request,
        form,
        update,
        success=here,
        message=_("The activity is saved."),
        page=lambda status: _activity_page(request, current, activity, details_form=form, status=status),
        theirs=_details_values,
    )


@on_object("plan", ActionPlan, post="edit")
@require_http_methods(["GET", "POST"])
def plan_stakeholders(request: HttpRequest, organization: str, plan: int) -> HttpResponseBase:
    """The stakeholder register and the consultations held on this plan (IDG Part III, step 4)."""
    org, current = _org(request), _plan(request)
    consultations = current.consultations.select_related("stakeholder")
    if request.GET.get("format") == "csv":
        header = [
            _("Date"),
            _("Stakeholder"),
            _("Kind"),
            _("Format"),
            _("Feedback given"),
            _("The plan's answer"),
        ]
        rows = (
            [
                c.date,
                c.stakeholder.name,
                c.stakeholder.get_kind_display(),
                c.get_format_display(),
                c.feedback,
                c.answer,
            ]
            for c in consultations
        )
        return csv_response(f"plan-{current.pk}-consultations.csv", header, rows)
    action = request.POST.get("action", "")
    stakeholder_form = StakeholderForm(request.POST if action == "stakeholder" else None)
    consultation_form = ConsultationForm(request.POST if action == "consultation" else None, plan=current)
    if request.method == "POST":
        saved: Saved[Any] | None
        if action == "stakeholder":
            saved = submit(
                request,
                stakeholder_form,
                lambda data: services.stakeholder_add(actor=_user(request), organization=org, **data),
            )
        else:
            saved = submit(
                request,
                consultation_form,
                lambda data: services.consultation_add(actor=_user(request), plan=current, **data),
            )
        if saved is not None:
            return done(
                request, saved.value, reverse("plan-stakeholders", args=[organization, plan]), _("Saved.")
            )
    context = {
        "plan": current,
        "tab": "stakeholders",
        "stakeholders": selectors.stakeholders_of(org),
        "consultations": consultations,
        "stakeholder_form": stakeholder_form,
        "consultation_form": consultation_form,
        "can_manage": _can_manage(request),
    }
    return render(
        request, "planning/plan_stakeholders.html", context, status=400 if request.method == "POST" else 200
    )


@on_object("plan", ActionPlan)
def plan_resources(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = _plan(request)
    context = {"plan": current, "tab": "resources", "resources": selectors.resources(current)}
    return render(request, "planning/plan_resources.html", context)


@on_object("plan", ActionPlan, post="edit")
@require_http_methods(["GET", "POST"])
def plan_adoption(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """Sign-off (working group, head of administration, minister), adoption and revisions."""
    current = _plan(request)
    action = request.POST.get("action", "")
    sign_form = SignOffForm(
        request.POST if action == "sign" else None,
        request.FILES if action == "sign" else None,
        stages=selectors.open_sign_off_stages(current),
    )
    revise_form = ReviseForm(request.POST if action == "revise" else None)
    here = reverse("plan-adoption", args=[organization, plan])
    # A form the page does not show (no stage left to sign, a draft to revise) answers a
    # message on the page, not a 400 with nowhere to show its error.
    if request.method == "POST" and action == "sign" and not sign_form.fields["stage"].choices:  # type: ignore[attr-defined]
        messages.error(request, _("Every stage of this revision is signed."))
        return redirect(here)
    if request.method == "POST" and action != "sign" and action != "publish" and not _is_adopted(current):
        messages.error(request, _("Only an adopted plan is revised; a draft is changed directly."))
        return redirect(here)
    if request.method == "POST" and action == "publish":
        try:
            services.plan_publish(
                actor=_user(request), plan=current, published=request.POST.get("published") == "1"
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect(here)
    if request.method == "POST":
        saved: Saved[Any] | None
        if action == "sign":
            saved = submit(
                request,
                sign_form,
                lambda data: services.plan_sign_off(actor=_user(request), plan=current, **data),
            )
        else:
            saved = submit(
                request,
                revise_form,
                lambda data: services.plan_revise(actor=_user(request), plan=current, **data),
            )
        if saved is not None:
            return done(request, saved.value, here, _("Saved."))
    revisions = list(current.revisions.all())
    compare = None
    wanted = request.GET.get("compare", "")
    if wanted.isdigit():
        old = next((r for r in revisions if r.number == int(wanted)), None)
        if old is None:
            raise Http404
        newer = next((r for r in revisions if r.number == old.number + 1), None)
        new_content = newer.content if newer else services.plan_content(current)
        compare = (old.number, old.number + 1, selectors.revision_changes(old.content, new_content))
    context = {
        "plan": current,
        "tab": "adoption",
        "sign_offs": current.sign_offs.select_related("document"),
        "revisions": revisions,
        "compare": compare,
        "sign_form": sign_form,
        "revise_form": revise_form,
        "can_manage": _can_manage(request),
    }
    return render(
        request, "planning/plan_adoption.html", context, status=400 if request.method == "POST" else 200
    )


@on_object("plan", ActionPlan)
def plan_timeline(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = _plan(request)
    drawn = timeline.plan_timeline(current, timezone.localdate())
    context = {"plan": current, "tab": "timeline", "gantt": drawn.chart, "undated": drawn.undated}
    return render(request, "planning/plan_timeline.html", context)
