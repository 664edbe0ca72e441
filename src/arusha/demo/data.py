"""Demo data: a fictional Customs administration, a facilitating body, a monitored plan and an assessment.

Everything is made through the services, as a person would.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from arusha.assessments import services as assessment_services
from arusha.assessments.models import Assessment
from arusha.core import services
from arusha.core.models import Division, Organization, OrganizationKind, User
from arusha.core.permissions import PresetRole
from arusha.demo.first_cycle import load_first_cycle
from arusha.frameworks.models import FrameworkVersion, Question
from arusha.monitoring import services as monitoring_services

DEMO_PASSWORD = "arusha-demo-2026"  # noqa: S105 - printed for people trying the demo, never for production
CUSTOMS_SLUG = "kilima-customs"
FACILITATOR_SLUG = "integrity-centre"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    organization: str
    roles: tuple[str, ...]
    division: str = ""
    title: str = ""
    language: str = "en"


DIVISIONS: list[tuple[str, str, str]] = [
    # (name, code, parent name)
    ("Office of the Commissioner General", "CG", ""),
    ("Integrity and Internal Affairs Unit", "IIA", "Office of the Commissioner General"),
    ("Strategic Planning and Reform", "SPR", "Office of the Commissioner General"),
    ("Customs Operations", "OPS", ""),
    ("Port of Kilima", "OPS-PRT", "Customs Operations"),
    ("Airport Cargo Office", "OPS-AIR", "Customs Operations"),
    ("Northern Border Post", "OPS-NBP", "Customs Operations"),
    ("Human Resources", "HR", ""),
    ("Information and Communication Technology", "ICT", ""),
    ("Legal Services", "LEG", ""),
]

PEOPLE: list[DemoPerson] = [
    DemoPerson(
        "head@kilima.example",
        "Amina Juma",
        CUSTOMS_SLUG,
        (PresetRole.HEAD_OF_ADMINISTRATION,),
        "Office of the Commissioner General",
        "Commissioner General",
    ),
    DemoPerson(
        "ncp@kilima.example",
        "Daniel Okello",
        CUSTOMS_SLUG,
        (PresetRole.ADMINISTRATOR, PresetRole.NATIONAL_CONTACT_POINT),
        "Integrity and Internal Affairs Unit",
        "Head of Integrity",
    ),
    DemoPerson(
        "facilitator@kilima.example",
        "Grace Mwangi",
        CUSTOMS_SLUG,
        (PresetRole.LOCAL_FACILITATOR,),
        "Strategic Planning and Reform",
        "Reform officer",
        "fr",
    ),
    DemoPerson(
        "contributor@kilima.example",
        "Samuel Kiprono",
        CUSTOMS_SLUG,
        (PresetRole.CONTRIBUTOR,),
        "Port of Kilima",
        "Senior examiner",
    ),
    DemoPerson(
        "contributor2@kilima.example",
        "Lucía Fernández",
        CUSTOMS_SLUG,
        (PresetRole.CONTRIBUTOR,),
        "Human Resources",
        "Training officer",
        "es",
    ),
    DemoPerson(
        "coordinator@kilima.example",
        "Peter Otieno",
        CUSTOMS_SLUG,
        (PresetRole.COORDINATOR, PresetRole.STEERING_COMMITTEE),
        "Strategic Planning and Reform",
        "Plan coordinator",
    ),
    DemoPerson(
        "performer@kilima.example",
        "Fatuma Said",
        CUSTOMS_SLUG,
        (PresetRole.PERFORMER,),
        "Information and Communication Technology",
        "Systems manager",
    ),
    DemoPerson(
        "integrity@kilima.example",
        "Joseph Wanjiru",
        CUSTOMS_SLUG,
        (PresetRole.INTEGRITY_OFFICER,),
        "Integrity and Internal Affairs Unit",
        "Internal affairs officer",
    ),
    DemoPerson(
        "handler@kilima.example",
        "Mary Njeri",
        CUSTOMS_SLUG,
        (PresetRole.CASE_HANDLER,),
        "Integrity and Internal Affairs Unit",
        "Investigator",
    ),
    DemoPerson(
        "custodian@kilima.example",
        "Halima Bakari",
        CUSTOMS_SLUG,
        (PresetRole.CUSTODIAN,),
        "Legal Services",
        "Legal adviser, identity custodian",
    ),
    DemoPerson(
        "senior@kilima.example",
        "Rose Achieng",
        CUSTOMS_SLUG,
        (PresetRole.SENIOR_MANAGEMENT,),
        "Customs Operations",
        "Deputy Commissioner, Operations",
    ),
    DemoPerson(
        "expert@integrity-centre.example",
        "Claire Dubois",
        FACILITATOR_SLUG,
        (PresetRole.EXTERNAL_FACILITATOR, PresetRole.ADMINISTRATOR),
        "",
        "Integrity expert",
        "fr",
    ),
]
STAFF = DemoPerson("staff@arusha.example", "Platform Staff", "", ())


def _user(person: DemoPerson, *, staff: bool = False) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = services.user_create(
            email=person.email,
            full_name=person.name,
            password=DEMO_PASSWORD,
            preferred_language=person.language,
        )
        if staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return user


def _demo_assessment(customs: Organization, divisions: dict[str, Division]) -> None:
    """A remote assessment (mode 2) facilitated from the centre, if the built-in pack is loaded."""
    pack = FrameworkVersion.objects.filter(framework__code="rad-idg-2021").order_by("-loaded_at").first()
    if pack is None:
        return
    ncp = User.objects.get(email="ncp@kilima.example")
    # The second cycle: it starts from the 2025 plan, which answers the 2024 assessment.
    plan = load_first_cycle(customs, divisions, pack)
    assessment = monitoring_services.cycle_start(
        actor=ncp,
        plan=plan,
        title="Integrity self-assessment 2027",
        mode=2,
        planned_start=datetime.date(2027, 2, 1),
        planned_end=datetime.date(2027, 4, 30),
    ).assessment
    leadership = assessment_services.working_group_create(
        actor=ncp, assessment=assessment, name="Leadership and rules", area_codes=["KF1", "KF2", "KF3", "KF7"]
    )
    operations = assessment_services.working_group_create(
        actor=ncp,
        assessment=assessment,
        name="Operations and controls",
        area_codes=["KF4", "KF5", "KF6", "KF10"],
    )
    invitations = [
        ("expert@integrity-centre.example", "EF", "", "Integrity management", "female", None),
        ("ncp@kilima.example", "NCP", "", "Internal affairs", "male", None),
        ("facilitator@kilima.example", "LF", "", "Reform and modernization", "female", None),
        ("contributor@kilima.example", "IC", "", "Cargo examination", "male", operations),
        ("contributor2@kilima.example", "IC", "", "Training", "female", leadership),
    ]
    for email, role, group_kind, expertise, gender, group in invitations:
        assessment_services.participant_invite(
            actor=ncp,
            assessment=assessment,
            email=email,
            full_name="",
            idg_role=role,
            stakeholder_group=group_kind,
            expertise=expertise,
            gender=gender,
            working_group=group,
        )
    assessment_services.participant_invite(
        actor=ncp,
        assessment=assessment,
        email="broker@traders.example",
        full_name="Moses Njoroge",
        idg_role="XC",
        stakeholder_group="private_sector",
        expertise="Customs brokerage",
        gender="male",
        working_group=operations,
    )

    _demo_answers(assessment, pack)


# A few answers of the first working session, fictional like the rest of the demo.
DEMO_ANSWERS = [
    (
        "KF1.I.1",
        "The national anti-corruption strategy 2024-2028 names Customs as a priority sector. The "
        "administration's integrity plan refers to it in its introduction, but no joint reporting exists: "
        "the anti-corruption commission has never received a progress report from Customs.",
        {"exists": "yes", "designed": "partly", "implemented": "", "effective": ""},
        "proposed",
    ),
    (
        "KF1.I.2",
        "The Commissioner General briefs the Permanent Secretary every quarter; integrity appears on the "
        "agenda about once a year. Minutes are kept by the ministry, not by Customs.",
        {"exists": "yes", "designed": "yes", "implemented": "partly", "effective": ""},  # chain stops at 3
        "agreed",
    ),
    (
        "KF1.I.4",
        "Staffing at the three busiest border posts is about 60 percent of the approved establishment, "
        "and scanners at the port have been out of order since 2025. Officers report working double "
        "shifts, which the working group sees as an integrity risk. The evidence is uncertain.",
        {"exists": "yes", "designed": "unknown", "implemented": "", "effective": ""},
        "draft",
    ),
]


def _demo_answers(assessment: Assessment, pack: FrameworkVersion) -> None:
    facilitator = User.objects.get(email="facilitator@kilima.example")
    for code, narrative, ratings, status in DEMO_ANSWERS:
        question = Question.objects.filter(version=pack, code=code).first()
        if question is None:
            continue
        response = assessment_services.response_save(
            actor=facilitator, assessment=assessment, question=question, narrative=narrative, ratings=ratings
        )
        if status != "draft":
            assessment_services.response_set_status(actor=facilitator, response=response, status=status)
    strategy = Question.objects.filter(version=pack, code="KF1.I.1").first()
    if strategy is not None:
        assessment_services.finding_create(
            actor=facilitator,
            assessment=assessment,
            kind="gap",
            area_code="KF1",
            title="No reporting to the anti-corruption commission",
            description="The integrity plan cites the national strategy; Customs never reports against it.",
            recommendation="Agree a yearly progress report with the commission and name who writes it.",
            priority="high",
            questions=[strategy],
        )


@transaction.atomic
def load_demo(receipts: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Create the demo once; running it again changes nothing. Returns (e-mail, who, where) rows.

    `receipts` receives the receipt of a demo report the first time, the only time it exists.
    """
    customs = Organization.objects.filter(slug=CUSTOMS_SLUG).first()
    if customs is None:
        customs = services.organization_create(
            actor=None,
            slug=CUSTOMS_SLUG,
            name="Kilima Revenue and Customs Authority",
            kind=OrganizationKind.CUSTOMS,
            country="XA",
            default_language="en",
        )
        by_name: dict[str, Division] = {}
        for name, code, parent in DIVISIONS:
            by_name[name] = services.division_create(
                actor=None, organization=customs, name=name, code=code, parent=by_name.get(parent)
            )
        centre = services.organization_create(
            actor=None,
            slug=FACILITATOR_SLUG,
            name="Regional Integrity Facilitation Centre",
            kind=OrganizationKind.FACILITATOR,
            country="XB",
            default_language="fr",
        )
        organizations = {CUSTOMS_SLUG: customs, FACILITATOR_SLUG: centre}
        for person in PEOPLE:
            services.membership_create(
                actor=None,
                organization=organizations[person.organization],
                user=_user(person),
                roles=list(person.roles),
                job_title=person.title,
                division=by_name.get(person.division),
            )
        _user(STAFF, staff=True)
        _demo_assessment(customs, by_name)
    from arusha.demo.cases import load_cases_demo

    receipt = load_cases_demo(customs)
    if receipt and receipts is not None:
        receipts.append(receipt)
    from arusha.demo.surveys import load_surveys_demo

    load_surveys_demo(customs)
    from arusha.demo.risks import OWNER, load_risks_demo

    load_risks_demo(customs)
    from arusha.demo.analytics import ANALYST, load_analytics_demo

    load_analytics_demo(customs)
    rows = [(p.email, ", ".join(str(PresetRole(r).label) for r in p.roles), p.organization) for p in PEOPLE]
    rows.append((OWNER, str(PresetRole.RISK_OWNER.label), CUSTOMS_SLUG))
    rows.append((ANALYST, str(PresetRole.ANALYST.label), CUSTOMS_SLUG))
    rows.append(("broker@traders.example", "external contributor (private sector), no password yet", "guest"))
    rows.append((STAFF.email, "platform staff (loads framework packs)", "—"))
    return rows
