"""Setting cases up: channels, categories and case settings (arusha.cases.services.channels)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scopes_disabled

from arusha.cases.access import CHANNELS, SUPERVISE
from arusha.cases.models import Anonymity, Category, Channel
from arusha.cases.models.intake import default_retention
from arusha.cases.people_forms import (
    FACTOR_LABELS,
    CaseSettingsForm,
    CategoryForm,
    ChannelForm,
    channel_values,
)
from arusha.cases.services import channels
from arusha.cases.services.assignment import case_staff
from arusha.cases.services.intake import case_settings, channel_refusal
from arusha.core.form_pages import form_page
from arusha.core.models import Organization
from arusha.core.policies import member
from arusha.core.requests import notes_of
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user

_Row = TypeVar("_Row", Channel, Category)


def _own(model: type[_Row], organization: Organization, pk: int) -> _Row:
    """The organization's row `pk`; another organization's is as missing (404)."""
    with scopes_disabled():
        found = model._default_manager.filter(organization=organization, pk=pk).first()
    if found is None:
        raise Http404
    return found


@member(CHANNELS)
@require_GET
def channel_list(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    rows = [(channel, channel_refusal(channel)) for channel in channels.channels_of(org)]
    return render(
        request,
        "cases/channels/channel_list.html",
        {"rows": rows, "supervise": notes_of(request).access.has(SUPERVISE)},
    )


def _new_channel() -> dict[str, Any]:
    retention = default_retention()
    return {
        "is_public": True,
        "anonymity": Anonymity.OPTIONAL,
        "acknowledge_days": 7,
        "feedback_days": 90,
        "remind_days": 2,
        **{f"retention_{outcome}": days for outcome, days in retention.items()},
        "max_attachment_mb": 30,
        "is_active": True,
    }


def _channel_saved(channel: Channel) -> str:
    return _("The channel %(name)s is saved.") % {"name": channel.name}


@member(CHANNELS)
@require_http_methods(["GET", "POST"])
def channel_add(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = _org(request), _user(request)
    form = ChannelForm(request.POST or None, staff=case_staff(org), editing=False, initial=_new_channel())
    return form_page(
        request,
        form,
        lambda data: channels.channel_create(actor=user, organization=org, **data),
        success=lambda channel: reverse("channel-edit", args=[org.slug, channel.pk]),
        message=_channel_saved,
        template="cases/channels/channel_form.html",
        context={"channel": None, "refusal": None},
    )


@member(CHANNELS)
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org, user = _org(request), _user(request)
    channel = _own(Channel, org, pk)
    form = ChannelForm(
        request.POST or None, staff=case_staff(org), editing=True, initial=channel_values(channel)
    )
    return form_page(
        request,
        form,
        lambda data: channels.channel_update(actor=user, channel=channel, **data),
        success=lambda saved: reverse("channel-edit", args=[org.slug, saved.pk]),
        message=_channel_saved,
        template="cases/channels/channel_form.html",
        context={"channel": channel, "refusal": channel_refusal(channel)},
        theirs=channel_values,
    )


@member(CHANNELS)
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = _org(request), _user(request)
    return form_page(
        request,
        CategoryForm(request.POST or None),
        lambda data: channels.category_create(actor=user, organization=org, **data),
        success=reverse("category-list", args=[org.slug]),
        message=_("The category is added."),
        template="cases/channels/category_list.html",
        context={"categories": channels.categories_of(org), "factors": FACTOR_LABELS},
    )


@member(CHANNELS)
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org, user = _org(request), _user(request)
    category = _own(Category, org, pk)
    initial = {"code": category.code, "name": category.name, "factor": category.factor}
    return form_page(
        request,
        CategoryForm(request.POST or None, editing=True, initial=initial),
        lambda data: channels.category_update(actor=user, category=category, **data),
        success=reverse("category-list", args=[org.slug]),
        message=_("The category is saved."),
        template="cases/channels/category_form.html",
        context={"category": category},
    )


@member(SUPERVISE)
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, organization: str) -> HttpResponse:
    org, user = _org(request), _user(request)
    current = case_settings(org)

    def values(found: Any) -> dict[str, Any]:
        return {
            "line_levels": found.line_levels,
            "same_unit_conflicts": found.same_unit_conflicts,
            "minimum_cell": found.minimum_cell,
            "version": found.version,
        }

    return form_page(
        request,
        CaseSettingsForm(request.POST or None, initial=values(current)),
        lambda data: channels.settings_update(actor=user, organization=org, **data),
        success=reverse("case-settings", args=[org.slug]),
        message=_("The case settings are saved."),
        template="cases/channels/settings.html",
        context={"settings": current},
        theirs=values,
    )
