"""Writes of the library: risk matrices (versioned, frozen once used) and the process catalogue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_change, audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.risks import matrices
from arusha.risks.access import LIBRARY
from arusha.risks.catalogue import ProcessEntry, library, localized, walk
from arusha.risks.models import Matrix, MatrixStatus, Process, Scenario

MATRIX_FIELDS = ("code", "number", "name", "status", "preset", "checksum")


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
) -> Matrix:
    """Copy a preset matrix (3x3, 4x4, 5x5) into the organization's library, as a draft."""
    authorize_in(actor, LIBRARY, organization)
    definition = matrices.presets().get(preset)
    if definition is None:
        raise DomainError(_("There is no preset %(preset)s.") % {"preset": preset}, field="preset")
    return matrix_create(
        actor=actor,
        organization=organization,
        code=f"matrix-{preset}",
        name=matrices.Scale(definition).definition.name.get(language) or definition.name["en"],
        definition=definition.model_dump(mode="json"),
        preset=preset,
    )


def matrix_create(
    *, actor: User | None, organization: Organization, code: str, name: str, definition: Any, preset: str = ""
) -> Matrix:
    """A new matrix, or the next version of the one with this code."""
    authorize_in(actor, LIBRARY, organization)
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


def matrix_revise(*, actor: User | None, matrix: Matrix, name: str, definition: Any) -> Matrix:
    """Change a draft matrix in place; a frozen one gets a new version with the change."""
    authorize(actor, "edit", matrix)
    if matrix.frozen:
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
        locked.save(update_fields=["name", "definition", "checksum"])
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
    authorize_in(actor, LIBRARY, organization)
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
                systems=_lines(entry.systems),
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
