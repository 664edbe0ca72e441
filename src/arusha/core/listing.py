"""Pagination and CSV export, shared by every list screen."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, StreamingHttpResponse

from arusha.core.spreadsheets import csv_safe


def paginate(request: HttpRequest, items: Sequence[Any] | Any, per_page: int | None = None) -> Page[Any]:
    paginator = Paginator(items, per_page or settings.ARUSHA_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe_cell(value: Any) -> Any:
    # Cells that start with a formula character are neutralized, so a spreadsheet
    # opening the export never runs a formula that a user typed into a name. The rule
    # lives with the XLSX writer's, in core/spreadsheets.py.
    return csv_safe(value)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterable[str]:
        yield "\ufeff"  # a byte-order mark, so spreadsheet programs read the accents right
        yield writer.writerow([_safe_cell(str(cell)) for cell in header])
        for row in rows:
            yield writer.writerow([_safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
