"""The "home" case of the bench (issue 9): a person in 3 organizations with 20 things waiting.

`seed_home()` runs inside bench/run.py's seeded database (Django set up, the built-in pack
loaded): two more administrations beside "bench-customs", and in each a plan of 2025,
adopted and monitored quarterly, whose activities the person performs and has not
reported on for the last quarter (7 + 7 + 6 = 20 progress reports due); the person also
takes part in each administration's assessment (not yet in a working group, so every
query of the page runs). Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import datetime
import sys

from serving import ROOT, session_cookie

HOME_CASE = "home (3 organizations, 20 waiting)"
HOME_TARGET_MS = 150.0
DAY = datetime.date


def seed_home() -> dict[str, str]:
    """Create the person and their work; return their user id and a session cookie."""
    # The checkout, for tests/plans.py: the bench builds its plans as the tests do.
    sys.path.insert(0, str(ROOT))
    from tests.plans import monitored_plan

    from arusha.assessments import services as assessment_services
    from arusha.core import services
    from arusha.core.models import Organization, OrganizationKind, User
    from arusha.frameworks.models import FrameworkVersion

    pack = FrameworkVersion.objects.get(framework__code="rad-idg-2021")
    person = services.user_create(email="busy@bench.example", full_name="Busy Person", password=None)
    organizations = [Organization.objects.get(slug="bench-customs")]
    heads = [User.objects.get(email="owner@bench.example")]
    for slug, name in (("bench-north", "Bench North Customs"), ("bench-south", "Bench South Customs")):
        org = services.organization_create(
            actor=None, slug=slug, name=name, kind=OrganizationKind.CUSTOMS, country="XA"
        )
        head = services.user_create(email=f"head@{slug}.example", full_name=f"Head of {name}", password=None)
        services.membership_create(actor=None, organization=org, user=head, roles=["administrator"])
        organizations.append(org)
        heads.append(head)
    for org, head_user, activities in zip(organizations, heads, (7, 7, 6), strict=True):
        services.membership_create(
            actor=head_user, organization=org, user=person, roles=["contributor", "performer"]
        )
        assessment = assessment_services.assessment_create(
            actor=head_user,
            organization=org,
            title=f"Self-assessment of {org.name}",
            framework_version=pack,
            mode=3,
            scope_kind="comprehensive",
            planned_start=DAY(2024, 9, 2),
            planned_end=DAY(2024, 11, 29),
        )
        assessment_services.participant_invite(
            actor=head_user,
            assessment=assessment,
            email=person.email,
            full_name="",
            idg_role="IC",
        )
        monitored_plan(
            actor=head_user,
            organization=org,
            assessment=assessment,
            title=f"Action plan 2025 of {org.name}",
            performer=person,
            activities=activities,
        )
    return {"cookie": session_cookie(person), "user": str(person.pk)}
