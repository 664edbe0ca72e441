"""Setting cases up: channels, categories and the organization's case settings.

Channel managers (`cases.channel.manage`) open and change channels and categories;
supervisors set the arm's-length rules and the smallest count statistics show. A
channel's intake officers must be people who handle or supervise cases: they receive
the key of every new report.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.access import CHANNELS, SUPERVISE
from arusha.cases.models import Anonymity, CaseSettings, Category, Channel, ChannelKind
from arusha.cases.questionnaire import check_questionnaire
from arusha.cases.services.assignment import case_staff
from arusha.cases.services.intake import case_settings
from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User

OUTCOMES = ("not_admissible", "redirected", "resolved", "unsubstantiated", "substantiated")
FACTORS = tuple(f"KF{number}" for number in range(1, 11))
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
# Web addresses the reporters' pages use themselves (arusha.cases.public_urls).
RESERVED_SLUGS = frozenset({"follow-up"})
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_RETENTION = 36_500
MAX_ATTACHMENT_MB = 200
MAX_INTRODUCTION = 10_000

_CHANNEL_FIELDS = (
    "kind",
    "name",
    "slug",
    "introduction",
    "is_public",
    "anonymity",
    "questionnaire",
    "acknowledge_days",
    "feedback_days",
    "remind_days",
    "retention",
    "max_attachment_mb",
    "is_active",
)


def _days(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise DomainError(
            _("Give a number of days from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field
        )
    return value


def _clean(organization: Organization, data: dict[str, Any], *, exclude: int | None = None) -> dict[str, Any]:
    """The channel's values as stored, or a DomainError naming the field at fault."""
    name = str(data["name"]).strip()
    if not name or len(name) > 150:
        raise DomainError(_("Give the channel a name of at most 150 characters."), field="name")
    slug = str(data["slug"]).strip().lower()
    if not SLUG.match(slug):
        raise DomainError(
            _("A web address has lower-case letters, digits and dashes, at most 60."), field="slug"
        )
    with scopes_disabled():
        same = Channel.objects.filter(organization=organization, slug=slug)
        taken = (same.exclude(pk=exclude) if exclude is not None else same).exists()
    if slug in RESERVED_SLUGS:
        raise DomainError(_("The reporters' pages use this web address: choose another."), field="slug")
    if taken:
        raise DomainError(_("Another channel already has this web address."), field="slug")
    if data["kind"] not in ChannelKind.values:
        raise DomainError(_("Choose one of the kinds offered."), field="kind")
    if data["anonymity"] not in Anonymity.values:
        raise DomainError(_("Choose one of the options offered."), field="anonymity")
    if data["is_public"] and data["kind"] in (ChannelKind.REFERRAL_IN, ChannelKind.ORAL_INTAKE):
        raise DomainError(
            _(
                "Referrals and oral reports are recorded by staff: "
                "such a channel cannot be open to the public."
            ),
            field="is_public",
        )
    introduction = str(data.get("introduction") or "")
    if len(introduction) > MAX_INTRODUCTION:
        raise DomainError(
            _("An introduction has at most %(count)d characters.") % {"count": MAX_INTRODUCTION},
            field="introduction",
        )
    acknowledge = _days(int(data["acknowledge_days"]), "acknowledge_days", 1, 365)
    feedback = _days(int(data["feedback_days"]), "feedback_days", 1, 730)
    if feedback < acknowledge:
        raise DomainError(_("Feedback cannot be due before the acknowledgement."), field="feedback_days")
    remind = _days(int(data["remind_days"]), "remind_days", 0, 60)
    retention = data["retention"]
    if not isinstance(retention, dict) or set(retention) != set(OUTCOMES):
        raise DomainError(_("Give a retention period for every outcome."), field="retention")
    for outcome in OUTCOMES:
        _days(int(retention[outcome]), f"retention_{outcome}", 1, MAX_RETENTION)
    size = int(data["max_attachment_mb"])
    if not 1 <= size <= MAX_ATTACHMENT_MB:
        raise DomainError(
            _("Give a size from 1 to %(count)d MB.") % {"count": MAX_ATTACHMENT_MB}, field="max_attachment_mb"
        )
    staff = {user.pk for user in case_staff(organization)}
    recipients = list(data["recipients"])
    for user in recipients:
        if user.pk not in staff:
            raise DomainError(
                _("%(name)s neither handles nor supervises cases: choose intake officers among those who do.")
                % {"name": user},
                field="recipients",
            )
    return {
        "kind": data["kind"],
        "name": name,
        "slug": slug,
        "introduction": introduction,
        "is_public": bool(data["is_public"]),
        "anonymity": data["anonymity"],
        "questionnaire": check_questionnaire(data["questionnaire"]),
        "acknowledge_days": acknowledge,
        "feedback_days": feedback,
        "remind_days": remind,
        "retention": {outcome: int(retention[outcome]) for outcome in OUTCOMES},
        "max_attachment_mb": size,
        "is_active": bool(data["is_active"]),
        "recipients": recipients,
    }


def _recipient_names(channel: Channel) -> list[str]:
    with scopes_disabled():
        return sorted(str(user) for user in channel.recipients.all())


def channel_create(*, actor: User | None, organization: Organization, **data: Any) -> Channel:
    """Open a channel. `data` holds the fields of `_CHANNEL_FIELDS` and `recipients` (users)."""
    authorize_in(actor, CHANNELS, organization)
    clean = _clean(organization, data)
    recipients = clean.pop("recipients")
    with transaction.atomic(), scopes_disabled():
        channel = Channel.objects.create(organization=organization, **clean)
        channel.recipients.set(recipients)
        _audit(actor, "arusha.channel.created", channel, {})
    return channel


def _snapshot(channel: Channel) -> dict[str, Any]:
    values = snapshot(channel, _CHANNEL_FIELDS)
    values["recipients"] = _recipient_names(channel)
    return values


def _audit(actor: User | None, action: str, channel: Channel, before: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=channel,
        organization=channel.organization,
        changes=diff(before, _snapshot(channel)),
    )


def channel_update(*, actor: User, channel: Channel, version: int | None = None, **data: Any) -> Channel:
    authorize(actor, "edit", channel)
    clean = _clean(channel.organization, data, exclude=channel.pk)
    recipients = clean.pop("recipients")
    before = _snapshot(channel)
    with transaction.atomic(), scopes_disabled():
        for name, value in clean.items():
            setattr(channel, name, value)
        save_versioned(channel, version=version, fields=list(clean))
        channel.recipients.set(recipients)
        _audit(actor, "arusha.channel.updated", channel, before)
    return channel


def channels_of(organization: Organization) -> list[Channel]:
    with scopes_disabled():
        return list(Channel.objects.filter(organization=organization).prefetch_related("recipients"))


# --- Categories --------------------------------------------------------------------------


def _category_clean(
    organization: Organization, code: str, name: str, factor: str, exclude: int | None
) -> None:
    if not CODE.match(code):
        raise DomainError(_("A code has lower-case letters, digits, dashes and _, at most 40."), field="code")
    if not name.strip() or len(name) > 150:
        raise DomainError(_("Give the category a name of at most 150 characters."), field="name")
    if factor and factor not in FACTORS:
        raise DomainError(_("Choose one of the key factors offered."), field="factor")
    with scopes_disabled():
        same = Category.objects.filter(organization=organization, code=code)
        if (same.exclude(pk=exclude) if exclude is not None else same).exists():
            raise DomainError(_("Another category already has this code."), field="code")


def category_create(
    *, actor: User | None, organization: Organization, code: str, name: str, factor: str
) -> Category:
    authorize_in(actor, CHANNELS, organization)
    code, name = code.strip().lower(), name.strip()
    _category_clean(organization, code, name, factor, None)
    with transaction.atomic(), scopes_disabled():
        category = Category.objects.create(organization=organization, code=code, name=name, factor=factor)
        audit_change(
            actor=actor,
            action="arusha.case.category.created",
            obj=category,
            organization=organization,
            fields=("code", "name", "factor"),
        )
    return category


def category_update(*, actor: User, category: Category, code: str, name: str, factor: str) -> Category:
    """Categories carry no version: a change is small and is kept in the audit trail."""
    authorize_in(actor, CHANNELS, category.organization)
    code, name = code.strip().lower(), name.strip()
    _category_clean(category.organization, code, name, factor, category.pk)
    before = snapshot(category, ("code", "name", "factor"))
    with transaction.atomic(), scopes_disabled():
        category.code, category.name, category.factor = code, name, factor
        category.save(update_fields=["code", "name", "factor"])
        audit_change(
            actor=actor,
            action="arusha.case.category.updated",
            obj=category,
            organization=category.organization,
            fields=("code", "name", "factor"),
            before=before,
        )
    return category


def categories_of(organization: Organization) -> list[Category]:
    with scopes_disabled():
        return list(Category.objects.filter(organization=organization))


# --- Case settings -------------------------------------------------------------------------

_SETTINGS_FIELDS = ("line_levels", "same_unit_conflicts", "minimum_cell")


def settings_update(
    *,
    actor: User,
    organization: Organization,
    line_levels: int,
    same_unit_conflicts: bool,
    minimum_cell: int,
    version: int | None = None,
) -> CaseSettings:
    """Change the arm's-length rules and the smallest count statistics show (supervisors)."""
    authorize_in(actor, SUPERVISE, organization)
    if not 0 <= line_levels <= 5:
        raise DomainError(_("Give a number of levels from 0 to 5."), field="line_levels")
    if not 1 <= minimum_cell <= 100:
        raise DomainError(_("Give a count from 1 to 100."), field="minimum_cell")
    settings = case_settings(organization)
    before = snapshot(settings, _SETTINGS_FIELDS)
    with transaction.atomic(), scopes_disabled():
        settings.line_levels = line_levels
        settings.same_unit_conflicts = same_unit_conflicts
        settings.minimum_cell = minimum_cell
        save_versioned(settings, version=version, fields=list(_SETTINGS_FIELDS))
        audit_change(
            actor=actor,
            action="arusha.case.settings.updated",
            obj=settings,
            organization=organization,
            fields=_SETTINGS_FIELDS,
            before=before,
        )
    return settings
