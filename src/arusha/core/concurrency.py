"""No lost or doubled work: stale edits are refused, creates happen once (docs/concurrency.md).

Edits. A model of long-lived content has `version = PositiveIntegerField(default=1)`.
Its edit form carries the version it was read at (`VersionField`, hidden), and the
service writes with `save_versioned()`: one conditional UPDATE
(`filter(pk=…, version=read).update(…, version=F("version") + 1)`, STYLE.md 9e). No
row updated means that someone saved first: `StaleEdit` is raised, with the row as it
is now, so the page can keep the person's text and show theirs beside it. The UPDATE
also locks the row until the service's transaction ends, so of two simultaneous saves
read at the same version exactly one wins, on SQLite and PostgreSQL alike.

Creates. A create form carries a random key (`CreationKeyField`, hidden, drawn when
the form is rendered). `create_once()` inserts the key, unique, in the transaction that
creates the object: a double submit, a retried request or a second tab with the same
form finds the first object instead of making another. On PostgreSQL the second
insert waits on the unique index until the first transaction ends; on SQLite,
IMMEDIATE transactions already make writers take turns (settings.DATABASES).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, CreationKey, User

M = TypeVar("M", bound=models.Model)

VERSION_FIELD = "version"
KEY_FIELD = "idempotency_key"
# A retried request or a second tab comes within minutes; a day is far beyond that.
KEY_LIFETIME = datetime.timedelta(hours=24)


class StaleEdit(DomainError):  # noqa: N818  # the name issue 8 and docs/concurrency.md use
    """Someone saved the object after the form was read: the save is refused, nothing is written.

    `current` is the object as saved now and `version` its version, so the page can
    show their values and let the person save again over them once compared.
    """

    def __init__(self, *, who: str, when: str, current: models.Model, version: int) -> None:
        super().__init__(
            _(
                "%(who)s saved a newer version (%(when)s) while you were writing. Your text is kept: "
                "compare it with theirs, then save again."
            )
            % {"who": who, "when": when}
        )
        self.current = current
        self.version = version


def last_change(obj: models.Model) -> tuple[str, datetime.datetime | None]:
    """Who changed the object last and when: its `updated_by`/`updated_at`, else its audit trail."""
    names = {field.name for field in obj._meta.concrete_fields}
    if "updated_by" in names and getattr(obj, "updated_by", None) is not None:
        return str(obj.updated_by), getattr(obj, "updated_at", None)  # type: ignore[attr-defined]
    with scopes_disabled():
        event = (
            AuditEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
            )
            .exclude(action="arusha.object.read")
            .order_by("-sequence")
            .first()
        )
    if event is not None:
        return event.actor_label or _("Someone"), event.at
    return _("Someone"), getattr(obj, "updated_at", None)


def stale(obj: models.Model) -> DomainError:
    """The error for a save that found the row changed (or gone) since the form was read.

    The caller's copy of the object is reloaded first: the service may have set the
    refused values on it, and the page that shows the object must show what is saved.
    """
    try:
        obj.refresh_from_db()
    except ObjectDoesNotExist:
        return DomainError(_("Someone deleted this while you were writing. Your text is not saved."))
    who, at = last_change(obj)
    when = date_format(timezone.localtime(at), "DATETIME_FORMAT") if at is not None else ""
    return StaleEdit(who=who, when=when, current=obj, version=getattr(obj, VERSION_FIELD))


def save_versioned(obj: M, *, version: int | None, fields: Iterable[str]) -> M:
    """Write `fields` of `obj` only if its row is still at `version`, and count one version more.

    Call it inside the service's transaction and before any other write of the same
    change (related rows, many-to-many links): the UPDATE holds the row until commit.
    `version=None` writes without the check, for callers that read no form (imports,
    the demo, other services); the version still goes up, so open forms see the change.
    """
    model = type(obj)
    values: dict[str, Any] = {name: getattr(obj, name) for name in fields}
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):  # update() skips auto_now: keep it true
            values[field.name] = now
            setattr(obj, field.attname, now)
    rows = model._base_manager.filter(pk=obj.pk)
    if version is not None:
        rows = rows.filter(**{VERSION_FIELD: version})
    if rows.update(**values, **{VERSION_FIELD: F(VERSION_FIELD) + 1}) == 0:
        raise stale(obj)
    setattr(obj, VERSION_FIELD, model._base_manager.values_list(VERSION_FIELD, flat=True).get(pk=obj.pk))
    return obj


# --- Creates ---------------------------------------------------------------------------


def new_key() -> str:
    """A fresh idempotency key: 32 URL-safe characters, drawn when a create form is rendered."""
    return secrets.token_urlsafe(24)


def _purge(actor: User) -> None:
    # Only the person's own old keys: a full purge inside every create would make
    # simultaneous creates of different people wait on each other's deletes.
    # `manage.py creation_keys_purge` removes everyone's.
    CreationKey.objects.filter(user=actor, created_at__lt=timezone.now() - KEY_LIFETIME).delete()


def purge_keys() -> int:
    """Delete every key older than KEY_LIFETIME; the number deleted."""
    deleted, _by_model = CreationKey.objects.filter(created_at__lt=timezone.now() - KEY_LIFETIME).delete()
    return deleted


def _earlier(key: str, actor: User) -> models.Model:
    claim = CreationKey.objects.select_related("content_type").filter(key=key).first()
    if claim is None or claim.user_id != actor.pk or claim.content_type is None:
        raise DomainError(_("This form was already sent. Reload the page to start again."))
    model = claim.content_type.model_class()
    found = model._base_manager.filter(pk=claim.object_id).first() if model is not None else None
    if found is None:
        raise DomainError(_("What this form created has been deleted since. Reload the page to start again."))
    return found


def create_once(*, key: str, actor: User, create: Callable[[], M]) -> tuple[M, bool]:
    """Run `create` once per key: (the object, True), or (what the key created before, False).

    An empty key (an API client, a test, a form without one) creates every time. When
    `create` refuses (a DomainError), the key goes with the rolled-back transaction, so
    the same form can be corrected and sent again.
    """
    if not key:
        return create(), True
    with transaction.atomic():
        _purge(actor)
        try:
            with transaction.atomic():
                claim = CreationKey.objects.create(key=key, user=actor)
        except IntegrityError:
            # The key is taken: an earlier submit of the same form committed first (a
            # simultaneous one was waited for, on the unique index or the write lock).
            return cast(M, _earlier(key, actor)), False
        obj = create()
        claim.content_type = ContentType.objects.get_for_model(obj)
        claim.object_id = str(obj.pk)
        claim.save(update_fields=["content_type", "object_id"])
        return obj, True


# --- Form fields -------------------------------------------------------------------------


def create_or_edit(fields: dict[str, forms.Field], *, editing: bool) -> None:
    """A form that both creates and edits keeps the version when editing, the key when creating."""
    fields.pop(KEY_FIELD if editing else VERSION_FIELD, None)


class VersionField(forms.IntegerField):
    """The version an edit form was read at, sent back with it (hidden).

    Optional: a client that sends none saves without the check (as the services allow).
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class CreationKeyField(forms.CharField):
    """A create form's idempotency key (hidden), drawn afresh each time the form is rendered."""

    widget = forms.HiddenInput
    default_validators = [
        RegexValidator(r"^[A-Za-z0-9_-]{16,64}$", gettext_lazy("The form is damaged: reload the page."))
    ]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("initial", new_key)
        super().__init__(**kwargs)
