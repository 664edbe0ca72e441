"""{% cycle_nav cycle "overview" %}: where one is in an assessment cycle, and the bar of its sections.

Each section is (key, URL name, label). The register, the heat map and the dashboard are
screens of other parts of risk mapping: a section whose URL name does not resolve is left
out, so the bar never links to a page that does not exist. Every section shows the
cycle's risks through the cycle's own view policy, so the bar asks nothing more.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from arusha.core.requests import notes_of

register = template.Library()

# (key, URL name, label); a URL takes (organization, cycle), the dashboard maybe only the organization.
CYCLE_SECTIONS = (
    ("overview", "cycle-detail", _("Overview")),
    ("register", "cycle-register", _("Register")),
    ("heatmap", "cycle-heatmap", _("Heat map")),
    ("members", "cycle-members", _("Working group")),
    ("evidence", "cycle-evidence", _("Evidence")),
    ("dashboard", "risk-dashboard", _("Dashboard")),
)


def url_or_none(name: str, **kwargs: Any) -> str | None:
    """The URL of `name`, trying the keywords given and then the organization alone; None if not installed."""
    tries = [kwargs]
    if set(kwargs) != {"organization"} and "organization" in kwargs:
        tries.append({"organization": kwargs["organization"]})
    for attempt in tries:
        try:
            return reverse(name, kwargs=attempt)
        except NoReverseMatch:
            continue
    return None


def cycle_links(request: Any, cycle: Any, current: str = "") -> list[dict[str, Any]]:
    """The sections of `cycle` that exist, as {url, label, current}."""
    notes = notes_of(request)
    if notes.organization is None or not notes.answers.get("cycle", {}).get("view", False):
        return []
    links = []
    for key, name, label in CYCLE_SECTIONS:
        url = url_or_none(name, organization=notes.organization.slug, cycle=cycle.pk)
        if url is not None:
            links.append({"url": url, "label": label, "current": key == current})
    return links


@register.inclusion_tag("risks/_cycle_nav.html", takes_context=True)
def cycle_nav(context: dict[str, Any], cycle: Any, current: str = "") -> dict[str, Any]:
    request = context["request"]
    notes = notes_of(request)
    organization = notes.organization
    return {
        "links": cycle_links(request, cycle, current),
        "cycle": cycle,
        "organization": organization,
        "nav": context.get("nav", {}),
        "list_url": url_or_none("cycle-list", organization=organization.slug) if organization else None,
        "section": current,
    }
