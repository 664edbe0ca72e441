"""The "Risks" link of the organization's bar (arusha.core.context_processors).

`landing(has)` gives the URL name of the section's first page for a person whose
permissions `has` answers, or None when they hold no risks permission. A working-group
member holding only a grant on a cycle reaches it from their home page.
"""

from __future__ import annotations

from collections.abc import Callable

from arusha.risks.access import ANY


def landing(has: Callable[[str], bool]) -> str | None:
    return "cycle-list" if any(has(code) for code in ANY) else None
