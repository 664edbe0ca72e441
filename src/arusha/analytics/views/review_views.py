"""Screens of the review of a flagged signal: record the explanation, close, refer, reopen;
and the outcomes kept to recalibrate the indicators.

Every step is a form page carrying the version the review was read at: a second
reviewer who saves over a newer version is refused and shown it (arusha.core.form_pages).
The steps stand under the review's policy (`on_review("review")`): only reviewers who may
see the signal reach them; everyone else gets 404 (reviews are confidential).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arusha.analytics.models import Review
from arusha.analytics.selectors.signals import review_outcomes
from arusha.analytics.services import reviews as services
from arusha.analytics.signal_forms import CloseForm, ExplainForm, ReferForm, ReopenForm
from arusha.analytics.views.base import on_review, review_of, works_on_analytics_policy
from arusha.core.form_pages import form_page
from arusha.core.requests import access_of_request, organization_of, user_of

GET_POST = require_http_methods(["GET", "POST"])


def _signal_url(slug: str, review: Review) -> str:
    return reverse("analytics-signal", args=[slug, review.signal_id]) + "#review"


def _context(request: HttpRequest, review: Review, **more: Any) -> dict[str, Any]:
    return {
        "review": review,
        "signal": review.signal,
        "run": review.signal.run,
        "signal_url": _signal_url(organization_of(request).slug, review),
        **more,
    }


@on_review("review")
@GET_POST
def review_explain(request: HttpRequest, organization: str, review: int) -> HttpResponse:
    current, user = review_of(request), user_of(request)
    form = ExplainForm(
        request.POST or None, initial={"explanation": current.explanation, "version": current.version}
    )
    return form_page(
        request,
        form,
        lambda data: services.review_explain(
            actor=user, review=current, explanation=data["explanation"], version=data.get("version")
        ),
        success=lambda saved: _signal_url(organization, saved),
        message=_("The explanation is recorded."),
        template="analytics/reviews/explain.html",
        context=_context(request, current),
        theirs=lambda saved: {"explanation": saved.explanation},
    )


@on_review("review")
@GET_POST
def review_close(request: HttpRequest, organization: str, review: int) -> HttpResponse:
    current, user = review_of(request), user_of(request)
    form = CloseForm(request.POST or None, initial={"version": current.version})
    return form_page(
        request,
        form,
        lambda data: services.review_close(
            actor=user, review=current, conclusion=data["conclusion"], version=data.get("version")
        ),
        success=lambda saved: _signal_url(organization, saved),
        message=_("The review is closed with no issue."),
        template="analytics/reviews/close.html",
        context=_context(request, current),
        theirs=lambda saved: {"conclusion": saved.conclusion},
    )


@on_review("review")
@GET_POST
def review_refer(request: HttpRequest, organization: str, review: int) -> HttpResponse:
    current, user = review_of(request), user_of(request)
    channels = services.referral_channels(user, current)
    form = ReferForm(request.POST or None, channels=channels, initial={"version": current.version})
    return form_page(
        request,
        form,
        lambda data: services.review_refer(
            actor=user,
            review=current,
            channel=form.chosen_channel(),
            conclusion=data["conclusion"],
            version=data.get("version"),
        ),
        success=lambda case: _signal_url(organization, current),
        message=lambda case: (
            _("The signal is referred: case %(reference)s is recorded.") % {"reference": case.reference}
        ),
        template="analytics/reviews/refer.html",
        context=_context(request, current, channels=channels, may_refer=services.may_refer(user, current)),
        theirs=lambda saved: {"conclusion": saved.conclusion},
    )


@on_review("review")
@GET_POST
def review_reopen(request: HttpRequest, organization: str, review: int) -> HttpResponse:
    current, user = review_of(request), user_of(request)
    form = ReopenForm(request.POST or None, initial={"version": current.version})
    return form_page(
        request,
        form,
        lambda data: services.review_reopen(actor=user, review=current, version=data.get("version")),
        success=lambda saved: _signal_url(organization, saved),
        message=_("The review is open again."),
        template="analytics/reviews/reopen.html",
        context=_context(request, current),
    )


@works_on_analytics_policy
@require_GET
def outcomes(request: HttpRequest, organization: str) -> HttpResponse:
    """Per indicator, how reviews ended: kept to recalibrate the thresholds."""
    rows = review_outcomes(access_of_request(request), organization_of(request))
    return render(request, "analytics/reviews/outcomes.html", {"rows": rows})
