"""{% cases_nav "statistics" %}: the bar of the cases section's pages the person may open."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arusha.cases.access import CHANNELS, CUSTODY, HANDLE, STATISTICS, SUPERVISE
from arusha.core.requests import notes_of

register = template.Library()

# (key, URL name, label, permissions any of which opens the page)
PAGES = (
    ("cases", "case-list", _("Cases"), (SUPERVISE, HANDLE)),
    ("vault", "cases-vault", _("My case vault"), (SUPERVISE, HANDLE, CUSTODY)),
    ("disclosures", "disclosure-list", _("Identity requests"), (CUSTODY,)),
    ("statistics", "case-statistics", _("Statistics"), (STATISTICS,)),
    ("retention", "case-retention", _("Retention"), (SUPERVISE,)),
    ("recommendations", "case-recommendations", _("Recommendations"), (SUPERVISE,)),
    ("channels", "channel-list", _("Channels"), (CHANNELS,)),
    ("categories", "category-list", _("Categories"), (CHANNELS,)),
    ("authorities", "authority-list", _("Authorities"), (CHANNELS, SUPERVISE)),
    ("settings", "case-settings", _("Settings"), (SUPERVISE,)),
)


@register.inclusion_tag("cases/_section_nav.html", takes_context=True)
def cases_nav(context: dict[str, Any], current: str = "") -> dict[str, Any]:
    request = context["request"]
    notes = notes_of(request)
    if notes.organization is None:
        return {"links": []}
    slug = notes.organization.slug
    links = [
        {"url": reverse(name, args=[slug]), "label": label, "current": key == current}
        for key, name, label, permissions in PAGES
        if any(notes.access.has(permission) for permission in permissions)
    ]
    return {"links": links if len(links) > 1 else []}


def landing(has: Any) -> str | None:
    """The first page of the section a person may open (for the organization's bar), or None."""
    for _key, name, _label, permissions in PAGES:
        if name != "cases-vault" and any(has(permission) for permission in permissions):
            return name
    return None
