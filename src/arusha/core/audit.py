"""The audit trail: every change made through a service, told as a sentence.

Two rules keep it trustworthy (docs/audit-trail.md):

- a model names its sensitive fields in `AUDIT_SENSITIVE_FIELDS`; their values never
  enter an event, which only says that the field changed (`SENSITIVE` on both sides);
- every event is a link of one hash chain (arusha.core.audit_chain), which
  `manage.py audit_verify` recomputes.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from arusha.core import audit_chain
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
    "arusha.object.read": _("%(actor)s read %(object)s."),
}
SYSTEM_ACTOR = _("The system")


def register_sentences(sentences: Mapping[str, Any]) -> None:
    """A context adds the sentences of its action codes (from its AppConfig.ready)."""
    clash = set(sentences) & set(SENTENCES)
    if clash:
        raise ValueError(f"Audit action codes registered twice: {sorted(clash)}")
    SENTENCES.update(sentences)


# What an event holds in place of a sensitive field's value, before and after alike: it
# says that the field changed and nothing about the value (not even whether it is empty).
SENSITIVE = "***"


def sensitive_fields(model: type[models.Model] | models.Model) -> frozenset[str]:
    """The fields whose values stay in their table, as the model declares them."""
    declared: frozenset[str] = getattr(model, "AUDIT_SENSITIVE_FIELDS", frozenset())
    return declared


class _Hidden:
    """A sensitive value inside a snapshot: compares like the value, never written out.

    `diff` still sees whether it changed; `audit_record` turns it into `SENSITIVE`. It
    also compares equal to the bare value, so a service that diffs a snapshot against
    `getattr(obj, name)` by hand keeps working.
    """

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def __eq__(self, other: object) -> bool:
        return bool(self._value == (other._value if isinstance(other, _Hidden) else other))

    def __hash__(self) -> int:
        return hash(SENSITIVE)

    def __repr__(self) -> str:
        return SENSITIVE

    __str__ = __repr__


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
    hidden = sensitive_fields(obj)
    return {
        name: _Hidden(_plain(getattr(obj, name))) if name in hidden else _plain(getattr(obj, name))
        for name in fields
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _holds_hidden(value: Any) -> bool:
    if isinstance(value, _Hidden):
        return True
    if isinstance(value, dict):
        return any(_holds_hidden(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_hidden(item) for item in value)
    return False


def redact(obj: models.Model, changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` without a sensitive value: by the field's name on `obj`, or by a snapshot's mark."""
    hidden = sensitive_fields(obj)
    return {
        name: [SENSITIVE, SENSITIVE]
        if name in hidden or name.removesuffix("_id") in hidden or _holds_hidden(value)
        else value
        for name, value in changes.items()
    }


def _safe_repr(obj: models.Model) -> str:
    """The object's text, unless it shows a sensitive value (a comment's text is its body)."""
    text = str(obj)[:300]
    for name in sensitive_fields(obj):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value and (value in text or (text and text in value)):
            # The model's code name, not its translated name: an event reads the same in every language.
            return f"{obj._meta.model_name} {obj.pk}"
    return text


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    organization: Organization | None,
    changes: Mapping[str, list[Any]] | None = None,
    day_only: bool = False,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or a short one of its own).

    `day_only`: the event keeps the day and not the time (what an anonymous reporter does
    must not be matched with a log line by its time).
    """
    if not action.startswith("arusha."):
        raise ValueError(f"Audit action codes are dotted and start with 'arusha.': {action!r}")
    event = AuditEvent(
        organization=organization,
        actor=actor,
        actor_label=str(actor) if actor else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=_safe_repr(obj),
        changes=redact(obj, changes or {}),
    )
    if day_only:
        event.day_only = True  # type: ignore[attr-defined]  # read by audit_chain.append
    return audit_chain.append([event])[0]


def audit_read(*, actor: User | None, obj: models.Model, organization: Organization | None) -> AuditEvent:
    """Record that `actor` read a confidential object: who, what, when, in the same chain."""
    return audit_record(actor=actor, action="arusha.object.read", obj=obj, organization=organization)


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
    """Record a creation (no `before`) or a change of `fields`, with their values (sensitive ones hidden)."""
    after = snapshot(obj, fields)
    return audit_record(
        actor=actor, action=action, obj=obj, organization=organization, changes=diff(before or {}, after)
    )
