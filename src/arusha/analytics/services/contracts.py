"""Performance measurement contracts: draft, agree, close, export the scorecard, feed the KPIs.

An office (a core Division; its code in the clearance data defaults to the division's
code) agrees a handful of the catalogue's office-level measures (2 to 8), each with a
target and the direction that is better, for a period of months. Each indicator may be
linked to a KPI of the action plan that the person may see.

- A draft changes freely (edits carry the version they were read at; a stale save is
  refused). Agreeing records who and when; from then on the indicators and targets no
  longer change: a change is a new contract (the contract page drafts one from it).
  An agreed contract is closed at the end of its period, or when a new one replaces it.
- On agreement, each linked KPI that takes its values from nowhere yet is set to take
  them from the office's figure for that measure ("analytics.hit_rate@KIL-PRT",
  arusha.analytics.metrics), when the person may edit the KPI library; monitoring then
  offers that figure for each reporting period, to be saved and verified by people.
- Every write is in the audit trail; so is every export of the scorecard.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.analytics.access import CONTRACT
from arusha.analytics.metrics import office_metric
from arusha.analytics.models import Contract, ContractIndicator
from arusha.analytics.selectors.scorecard import (
    Scorecard,
    contract_indicators,
    first_of_month,
    measure_of,
    months_between,
    scorecard,
)
from arusha.analytics.vocabulary import ContractStatus, Direction
from arusha.core.access import Access, authorize, authorize_in, policy_for
from arusha.core.audit import audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.metrics import metric_label
from arusha.core.models import Division, Organization, User
from arusha.core.spreadsheets import csv_safe, put
from arusha.planning import selectors as planning_selectors
from arusha.planning.services.kpis import KPI_FIELDS, kpi_save

if TYPE_CHECKING:
    from arusha.planning.models import Kpi

MIN_INDICATORS, MAX_INDICATORS = 2, 8
MAX_MONTHS = 36
# The model's DecimalField: 14 digits, 4 of them decimals.
TARGET_LIMIT = Decimal(10) ** 10
TARGET_STEP = Decimal("0.0001")
CONTRACT_FIELDS = ("title", "office", "office_code", "first_month", "last_month", "notes")


@dataclass(frozen=True)
class Term:
    """One row of a contract's indicators as typed: a blank row (no indicator, no target) is skipped."""

    indicator: str = ""
    target: Any = None
    direction: str = ""  # empty: the direction the catalogue says is better
    kpi: Kpi | None = None


@dataclass(frozen=True)
class _Clean:
    indicator: str
    target: Decimal
    direction: str
    kpi: Kpi | None

    def text(self) -> str:
        sign = "≥" if self.direction == Direction.HIGHER else "≤"
        kpi = f" → {self.kpi.code}" if self.kpi is not None else ""
        return f"{self.indicator} {sign} {plain(self.target)}{kpi}"


def plain(value: Decimal) -> Decimal:
    """A target without its trailing zeros and never in exponent form: 20, not 20.0000 or 2E+1."""
    return Decimal(f"{value.normalize():f}")


# --- Checks -----------------------------------------------------------------------------------


def linkable_kpis(access: Access, organization: Organization) -> QuerySet[Kpi]:
    """The KPIs of the library the person may see: those an indicator may be linked to."""
    with scope(organization=organization):
        choices = planning_selectors.kpi_choices(organization).order_by("code")
        if access.user is None:  # the system
            return choices
        return policy_for(choices.model).visible(access, choices)


def _target(raw: Any, row: int, share: bool) -> Decimal:
    field = f"target_{row}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise DomainError(_("Give the target."), field=field)
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(" ", ""))
    except (InvalidOperation, ValueError) as error:
        raise DomainError(_("Give the target as a number, e.g. 12.5."), field=field) from error
    if not value.is_finite() or value < 0:
        raise DomainError(_("Give the target as a number, zero or more."), field=field)
    if share and value > 100:
        raise DomainError(_("A percentage target is at most 100."), field=field)
    if value >= TARGET_LIMIT:
        raise DomainError(_("Give a target below ten billion."), field=field)
    return value.quantize(TARGET_STEP)


def _terms(
    access: Access, organization: Organization, office_code: str, terms: Sequence[Term]
) -> list[_Clean]:
    rows = [(row, term) for row, term in enumerate(terms, start=1) if term.indicator or term.target]
    if not MIN_INDICATORS <= len(rows) <= MAX_INDICATORS:
        raise DomainError(
            _("A contract has from %(min)s to %(max)s indicators.")
            % {"min": MIN_INDICATORS, "max": MAX_INDICATORS},
            field="indicator_1",
        )
    kpis = linkable_kpis(access, organization)
    clean: list[_Clean] = []
    for row, term in rows:
        measure = measure_of(term.indicator)
        if measure is None:
            raise DomainError(
                _("Choose an indicator of the catalogue's office measures."), field=f"indicator_{row}"
            )
        if any(item.indicator == measure.code for item in clean):
            raise DomainError(_("This indicator is already in the contract."), field=f"indicator_{row}")
        if term.direction and term.direction not in Direction.values:
            raise DomainError(_("Say whether higher or lower is better."), field=f"direction_{row}")
        kpi = term.kpi
        if kpi is not None:
            _check_kpi(kpis, kpi, row, office_metric(measure.code, office_code))
            if any(item.kpi is not None and item.kpi.pk == kpi.pk for item in clean):
                raise DomainError(
                    _("Another indicator of this contract already feeds this KPI."), field=f"kpi_{row}"
                )
        clean.append(
            _Clean(
                measure.code,
                _target(term.target, row, measure.is_share),
                term.direction or measure.direction,
                kpi,
            )
        )
    return clean


def _check_kpi(kpis: QuerySet[Kpi], kpi: Kpi, row: int, feeds: str | None) -> None:
    if not kpis.filter(pk=kpi.pk).exists():
        raise DomainError(_("Choose a KPI of the library that you may see."), field=f"kpi_{row}")
    if kpi.metric and kpi.metric != feeds:
        raise DomainError(
            _("This KPI already takes its values from “%(figure)s”.") % {"figure": metric_label(kpi.metric)},
            field=f"kpi_{row}",
        )


def _values(
    organization: Organization,
    *,
    title: str,
    office: Division,
    office_code: str,
    first_month: datetime.date,
    last_month: datetime.date,
    notes: str,
) -> dict[str, Any]:
    title = " ".join(str(title or "").split())
    if not title:
        raise DomainError(_("Give the contract a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("Keep the title under 200 characters."), field="title")
    if office is None or office.organization_id != organization.pk:
        raise DomainError(_("Choose an office of the organization."), field="office")
    code = str(office_code or "").strip() or office.code.strip()
    if not code:
        raise DomainError(
            _("This office has no code: type its code in the clearance data."), field="office_code"
        )
    if len(code) > 30 or any(character.isspace() or character == "@" for character in code):
        raise DomainError(
            _("Type the office's code as in the clearance data: at most 30 characters, no spaces."),
            field="office_code",
        )
    if first_month is None:
        raise DomainError(_("Give the first month."), field="first_month")
    if last_month is None:
        raise DomainError(_("Give the last month."), field="last_month")
    first, last = first_of_month(first_month), first_of_month(last_month)
    if last < first:
        raise DomainError(_("The last month comes after the first one."), field="last_month")
    if len(months_between(first, last)) > MAX_MONTHS:
        raise DomainError(
            _("A contract covers at most %(count)s months.") % {"count": MAX_MONTHS}, field="last_month"
        )
    return {
        "title": title,
        "office": office,
        "office_code": code,
        "first_month": first,
        "last_month": last,
        "notes": str(notes or "").strip(),
    }


def _snapshot(contract: Contract, terms: Sequence[_Clean]) -> dict[str, Any]:
    return {**snapshot(contract, CONTRACT_FIELDS), "indicators": [term.text() for term in terms]}


def _saved_terms(contract: Contract) -> list[_Clean]:
    return [
        _Clean(item.indicator, item.target, item.direction, item.kpi)
        for item in contract_indicators(contract)
    ]


def _write_terms(contract: Contract, terms: Sequence[_Clean]) -> None:
    """The contract's indicators become `terms`: rows kept by indicator, others removed or added."""
    existing = {item.indicator: item for item in contract.indicators.all()}
    wanted = {term.indicator for term in terms}
    contract.indicators.exclude(indicator__in=wanted).delete()
    for position, term in enumerate(terms):
        row = existing.get(term.indicator) or ContractIndicator(contract=contract, indicator=term.indicator)
        row.target, row.direction, row.kpi, row.position = term.target, term.direction, term.kpi, position
        if row.pk is None:
            row.save()
        else:
            save_versioned(row, version=None, fields=("target", "direction", "kpi", "position"))


def _draft(contract: Contract) -> None:
    if contract.status != ContractStatus.DRAFT:
        raise DomainError(
            _(
                "An agreed contract keeps its indicators and targets. To change them, draft a new "
                "contract from this one and agree it."
            )
        )


# --- Writes -----------------------------------------------------------------------------------


def contract_create(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    office: Division,
    office_code: str = "",
    first_month: datetime.date,
    last_month: datetime.date,
    terms: Sequence[Term],
    notes: str = "",
) -> Contract:
    """Draft a contract for an office: 2 to 8 indicators, each with its target. `actor=None` is the system."""
    access = authorize_in(actor, CONTRACT, organization)
    values = _values(
        organization,
        title=title,
        office=office,
        office_code=office_code,
        first_month=first_month,
        last_month=last_month,
        notes=notes,
    )
    clean = _terms(access, organization, values["office_code"], terms)
    with scope(organization=organization), transaction.atomic():
        contract = Contract.objects.create(organization=organization, **values)
        _write_terms(contract, clean)
        audit_record(
            actor=actor,
            action="arusha.analytics.contract.created",
            obj=contract,
            organization=organization,
            changes=diff({}, _snapshot(contract, clean)),
        )
    return contract


def contract_update(
    *,
    actor: User,
    contract: Contract,
    title: str,
    office: Division,
    office_code: str,
    first_month: datetime.date,
    last_month: datetime.date,
    terms: Sequence[Term],
    notes: str = "",
    version: int | None,
) -> Contract:
    """Change a draft: its office, period and indicators. `version` is the one the form was read at."""
    access = authorize(actor, "manage", contract)
    organization = contract.organization
    _draft(contract)
    values = _values(
        organization,
        title=title,
        office=office,
        office_code=office_code,
        first_month=first_month,
        last_month=last_month,
        notes=notes,
    )
    clean = _terms(access, organization, values["office_code"], terms)
    with scope(organization=organization), transaction.atomic():
        before = _snapshot(contract, _saved_terms(contract))
        for name, value in values.items():
            setattr(contract, name, value)
        # The conditional UPDATE first: it refuses a stale form and holds the row to the end.
        save_versioned(contract, version=version, fields=CONTRACT_FIELDS)
        contract.refresh_from_db(fields=["status"])
        _draft(contract)
        _write_terms(contract, clean)
        after = _snapshot(contract, clean)
        audit_record(
            actor=actor,
            action="arusha.analytics.contract.updated",
            obj=contract,
            organization=organization,
            changes=diff(before, after),
        )
    return contract


def _locked(contract: Contract, version: int | None) -> Contract:
    """The contract as saved now, its row held until the transaction ends; a stale page is refused."""
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    if version is not None and current.version != version:
        raise DomainError(_("The contract changed since you opened the page: read it again, then decide."))
    return current


def contract_agree(*, actor: User, contract: Contract, version: int | None = None) -> Contract:
    """Record the agreement (who and when). The indicators and targets no longer change afterwards.

    Each linked KPI that takes its values from nowhere yet is set to take them from the
    office's figure, when the person may edit the KPI library (else a KPI editor chooses it).
    """
    access = authorize(actor, "manage", contract)
    organization = contract.organization
    with scope(organization=organization), transaction.atomic():
        current = _locked(contract, version)
        if current.status != ContractStatus.DRAFT:
            raise DomainError(_("This contract is already agreed."))
        terms = _saved_terms(current)
        if not MIN_INDICATORS <= len(terms) <= MAX_INDICATORS:
            raise DomainError(
                _("A contract has from %(min)s to %(max)s indicators.")
                % {"min": MIN_INDICATORS, "max": MAX_INDICATORS}
            )
        current.status = ContractStatus.AGREED
        current.agreed_by = actor
        current.agreed_at = timezone.now()
        save_versioned(current, version=current.version, fields=("status", "agreed_by", "agreed_at"))
        audit_record(
            actor=actor,
            action="arusha.analytics.contract.agreed",
            obj=current,
            organization=organization,
            changes={"status": [ContractStatus.DRAFT, ContractStatus.AGREED]},
        )
        for item in contract_indicators(current):
            _feed(actor, access, current, item)
    contract.refresh_from_db()
    return contract


def _feed(actor: User, access: Access, contract: Contract, item: ContractIndicator) -> None:
    """Let the linked KPI take its values from the office's figure, if it takes them from nowhere yet."""
    code = office_metric(item.indicator, contract.office_code)
    if item.kpi_id is None or code is None:
        return
    kpi = planning_selectors.kpi_get(contract.organization, item.kpi_id)
    # kpi_save asks for the right to edit the whole library, as the KPI's policy names it.
    if kpi.metric or not access.has(policy_for(kpi).actions["edit"]):
        return
    kpi_save(
        actor=actor,
        organization=contract.organization,
        # kpi_save writes the whole sheet, its dated targets and links as given: all as they are
        # but the figure the KPI takes its values from.
        values={**{name: getattr(kpi, name) for name in KPI_FIELDS}, "metric": code},
        targets=[(target.date, target.value) for target in kpi.targets.all()],
        related=list(kpi.related.all()),
        kpi=kpi,
    )


def feeds(contract: Contract, item: ContractIndicator) -> bool:
    """Whether the indicator's linked KPI takes its values from the office's figure."""
    return item.kpi is not None and item.kpi.metric == office_metric(item.indicator, contract.office_code)


def contract_close(*, actor: User, contract: Contract, version: int | None = None) -> Contract:
    """Close an agreed contract (its period is over, or a new contract replaces it)."""
    authorize(actor, "manage", contract)
    organization = contract.organization
    with scope(organization=organization), transaction.atomic():
        current = _locked(contract, version)
        if current.status != ContractStatus.AGREED:
            raise DomainError(
                _("Only an agreed contract is closed.")
                if current.status == ContractStatus.DRAFT
                else _("This contract is already closed.")
            )
        current.status = ContractStatus.CLOSED
        save_versioned(current, version=current.version, fields=("status",))
        audit_record(
            actor=actor,
            action="arusha.analytics.contract.closed",
            obj=current,
            organization=organization,
            changes={"status": [ContractStatus.AGREED, ContractStatus.CLOSED]},
        )
    contract.refresh_from_db()
    return contract


# --- The scorecard's export -----------------------------------------------------------------

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    content: bytes


def watermark(actor: User, when: datetime.datetime) -> str:
    return _("Confidential — exported by %(person)s (%(email)s) on %(when)s") % {
        "person": " ".join((actor.full_name or actor.email).split()),
        "email": actor.email,
        "when": when.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _headers() -> list[str]:
    return [
        _("Month"),
        _("Indicator"),
        _("Name"),
        _("Unit"),
        _("Office figure"),
        _("Target"),
        _("Better"),
        _("Status"),
        _("Month before"),
        _("Same month a year before"),
        _("National figure"),
        _("Numerator"),
        _("Denominator"),
    ]


def _rows(card: Scorecard) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for _month, cells in card.by_month():
        for line, cell in cells:
            rows.append(
                [
                    cell.period,
                    line.measure.code,
                    line.measure.name,
                    line.measure.unit,
                    cell.value,
                    plain(line.indicator.target),
                    line.indicator.get_direction_display(),
                    f"{cell.symbol} {cell.word}",
                    cell.previous,
                    cell.year_before,
                    cell.national,
                    cell.numerator,
                    cell.denominator,
                ]
            )
    return rows


def _about(card: Scorecard) -> str:
    contract = card.contract
    return _("%(title)s · %(office)s (%(code)s) · %(first)s to %(last)s · %(status)s") % {
        "title": contract.title,
        "office": contract.office.name,
        "code": contract.office_code,
        "first": f"{contract.first_month:%Y-%m}",
        "last": f"{contract.last_month:%Y-%m}",
        "status": contract.get_status_display(),
    }


def scorecard_xlsx(card: Scorecard, mark: str) -> bytes:
    """The scorecard as one sheet: the watermark (first row, printed header and footer), then the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has a sheet
    sheet.title = _("Scorecard")[:31]
    headers = _headers()
    put(sheet.cell(row=1, column=1), mark).font = Font(bold=True, color="9C0006")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    assert sheet.oddHeader is not None and sheet.oddFooter is not None  # a new sheet has both, empty
    # "&" starts a code in printed headers: double it; Excel refuses more than 255 characters.
    sheet.oddHeader.center.text = sheet.oddFooter.center.text = mark[:120].replace("&", "&&")
    put(sheet.cell(row=2, column=1), _about(card))
    for column, text in enumerate(headers, start=1):
        put(sheet.cell(row=3, column=column), text).font = Font(bold=True)
    for number, values in enumerate(_rows(card), start=4):
        for column, value in enumerate(values, start=1):
            put(sheet.cell(row=number, column=column), value)
    sheet.freeze_panes = "C4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def scorecard_csv(card: Scorecard, mark: str) -> bytes:
    """The same table as CSV: UTF-8 with a byte-order mark, the watermark on a first "#" line."""
    out = io.StringIO()
    out.write("\ufeff")
    out.write("# " + " ".join(mark.split()) + "\r\n")
    writer = csv.writer(out)
    writer.writerow([csv_safe(text) for text in _headers()])
    for values in _rows(card):
        writer.writerow(["" if value is None else csv_safe(value) for value in values])
    return out.getvalue().encode("utf-8")


def contract_export(
    *, actor: User, contract: Contract, fmt: str, today: datetime.date | None = None
) -> ExportFile:
    """The scorecard as XLSX or CSV, watermarked with who exported it and when; the export is audited."""
    authorize(actor, "view", contract)
    if fmt not in FORMATS:
        raise DomainError(_("Export the scorecard as XLSX or CSV."), field="fmt")
    now = timezone.now()
    card = scorecard(contract, today=today)
    mark = watermark(actor, now)
    content = scorecard_xlsx(card, mark) if fmt == "xlsx" else scorecard_csv(card, mark)
    with scope(organization=contract.organization), transaction.atomic():
        audit_record(
            actor=actor,
            action="arusha.analytics.contract.exported",
            obj=contract,
            organization=contract.organization,
            changes={"format": [None, fmt]},
        )
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%d-%H%M")
    return ExportFile(f"scorecard-{contract.pk}-{stamp}.{fmt}", FORMATS[fmt], content)
