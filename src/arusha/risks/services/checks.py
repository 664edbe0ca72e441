"""Checks the services of risk mapping share on the values they are given; errors name the field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from arusha.core.errors import DomainError


def text(values: Mapping[str, Any], name: str, *, limit: int, required: str | None = None) -> str:
    """The text given as `name`, stripped: refused when longer than `limit`, or empty and `required`
    (the message to give)."""
    found = str(values.get(name) or "").strip()
    if required and not found:
        raise DomainError(required, field=name)
    if len(found) > limit:
        raise DomainError(_("Keep this under %(n)d characters.") % {"n": limit}, field=name)
    return found


def choice(values: Mapping[str, Any], name: str, allowed: Sequence[str], message: str) -> str:
    """The code given as `name`, refused with `message` unless it is one of `allowed`."""
    found = str(values.get(name) or "")
    if found not in allowed:
        raise DomainError(message, field=name)
    return found
