"""The rows of the plan page's Annex 9 tables, built in Python.

A plan has hundreds of activities. A template loop with a `{% url %}` and six filtered
cells per row cost more than the rest of the page together; here the activity's address
is reversed once and filled in per row, the badge translated once, and the rows are
joined with format_html (the same markup the template wrote).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from arusha.core.models import Organization
    from arusha.planning.annex9 import Annex9, Block, Row, Section
    from arusha.planning.models import ActionPlan

# Stands for the activity's identifier in its address, reversed once and replaced per row.
_SENTINEL = 2147483001
NOTHING = SafeString("")


def tables(
    organization: Organization, plan: ActionPlan, document: Annex9
) -> list[tuple[Section, list[tuple[Block, SafeString]]]]:
    """Each section with its blocks, each block with the rows of its table as HTML."""
    address = reverse("plan-activity", args=[organization.slug, plan.pk, _SENTINEL])
    head, _found, tail = address.partition(str(_SENTINEL))
    badge = format_html(' <span class="badge">{}</span>', _("confidential"))

    def cells(row: Row) -> SafeString:
        # As `{{ cell|default:"—"|linebreaksbr }}` wrote them.
        return format_html_join("", "<td>{}</td>", ((linebreaksbr(cell or "—"),) for cell in row.cells[1:]))

    def body(block: Block) -> SafeString:
        return format_html_join(
            "",
            '<tr>\n      <td><a href="{}">{}</a>{}</td>\n      {}\n    </tr>',
            (
                (
                    f"{head}{row.activity.pk}{tail}",
                    row.activity.title,
                    badge if row.activity.confidential else NOTHING,
                    cells(row),
                )
                for row in block.rows
            ),
        )

    return [(section, [(block, body(block)) for block in section.blocks]) for section in document.sections]
