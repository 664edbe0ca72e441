"""The register out and back in: exports (XLSX, CSV, PDF, DOCX), all watermarked, and the XLSX import.

Exports hold only the risks the person may see, with their restricted texts, and name who
exported them and when (arusha.risks.register_files); each is audited
("arusha.risks.register.exported", with its format). XLSX and CSV are answered at once
(under a second for 500 risks). PDF and DOCX take tens of seconds for such a register
(WeasyPrint and python-docx lay out hundreds of pages), so the worker writes them
(arusha.core.jobs); the file is kept encrypted, like the texts it holds, and only the
person who asked may download it.

The import reads a workbook as exported (arusha.risks.workbook), checks every row before
anything is written and lists every problem by sheet, row and column
(arusha.risks.register_rows). Then, in one transaction, a risk of the cycle that changes
goes through the register's services (risk_update; risk_rate, which appends a snapshot
"Imported from a workbook"; control_save / control_remove; treatment_save), and the new
risks are written together, by the same rules, with one audit event each. Any refusal
rolls everything back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import IO, Any

from cryptography.fernet import InvalidToken
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled
from django_tasks import task

from arusha.core.audit import audit_record, diff, snapshot
from arusha.core.encryption import fernet
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_get_for, job_recent_for, job_request, job_run
from arusha.core.models import BackgroundJob, JobStatus, User
from arusha.risks import workbook
from arusha.risks.access import authorize_risk
from arusha.risks.appetite import scale_of
from arusha.risks.models import Control, Cycle, RatingSnapshot, Risk, Treatment
from arusha.risks.register_files import CONTENT_TYPES, WRITERS, file_name, register_of
from arusha.risks.register_rows import Wanted, check
from arusha.risks.services.cycles import open_for_risks
from arusha.risks.services.register import RATING_FIELDS, RISK_FIELDS, risk_rate, risk_update
from arusha.risks.services.treatments import control_remove, control_save, treatment_save
from arusha.risks.vocabulary import Decision, RiskStatus
from arusha.risks.workbook import REGISTER, Errors, Row

FORMATS = ("xlsx", "csv", "pdf", "docx")
# Written by the worker: too slow for a request when the register is large.
IN_WORKER = ("pdf", "docx")
IMPORT_REASON = gettext_noop("Imported from a workbook")
MAX_ERRORS = 200
# The key that keeps an export written by the worker encrypted in the file storage.
_RESULT_PURPOSE = "risk-register-exports"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    name: str
    content_type: str


def register_export(*, actor: User, cycle: Cycle, fmt: str) -> ExportFile:
    """The register of the cycle in `fmt`, as the person may see it, watermarked and audited."""
    if fmt not in WRITERS:
        raise DomainError(_("Choose XLSX, CSV, PDF or DOCX."), field="fmt")
    register = register_of(actor, cycle)
    content = WRITERS[fmt](register)
    with scope(organization=cycle.organization), transaction.atomic():
        audit_record(
            actor=actor,
            action="arusha.risks.register.exported",
            obj=cycle,
            organization=cycle.organization,
            changes={"format": [None, fmt], "risks": [None, len(register.risks)]},
        )
    return ExportFile(content, file_name(register, fmt), CONTENT_TYPES[fmt])


def export_kind(fmt: str, actor: User) -> str:
    """The kind of the job that writes `actor`'s export: one's register is not another's."""
    return f"risks.register.{fmt}.{actor.pk}"


def register_export_request(*, actor: User, cycle: Cycle, fmt: str, language: str) -> BackgroundJob:
    """Ask the worker for the PDF or DOCX of the register; a second click joins the first."""
    authorize_risk(actor, "view", cycle)
    if fmt not in IN_WORKER:
        raise DomainError(_("Choose PDF or DOCX."), field="fmt")
    return job_request(
        actor=actor,
        organization=cycle.organization,
        kind=export_kind(fmt, actor),
        target=cycle,
        language=language,
        task=register_export_task,
    )


@task()
def register_export_task(job_id: int) -> str:
    """The worker's side of `register_export_request`."""
    return str(job_run(job_id, _export_for_job))


def _export_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    with scopes_disabled():
        cycle = Cycle.objects.select_related("organization", "matrix").filter(pk=int(job.object_id)).first()
    fmt = job.kind.split(".")[2]
    if cycle is None or job.requested_by is None:
        raise DomainError(gettext_noop("The risk assessment no longer exists."))
    progress(0, 1, gettext_noop("Writing the file"))
    try:
        # Read again with the person's rights of now: they may have lost some since they asked.
        export = register_export(actor=job.requested_by, cycle=cycle, fmt=fmt)
    except (Http404, PermissionDenied) as refused:
        raise DomainError(gettext_noop("You may no longer read this risk assessment.")) from refused
    # The file holds the risks' restricted texts: it is stored encrypted, as they are.
    return JobResult(
        content=fernet(_RESULT_PURPOSE).encrypt(export.content), name=export.name, data={"format": fmt}
    )


def export_job(*, actor: User, cycle: Cycle, fmt: str) -> BackgroundJob | None:
    """The person's latest export of the register in `fmt`, while it runs or just after."""
    with scope(organization=cycle.organization):
        return job_recent_for(cycle, export_kind(fmt, actor))


def register_export_file(*, actor: User, cycle: Cycle, fmt: str, pk: int) -> ExportFile:
    """An export the worker wrote, for the person who asked for it (404 for anyone else)."""
    authorize_risk(actor, "view", cycle)
    if fmt not in IN_WORKER:
        raise Http404
    with scope(organization=cycle.organization):
        job = job_get_for(cycle, export_kind(fmt, actor), pk)
    if job.requested_by_id != actor.pk or job.status != JobStatus.DONE or not job.result:
        raise Http404
    with job.result.open("rb") as stream:
        token = stream.read()
    try:
        content = fernet(_RESULT_PURPOSE).decrypt(token)
    except InvalidToken as error:  # written with a key since rotated away: ask again
        raise Http404 from error
    return ExportFile(content, job.result_name, CONTENT_TYPES[fmt])


# ---------------------------------------------------------------- import


class RegisterImportError(DomainError):
    """The workbook is refused; `errors` names every problem by sheet, row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if errors else _("The workbook cannot be read."), field="file")
        self.errors = errors[:MAX_ERRORS]


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int


def _row_error(row: Row, error: DomainError) -> str:
    errors = Errors()
    keys = {column.key for column in workbook.REGISTER_COLUMNS}
    errors.add(REGISTER, row.number, error.field if error.field in keys else None, str(error.message))
    return errors.messages[0]


def _same(obj: Control | Treatment, values: dict[str, Any]) -> bool:
    for key, value in values.items():
        if key == "owner":  # by id: no query for the owner of every treatment
            if getattr(obj, "owner_id", None) != (value.pk if value is not None else None):
                return False
        elif getattr(obj, key) != value:
            return False
    return True


def _controls(actor: User, risk: Risk, wanted: list[dict[str, Any]]) -> bool:
    """The risk's controls become the sheet's, in its order; whether anything changed."""
    existing = list(risk.controls.all())
    changed = False
    for index, values in enumerate(wanted):
        if index >= len(existing):
            control_save(actor=actor, risk=risk, values=values)
            changed = True
        elif not _same(existing[index], values):
            control_save(actor=actor, risk=risk, values=values, control=existing[index])
            changed = True
    for control in existing[len(wanted) :]:
        control_remove(actor=actor, control=control)
        changed = True
    return changed


def _treatments(actor: User, risk: Risk, wanted: list[dict[str, Any]]) -> bool:
    """The risk's treatments become the sheet's; one that is an action-plan activity stays.

    Each row takes the first treatment left with its title (so an activity keeps its
    treatment), else adds one. A treatment no row took is removed, unless it is an
    activity of an action plan. Whether anything changed.
    """
    left = list(risk.treatments.all())
    changed = False
    order: list[int] = []
    for values in wanted:
        match = next((t for t in left if t.title == values["title"]), None)
        if match is None:
            order.append(treatment_save(actor=actor, risk=risk, values=values).pk)
            changed = True
            continue
        left.remove(match)
        order.append(match.pk)
        if not _same(match, values):
            treatment_save(actor=actor, risk=risk, values=values, treatment=match)
            changed = True
    for treatment in left:
        if treatment.activity_id is not None:
            order.append(treatment.pk)
            continue
        audit_record(
            actor=actor,
            action="arusha.risks.treatment.saved",
            obj=risk,
            organization=risk.organization,
            changes={"treatment": [treatment.pk, None], "title": [treatment.title, None]},
        )
        Treatment.objects.filter(pk=treatment.pk).delete()
        changed = True
    # The sheet's order, then the activities no row named: renumbered only when it differs.
    positions = dict(Treatment.objects.filter(risk=risk).values_list("pk", "position"))
    now = [positions[pk] for pk in order]
    if any(later <= earlier for earlier, later in itertools.pairwise(now)):
        for position, pk in enumerate(order, start=1):
            Treatment.objects.filter(pk=pk).update(position=position)
    return changed


def _update(actor: User, item: Wanted) -> bool:
    """A risk of the cycle, through the register's services; whether anything changed."""
    risk = item.risk
    assert risk is not None  # only rows of existing risks come here
    changed = False
    if item.values or item.offices is not None:
        risk_update(actor=actor, risk=risk, values=item.values, offices=item.offices)
        changed = True
    if item.ratings is not None:
        risk_rate(
            actor=actor, risk=risk, ratings=item.ratings, knowledge=item.knowledge, reason=_(IMPORT_REASON)
        )
        changed = True
    changed = _controls(actor, risk, item.controls) or changed
    return _treatments(actor, risk, item.treatments) or changed


def _new_risk(actor: User, cycle: Cycle, item: Wanted) -> Risk:
    """The risk of a new row, as risk_create, risk_rate and treatment_save would leave it."""
    scale = scale_of(cycle)
    assert scale is not None  # rows are refused when the cycle has no matrix
    risk = Risk(organization=cycle.organization, cycle=cycle, code=item.code, created_by=actor, **item.values)
    for stage, (likelihood, impact) in (item.ratings or {}).items():
        setattr(risk, f"{stage}_likelihood", likelihood)
        setattr(risk, f"{stage}_impact", impact)
        both = likelihood is not None and impact is not None
        setattr(risk, f"{stage}_level", scale.level(likelihood, impact) if both else "")  # type: ignore[arg-type]
    if item.ratings is not None:
        risk.knowledge = item.knowledge
        if risk.rated("inherent") and risk.rated("current"):
            risk.status = RiskStatus.RATED
    if item.treatments:
        # As treatment_save does for a risk's first treatment.
        if risk.decision == Decision.UNDECIDED:
            risk.decision = Decision.TREAT
        if risk.status == RiskStatus.RATED:
            risk.status = RiskStatus.TREATED
    return risk


def _create(actor: User, cycle: Cycle, items: list[Wanted]) -> None:
    """The new rows' risks, with their offices, ratings, controls and treatments, written together.

    Through the services a risk takes about thirty queries per row (each checks the
    person's rights again); a register of hundreds of new risks would not fit in a
    request. The rows were checked as risk_create checks them (register_rows).
    """
    if not items:
        return
    risks = Risk.objects.bulk_create([_new_risk(actor, cycle, item) for item in items])
    through = Risk.offices.through
    through.objects.bulk_create(
        [
            through(risk_id=risk.pk, division_id=d.pk)
            for risk, item in zip(risks, items, strict=True)
            for d in item.offices or []
        ]
    )
    RatingSnapshot.objects.bulk_create(
        [
            RatingSnapshot(
                risk=risk,
                **{name: getattr(risk, name) for name in RATING_FIELDS},
                knowledge=risk.knowledge,
                reason=_(IMPORT_REASON),
                rated_by=actor,
            )
            for risk, item in zip(risks, items, strict=True)
            if item.ratings is not None
        ]
    )
    Control.objects.bulk_create(
        [
            Control(risk=risk, position=position, **values)
            for risk, item in zip(risks, items, strict=True)
            for position, values in enumerate(item.controls, start=1)
        ]
    )
    Treatment.objects.bulk_create(
        [
            Treatment(risk=risk, position=position, **values)
            for risk, item in zip(risks, items, strict=True)
            for position, values in enumerate(item.treatments, start=1)
        ]
    )
    for risk, item in zip(risks, items, strict=True):
        audit_record(
            actor=actor,
            action="arusha.risks.risk.created",
            obj=risk,
            organization=cycle.organization,
            changes={
                **diff({}, snapshot(risk, (*RISK_FIELDS, *RATING_FIELDS, "knowledge"))),
                "offices": [None, sorted(d.name for d in item.offices or [])],
                "controls": [None, len(item.controls)],
                "treatments": [None, [t["title"] for t in item.treatments]],
                "source": [None, "workbook"],
            },
        )


def register_import(*, actor: User, cycle: Cycle, data: bytes | IO[bytes]) -> ImportOutcome:
    """Import a register workbook into the cycle: all of it or nothing (RegisterImportError says why)."""
    authorize_risk(actor, "rate", cycle)
    open_for_risks(cycle)
    parsed = workbook.read(data)
    if not parsed.complete:
        raise RegisterImportError(parsed.errors.messages)
    # Checked even when some cells could not be read, so that every problem is listed at once.
    wanted = check(actor, cycle, parsed)
    if parsed.errors:
        raise RegisterImportError(parsed.errors.messages)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        with scope(organization=cycle.organization), transaction.atomic():
            locked = Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
            if locked is None or locked.status != cycle.status:
                raise RegisterImportError(
                    [_("The assessment moved to another step meanwhile: import again.")]
                )
            for item in wanted:
                if item.risk is None:
                    continue
                try:
                    counts["updated" if _update(actor, item) else "unchanged"] += 1
                except DomainError as error:
                    raise RegisterImportError([_row_error(item.row, error)]) from error
                except (Http404, PermissionDenied) as error:
                    refused = DomainError(_("you may not change this risk."), field="code")
                    raise RegisterImportError([_row_error(item.row, refused)]) from error
            new = [item for item in wanted if item.risk is None]
            _create(actor, cycle, new)
            counts["created"] = len(new)
            audit_record(
                actor=actor,
                action="arusha.risks.register.imported",
                obj=cycle,
                organization=cycle.organization,
                changes={key: [None, value] for key, value in counts.items()},
            )
    except IntegrityError as error:
        # Someone added a risk with one of the new codes between the check and the write.
        raise RegisterImportError(
            [_("Someone changed the register meanwhile (a code is now taken): import again.")]
        ) from error
    return ImportOutcome(**counts)
