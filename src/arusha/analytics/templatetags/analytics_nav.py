"""The "Analytics" link of the organization's bar (arusha.core.context_processors).

`landing(access)` gives the URL name of the section's first page for a person who holds
an analytics permission, or None. It reads the permissions already loaded for the page
and makes no query: every page of the platform shows the bar. A person whose only right
is a grant on one office's analytics opens the section from the office's scorecard or a
link they were given; the section's pages themselves accept the grant.
"""

from __future__ import annotations

from arusha.analytics.access import ANY
from arusha.core.access import Access


def landing(access: Access) -> str | None:
    return "analytics-landing" if any(access.has(code) for code in ANY) else None
