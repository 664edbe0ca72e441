"""What the indicator catalogue says about an indicator, in the reader's language.

The catalogue (arusha.analytics.engine.runner.catalogue) holds each indicator's names and
descriptions in English, French and Spanish, its unit and which way is worse. A signal
stored by an older catalogue may name an indicator that the catalogue no longer has: it
is then shown by its code, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import get_language


@dataclass(frozen=True)
class IndicatorText:
    code: str
    name: str
    description: str
    # The office-level measure's unit ("%", "hours") and the factor from numerator /
    # denominator to it; empty and 1 when the indicator gives no office-level measure.
    unit: str = ""
    scale: float = 1.0
    reference: str = ""


@cache
def _definitions() -> dict[str, Any]:
    try:
        from arusha.analytics.engine.runner import catalogue

        found: list[Any] = list(catalogue())
    except ImportError:  # the runner is written alongside; its definitions already load
        try:
            from arusha.analytics.engine.catalogue.definitions import definitions

            found = list(definitions())
        except ImportError:
            found = []
    return {str(item.code): item for item in found}


def _text(texts: Any, language: str) -> str:
    if texts is None:
        return ""
    getter = getattr(texts, "get", None)
    if callable(getter):
        return str(getter(language))
    return str(texts)


def indicator_text(code: str, language: str | None = None) -> IndicatorText:
    """The indicator's name and description in `language` (the active one by default)."""
    language = language or get_language() or "en"
    definition = _definitions().get(code)
    if definition is None:
        return IndicatorText(code=code, name=code, description="")
    measure = getattr(definition, "measure", None)
    return IndicatorText(
        code=code,
        name=_text(definition.names, language) or code,
        description=_text(definition.descriptions, language),
        unit=str(getattr(measure, "unit", "") or ""),
        scale=float(getattr(measure, "scale", 1.0) or 1.0) if measure is not None else 1.0,
        reference=str(getattr(definition, "reference", "") or ""),
    )


def indicator_codes() -> list[str]:
    """Every indicator of the catalogue, in its order."""
    return list(_definitions())


def in_composite(code: str) -> bool:
    """Whether a flag of this indicator counts towards an entity's composite score."""
    definition = _definitions().get(code)
    return bool(getattr(definition, "composite", True)) if definition is not None else False
