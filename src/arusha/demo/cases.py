"""The demo's complaints and reports desk: channels, categories, vaults and three reports.

Made once, for an administration that has no channel yet. The people who work on cases
get a case vault opened by `DEMO_VAULT_PASSPHRASE`; one report's receipt is returned so
that the demo can show the reporter's way back.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from arusha.cases.keys import vault_create, vault_of
from arusha.cases.models import Anonymity, Channel, ChannelKind
from arusha.cases.models.intake import default_retention
from arusha.cases.services.channels import category_create, channel_create
from arusha.cases.services.intake import Report, report_submit
from arusha.core.models import Organization, User

DEMO_VAULT_PASSPHRASE = "kilima-vault-2026"  # noqa: S105 - printed for people trying the demo
CASE_STAFF = ("integrity@kilima.example", "handler@kilima.example", "custodian@kilima.example")

CATEGORIES = [
    ("bribery", "Bribery or facilitation payment", "KF7"),
    ("misuse", "Misuse of office or of Customs property", "KF6"),
    ("conflict", "Undeclared conflict of interest", "KF7"),
    ("service", "Quality of service and delays", "KF3"),
    ("staffing", "Recruitment, posting and promotion", "KF8"),
]
QUESTIONS = [
    {"key": "where", "label": "Where did it happen (office, border post, terminal)?", "kind": "text",
     "required": True},
    {"key": "when", "label": "When did it happen?", "kind": "date", "required": False},
    {"key": "kind", "label": "What is it about?", "kind": "choice", "required": False,
     "choices": ["A payment was asked for", "A payment was made", "Abuse of a position", "Something else"]},
    {"key": "evidence", "label": "Is there anything that shows it (documents, messages, witnesses)?",
     "kind": "long_text", "required": False},
]  # fmt: skip
COMPLAINT_QUESTIONS = [
    {"key": "where", "label": "Which office dealt with you?", "kind": "text", "required": True},
    {"key": "declaration", "label": "Declaration or reference number, if any", "kind": "text",
     "required": False},
]  # fmt: skip
REPORTS = [
    ("integrity", {"where": "Port of Kilima, gate 4", "kind": "A payment was asked for"},
     "An officer at gate 4 asked our driver for cash before releasing a container of spare parts."),
    ("integrity", {"where": "Northern Border Post", "kind": "Abuse of a position"},
     "Trucks of one transport company are waved through without inspection every Friday night."),
    ("complaints", {"where": "Airport Cargo Office", "declaration": "C 2026/11/0431"},
     "Our declaration has waited three weeks for a decision and nobody answers the telephone."),
]  # fmt: skip


def _channel(organization: Organization, officer: User, **values: object) -> Channel:
    defaults: dict[str, object] = {
        "introduction": "",
        "is_public": True,
        "anonymity": Anonymity.OPTIONAL,
        "questionnaire": [],
        "acknowledge_days": 7,
        "feedback_days": 90,
        "remind_days": 2,
        "retention": default_retention(),
        "max_attachment_mb": 30,
        "is_active": True,
        "recipients": [officer],
    }
    defaults.update(values)
    return channel_create(actor=None, organization=organization, **defaults)


def load_cases_demo(customs: Organization) -> str:
    """Set up the desk once; returns the receipt of the first demo report ("" when already there)."""
    with scopes_disabled():
        if Channel.objects.filter(organization=customs).exists():
            return ""
        staff = {user.email: user for user in User.objects.filter(email__in=CASE_STAFF)}
    for email in CASE_STAFF:
        if email in staff and vault_of(staff[email], customs) is None:
            vault_create(user=staff[email], organization=customs, passphrase=DEMO_VAULT_PASSPHRASE)
    officer = staff["integrity@kilima.example"]
    for code, name, factor in CATEGORIES:
        category_create(actor=None, organization=customs, code=code, name=name, factor=factor)
    channels = {
        "integrity": _channel(
            customs, officer, kind=ChannelKind.INTEGRITY_REPORT, name="Integrity line", slug="integrity",
            introduction="Report bribery, misuse of office or any other wrongdoing by Customs staff. "
            "You may stay anonymous: keep the receipt you are given to follow your report.",
            questionnaire=QUESTIONS,
        ),
        "complaints": _channel(
            customs, officer, kind=ChannelKind.SERVICE_COMPLAINT, name="Service complaints",
            slug="complaints",
            introduction="Tell us about delays, rudeness or a decision you disagree with.",
            questionnaire=COMPLAINT_QUESTIONS, feedback_days=30,
        ),
        "staff": _channel(
            customs, officer, kind=ChannelKind.STAFF_REPORT, name="Staff integrity reports", slug="staff",
            introduction="For Customs staff: report wrongdoing you witness at work, anonymously.",
            anonymity=Anonymity.ANONYMOUS_ONLY,
        ),
        "referrals": _channel(
            customs, officer, kind=ChannelKind.REFERRAL_IN, name="Referrals from other bodies",
            slug="referrals",
            is_public=False, anonymity=Anonymity.IDENTIFIED,
        ),
        "oral": _channel(
            customs, officer, kind=ChannelKind.ORAL_INTAKE, name="Oral reports", slug="oral", is_public=False
        ),
    }  # fmt: skip
    receipts = [
        report_submit(Report(channel=channels[slug], answers=answers, narrative=narrative)).receipt
        for slug, answers, narrative in REPORTS
    ]
    return receipts[0]
