"""{% wave_nav wave "overview" %}: the bar of a wave's sections the person may open.

Each section is (key, URL name, label, the survey policy's action it needs). A section
whose screen is not installed (its URL name does not resolve) is left out, so the bar
never links to a page that does not exist. `landing()` gives the organization's bar its
"Surveys" link (arusha.core.context_processors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from arusha.core.requests import notes_of
from arusha.surveys.access import COLLECT, CUSTODY, MANAGE, MICRODATA, RESULTS

register = template.Library()

# (key, URL name taking (organization, wave), label, action of the survey policy)
WAVE_SECTIONS = (
    ("overview", "wave-detail", _("Overview"), "view"),
    ("populations", "wave-populations", _("Group sizes"), "view"),
    ("invitations", "invitation-list", _("Invitations"), "manage"),
    ("intake", "wave-intake", _("Arrivals"), "collect"),
    ("key", "wave-key", _("Key and processing"), "custody"),
    ("results", "wave-results", _("Results"), "results"),
)


def wave_links(request: Any, wave: Any, current: str = "") -> list[dict[str, Any]]:
    """The sections of `wave` the person may open, as {url, label, current}."""
    notes = notes_of(request)
    if notes.organization is None:
        return []
    can: dict[str, bool] = notes.answers.get("survey", {})
    links = []
    for key, name, label, action in WAVE_SECTIONS:
        if not can.get(action, False):
            continue
        try:
            url = reverse(name, kwargs={"organization": notes.organization.slug, "wave": wave.pk})
        except NoReverseMatch:
            continue  # that part of the surveys context is not installed
        links.append({"url": url, "label": label, "current": key == current})
    return links


@register.inclusion_tag("surveys/_wave_nav.html", takes_context=True)
def wave_nav(context: dict[str, Any], wave: Any, current: str = "") -> dict[str, Any]:
    request = context["request"]
    notes = notes_of(request)
    return {
        "links": wave_links(request, wave, current),
        "wave": wave,
        "survey": wave.survey,
        "organization": notes.organization,
        "nav": context.get("nav", {}),
    }


def landing(has: Callable[[str], bool]) -> str | None:
    """The surveys' first page for someone holding any survey permission, else None."""
    if any(has(code) for code in (MANAGE, COLLECT, CUSTODY, RESULTS, MICRODATA)):
        return "survey-list"
    return None
