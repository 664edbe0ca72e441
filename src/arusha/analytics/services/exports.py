"""A run's risk signals as CSV or XLSX, filtered as on the list, as the person may see them.

The rows are exactly those of the list with the same filters (selectors.signals_filtered
over SignalPolicy): an office reader exports offices and trade flows only (never
officers, brokers, traders or pairs), and entities are named by their pseudonyms. Every
cell goes through arusha.core.spreadsheets (no cell is ever a formula). Both formats
carry the watermark "Confidential — exported by <person> (<email>) on <date time UTC>"
and the reminder that signals are for review, never verdicts: the XLSX in its first rows
and in the printed header and footer, the CSV on two first "#" lines. Every export is
audited ("arusha.analytics.signals.exported", with its format, filters and number of rows).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from arusha.analytics.access import is_personal
from arusha.analytics.models import Review, Run, Signal
from arusha.analytics.selectors.indicators import indicator_text
from arusha.analytics.selectors.signals import SignalFilters, signals_filtered
from arusha.analytics.vocabulary import EntityKind, ReviewStatus, SignalStatus
from arusha.core.access import authorize
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.core.spreadsheets import csv_safe, write_only_row

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# The XLSX's rows: the watermark, the reminder, the column names, then one row per signal.
WATERMARK_ROW, NOTICE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
_CHUNK = 2_000


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    name: str
    content_type: str
    rows: int


def watermark(actor: User, when: datetime.datetime) -> str:
    return _("Confidential — exported by %(person)s (%(email)s) on %(when)s") % {
        "person": " ".join((actor.full_name or actor.email).split()),
        "email": actor.email,
        "when": when.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def notice() -> str:
    return _("Risk signals for review, never verdicts: a signal has no consequence by itself.")


def columns() -> list[str]:
    return [
        _("Indicator"),
        _("Indicator name"),
        _("Version"),
        _("Entity kind"),
        _("Entity (pseudonym or code)"),
        _("Office"),
        _("Period"),
        _("Numerator"),
        _("Denominator"),
        _("Baseline"),
        _("Effect"),
        _("p-value"),
        _("q-value"),
        _("Flagged"),
        _("Status"),
        _("Periods in a row"),
        _("Stratum"),
        _("Review"),
    ]


def _label(choices: type[Any], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def cells(signal: Signal, names: dict[str, str]) -> list[Any]:
    """One signal's row: numbers stay numbers, words are written in the reader's language."""
    review: Review | None = getattr(signal, "review", None)
    details = signal.details if isinstance(signal.details, dict) else {}
    return [
        signal.indicator,
        names.setdefault(signal.indicator, indicator_text(signal.indicator).name),
        signal.indicator_version,
        _label(EntityKind, signal.entity_kind),
        signal.entity,
        signal.office_code,
        signal.period,
        signal.numerator,
        signal.denominator,
        signal.baseline,
        signal.effect,
        signal.p,
        signal.q,
        _("yes") if signal.flag else _("no"),
        _label(SignalStatus, signal.status),
        signal.persistence,
        str(details.get("stratum", "") or ""),
        _label(ReviewStatus, review.status) if review is not None else "",
    ]


def _rows(actor: User, run: Run, filters: SignalFilters) -> Iterator[Signal]:
    access = authorize(actor, "view", run)
    with scope(organization=run.organization):
        yield from signals_filtered(access, run, filters).iterator(chunk_size=_CHUNK)


def to_csv(signals: Iterator[Signal], mark: str) -> tuple[bytes, int, bool]:
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the accents right
    out.write("# " + " ".join(mark.split()) + "\r\n")
    out.write("# " + notice() + "\r\n")
    writer = csv.writer(out)
    writer.writerow([csv_safe(name) for name in columns()])
    names: dict[str, str] = {}
    count, people = 0, False
    for signal in signals:
        writer.writerow(["" if value is None else csv_safe(value) for value in cells(signal, names)])
        count += 1
        people = people or is_personal(signal.entity_kind)
    return out.getvalue().encode("utf-8"), count, people


def _header_footer(text: str) -> str:
    # "&" starts a code in headers and footers: double it. Excel refuses more than 255 characters.
    return text[:120].replace("&", "&&")


def to_xlsx(signals: Iterator[Signal], mark: str) -> tuple[bytes, int, bool]:
    # Write-only: a run may hold hundreds of thousands of signals; rows stream to the file.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Signals"))
    sheet.oddHeader.center.text = _header_footer(mark)
    sheet.oddFooter.center.text = _header_footer(mark)
    names = columns()
    for number, width in enumerate([16, 36, 8, 16, 22, 12, 10, *[12] * 9, 40, 18][: len(names)], start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.append(write_only_row(sheet, [mark]))
    sheet.append(write_only_row(sheet, [notice()]))
    sheet.append(write_only_row(sheet, names))
    labels: dict[str, str] = {}
    count, people = 0, False
    for signal in signals:
        sheet.append(write_only_row(sheet, cells(signal, labels)))
        count += 1
        people = people or is_personal(signal.entity_kind)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count, people


def signals_export(*, actor: User, run: Run, filters: SignalFilters, fmt: str) -> ExportFile:
    """The run's signals that the person sees with `filters`, in `fmt`, watermarked and audited."""
    if fmt not in FORMATS:
        raise DomainError(_("Choose CSV or XLSX."), field="fmt")
    now = timezone.now()
    mark = watermark(actor, now)
    writer = to_csv if fmt == "csv" else to_xlsx
    content, count, people = writer(_rows(actor, run, filters), mark)
    with scope(organization=run.organization):
        audit_record(
            actor=actor,
            action="arusha.analytics.signals.exported",
            obj=run,
            organization=run.organization,
            changes={
                "format": [None, fmt],
                "signals": [None, count],
                "people": [None, people],
                "filters": [None, filters.described()],
            },
        )
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%d-%H%M")
    return ExportFile(content, f"risk-signals-run-{run.pk}-{stamp}.{fmt}", CONTENT_TYPES[fmt], count)
