"""The audit trail: every change made through a service, told as a sentence."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from arusha.core.models import AuditEvent, Organization, User

# Each action code reads as a sentence; %(actor)s and %(object)s are filled in.
SENTENCES: dict[str, Any] = {
    "arusha.organization.created": _("%(actor)s created the organization %(object)s."),
    "arusha.organization.updated": _("%(actor)s changed the organization %(object)s."),
    "arusha.division.created": _("%(actor)s created the division %(object)s."),
    "arusha.division.updated": _("%(actor)s changed the division %(object)s."),
    "arusha.division.deleted": _("%(actor)s deleted the division %(object)s."),
    "arusha.membership.created": _("%(actor)s added %(object)s as a member."),
    "arusha.membership.updated": _("%(actor)s changed the membership of %(object)s."),
    "arusha.comment.added": _("%(actor)s commented on %(object)s."),
    "arusha.attachment.added": _("%(actor)s attached a file to %(object)s."),
    "arusha.user.updated": _("%(actor)s changed the preferences of %(object)s."),
    "arusha.user.api_token_renewed": _("%(actor)s created a new API token."),
    "arusha.user.api_token_revoked": _("%(actor)s revoked their API token."),
    "arusha.framework.loaded": _("%(actor)s loaded the framework pack %(object)s."),
}
SYSTEM_ACTOR = _("The system")


def register_sentences(sentences: Mapping[str, Any]) -> None:
    """A context adds the sentences of its action codes (from its AppConfig.ready)."""
    clash = set(sentences) & set(SENTENCES)
    if clash:
        raise ValueError(f"Audit action codes registered twice: {sorted(clash)}")
    SENTENCES.update(sentences)


def _plain(value: Any) -> Any:
    """Turn a field value into something JSON can hold and a person can read."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    organization: Organization | None,
    changes: Mapping[str, list[Any]] | None = None,
) -> AuditEvent:
    if not action.startswith("arusha."):
        raise ValueError(f"Audit action codes are dotted and start with 'arusha.': {action!r}")
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor,
        actor_label=str(actor) if actor else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=dict(changes or {}),
    )


def sentence(event: AuditEvent) -> str:
    template = SENTENCES.get(event.action)
    actor = event.actor_label or str(SYSTEM_ACTOR)
    if template is None:
        return f"{actor}: {event.action} {event.object_repr}"
    return str(template) % {"actor": actor, "object": event.object_repr}


def audit_change(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    organization: Organization | None,
    fields: Iterable[str],
    before: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record a creation (no `before`) or a change of `fields`, with their values."""
    after = snapshot(obj, fields)
    return audit_record(
        actor=actor, action=action, obj=obj, organization=organization, changes=diff(before or {}, after)
    )
