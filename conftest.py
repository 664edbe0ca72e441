"""Shared test fixtures: the cast of personas and the built-in pack.

Every test module meets the same people (see STYLE.md, "personas"):
owner: administrator and national contact point of the Customs administration
member: a contributor and performer of the same administration (reads plans and assessments)
foreigner: an external facilitator who belongs to another organization
outsider: signed in, member of nothing
staff: platform staff, member of nothing
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    # Only for annotations: the models cannot be imported before Django is set up.
    from pytest_django import Settings

    from arusha.assessments.models import (
        AgendaSession,
        Assessment,
        BackgroundDocument,
        Finding,
        Participant,
        Response,
        Task,
        WorkingGroup,
    )
    from arusha.core.models import Attachment, Division, Organization, User
    from arusha.frameworks.loader import ParsedPack
    from arusha.frameworks.models import FrameworkVersion
    from arusha.planning.models import ActionPlan, Activity, Kpi

os.environ.setdefault("ARUSHA_ENV", "test")

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Cast:
    customs: Organization
    other: Organization
    owner: User
    member: User
    foreigner: User
    outsider: User
    staff: User
    division: Division
    sub_division: Division


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Every test starts in English: a request in French leaves its language active in the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARUSHA_ANALYTICS_DIR = tmp_path / "analytics"


@pytest.fixture
def cast(db: None) -> Cast:
    from arusha.core import services
    from arusha.core.models import OrganizationKind
    from arusha.core.permissions import PresetRole

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
    services.membership_create(
        actor=None,
        organization=customs,
        user=owner,
        roles=[PresetRole.ADMINISTRATOR, PresetRole.NATIONAL_CONTACT_POINT],
    )
    division = services.division_create(actor=owner, organization=customs, name="Operations", code="OPS")
    sub_division = services.division_create(
        actor=owner, organization=customs, name="Port office", code="OPS-P", parent=division
    )
    services.membership_create(
        actor=owner,
        organization=customs,
        user=member,
        roles=[PresetRole.CONTRIBUTOR, PresetRole.PERFORMER],
        division=division,
    )
    services.membership_create(
        actor=None,
        organization=other,
        user=foreigner,
        roles=[PresetRole.EXTERNAL_FACILITATOR, PresetRole.ADMINISTRATOR],
    )
    return Cast(customs, other, owner, member, foreigner, outsider, staff, division, sub_division)


@pytest.fixture
def colleague(cast: Cast) -> User:
    """A second person with the owner's roles: the other one who edits at the same time."""
    from arusha.core import services

    person = services.user_create(email="colleague@test.example", full_name="Cleo Colleague", password=None)
    services.membership_create(
        actor=cast.owner,
        organization=cast.customs,
        user=person,
        roles=["administrator", "national_contact_point"],
    )
    return person


BUILTIN = Path(__file__).resolve().parent / "src/arusha/frameworks/packs/rad-idg-2021"


@cache
def _parsed_builtin() -> ParsedPack:
    from arusha.frameworks.loader import parse_path

    return parse_path(BUILTIN)


@pytest.fixture
def builtin_pack(db: None) -> FrameworkVersion:
    """The built-in pack, parsed once per session and loaded into each test's database."""
    from arusha.frameworks.services import framework_load

    version, _written = framework_load(actor=None, parsed=_parsed_builtin(), builtin=True)
    return version


SMALL_PACK = """\
code: small-pack
version: "1"
languages: [en, fr, es]
name: {en: Small pack, fr: Petit paquet, es: Paquete pequeño}
areas:
  - code: KF1
    kind: key_factor
    order: 1
    title: {en: Leadership, fr: Leadership, es: Liderazgo}
    questions:
      - code: KF1.1
        number: 1
        text: {en: Does management lead?, fr: La direction montre-t-elle la voie ?, es: ¿Lidera la dirección?}
  - code: KF2
    kind: key_factor
    order: 2
    title: {en: Rules, fr: Règles, es: Normas}
    questions:
      - code: KF2.1
        number: 1
        text: {en: Are rules simple?, fr: Les règles sont-elles simples ?, es: ¿Son simples las normas?}
  - code: KF3
    kind: key_factor
    order: 3
    title: {en: Transparency, fr: Transparence, es: Transparencia}
    questions:
      - code: KF3.1
        number: 1
        text: {en: Are rules published?, fr: Les règles sont-elles publiées ?, es: ¿Se publican las normas?}
"""


@pytest.fixture
def small_pack(db: None) -> FrameworkVersion:
    """A three-area pack, quick to load, for tests that need a framework but not the whole RAD."""
    from arusha.frameworks.loader import parse_text
    from arusha.frameworks.services import framework_load

    version, _written = framework_load(actor=None, parsed=parse_text(SMALL_PACK))
    return version


@dataclass
class World:
    """An assessment with its workplan, a working group, an invited guest and a revoked one."""

    assessment: Assessment
    sibling: Assessment
    group: WorkingGroup
    guest: User
    guest_participant: Participant
    former_guest: User
    task: Task
    document: BackgroundDocument
    session: AgendaSession
    response: Response
    response_file: Attachment
    finding: Finding
    plan: ActionPlan
    activity: Activity
    kpi: Kpi


@pytest.fixture
def world(cast: Cast, small_pack: FrameworkVersion) -> World:
    import datetime

    from arusha.assessments import services
    from arusha.core import services as core_services
    from arusha.core.models import OrganizationKind

    def open_assessment(title: str) -> Assessment:
        return services.assessment_create(
            actor=cast.owner,
            organization=cast.customs,
            title=title,
            framework_version=small_pack,
            mode=3,
            scope_kind="comprehensive",
            planned_start=datetime.date(2027, 1, 11),
            planned_end=datetime.date(2027, 3, 26),
        )

    assessment = open_assessment("Self-assessment 2027")
    sibling = open_assessment("Earlier review")
    group = services.working_group_create(
        actor=cast.owner, assessment=assessment, name="Group A", area_codes=["KF1", "KF2"]
    )
    private = core_services.organization_create(
        actor=None, slug="traders-union", name="Traders Union", kind=OrganizationKind.PRIVATE
    )
    guest = core_services.user_create(
        email="trader@union.example", full_name="Tara Trader", password=PASSWORD
    )
    core_services.membership_create(actor=None, organization=private, user=guest, roles=["contributor"])
    guest_participant = services.participant_invite(
        actor=cast.owner,
        assessment=assessment,
        email=guest.email,
        full_name="",
        idg_role="XC",
        stakeholder_group="private_sector",
        working_group=group,
    )
    former = core_services.user_create(
        email="former@union.example", full_name="Fred Former", password=PASSWORD
    )
    former_participant = services.participant_invite(
        actor=cast.owner, assessment=assessment, email=former.email, full_name="", idg_role="EF"
    )
    services.participant_revoke(actor=cast.owner, participant=former_participant)
    from django_scopes import scope

    from arusha.assessments.models import Task

    with scope(organization=cast.customs):
        task = Task.objects.filter(assessment=assessment).first()
    assert task is not None  # every new assessment opens with its workplan
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = services.background_document_add(
        actor=cast.owner,
        assessment=assessment,
        category="codes_of_conduct",
        title="Code of conduct 2024",
        upload=SimpleUploadedFile("code.pdf", b"%PDF-1.4 code of conduct"),
    )
    session = services.agenda_session_add(
        actor=cast.owner,
        assessment=assessment,
        date=datetime.date(2027, 1, 12),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(10, 30),
        title="Opening plenary",
    )
    from arusha.frameworks.models import Question

    question = Question.objects.get(version=small_pack, code="KF1.1")
    response = services.response_save(
        actor=cast.owner,
        assessment=assessment,
        question=question,
        narrative="Managers sign an integrity statement every year and report on it.",
        ratings={"exists": "yes", "designed": "yes", "implemented": "partly"},
    )
    response_file = services.response_attach(
        actor=cast.owner,
        assessment=assessment,
        question=question,
        upload=SimpleUploadedFile("statement.txt", b"signed statements"),
    )
    finding = services.finding_create(
        actor=cast.owner,
        assessment=assessment,
        kind="gap",
        area_code="KF1",
        title="Statements are not checked",
        description="Nobody verifies the yearly integrity statements.",
        recommendation="Have the integrity unit sample and verify statements every year.",
        priority="high",
        questions=[question],
    )
    from decimal import Decimal

    from arusha.planning import services as planning_services

    plan = planning_services.plan_create(
        actor=cast.owner,
        organization=cast.customs,
        assessment=assessment,
        title="Integrity action plan 2027-2029",
        period_start=datetime.date(2027, 4, 1),
        period_end=datetime.date(2029, 12, 31),
    )
    activity = planning_services.activity_create(
        actor=cast.owner, plan=plan, title="Verify a sample of integrity statements", findings=[finding]
    )
    kpi = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "code": "INT-1",
            "name": "Integrity compliance rate",
            "description": "Share of lifestyle audits that disclose a corruption case, per year.",
            "performance_dimension": "Advanced level of integrity",
            "formula": "A / B * 100",
            "variables": [
                {"name": "A", "label": "cases disclosed by lifestyle audits"},
                {"name": "B", "label": "lifestyle audits completed"},
            ],
            "unit": "%",
            "typologies": ["outcome", "quantitative", "lagging"],
            "source_of_verification": "Case register of the internal affairs unit.",
            "periodicity": "yearly",
            "disaggregation": ["region"],
            "direction": "lower",
            "disclosure": "administration",
        },
        targets=[(datetime.date(2028, 12, 31), Decimal("2"))],
    )
    return World(
        assessment,
        sibling,
        group,
        guest,
        guest_participant,
        former,
        task,
        document,
        session,
        response,
        response_file,
        finding,
        plan,
        activity,
        kpi,
    )
