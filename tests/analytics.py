"""Builders for tests of integrity analytics: the people who use it and a run with signals.

`field(cast)` adds to the common cast an analyst (imports data, runs the catalogue), an
integrity officer (reads signals about people, reviews them, re-identifies), a head of
administration (reads offices, agrees contracts), a contributor given one office's
analytics by a grant, and a member with no analytics right; the division "Port office"
gets the clearance-data code KIL-PRT. `run_with(field, rows)` stores a finished run of
a dataset with the given signal rows, through the service the run's task uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.analytics.models import Dataset, Run
    from arusha.core.models import Division, Organization, User

OFFICE = "KIL-PRT"


@dataclass
class Field:
    organization: Organization
    analyst: User
    officer: User
    head: User
    office_reader: User
    nobody: User
    office: Division


def person(cast: Cast, email: str, name: str, roles: Sequence[str], division: Any = None) -> User:
    from arusha.core import services

    user = services.user_create(email=email, full_name=name, password=None)
    services.membership_create(
        actor=None, organization=cast.customs, user=user, roles=list(roles), division=division
    )
    return user


def field(cast: Cast) -> Field:
    from arusha.analytics.access import OFFICE_VIEW
    from arusha.core import services
    from arusha.core.permissions import PresetRole

    office = cast.sub_division
    office.code = OFFICE
    office.save(update_fields=["code"])
    analyst = person(cast, "analyst@test.example", "Ana Analyst", [PresetRole.ANALYST])
    officer = person(cast, "integrity@test.example", "Ivo Integrity", [PresetRole.INTEGRITY_OFFICER])
    head = person(cast, "head-analytics@test.example", "Hana Head", [PresetRole.HEAD_OF_ADMINISTRATION])
    office_reader = person(
        cast, "port-chief@test.example", "Paco Port", [PresetRole.CONTRIBUTOR], division=office
    )
    services.grant_create(
        actor=cast.owner,
        organization=cast.customs,
        user=office_reader,
        permission=OFFICE_VIEW,
        target=office,
        reason="Heads the port office",
    )
    nobody = person(cast, "nobody-analytics@test.example", "Nora Nobody", [PresetRole.CONTRIBUTOR])
    return Field(cast.customs, analyst, officer, head, office_reader, nobody, office)


def row(
    indicator: str = "HIT_RATE",
    entity_kind: str = "officer",
    entity: str = "OF-0001",
    period: str = "2025-03",
    *,
    office_code: str = OFFICE,
    numerator: float = 2,
    denominator: float = 80,
    baseline: float = 0.15,
    effect: float = 6.0,
    p: float | None = 1e-6,
    q: float | None = 1e-4,
    flag: bool = True,
    status: str = "calculated",
    persistence: int = 3,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One row of the catalogue's output (arusha.analytics.engine.runner's row shape)."""
    import json

    return {
        "indicator": indicator,
        "version": 1,
        "entity_kind": entity_kind,
        "entity": entity,
        "office_code": office_code,
        "period": period,
        "numerator": numerator,
        "denominator": denominator,
        "baseline": baseline,
        "effect": effect,
        "p": p,
        "q": q,
        "flag": flag,
        "status": status,
        "persistence": persistence,
        "details": json.dumps(details or {"stratum": "KIL-PRT, section S1, red channel"}),
    }


def dataset(field: Field, title: str = "Clearance 2025") -> Dataset:
    from django_scopes import scopes_disabled

    from arusha.analytics.models import Dataset
    from arusha.analytics.vocabulary import DatasetStatus

    with scopes_disabled():
        return Dataset.objects.create(
            organization=field.organization,
            title=title,
            status=DatasetStatus.READY,
            created_by=field.analyst,
        )


def run_with(field: Field, rows: Sequence[dict[str, Any]], data: Dataset | None = None) -> Run:
    """A finished run whose output is `rows`, stored by the service the run's task uses."""
    import pandas
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from arusha.analytics.models import Run
    from arusha.analytics.services.signals import signals_store
    from arusha.analytics.vocabulary import RunStatus

    with scopes_disabled():
        run = Run.objects.create(
            organization=field.organization,
            dataset=data or dataset(field),
            status=RunStatus.RUNNING,
            requested_by=field.analyst,
        )
        written, flagged = signals_store(run, pandas.DataFrame(list(rows)))
        run.status = RunStatus.DONE
        run.rows, run.flagged = written, flagged
        run.finished_at = timezone.now()
        run.save()
    return run
