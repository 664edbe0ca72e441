"""Writes of the process catalogue: its processes (a tree of at most four levels, each process
in use or not) and their example corruption scenarios.

The keepers of the library (`risks.library.manage`) change it; a code that registers,
cycles or a matrix's zero-tolerance rule name never changes, and such a process goes out
of use rather than away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.core.access import authorize
from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Division, Grant, Organization, User
from arusha.frameworks.factors import FACTORS
from arusha.risks.access import process_ancestors, process_family
from arusha.risks.catalogue import SCHEME_PARTS
from arusha.risks.models import Cycle, CycleMember, Evidence, Matrix, Process, Risk, Scenario
from arusha.risks.services.library import authorize_keeper
from arusha.risks.vocabulary import CorruptionType, RiskFactor

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
        authorize_keeper(actor, organization)
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
