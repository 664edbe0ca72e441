"""Writes of the library: risk matrices (versioned, frozen once used), and the shipped process
library copied into the catalogue (arusha.risks.services.processes changes the catalogue)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _
from django_scopes import scope
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from arusha.core.access import access_of, authorize, authorize_in
from arusha.core.audit import audit_change, audit_record
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Organization, Role, User
from arusha.core.permissions import PresetRole
from arusha.risks import matrices
from arusha.risks.access import LIBRARY, works_on_risks
from arusha.risks.catalogue import ProcessEntry, library, localized, localized_list, walk
from arusha.risks.models import Matrix, MatrixStatus, Process, Scenario

MATRIX_FIELDS = ("code", "number", "name", "status", "preset", "checksum")
# A matrix definition as text: a 10x10 matrix with three languages fits in well under 64 KB.
MAX_DEFINITION_BYTES = 64 * 1024
# YAML aliases can make a short text into a huge structure: count the values, aliases included.
MAX_DEFINITION_VALUES = 20_000
MAX_DEFINITION_DEPTH = 12


def authorize_keeper(actor: User | None, organization: Organization) -> None:
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
    authorize_keeper(actor, organization)
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
    authorize_keeper(actor, organization)
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
    authorize_keeper(actor, organization)
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
    authorize_keeper(actor, organization)
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
