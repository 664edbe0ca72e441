"""Domain errors raised by services, with messages meant for people."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule was broken. `message` is translatable; `field` names the culprit."""

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
