"""The Annex 9 workbook writes every text as text: no activity title becomes a formula."""

from __future__ import annotations

import io

from django_scopes import scope
from openpyxl import load_workbook

from arusha.planning import annex9, services

TRAP = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_the_annex_9_workbook_writes_titles_as_text(cast, world) -> None:  # type: ignore[no-untyped-def]
    services.activity_create(actor=cast.owner, plan=world.plan, title=TRAP)
    with scope(organization=cast.customs):
        book = load_workbook(io.BytesIO(annex9.to_xlsx(world.plan)))
    cells = [cell for row in book.active.iter_rows() for cell in row]  # type: ignore[union-attr]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == TRAP and c.data_type == "s" for c in cells)
