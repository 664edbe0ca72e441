"""Screens of action planning: thin wrappers around services and selectors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments import selectors as assessment_selectors
from arusha.core.errors import DomainError
from arusha.core.listing import csv_response, paginate
from arusha.core.policies import member
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.core.roles import Permission
from arusha.core.views import attach_error
from arusha.planning import annex9, kpi_sheet, kpis, priority, selectors, services
from arusha.planning.forms import (
    ActivityDetailsForm,
    ActivityForm,
    ConsultationForm,
    KpiForm,
    KpiLinkForm,
    ObjectiveForm,
    OutcomeForm,
    PlanForm,
    RatingForm,
    ReviseForm,
    SignOffForm,
    StakeholderForm,
    StrategicObjectiveForm,
    StrategyForm,
)
from arusha.planning.models import ActionPlan, Activity, Kpi

# The board shows this many activities a page; the CSV export has them all.
BOARD_PAGE = 50


def _can_manage(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and Permission.MANAGE in membership.permissions


@member(Permission.VIEW)
def plan_list(request: HttpRequest, organization: str) -> HttpResponse:
    plans = selectors.plan_list(_org(request))
    return render(
        request,
        "planning/plan_list.html",
        {"page": paginate(request, plans), "can_manage": _can_manage(request)},
    )


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    form = PlanForm(request.POST or None, assessments=assessment_selectors.assessment_list(org))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=_user(request), organization=org, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The action plan is started."))
            return redirect("plan-detail", organization=organization, plan=plan.pk)
    return render(request, "planning/plan_form.html", {"form": form})


def _plan_page(request: HttpRequest, plan: ActionPlan, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "plan": plan,
        "tab": "structure",
        "outcomes": selectors.outcomes_of(plan),
        "objectives": selectors.objectives_of(plan),
        "activity_count": plan.activities.count(),
        "can_manage": _can_manage(request),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
        "objective_form": forms.get("objective_form") or ObjectiveForm(plan=plan),
        "strategy_form": StrategyForm(initial={"national_strategy": plan.national_strategy}),
        "kpi_link_form": KpiLinkForm(plan=plan),
    }
    return render(request, "planning/plan_detail.html", context, status=status)


@member(Permission.VIEW)
def plan_detail(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    return _plan_page(request, selectors.plan_get(_org(request), plan))


@member(Permission.MANAGE)
@require_POST
def outcome_add(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_add(actor=_user(request), plan=current, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            return redirect("plan-detail", organization=organization, plan=plan)
    return _plan_page(request, current, status=400, outcome_form=form)


@member(Permission.MANAGE)
@require_POST
def objective_add(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    form = ObjectiveForm(request.POST, plan=current)
    if form.is_valid():
        try:
            services.objective_add(actor=_user(request), plan=current, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            return redirect("plan-detail", organization=organization, plan=plan)
    return _plan_page(request, current, status=400, objective_form=form)


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def plan_findings(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """The assessment's findings, each with the activities that answer it; managers add activities here."""
    current = selectors.plan_get(_org(request), plan)
    form = ActivityForm(request.POST or None, plan=current)
    status = 200
    if request.method == "POST":
        if not _can_manage(request):
            raise Http404  # reading members see the page; only managers change the plan
        finding = selectors.finding_of_plan(current, request.POST.get("finding", ""))
        if form.is_valid():
            try:
                services.activity_create(
                    actor=_user(request),
                    plan=current,
                    findings=[finding] if finding else [],
                    **form.cleaned_data,
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, _("The activity is added to the plan."))
                return redirect("plan-findings", organization=organization, plan=plan)
        status = 400
    context = {
        "plan": current,
        "tab": "findings",
        "answers": selectors.findings_with_activities(current),
        "form": form,
        "can_manage": _can_manage(request),
    }
    return render(request, "planning/plan_findings.html", context, status=status)


@member(Permission.VIEW)
def plan_board(request: HttpRequest, organization: str, plan: int) -> HttpResponseBase:
    current = selectors.plan_get(_org(request), plan)
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


def _activity_page(
    request: HttpRequest,
    current: ActionPlan,
    activity: Activity,
    *,
    rating_form: RatingForm | None = None,
    details_form: ActivityDetailsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {field: getattr(activity, field) for field in priority.FIELDS}
    context = {
        "plan": current,
        "tab": "board",
        "activity": activity,
        "form": rating_form or RatingForm(initial=initial),
        "details_form": details_form or ActivityDetailsForm(plan=current, activity=activity),
        "can_manage": _can_manage(request),
    }
    return render(request, "planning/activity_form.html", context, status=status)


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    activity = selectors.activity_get(current, pk)
    if request.method == "GET":
        return _activity_page(request, current, activity)
    if not _can_manage(request):
        raise Http404  # reading members see the page; only managers change the plan
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.activity_rate(actor=_user(request), activity=activity, ratings=form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            label = activity.get_priority_display() or _("not rated")
            messages.success(request, _("The priority is now: %(level)s.") % {"level": label})
            return redirect("plan-board", organization=organization, plan=plan)
    return _activity_page(request, current, activity, rating_form=form, status=400)


@member(Permission.MANAGE)
@require_POST
def activity_details(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    activity = selectors.activity_get(current, pk)
    form = ActivityDetailsForm(request.POST, plan=current, activity=activity)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.activity_update(
                actor=_user(request),
                activity=activity,
                values=data,
                strategic_objectives=list(data.pop("strategic_objectives")),
                depends_on=list(data.pop("depends_on")),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("plan-activity", organization=organization, plan=plan, pk=pk)
    return _activity_page(request, current, activity, details_form=form, status=400)


@member(Permission.MANAGE)
@require_POST
def plan_strategy(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    form = StrategyForm(request.POST)
    if form.is_valid():
        services.plan_update_strategy(actor=_user(request), plan=current, **form.cleaned_data)
        messages.success(request, _("The plan is saved."))
    return redirect("plan-detail", organization=organization, plan=plan)


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def strategic_objectives(request: HttpRequest, organization: str) -> HttpResponse:
    """The administration's strategic objectives, kept once and linked from every plan's activities."""
    org = _org(request)
    form = StrategicObjectiveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not _can_manage(request):
            raise Http404
        if form.is_valid():
            try:
                services.strategic_objective_add(actor=_user(request), organization=org, **form.cleaned_data)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, _("The strategic objective is added."))
                return redirect("plan-strategic-objectives", organization=organization)
        status = 400
    objectives = selectors.strategic_objectives_of(org)
    context = {"objectives": objectives, "form": form, "can_manage": _can_manage(request)}
    return render(request, "planning/strategic_objectives.html", context, status=status)


@member(Permission.VIEW)
def kpi_list(request: HttpRequest, organization: str) -> HttpResponse:
    library = selectors.kpi_library(_org(request))
    return render(request, "planning/kpi_list.html", {"kpis": library, "can_manage": _can_manage(request)})


@member(Permission.VIEW)
def kpi_detail(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    kpi = _kpi(request, pk)
    context = {"kpi": kpi, "rows": kpi_sheet.rows(kpi), "can_manage": _can_manage(request)}
    return render(request, "planning/kpi_detail.html", context)


def _kpi(request: HttpRequest, pk: int) -> Kpi:
    return selectors.kpi_get(_org(request), pk)


@member(Permission.MANAGE)
@require_http_methods(["GET", "POST"])
def kpi_edit(request: HttpRequest, organization: str, pk: int | None = None) -> HttpResponse:
    org = _org(request)
    kpi = _kpi(request, pk) if pk else None
    form = KpiForm(request.POST or None, organization=org, kpi=kpi)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["variables"] = kpis.parse_variables(data.pop("variables_text"))
            data["disaggregation"] = data.pop("disaggregation_text")
            targets = services.parse_targets(data.pop("targets_text"))
            related = list(data.pop("related"))
            saved = services.kpi_save(
                actor=_user(request), organization=org, values=data, targets=targets, related=related, kpi=kpi
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect("kpi-detail", organization=organization, pk=saved.pk)
    context = {"form": form, "kpi": kpi, "typologies": kpis.TYPOLOGIES.values()}
    return render(request, "planning/kpi_form.html", context, status=400 if form.errors else 200)


@member(Permission.VIEW)
def kpi_export(request: HttpRequest, organization: str, pk: int, fmt: str) -> HttpResponse:
    kpi = _kpi(request, pk)
    if fmt == "pdf":
        body, content_type = kpi_sheet.to_pdf(kpi), "application/pdf"
    elif fmt == "docx":
        body = kpi_sheet.to_docx(kpi)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kpi-{kpi.code}.{fmt}"'
    return response


@member(Permission.MANAGE)
@require_POST
def kpi_link(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    form = KpiLinkForm(request.POST, plan=current)
    if form.is_valid():
        services.kpi_link(actor=_user(request), **form.cleaned_data)
        messages.success(request, _("The objective is now measured by the indicator."))
    else:
        messages.error(request, _("Choose an objective of the plan and an indicator of the library."))
    return redirect("plan-detail", organization=organization, plan=plan)


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def plan_stakeholders(request: HttpRequest, organization: str, plan: int) -> HttpResponseBase:
    """The stakeholder register and the consultations held on this plan (IDG Part III, step 4)."""
    org, current = _org(request), selectors.plan_get(_org(request), plan)
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
        if not _can_manage(request):
            raise Http404
        form: StakeholderForm | ConsultationForm = (
            stakeholder_form if action == "stakeholder" else consultation_form
        )
        if form.is_valid():
            try:
                if action == "stakeholder":
                    services.stakeholder_add(actor=_user(request), organization=org, **form.cleaned_data)
                else:
                    services.consultation_add(actor=_user(request), plan=current, **form.cleaned_data)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("plan-stakeholders", organization=organization, plan=plan)
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


@member(Permission.VIEW)
def plan_resources(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    context = {"plan": current, "tab": "resources", "resources": selectors.resources(current)}
    return render(request, "planning/plan_resources.html", context)


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def plan_adoption(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    """Sign-off (working group, head of administration, minister), adoption and revisions."""
    current = selectors.plan_get(_org(request), plan)
    action = request.POST.get("action", "")
    sign_form = SignOffForm(
        request.POST if action == "sign" else None, request.FILES if action == "sign" else None
    )
    revise_form = ReviseForm(request.POST if action == "revise" else None)
    if request.method == "POST" and action == "publish":
        if not _can_manage(request):
            raise Http404
        try:
            services.plan_publish(
                actor=_user(request), plan=current, published=request.POST.get("published") == "1"
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("plan-adoption", organization=organization, plan=plan)
    if request.method == "POST":
        if not _can_manage(request):
            raise Http404
        form: SignOffForm | ReviseForm = sign_form if action == "sign" else revise_form
        if form.is_valid():
            try:
                if action == "sign":
                    services.plan_sign_off(actor=_user(request), plan=current, **form.cleaned_data)
                else:
                    services.plan_revise(actor=_user(request), plan=current, **form.cleaned_data)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("plan-adoption", organization=organization, plan=plan)
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


@member(Permission.VIEW)
def plan_export(request: HttpRequest, organization: str, plan: int, fmt: str) -> HttpResponse:
    """The plan in the layout of IDG Annex 9, as XLSX or DOCX."""
    current = selectors.plan_get(_org(request), plan)
    if fmt == "xlsx":
        body, content_type = (
            annex9.to_xlsx(current),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "docx":
        body = annex9.to_docx(current)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="action-plan-{current.pk}-r{current.revision}.{fmt}"'
    )
    return response


@member(Permission.VIEW)
def plan_timeline(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = selectors.plan_get(_org(request), plan)
    bars, undated = annex9.timeline(current)
    context = {"plan": current, "tab": "timeline", "bars": bars, "undated": undated}
    return render(request, "planning/plan_timeline.html", context)
