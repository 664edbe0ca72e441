"""The "Analytics" link of the organization's bar (arusha.core.context_processors).

`landing(access)` gives the URL name of the section's first page for a person who holds
an analytics permission or a grant on one office's analytics, or None.
"""

from __future__ import annotations

from arusha.analytics.access import works_on_analytics
from arusha.core.access import Access


def landing(access: Access) -> str | None:
    return "analytics-landing" if works_on_analytics(access) else None
