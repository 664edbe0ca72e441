"""Template tags for forms written by hand rather than rendered from a Form class."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from arusha.core.concurrency import KEY_FIELD, new_key

register = template.Library()


@register.simple_tag
def creation_key() -> SafeString:
    """The hidden idempotency key of a create form (arusha.core.concurrency), fresh per form."""
    return format_html('<input type="hidden" name="{}" value="{}">', KEY_FIELD, new_key())
