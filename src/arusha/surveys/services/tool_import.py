"""Responses collected with KoboToolbox or ODK, imported from their CSV or XLSX export.

The export must be of an XLSForm of this wave's questionnaire, with XML values (not
labels) and, in the header, the names of the questions, possibly prefixed by their
groups: "kf1/kf1_fair" (KoboToolbox), "kf1-kf1_fair" (ODK Central). A multiple choice is
one column of space-separated values; the split columns some exports add ("q/value",
0 or 1) are skipped. The response ID comes from `_uuid` (KoboToolbox) or
`meta-instanceID` / `meta/instanceID` / `KEY` (ODK Central, "uuid:" removed). The group
comes from a `respondent_group` (or `group`) column holding the group's code, else from
the group chosen on the upload page. The language from a `language` column, else the
questionnaire's first language.

What the tool adds about the submission (start and end times, device and subscriber
IDs, submitter names, submission dates, review states, any column starting with "_")
is never read into a response. The tool's own submission ID is not kept either: the
response ID is derived from it with a keyed hash, so the same row imported twice is
the same response (a duplicate), while nobody can match an imported response with the
tool's record of when and on which device it was made.

All-or-nothing: every row is checked with `form.check` first, each problem named as
"row 7: …" (row 1 is the header, as the spreadsheet numbers them); then every row is
encrypted to the wave's key and ingested, source "import", in one transaction.

Small files (up to ARUSHA_SURVEY_IMPORT_INLINE_BYTES, 256 KB by default: a couple of
thousand rows) are imported while the person waits; larger ones in the background
worker (core.jobs), whose page shows the progress and then the counts or the problems.
The uploaded file holds answers in clear: it is deleted as soon as the job ends.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled
from django_tasks import task

from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User
from arusha.core.spreadsheets import ReadLimits, SpreadsheetRejectedError, open_workbook, value_text
from arusha.surveys.access import authorize_survey
from arusha.surveys.form import FormSpec, InvalidResponseError, ItemSpec, check
from arusha.surveys.models import ItemKind, Source, Wave
from arusha.surveys.services.ingest import Outcome
from arusha.surveys.services.intake import (
    UUID_TEXT,
    IntakeCounts,
    IntakeRefusedError,
    held_ids,
    lock_wave,
    refuse,
    require_collecting,
    sealed,
    store,
)

IMPORT_JOB = "surveys.import"
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
MAX_COLUMNS = 2_000
# Cells of an XLSX export, about two XML elements each, for the largest file taken.
MAX_XLSX_ELEMENTS = 4_000_000
DEFAULT_INLINE_BYTES = 256 * 1024

# Response ID columns, in the order they are looked for.
ID_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY")
GROUP_COLUMNS = ("respondent_group", "group")
LANGUAGE_COLUMNS = ("language",)
# What the tools record about a submission's time, device and submitter: never read, even
# where an item bears the name. Compared in lower case.
NEVER_COLUMNS = frozenset(
    {
        "start",
        "end",
        "today",
        "starttime",
        "endtime",
        "deviceid",
        "subscriberid",
        "simserial",
        "simid",
        "phonenumber",
        "username",
        "email",
        "audit",
        "submissiondate",
        "submitterid",
        "submittername",
    }
)
# Other columns the tools add, skipped where no item bears the name.
TOOL_COLUMNS = NEVER_COLUMNS | {
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "edits",
    "formversion",
    "instanceid",
    "instancename",
    "deprecatedid",
    "key",
    "parent_key",
}
META_PREFIXES = ("meta/", "meta-", "formhub/", "formhub-", "_")
SEPARATORS = ("/", "-")
_LANGUAGE_IN_LABEL = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\)\s*$")
_NUMBER = re.compile(r"^[+-]?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})([eE][+-]?\d{1,3})?$")


def inline_bytes() -> int:
    """Files up to this size are imported in the request; larger ones by the worker."""
    return int(getattr(settings, "ARUSHA_SURVEY_IMPORT_INLINE_BYTES", DEFAULT_INLINE_BYTES))


# --- Reading the file ----------------------------------------------------------------------


def _kind_of(filename: str, data: bytes) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if data[:2] == b"PK" or suffix == ".xlsx":
        return "xlsx"
    if suffix in {".csv", ".txt", ""}:
        return "csv"
    raise refuse(_("Upload the CSV or XLSX export of the tool."))


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(_("This CSV file is not in UTF-8: export it again from the tool.")) from None
    first = text.split("\n", 1)[0]
    # KoboToolbox's older exports use ";"; ODK Central and newer KoboToolbox ",".
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [cell.strip() for cell in row]
    except csv.Error:
        raise refuse(
            _("Line %(line)d of the CSV file cannot be read: a cell is too long or the file is damaged.")
            % {"line": reader.line_num}
        ) from None


def _trimmed(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    limits = dataclasses.replace(
        ReadLimits.from_settings(),
        max_bytes=MAX_IMPORT_BYTES,
        max_rows=max(settings.ARUSHA_XLSX_MAX_ROWS, MAX_IMPORT_ROWS + 1),
        max_elements=max(settings.ARUSHA_XLSX_MAX_ELEMENTS, MAX_XLSX_ELEMENTS),
    )
    try:
        with open_workbook(data, limits=limits) as reader:
            if not reader.sheetnames:
                raise refuse(_("This workbook has no sheet."))
            # The tools put the main table first; repeat groups, which this import does not read, follow.
            sheet = reader.sheetnames[0]
            first = next(reader.rows(sheet, max_col=MAX_COLUMNS + 1), ())
            header = _trimmed([value_text(value) for value in first])
            yield header
            if not header or len(header) > MAX_COLUMNS:
                return
            # A sheet's declared width may be far wider than its header: read no further than that.
            for values in reader.rows(sheet, min_row=2, max_col=len(header)):
                yield [value_text(value) for value in values]
    except SpreadsheetRejectedError as error:
        raise refuse(str(error.message)) from None


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty rows (with their row number, the header being row 1)."""
    if not data:
        raise refuse(_("The file is empty."))
    if len(data) > MAX_IMPORT_BYTES:
        raise refuse(_("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
    rows = _xlsx_rows(data) if _kind_of(filename, data) == "xlsx" else _csv_rows(data)
    header: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows, start=1):
        if header is None:
            header = row
            if len(header) > MAX_COLUMNS:
                raise refuse(_("The file has more than %(count)d columns.") % {"count": MAX_COLUMNS})
            continue
        if any(row):
            body.append((number, row))
            if len(body) > MAX_IMPORT_ROWS:
                raise refuse(
                    _("The file has more than %(count)s rows: import it in parts.")
                    % {"count": f"{MAX_IMPORT_ROWS:,}"}
                )
    if not header or not any(header):
        raise refuse(_("The file is empty."))
    if not body:
        raise refuse(_("The file has a header and no responses."))
    return header, body


# --- The header ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    items: dict[int, ItemSpec]
    response_id: int
    group: int | None
    language: int | None


def _tails(column: str) -> list[str]:
    """The column's name, then each shorter ending after a group separator: "a/b/c", "b/c", "c"."""
    tails = [column]
    for separator in SEPARATORS:
        parts = column.split(separator)
        tails += [separator.join(parts[start:]) for start in range(1, len(parts))]
    return tails


def _is_tool_column(column: str) -> bool:
    lowered = column.lower()
    return lowered in TOOL_COLUMNS or re.split(r"[/-]", lowered)[-1] in TOOL_COLUMNS


def _split_choice(column: str, multiple: set[str]) -> bool:
    """One of the 0/1 columns some exports add per choice of a multiple choice ("q/value")."""
    for separator in SEPARATORS:
        if separator in column:
            parent = column.rsplit(separator, 1)[0]
            if any(tail in multiple for tail in _tails(parent)):
                return True
    return False


def _find(header: Sequence[str], names: Sequence[str]) -> int | None:
    for name in names:
        for index, column in enumerate(header):
            if column == name or column.lower() == name.lower():
                return index
    for name in names:
        for index, column in enumerate(header):
            if any(tail.lower() == name.lower() for tail in _tails(column)[1:]):
                return index
    return None


def map_columns(header: Sequence[str], spec: FormSpec, *, default_group: str | None) -> Columns:
    """Which column holds which item, the response ID, the group and the language."""
    by_name = {item.name: item for item in spec.items if item.kind != ItemKind.NOTE}
    multiple = {item.name for item in spec.items if item.kind == ItemKind.MULTIPLE}
    id_column = _find(header, ID_COLUMNS)
    if id_column is None:
        raise refuse(
            _(
                "The file has no response ID column: “_uuid” (KoboToolbox) or “meta-instanceID” / "
                "“KEY” (ODK Central). Export it again with these columns."
            )
        )
    group_column = _find(header, GROUP_COLUMNS)
    if group_column is None and not default_group:
        raise refuse(
            _(
                "The file has no column “respondent_group” with each respondent's group code: add "
                "one, or choose the group of every row on this page."
            ),
            field="group",
        )
    language_column = _find(header, LANGUAGE_COLUMNS)
    items: dict[int, ItemSpec] = {}
    taken: dict[str, str] = {}
    errors: list[str] = []
    for index, column in enumerate(header):
        lowered = column.lower()
        if not column or index == id_column or lowered in NEVER_COLUMNS or lowered.startswith(META_PREFIXES):
            continue  # tool metadata: times, devices, submitters — never read
        name = next((tail for tail in _tails(column) if tail in by_name), None)
        if name is None:
            if (
                index in (group_column, language_column)
                or _is_tool_column(column)
                or _split_choice(column, multiple)
            ):
                continue
            errors.append(
                _("column “%(column)s” is not an item of this questionnaire.") % {"column": column[:80]}
            )
            continue
        if name in taken:
            errors.append(
                _("columns “%(first)s” and “%(second)s” both hold the item “%(item)s”.")
                % {"first": taken[name][:80], "second": column[:80], "item": name}
            )
            continue
        taken[name] = column
        items[index] = by_name[name]
    if errors:
        raise IntakeRefusedError(errors)
    return Columns(items=items, response_id=id_column, group=group_column, language=language_column)


# --- The rows ------------------------------------------------------------------------------


def parse_number(text: str) -> int | float | None:
    if not _NUMBER.match(text):
        return None
    try:
        value = float(text) if any(c in text for c in ".eE") else int(text)
    except (ValueError, OverflowError):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) > 1e15):
        return None
    return value


def _value(item: ItemSpec, text: str) -> Any:
    if item.kind == ItemKind.MULTIPLE:
        return text.split()
    if item.kind == ItemKind.NUMBER:
        number = parse_number(text)
        if number is None:
            raise InvalidResponseError(_("“%(item)s” is not a number.") % {"item": item.name})
        return number
    return text


def _language(text: str, spec: FormSpec) -> str:
    if not text:
        return spec.languages[0] if spec.languages else ""
    found = _LANGUAGE_IN_LABEL.search(text)
    return found.group(1) if found else text


def tool_response_id(wave: Wave, tool_id: str) -> uuid.UUID:
    """The response ID of an imported row: keyed from the tool's ID, so it cannot be traced back to it."""
    mac = salted_hmac("arusha.surveys.import", f"{wave.pk}:{tool_id.lower()}", algorithm="sha256")
    return uuid.UUID(bytes=mac.digest()[:16], version=4)


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def row_payloads(
    wave: Wave, spec: FormSpec, columns: Columns, rows: Sequence[tuple[int, list[str]]], *, default_group: str
) -> list[dict[str, Any]]:
    """The payload of every row, checked; IntakeRefusedError naming each bad row."""
    errors: list[str] = []
    payloads: list[dict[str, Any]] = []
    seen: dict[uuid.UUID, int] = {}
    for number, row in rows:
        tool_id = _cell(row, columns.response_id).removeprefix("uuid:")
        if not UUID_TEXT.match(tool_id):
            errors.append(_("row %(row)d: the response ID is missing or is not a UUID.") % {"row": number})
            continue
        response_id = tool_response_id(wave, tool_id)
        if response_id in seen:
            errors.append(
                _("row %(row)d: the same response ID as row %(first)d.")
                % {"row": number, "first": seen[response_id]}
            )
            continue
        seen[response_id] = number
        try:
            answers = {
                item.name: _value(item, _cell(row, index))
                for index, item in columns.items.items()
                if _cell(row, index)
            }
            payload = {
                "response_id": str(response_id),
                "questionnaire": spec.number,
                "group": _cell(row, columns.group) or default_group,
                "language": _language(_cell(row, columns.language), spec),
                "answers": answers,
            }
            check(spec, payload)
        except InvalidResponseError as error:
            errors.append(_("row %(row)d: %(problem)s") % {"row": number, "problem": error.detail})
            continue
        payloads.append(payload)
    if errors:
        raise IntakeRefusedError(errors)
    return payloads


# --- Importing -----------------------------------------------------------------------------


def _noop(done: int, total: int, message: str) -> None:
    return None


def tool_import(
    wave: Wave,
    data: bytes,
    filename: str,
    *,
    actor: User,
    group: str | None = None,
    progress: Progress | None = None,
) -> IntakeCounts:
    """Import every row of a KoboToolbox or ODK export, or none; the counts, after commit."""
    authorize_survey(actor, "collect", wave.survey)
    require_collecting(wave)
    step = progress or _noop
    spec = FormSpec.of(wave.questionnaire)
    if group and group not in spec.groups:
        raise DomainError(_("Choose one of the survey's groups."), field="group")
    header, rows = read_table(data, filename)
    columns = map_columns(header, spec, default_group=group)
    step(0, len(rows), gettext_noop("Checking every row."))
    payloads = row_payloads(wave, spec, columns, rows, default_group=group or "")
    step(0, len(rows), gettext_noop("Encrypting and storing the responses."))
    with transaction.atomic():
        lock_wave(wave)
        ids = [uuid.UUID(payload["response_id"]) for payload in payloads]
        held = held_ids(wave, ids)
        incoming = []
        for done, payload in enumerate(payloads, start=1):
            if uuid.UUID(payload["response_id"]) not in held:
                incoming.append(sealed(wave, payload))
            if done % 500 == 0:
                step(done, len(rows), gettext_noop("Encrypting and storing the responses."))
        receipts = store(wave, incoming, source=Source.IMPORT)
        if any(receipt.outcome == Outcome.REJECTED for receipt in receipts):
            raise DomainError(_("The server refused a response of this file. Nothing was stored."))
        counts = IntakeCounts.of(receipts, held=len(held))
        audit_record(
            actor=actor,
            action="arusha.surveys.responses_imported",
            obj=wave,
            organization=wave.survey.organization,
            changes={"import": [None, {"file": PurePath(filename or "").name[:120], **counts.as_dict()}]},
        )
    return counts


def _upload_path(job: BackgroundJob, filename: str) -> str:
    suffix = ".xlsx" if PurePath(filename).suffix.lower() == ".xlsx" else ".csv"
    # The job's own name: the worker finds the file from the job, and nobody reaches it by URL.
    return f"jobs/uploads/survey-import-{job.pk}{suffix}"


def tool_import_request(
    wave: Wave, upload: File[bytes], *, actor: User, group: str | None, language: str
) -> BackgroundJob:
    """Keep the file and ask the worker to import it (or answer the import still running)."""
    authorize_survey(actor, "collect", wave.survey)
    require_collecting(wave)
    filename = PurePath(upload.name or "export.csv").name[:120]

    def keep_upload(job: BackgroundJob) -> None:
        stored = default_storage.save(_upload_path(job, filename), upload)
        job.result_data = {"file": filename, "upload": stored, "group": group or ""}
        job.save(update_fields=["result_data"])

    return job_request(
        actor=actor,
        organization=wave.survey.organization,
        kind=IMPORT_JOB,
        target=wave,
        language=language,
        task=tool_import_task,
        prepare=keep_upload,
    )


def _import_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    path = str(job.result_data.get("upload", ""))
    filename = str(job.result_data.get("file", ""))
    try:
        with scopes_disabled():
            wave = (
                Wave.objects.select_related("survey", "questionnaire").filter(pk=int(job.object_id)).first()
            )
        if wave is None:
            raise DomainError(gettext_noop("The wave no longer exists."))
        if job.requested_by is None:
            raise DomainError(gettext_noop("The person who uploaded the file no longer has an account."))
        with default_storage.open(path, "rb") as stored:
            data = stored.read(MAX_IMPORT_BYTES + 1)
        try:
            counts = tool_import(
                wave,
                data,
                filename,
                actor=job.requested_by,
                group=str(job.result_data.get("group") or "") or None,
                progress=progress,
            )
        except IntakeRefusedError as refused:
            # The job's error holds the summary; the page lists each problem from here.
            BackgroundJob.objects.filter(pk=job.pk).update(
                result_data={"file": filename, "errors": refused.errors}
            )
            raise
        return JobResult(data={"file": filename, **counts.as_dict()})
    finally:
        # The export holds answers in clear: it is kept no longer than the import.
        if path:
            default_storage.delete(path)


@task()
def tool_import_task(job_id: int) -> str:
    """The worker's side of `tool_import_request`."""
    return str(job_run(job_id, _import_for_job))
