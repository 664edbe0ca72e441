"""Demo data: a fictional Customs administration and a facilitating body, made through services."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from arusha.core import services
from arusha.core.models import Division, Organization, OrganizationKind, User
from arusha.core.roles import Role

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
        (Role.HEAD_OF_ADMINISTRATION,),
        "Office of the Commissioner General",
        "Commissioner General",
    ),
    DemoPerson(
        "ncp@kilima.example",
        "Daniel Okello",
        CUSTOMS_SLUG,
        (Role.ADMINISTRATOR, Role.NATIONAL_CONTACT_POINT),
        "Integrity and Internal Affairs Unit",
        "Head of Integrity",
    ),
    DemoPerson(
        "facilitator@kilima.example",
        "Grace Mwangi",
        CUSTOMS_SLUG,
        (Role.LOCAL_FACILITATOR,),
        "Strategic Planning and Reform",
        "Reform officer",
        "fr",
    ),
    DemoPerson(
        "contributor@kilima.example",
        "Samuel Kiprono",
        CUSTOMS_SLUG,
        (Role.CONTRIBUTOR,),
        "Port of Kilima",
        "Senior examiner",
    ),
    DemoPerson(
        "contributor2@kilima.example",
        "Lucía Fernández",
        CUSTOMS_SLUG,
        (Role.CONTRIBUTOR,),
        "Human Resources",
        "Training officer",
        "es",
    ),
    DemoPerson(
        "coordinator@kilima.example",
        "Peter Otieno",
        CUSTOMS_SLUG,
        (Role.COORDINATOR, Role.STEERING_COMMITTEE),
        "Strategic Planning and Reform",
        "Plan coordinator",
    ),
    DemoPerson(
        "performer@kilima.example",
        "Fatuma Said",
        CUSTOMS_SLUG,
        (Role.PERFORMER,),
        "Information and Communication Technology",
        "Systems manager",
    ),
    DemoPerson(
        "integrity@kilima.example",
        "Joseph Wanjiru",
        CUSTOMS_SLUG,
        (Role.INTEGRITY_OFFICER,),
        "Integrity and Internal Affairs Unit",
        "Internal affairs officer",
    ),
    DemoPerson(
        "senior@kilima.example",
        "Rose Achieng",
        CUSTOMS_SLUG,
        (Role.SENIOR_MANAGEMENT,),
        "Customs Operations",
        "Deputy Commissioner, Operations",
    ),
    DemoPerson(
        "expert@integrity-centre.example",
        "Claire Dubois",
        FACILITATOR_SLUG,
        (Role.EXTERNAL_FACILITATOR, Role.ADMINISTRATOR),
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


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo once; running it again changes nothing. Returns (e-mail, who, where) rows."""
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
    rows = [(p.email, ", ".join(str(Role(r).label) for r in p.roles), p.organization) for p in PEOPLE]
    rows.append((STAFF.email, "platform staff (loads framework packs)", "—"))
    return rows
