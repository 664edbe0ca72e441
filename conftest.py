"""Shared test fixtures: the cast of personas and the built-in pack.

Every test module meets the same people (see STYLE.md, "personas"):
owner: administrator and national contact point of the Customs administration
member: a contributor of the same administration
foreigner: an external facilitator who belongs to another organization
outsider: signed in, member of nothing
staff: platform staff, member of nothing
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

os.environ.setdefault("ARUSHA_ENV", "test")

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Cast:
    customs: object
    other: object
    owner: object
    member: object
    foreigner: object
    outsider: object
    staff: object
    division: object
    sub_division: object


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(db: None) -> Cast:
    from arusha.core import services
    from arusha.core.models import OrganizationKind
    from arusha.core.roles import Role

    customs = services.organization_create(
        actor=None, slug="test-customs", name="Test Customs", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    other = services.organization_create(
        actor=None, slug="other-body", name="Other Body", kind=OrganizationKind.FACILITATOR, country="XB"
    )
    owner = services.user_create(email="owner@test.example", full_name="Olive Owner", password=PASSWORD)
    member = services.user_create(email="member@test.example", full_name="Mark Member", password=PASSWORD)
    foreigner = services.user_create(email="guest@other.example", full_name="Gina Guest", password=PASSWORD)
    outsider = services.user_create(
        email="outsider@test.example", full_name="Otto Outsider", password=PASSWORD
    )
    staff = services.user_create(email="staff@test.example", full_name="Stella Staff", password=PASSWORD)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    division = services.division_create(actor=owner, organization=customs, name="Operations", code="OPS")
    sub_division = services.division_create(
        actor=owner, organization=customs, name="Port office", code="OPS-P", parent=division
    )
    services.membership_create(
        actor=None,
        organization=customs,
        user=owner,
        roles=[Role.ADMINISTRATOR, Role.NATIONAL_CONTACT_POINT],
    )
    services.membership_create(
        actor=owner, organization=customs, user=member, roles=[Role.CONTRIBUTOR], division=division
    )
    services.membership_create(
        actor=None, organization=other, user=foreigner, roles=[Role.EXTERNAL_FACILITATOR, Role.ADMINISTRATOR]
    )
    return Cast(customs, other, owner, member, foreigner, outsider, staff, division, sub_division)


BUILTIN = Path(__file__).resolve().parent / "src/arusha/frameworks/packs/rad-idg-2021"


@cache
def _parsed_builtin():  # type: ignore[no-untyped-def]
    from arusha.frameworks.loader import parse_path

    return parse_path(BUILTIN)


@pytest.fixture
def builtin_pack(db: None):  # type: ignore[no-untyped-def]
    """The built-in pack, parsed once per session and loaded into each test's database."""
    from arusha.frameworks.services import framework_load

    version, _written = framework_load(actor=None, parsed=_parsed_builtin(), builtin=True)
    return version
