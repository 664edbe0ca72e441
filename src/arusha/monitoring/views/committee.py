"""Monitoring screens: steering committee meetings, follow-ups, the work plan and alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.core.listing import paginate
from arusha.core.policies import on_object
from arusha.core.requests import user_of as _user
from arusha.monitoring import selectors, services
from arusha.monitoring.forms import (
    CloseForm,
    FollowUpForm,
    MeetingForm,
    TaskForm,
)

if TYPE_CHECKING:
    pass
from arusha.monitoring.views.base import (
    _act,
    _base,
    _form_page,
    _handled,
    _page,
    _plan,
    _url,
)


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    return _form_page(
        request,
        "meeting_list",
        "meetings",
        MeetingForm(request.POST or None, organization=current.organization),
        lambda data: services.meeting_record(actor=_user(request), plan=current, **data),
        (_("The meeting is recorded."), _url("monitoring-meetings", current)),
        current,
        setup=setup,
        can=can,
        meetings=selectors.meetings_of(current),
        open_follow_ups=selectors.open_follow_ups(current),
        today=timezone.localdate(),
    )


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    meeting = selectors.meeting_get(current, pk)
    return _form_page(
        request,
        "meeting_detail",
        "meetings",
        FollowUpForm(request.POST or None, organization=current.organization),
        lambda data: services.follow_up_add(actor=_user(request), meeting=meeting, **data),
        (_("The follow-up action is added."), _url("monitoring-meeting", current, pk=pk)),
        current,
        setup=setup,
        can=can,
        meeting=meeting,
        follow_ups=[(f, can.close(f)) for f in selectors.follow_ups_of(meeting)],
        today=timezone.localdate(),
    )


@on_object("plan", "planning.ActionPlan")
@require_POST
def follow_up_close(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = _plan(request)
    follow_up = selectors.follow_up_get(current, pk)
    form = CloseForm(request.POST)
    if _handled(
        request,
        form,
        lambda data: services.follow_up_close(actor=_user(request), follow_up=follow_up, **data),
    ):
        messages.success(request, _("The follow-up action is closed."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_url("monitoring-meeting", current, pk=follow_up.meeting_id))


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def workplan(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    return _form_page(
        request,
        "workplan",
        "workplan",
        TaskForm(request.POST or None, organization=current.organization),
        lambda data: services.task_add(actor=_user(request), plan=current, **data),
        (_("The task is added to the work plan."), _url("monitoring-workplan", current)),
        current,
        setup=setup,
        can=can,
        tasks=[(t, can.complete(t)) for t in selectors.tasks_of(current)],
        today=timezone.localdate(),
    )


@on_object("plan", "planning.ActionPlan")
@require_POST
def task_done(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = _plan(request)
    task = selectors.task_get(current, pk)
    return _act(
        request,
        lambda: services.task_done(actor=_user(request), task=task),
        _("The task is done."),
        _url("monitoring-workplan", current),
    )


@on_object("plan", "planning.ActionPlan")
def alert_list(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    everyone = can.coordinate and request.GET.get("all") == "1"
    alerts = selectors.alerts_of(current, user=_user(request), everyone=everyone)
    return _page(
        request,
        "alert_list",
        current,
        "alerts",
        setup=setup,
        can=can,
        page=paginate(request, alerts),
        everyone=everyone,
        query="all=1" if everyone else "",
    )


@on_object("plan", "planning.ActionPlan")
@require_POST
def alert_acknowledge(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = _plan(request)
    alert = selectors.alert_get(current, pk)
    return _act(
        request,
        lambda: services.alert_acknowledge(actor=_user(request), alert=alert),
        _("The alert is acknowledged: it will not be escalated."),
        _url("monitoring-alerts", current) + ("?all=1" if request.POST.get("all") else ""),
    )
