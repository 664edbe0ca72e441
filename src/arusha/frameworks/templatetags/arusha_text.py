"""Pick the text of a pack in the reader's language, falling back to English."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def tr(value: Any) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    language = (get_language() or "en").split("-")[0]
    text = value.get(language) or value.get("en") or next(iter(value.values()))
    return str(text)
