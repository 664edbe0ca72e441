"""What the indicator catalogue says about an indicator, in the reader's language.

The catalogue (arusha.analytics.engine.runner.catalogue) holds each indicator's names and
descriptions in English, French and Spanish, its unit and which way is worse. A signal's
`indicator` is either an indicator's code or the code of the office-level measure an
indicator gives (RELEASE_OUTLIER gives RELEASE_TIME, in hours); both read here. A signal
stored by an older catalogue may name a code that the catalogue no longer has: it is then
shown by its code, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils import translation
from django.utils.translation import get_language, gettext, pgettext


@dataclass(frozen=True)
class IndicatorText:
    code: str
    name: str
    description: str
    # The office-level measure's unit ("%", "hours") and the factor from numerator /
    # denominator to it; empty and 1 when the code gives no office-level measure.
    unit: str = ""
    scale: float = 1.0
    reference: str = ""
    # What the baseline compares with, in the reader's language.
    strata: str = ""
    # For an office-level measure: which way is better, "higher" or "lower".
    direction: str = ""
    # The unit as the reader writes it ("%", "hours" in their language).
    unit_label: str = ""


def unit_label(unit: str) -> str:
    # The same words as the contracts' scorecard (selectors.scorecard.Measure.unit_label).
    return pgettext("unit of a measure", "hours") if unit == "hours" else unit


def _unit_in(unit: str, language: str) -> str:
    with translation.override(language):
        return unit_label(unit)


@dataclass(frozen=True)
class _Entry:
    definition: Any  # engine.catalogue.definitions.IndicatorDefinition
    # True when the code is the definition's measure code rather than its own.
    measure_only: bool


@cache
def _definitions() -> dict[str, Any]:
    try:
        from arusha.analytics.engine.runner import catalogue

        found: list[Any] = list(catalogue())
    except ImportError:  # the engine's libraries are missing: codes are shown as they are
        found = []
    return {str(item.code): item for item in found}


@cache
def _entries() -> dict[str, _Entry]:
    entries = {code: _Entry(definition, measure_only=False) for code, definition in _definitions().items()}
    for definition in _definitions().values():
        measure = getattr(definition, "measure", None)
        if measure is not None and str(measure.code) not in entries:
            entries[str(measure.code)] = _Entry(definition, measure_only=True)
    return entries


def _text(texts: Any, language: str) -> str:
    if texts is None:
        return ""
    getter = getattr(texts, "get", None)
    if callable(getter):
        return str(getter(language))
    return str(texts)


def indicator_text(code: str, language: str | None = None) -> IndicatorText:
    """The indicator's (or office-level measure's) name, description and unit in `language`.

    `language` defaults to the active one.
    """
    language = language or get_language() or "en"
    entry = _entries().get(code)
    if entry is None:
        return IndicatorText(code=code, name=code, description="")
    definition = entry.definition
    if entry.measure_only:
        with translation.override(language):
            return _measure_text(code, definition, language)
    measure = getattr(definition, "measure", None)
    # An indicator whose measure has its own code (RELEASE_OUTLIER → RELEASE_TIME) counts
    # outliers, not hours: the measure's unit belongs to the measure's code only.
    own: Any = measure if measure is not None and str(measure.code) == code else None
    return IndicatorText(
        code=code,
        name=_text(definition.names, language) or code,
        description=_text(definition.descriptions, language),
        unit=str(own.unit) if own is not None else "",
        unit_label=_unit_in(str(own.unit), language) if own is not None else "",
        scale=float(own.scale) if own is not None else 1.0,
        reference=str(getattr(definition, "reference", "") or ""),
        strata=_text(getattr(definition, "strata", None), language),
        direction=str(own.direction) if own is not None else "",
    )


def _measure_text(code: str, definition: Any, language: str) -> IndicatorText:
    """An office-level measure with a code of its own: its names, and a description of it."""
    measure = definition.measure
    indicator = _text(definition.names, language) or str(definition.code)
    better = (
        gettext("A higher value is better.")
        if measure.direction == "higher"
        else gettext("A lower value is better.")
    )
    description = " ".join(
        [
            gettext(
                "An office-level measure, usable in performance contracts: the office's value "
                "for the month, in %(unit)s, next to the national value of the month as its "
                "baseline; the effect is the office's value divided by the national one."
            )
            % {"unit": unit_label(str(measure.unit))},
            better,
            gettext(
                "It is computed from the same declarations as the indicator “%(indicator)s”, "
                "and is never flagged."
            )
            % {"indicator": indicator},
        ]
    )
    return IndicatorText(
        code=code,
        name=_text(definition.measure_names(), language) or code,
        description=description,
        unit=str(measure.unit),
        unit_label=unit_label(str(measure.unit)),
        scale=float(measure.scale),
        reference=str(getattr(definition, "reference", "") or ""),
        strata=gettext("the national value of the month"),
        direction=str(measure.direction),
    )


def stratum_shown(code: str, stored: str, language: str | None = None) -> str:
    """A signal's stored stratum in the reader's language.

    The catalogue stores its definition's English wording; that wording is shown in the
    reader's language. Any other text (a stratum written by an older catalogue, or one
    naming the office and section) is shown as stored.
    """
    entry = _entries().get(code)
    strata = getattr(entry.definition, "strata", None) if entry is not None else None
    if strata is None or stored != str(getattr(strata, "en", "")):
        return stored
    return _text(strata, language or get_language() or "en") or stored


def indicator_codes() -> list[str]:
    """Every indicator of the catalogue, in its order."""
    return list(_definitions())


def in_composite(code: str) -> bool:
    """Whether a flag of this indicator counts towards an entity's composite score."""
    definition = _definitions().get(code)
    return bool(getattr(definition, "composite", True)) if definition is not None else False
