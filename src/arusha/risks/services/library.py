"""Writes of the library: risk matrices (versioned, frozen once used) and the process catalogue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from arusha.core.access import access_of, authorize, authorize_in
from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Division, Grant, Organization, Role, User
from arusha.core.permissions import PresetRole
from arusha.frameworks.factors import FACTORS
from arusha.risks import matrices
from arusha.risks.access import LIBRARY, process_ancestors, process_family, works_on_risks
from arusha.risks.catalogue import SCHEME_PARTS, ProcessEntry, library, localized, localized_list, walk
from arusha.risks.models import Cycle, CycleMember, Evidence, Matrix, MatrixStatus, Process, Risk, Scenario
from arusha.risks.vocabulary import CorruptionType, RiskFactor

MATRIX_FIELDS = ("code", "number", "name", "status", "preset", "checksum")
PROCESS_FIELDS = ("code", "name", "description", "parent", "external_actors", "systems", "active")
SCENARIO_FIELDS = ("code", "title", "scheme", "corruption_types", "factors", "risk_factors")
# A process code as the library writes them: EXA, EXA.1, EXA.1.2 (letters, digits, dots).
PROCESS_CODE = re.compile(r"^[A-Z][A-Z0-9]*(\.[0-9A-Z]+)*$")
# A scenario code: its process's code family and a number (EXA-S2), or any short code alike.
SCENARIO_CODE = re.compile(r"^[A-Z][A-Z0-9]*(\.[0-9A-Z]+)*-S[0-9]+$")
# The catalogue is a tree people read on one screen: a process, its sub-processes and two levels more.
MAX_DEPTH = 4
# One name a line: the outside actors and the systems of a process.
MAX_LINES = 40
MAX_LINE = 200
MAX_DESCRIPTION = 5000
MAX_SCHEME_PART = 2000
# A matrix definition as text: a 10x10 matrix with three languages fits in well under 64 KB.
MAX_DEFINITION_BYTES = 64 * 1024
# YAML aliases can make a short text into a huge structure: count the values, aliases included.
MAX_DEFINITION_VALUES = 20_000
MAX_DEFINITION_DEPTH = 12


def _keeper(actor: User | None, organization: Organization) -> None:
    """A write of the library that belongs to no object yet: 404 for those who do not work on
    risks (as the screens answer), 403 for those who read the library but do not keep it."""
    if actor is not None and not works_on_risks(access_of(actor, organization)):
        raise Http404
    authorize_in(actor, LIBRARY, organization)


def _definition(data: Any) -> matrices.MatrixDefinition:
    try:
        return matrices.check(data)
    except matrices.MatrixError as error:
        raise DomainError(
            _("The matrix does not hold: %(error)s") % {"error": error}, field="definition"
        ) from error


def matrix_install(
    *,
    actor: User | None,
    organization: Organization,
    preset: str = matrices.DEFAULT_PRESET,
    language: str = "en",
    code: str = "",
    name: str = "",
) -> Matrix:
    """Copy a preset matrix (3x3, 4x4, 5x5) into the organization's library, as a draft.

    Without `code` it is matrix-<preset> (a new version of it when it exists); without
    `name`, the preset's name in `language`.
    """
    _keeper(actor, organization)
    definition = matrices.presets().get(preset)
    if definition is None:
        raise DomainError(_("There is no preset %(preset)s.") % {"preset": preset}, field="preset")
    return matrix_create(
        actor=actor,
        organization=organization,
        code=code or f"matrix-{preset}",
        name=name.strip()
        or matrices.Scale(definition).definition.name.get(language)
        or definition.name["en"],
        definition=definition.model_dump(mode="json"),
        preset=preset,
    )


def matrix_create(
    *, actor: User | None, organization: Organization, code: str, name: str, definition: Any, preset: str = ""
) -> Matrix:
    """A new matrix, or the next version of the one with this code."""
    _keeper(actor, organization)
    checked = _definition(definition)
    if not name.strip():
        raise DomainError(_("Give the matrix a name."), field="name")
    with scope(organization=organization), transaction.atomic():
        number = (
            Matrix.objects.filter(organization=organization, code=code).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        matrix = Matrix.objects.create(
            organization=organization,
            code=code,
            number=number,
            name=name.strip()[:200],
            definition=checked.model_dump(mode="json"),
            checksum=matrices.checksum(checked),
            preset=preset,
            created_by=actor,
        )
        audit_change(
            actor=actor,
            action="arusha.risks.matrix.created",
            obj=matrix,
            organization=organization,
            fields=MATRIX_FIELDS,
        )
        return matrix


def matrix_revise(
    *, actor: User | None, matrix: Matrix, name: str, definition: Any, version: int | None = None
) -> Matrix:
    """Change a draft matrix in place; a frozen one gets a new version with the change.

    `version` is the one the edit form was read at (arusha.core.concurrency): a draft
    saved by someone else meanwhile refuses the save. A frozen matrix is revised only
    from its latest version, so two versions never branch from the same one; saving it
    unchanged makes no new version.
    """
    authorize(actor, "edit", matrix)
    if matrix.frozen:
        with scope(organization=matrix.organization):
            latest = (
                Matrix.objects.filter(organization=matrix.organization, code=matrix.code)
                .order_by("-number")
                .first()
            )
        if latest is not None and latest.number != matrix.number:
            raise DomainError(
                _("Version %(number)s of this matrix exists: change that one.") % {"number": latest.number}
            )
        checked = _definition(definition)
        if matrices.checksum(checked) == matrix.checksum and name.strip()[:200] == matrix.name:
            return matrix
        return matrix_create(
            actor=actor,
            organization=matrix.organization,
            code=matrix.code,
            name=name,
            definition=definition,
            preset=matrix.preset,
        )
    checked = _definition(definition)
    if not name.strip():
        raise DomainError(_("Give the matrix a name."), field="name")
    with scope(organization=matrix.organization), transaction.atomic():
        locked = Matrix.objects.select_for_update().get(pk=matrix.pk)
        if locked.frozen:
            raise DomainError(
                _("A cycle started using this matrix meanwhile: it is frozen. Save again for a new version.")
            )
        before = {"name": locked.name, "checksum": locked.checksum}
        locked.name = name.strip()[:200]
        locked.definition = checked.model_dump(mode="json")
        locked.checksum = matrices.checksum(checked)
        save_versioned(locked, version=version, fields=["name", "definition", "checksum"])
        audit_record(
            actor=actor,
            action="arusha.risks.matrix.updated",
            obj=locked,
            organization=locked.organization,
            changes={
                key: [value, getattr(locked, key)]
                for key, value in before.items()
                if value != getattr(locked, key)
            },
        )
        return locked


def matrix_freeze(*, actor: User | None, matrix: Matrix) -> None:
    """Freeze the matrix a cycle starts using (called by the cycle's services, in their transaction)."""
    if matrix.frozen:
        return
    if Matrix.objects.filter(pk=matrix.pk, status=MatrixStatus.DRAFT).update(status=MatrixStatus.FROZEN):
        matrix.status = MatrixStatus.FROZEN
        audit_record(
            actor=actor,
            action="arusha.risks.matrix.frozen",
            obj=matrix,
            organization=matrix.organization,
            changes={"status": [MatrixStatus.DRAFT, MatrixStatus.FROZEN]},
        )


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def catalogue_install(*, actor: User | None, organization: Organization, language: str = "en") -> int:
    """Copy the process library, in one language, into the organization's catalogue.

    Processes whose code the organization already has are left as they are (its own
    edits win); the number of processes added is returned.
    """
    _keeper(actor, organization)
    added = 0
    with scope(organization=organization), transaction.atomic():
        known = {p.code: p for p in Process.objects.filter(organization=organization)}
        by_entry: dict[str, Process] = {}
        for position, (entry, parent) in enumerate(walk(library().processes), start=1):
            if entry.code in known:
                by_entry[entry.code] = known[entry.code]
                continue
            process = Process.objects.create(
                organization=organization,
                parent=by_entry[parent.code] if parent is not None else None,
                code=entry.code,
                name=localized(entry.name, language)[:200],
                description=localized(entry.description, language) if entry.description else "",
                position=position,
                external_actors=_lines(
                    entry.external_actors.get(language) or entry.external_actors.get("en", [])
                ),
                systems=_lines(localized_list(entry.systems, language)),
            )
            by_entry[entry.code] = process
            _scenarios(process, entry, language)
            added += 1
        if added:
            audit_record(
                actor=actor,
                action="arusha.risks.catalogue.loaded",
                obj=organization,
                organization=organization,
                changes={"processes": [None, added]},
            )
    return added


def _scenarios(process: Process, entry: ProcessEntry, language: str) -> None:
    Scenario.objects.bulk_create(
        Scenario(
            process=process,
            code=scenario.code,
            title=localized(scenario.title, language)[:300],
            scheme={part: localized(text, language) for part, text in scenario.scheme.items()},
            corruption_types=list(scenario.corruption_types),
            factors=list(scenario.factors),
            risk_factors=list(scenario.risk_factors),
            position=position,
        )
        for position, scenario in enumerate(entry.scenarios, start=1)
    )


# --- Matrices: a new one from a preset, an edit as text -------------------------------------


def _free_code(organization: Organization, preset: str) -> str:
    """matrix-<preset>, or matrix-<preset>-2, -3 … when taken: a new matrix, not a new version."""
    with scope(organization=organization):
        taken = set(Matrix.objects.filter(organization=organization).values_list("code", flat=True))
    base = f"matrix-{preset}"
    number = 1
    code = base
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def matrix_add(
    *, actor: User | None, organization: Organization, preset: str, name: str = "", language: str = "en"
) -> Matrix:
    """A new matrix of the library, copied from a preset (a draft, version 1)."""
    _keeper(actor, organization)
    if preset not in matrices.presets():
        raise DomainError(_("Choose one of the presets."), field="preset")
    if len(name.strip()) > 200:
        raise DomainError(_("The name is too long (200 characters at most)."), field="name")
    return matrix_install(
        actor=actor,
        organization=organization,
        preset=preset,
        language=language,
        code=_free_code(organization, preset),
        name=name,
    )


def _bounded(value: Any) -> None:
    """Refuse a structure too big or too deep to check: aliases count every time they are used."""
    budget = MAX_DEFINITION_VALUES
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise DomainError(
                _("The definition holds too many values (at most %(count)s).")
                % {"count": MAX_DEFINITION_VALUES},
                field="definition",
            )
        if depth > MAX_DEFINITION_DEPTH:
            raise DomainError(_("The definition is nested too deeply."), field="definition")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise DomainError(
                        _("Every name in the definition must be text: %(key)s is not.")
                        % {"key": str(key)[:40]},
                        field="definition",
                    )
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _bracket_depth(text: str) -> int:
    """How deep [ and { nest in the text, outside quoted strings (a quick look, before parsing)."""
    deepest = depth = 0
    quote = ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
    return deepest


def parse_definition(text: str) -> Any:
    """The structure a YAML (or JSON) text describes, or DomainError naming the line at fault."""
    if len(text.encode("utf-8", errors="replace")) > MAX_DEFINITION_BYTES:
        raise DomainError(
            _("The definition is longer than %(kb)s KB.") % {"kb": MAX_DEFINITION_BYTES // 1024},
            field="definition",
        )
    if not text.strip():
        raise DomainError(_("Write the matrix's definition."), field="definition")
    if _bracket_depth(text) > MAX_DEFINITION_DEPTH:
        # The parser would recurse to Python's limit (seconds of work) before refusing it.
        raise DomainError(_("The definition is nested too deeply."), field="definition")
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = str(getattr(error, "problem", "") or "").strip() or _("not readable")
        if mark is not None:
            message = _(
                "The definition is not valid YAML at line %(line)s, column %(column)s: %(problem)s."
            ) % {
                "line": mark.line + 1,
                "column": mark.column + 1,
                "problem": problem,
            }
        else:
            message = _("The definition is not valid YAML: %(problem)s.") % {"problem": problem}
        raise DomainError(message, field="definition") from error
    except (RecursionError, ValueError, TypeError) as error:
        raise DomainError(_("The definition is not valid YAML."), field="definition") from error
    if not isinstance(data, dict):
        raise DomainError(
            _(
                "The definition must be a mapping of names "
                "(name, dimensions, likelihood, impact, levels, grid, appetite)."
            ),
            field="definition",
        )
    _bounded(data)
    return data


def matrix_edit(
    *, actor: User | None, matrix: Matrix, name: str, text: str, version: int | None = None
) -> Matrix:
    """Save a matrix from the text of its definition: a draft changes, a frozen one gets its next version."""
    authorize(actor, "edit", matrix)
    if not name.strip():
        raise DomainError(_("Give the matrix a name."), field="name")
    if len(name.strip()) > 200:
        raise DomainError(_("The name is too long (200 characters at most)."), field="name")
    data = parse_definition(text)
    _check_acceptors(matrix.organization, _definition(data))
    return matrix_revise(actor=actor, matrix=matrix, name=name, definition=data, version=version)


def _check_acceptors(organization: Organization, definition: matrices.MatrixDefinition) -> None:
    """Each level's acceptor is a preset role or one of the organization's own roles."""
    with scope(organization=organization):
        own = set(Role.objects.filter(organization=organization).values_list("code", flat=True))
    for level, role in definition.appetite.acceptors.items():
        if role not in PresetRole.values and role not in own:
            raise DomainError(
                _("appetite > acceptors > %(level)s: there is no role %(role)s in the organization.")
                % {"level": level, "role": role},
                field="definition",
            )


# --- The process catalogue ------------------------------------------------------------------


def _clean_lines(text: str, field: str) -> str:
    """One name a line: blank lines and repeats dropped, each line and the list bounded."""
    found: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line or line in found:
            continue
        if len(line) > MAX_LINE:
            raise DomainError(
                _("A line is too long (%(count)s characters at most): %(start)s…")
                % {"count": MAX_LINE, "start": line[:40]},
                field=field,
            )
        found.append(line)
    if len(found) > MAX_LINES:
        raise DomainError(_("Write at most %(count)s lines.") % {"count": MAX_LINES}, field=field)
    return "\n".join(found)


def _process_code(code: str) -> str:
    code = code.strip().upper()
    if not code:
        raise DomainError(_("Give the process a code, e.g. EXA or EXA.4."), field="code")
    if len(code) > 30 or not PROCESS_CODE.match(code):
        raise DomainError(
            _("A code is capital letters and digits, with dots for sub-processes: EXA, EXA.4, HRM.2.1."),
            field="code",
        )
    return code


def _height(process: Process) -> int:
    """How many levels hang under the process (0: none)."""
    height = 0
    frontier = [process.pk]
    with scopes_disabled():
        while frontier and height <= MAX_DEPTH:
            frontier = list(Process.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            if frontier:
                height += 1
    return height


def _check_parent(organization: Organization, process: Process | None, parent: Process | None) -> None:
    if parent is None:
        return
    if parent.organization_id != organization.pk:
        raise DomainError(_("Choose a process of the organization's catalogue."), field="parent")
    if process is not None and parent.pk in process_family([process.pk]):
        raise DomainError(
            _("A process cannot be part of itself or of its own sub-processes."), field="parent"
        )
    if not parent.active and (process is None or process.parent_id != parent.pk):
        raise DomainError(
            _("The process %(code)s is not in use: put it back in use first.") % {"code": parent.code},
            field="parent",
        )
    depth = len(process_ancestors(parent))  # levels down to the parent, included
    if depth + 1 + (_height(process) if process is not None else 0) > MAX_DEPTH:
        raise DomainError(
            _("The catalogue has at most %(count)s levels: choose a process higher up.")
            % {"count": MAX_DEPTH},
            field="parent",
        )


def _check_offices(organization: Organization, offices: Sequence[Division]) -> None:
    if any(office.organization_id != organization.pk for office in offices):
        raise DomainError(_("Choose offices of the organization."), field="offices")


def _zero_tolerance_codes(organization: Organization) -> set[str]:
    """The process codes that a matrix of the organization names in a zero-tolerance rule."""
    codes: set[str] = set()
    with scope(organization=organization):
        for definition in Matrix.objects.filter(organization=organization).values_list(
            "definition", flat=True
        ):
            for rule in (definition or {}).get("appetite", {}).get("zero_tolerance", []) or []:
                codes.update(str(code) for code in rule.get("processes", []) or [])
    return codes


def _used(process: Process) -> bool:
    """Whether a risk register, a cycle's scope or its evidence names the process."""
    with scopes_disabled():
        return (
            Risk.objects.filter(process=process).exists()
            or Cycle.objects.filter(processes=process).exists()
            or Evidence.objects.filter(processes=process).exists()
            or CycleMember.objects.filter(conflicts=process).exists()
        )


def _offices_text(process: Process) -> list[str]:
    with scopes_disabled():
        return sorted(str(office) for office in process.offices.all())


def process_save(
    *,
    actor: User | None,
    organization: Organization,
    process: Process | None = None,
    code: str,
    name: str,
    description: str = "",
    parent: Process | None = None,
    offices: Sequence[Division] = (),
    external_actors: str = "",
    systems: str = "",
    version: int | None = None,
) -> Process:
    """Add a process to the catalogue (`process` None) or change one, read at `version`.

    The parent is a process of the same organization, never the process itself nor one
    under it; codes differ within the organization; a code that registers, cycles or a
    matrix's zero-tolerance rule name does not change.
    """
    if process is None:
        _keeper(actor, organization)
    else:
        authorize(actor, "edit", process)
        if process.organization_id != organization.pk:
            raise DomainError(_("This process belongs to another organization."))
    code = _process_code(code)
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the process a name."), field="name")
    if len(name) > 200:
        raise DomainError(_("The name is too long (200 characters at most)."), field="name")
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(
            _("The description is too long (%(count)s characters at most).") % {"count": MAX_DESCRIPTION},
            field="description",
        )
    actors_text = _clean_lines(external_actors, "external_actors")
    systems_text = _clean_lines(systems, "systems")
    _check_parent(organization, process, parent)
    _check_offices(organization, offices)
    with scope(organization=organization), transaction.atomic():
        clash = Process.objects.filter(organization=organization, code=code)
        if process is not None:
            clash = clash.exclude(pk=process.pk)
        if clash.exists():
            raise DomainError(_("Another process has the code %(code)s.") % {"code": code}, field="code")
        if process is not None and code != process.code:
            if _used(process):
                raise DomainError(
                    _("Risk registers already name this process by its code: the code stays %(code)s.")
                    % {"code": process.code},
                    field="code",
                )
            if process.code in _zero_tolerance_codes(organization):
                raise DomainError(
                    _("A matrix's zero-tolerance rule names the code %(code)s: change the rule first.")
                    % {"code": process.code},
                    field="code",
                )
        values = {
            "code": code,
            "name": name,
            "description": description,
            "parent": parent,
            "external_actors": actors_text,
            "systems": systems_text,
        }
        try:
            if process is None:
                position = (
                    Process.objects.filter(organization=organization).aggregate(n=Max("position"))["n"] or 0
                ) + 1
                saved = Process.objects.create(organization=organization, position=position, **values)
                saved.offices.set(offices)
                audit_record(
                    actor=actor,
                    action="arusha.risks.process.created",
                    obj=saved,
                    organization=organization,
                    changes={
                        **{key: [None, value] for key, value in snapshot(saved, PROCESS_FIELDS).items()},
                        "offices": [None, _offices_text(saved)],
                    },
                )
                return saved
            before = {**snapshot(process, PROCESS_FIELDS), "offices": _offices_text(process)}
            for key, value in values.items():
                setattr(process, key, value)
            save_versioned(
                process,
                version=version,
                fields=["code", "name", "description", "parent", "external_actors", "systems"],
            )
            process.offices.set(offices)
            after = {**snapshot(process, PROCESS_FIELDS), "offices": _offices_text(process)}
            changes = diff(before, after)
            if changes:
                audit_record(
                    actor=actor,
                    action="arusha.risks.process.updated",
                    obj=process,
                    organization=organization,
                    changes=changes,
                )
            return process
        except IntegrityError as error:  # a simultaneous save took the code
            raise DomainError(
                _("Another process has the code %(code)s.") % {"code": code}, field="code"
            ) from error


def process_deactivate(*, actor: User | None, process: Process, version: int | None = None) -> Process:
    """Stop offering the process (and those under it) to new cycles; registers that use it keep it."""
    return _set_active(actor=actor, process=process, active=False, version=version)


def process_activate(*, actor: User | None, process: Process, version: int | None = None) -> Process:
    """Offer the process to new cycles again (its parent must be in use)."""
    return _set_active(actor=actor, process=process, active=True, version=version)


def _set_active(*, actor: User | None, process: Process, active: bool, version: int | None) -> Process:
    authorize(actor, "edit", process)
    organization = process.organization
    with scope(organization=organization), transaction.atomic():
        if active and process.parent_id is not None:
            parent = Process.objects.filter(pk=process.parent_id).first()
            if parent is not None and not parent.active:
                raise DomainError(
                    _("The process %(code)s above it is not in use: put that one back first.")
                    % {"code": parent.code}
                )
        if process.active == active:
            return process
        process.active = active
        save_versioned(process, version=version, fields=["active"])
        # A sub-process is never offered when the process above it is not: they follow it out.
        under = [pk for pk in process_family([process.pk]) if pk != process.pk] if not active else []
        for child in Process.objects.filter(pk__in=under, active=True):
            child.active = False
            save_versioned(child, version=None, fields=["active"])
        audit_record(
            actor=actor,
            action="arusha.risks.process.activated" if active else "arusha.risks.process.deactivated",
            obj=process,
            organization=organization,
            changes={
                "active": [not active, active],
                **({"sub-processes": [None, len(under)]} if under else {}),
            },
        )
        return process


def process_delete(*, actor: User | None, process: Process) -> None:
    """Remove a process nobody uses (one that registers, cycles or grants name goes out of use instead)."""
    authorize(actor, "edit", process)
    organization = process.organization
    with scope(organization=organization), transaction.atomic():
        if Process.objects.filter(parent=process).exists():
            raise DomainError(_("Remove or move its sub-processes first."))
        if _used(process):
            raise DomainError(
                _(
                    "Risk registers or assessment cycles use this process: it cannot be removed. "
                    "Take it out of use instead."
                )
            )
        if process.code in _zero_tolerance_codes(organization):
            raise DomainError(
                _("A matrix's zero-tolerance rule names the code %(code)s: it cannot be removed.")
                % {"code": process.code}
            )
        with scopes_disabled():
            granted = Grant.objects.filter(
                content_type=ContentType.objects.get_for_model(Process),
                object_id=str(process.pk),
                revoked_at__isnull=True,
            ).exists()
        if granted:
            raise DomainError(
                _("People hold access to this process: revoke it first, or take the process out of use.")
            )
        audit_record(
            actor=actor,
            action="arusha.risks.process.deleted",
            obj=process,
            organization=organization,
            changes={key: [value, None] for key, value in snapshot(process, PROCESS_FIELDS).items()},
        )
        process.delete()


# --- Scenarios ------------------------------------------------------------------------------


def _codes(values: Sequence[str], allowed: Sequence[str], field: str, message: str) -> list[str]:
    chosen = [str(value).strip() for value in values if str(value).strip()]
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise DomainError(message % {"codes": ", ".join(sorted(unknown))[:200]}, field=field)
    return list(dict.fromkeys(chosen))


def scenario_save(
    *,
    actor: User | None,
    process: Process,
    scenario: Scenario | None = None,
    code: str,
    title: str,
    scheme: dict[str, str],
    corruption_types: Sequence[str] = (),
    factors: Sequence[str] = (),
    risk_factors: Sequence[str] = (),
    version: int | None = None,
) -> Scenario:
    """Add an example scenario to a process (`scenario` None) or change one.

    A scenario is part of its process's library entry: `version` is the process's version
    the form was read at (scenarios have none of their own), so an edit that crosses
    another change of the same entry is refused rather than lost.
    """
    authorize(actor, "edit", process)
    if scenario is not None and scenario.process_id != process.pk:
        raise DomainError(_("This scenario belongs to another process."))
    code = code.strip().upper()
    if not code:
        raise DomainError(_("Give the scenario a code, e.g. EXA-S5."), field="code")
    if len(code) > 30 or not SCENARIO_CODE.match(code):
        raise DomainError(_("A scenario's code is a process code, -S and a number: EXA-S5."), field="code")
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("Give the scenario a title."), field="title")
    if len(title) > 300:
        raise DomainError(_("The title is too long (300 characters at most)."), field="title")
    unknown_parts = set(scheme) - set(SCHEME_PARTS)
    if unknown_parts:
        raise DomainError(_("A scheme has five parts: who, with whom, what, how and the benefit."))
    parts = {part: str(scheme.get(part, "") or "").strip() for part in SCHEME_PARTS}
    for part, text in parts.items():
        if len(text) > MAX_SCHEME_PART:
            raise DomainError(
                _("This part is too long (%(count)s characters at most).") % {"count": MAX_SCHEME_PART},
                field=part,
            )
    if not parts["what"] and not parts["how"]:
        raise DomainError(_("Say at least what is at stake and how."), field="what")
    types = _codes(
        corruption_types, CorruptionType.values, "corruption_types", _("Unknown corruption types: %(codes)s.")
    )
    key_factors = _codes(factors, FACTORS, "factors", _("Unknown key factors: %(codes)s."))
    causes = _codes(risk_factors, RiskFactor.values, "risk_factors", _("Unknown risk factors: %(codes)s."))
    organization = process.organization
    with scope(organization=organization), transaction.atomic():
        # The process's version guards its entry: the UPDATE also holds the row until commit.
        save_versioned(process, version=version, fields=[])
        clash = Scenario.objects.filter(process__organization=organization, code=code)
        if scenario is not None:
            clash = clash.exclude(pk=scenario.pk)
        if clash.exists():
            raise DomainError(_("Another scenario has the code %(code)s.") % {"code": code}, field="code")
        values: dict[str, Any] = {
            "code": code,
            "title": title,
            "scheme": {part: text for part, text in parts.items() if text},
            "corruption_types": types,
            "factors": key_factors,
            "risk_factors": causes,
        }
        if scenario is None:
            position = (Scenario.objects.filter(process=process).aggregate(n=Max("position"))["n"] or 0) + 1
            saved = Scenario.objects.create(process=process, position=position, **values)
            audit_change(
                actor=actor,
                action="arusha.risks.scenario.created",
                obj=saved,
                organization=organization,
                fields=SCENARIO_FIELDS,
            )
            return saved
        before = snapshot(scenario, SCENARIO_FIELDS)
        for key, value in values.items():
            setattr(scenario, key, value)
        scenario.save(update_fields=list(values))
        audit_change(
            actor=actor,
            action="arusha.risks.scenario.updated",
            obj=scenario,
            organization=organization,
            fields=SCENARIO_FIELDS,
            before=before,
        )
        return scenario
