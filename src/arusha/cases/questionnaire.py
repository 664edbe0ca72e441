"""A channel's questionnaire: its shape, checked when a manager saves it and when a reporter answers."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.translation import gettext as _

from arusha.core.errors import DomainError

KINDS = ("text", "long_text", "choice", "date")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 40
MAX_TEXT = 20_000


def check_questionnaire(questions: Any) -> list[dict[str, Any]]:
    """The questionnaire as stored, or a DomainError naming the question at fault."""
    if not isinstance(questions, list):
        raise DomainError(_("The questionnaire must be a list of questions."), field="questionnaire")
    if len(questions) > MAX_QUESTIONS:
        raise DomainError(
            _("A questionnaire has at most %(count)d questions.") % {"count": MAX_QUESTIONS},
            field="questionnaire",
        )
    seen: set[str] = set()
    clean: list[dict[str, Any]] = []
    for number, question in enumerate(questions, start=1):
        where = _("Question %(number)d") % {"number": number}
        if not isinstance(question, dict):
            raise DomainError(_("%(where)s is not a question.") % {"where": where}, field="questionnaire")
        key = str(question.get("key", ""))
        if not KEY.match(key) or key in seen:
            raise DomainError(
                _("%(where)s needs a unique code of lower-case letters, digits and _.") % {"where": where},
                field="questionnaire",
            )
        seen.add(key)
        label = str(question.get("label", "")).strip()
        if not label or len(label) > 500:
            raise DomainError(
                _("%(where)s needs a label of at most 500 characters.") % {"where": where},
                field="questionnaire",
            )
        kind = str(question.get("kind", "text"))
        if kind not in KINDS:
            raise DomainError(_("%(where)s has an unknown kind.") % {"where": where}, field="questionnaire")
        choices = [str(c).strip() for c in question.get("choices", []) if str(c).strip()]
        if kind == "choice" and len(choices) < 2:
            raise DomainError(
                _("%(where)s needs at least two choices.") % {"where": where}, field="questionnaire"
            )
        clean.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "required": bool(question.get("required")),
                "choices": choices,
            }
        )
    return clean


def check_answers(questions: list[dict[str, Any]], answers: dict[str, str]) -> None:
    """Refuse answers that a questionnaire would not accept, naming the question."""
    known = {q["key"] for q in questions}
    for key in answers:
        if key not in known:
            raise DomainError(_("This form has no question %(key)s.") % {"key": key}, field=key)
    for question in questions:
        value = answers.get(question["key"], "")
        if not isinstance(value, str):
            raise DomainError(
                _("Answer %(label)s with text.") % {"label": question["label"]}, field=question["key"]
            )
        if question["required"] and not value.strip():
            raise DomainError(_("Answer %(label)s.") % {"label": question["label"]}, field=question["key"])
        if len(value) > MAX_TEXT:
            raise DomainError(
                _("The answer to %(label)s is longer than %(count)d characters.")
                % {"label": question["label"], "count": MAX_TEXT},
                field=question["key"],
            )
        if value and question["kind"] == "choice" and value not in question["choices"]:
            raise DomainError(
                _("Choose one of the answers offered for %(label)s.") % {"label": question["label"]},
                field=question["key"],
            )
        if value and question["kind"] == "date":
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise DomainError(
                    _("Give %(label)s as a date (year-month-day).") % {"label": question["label"]},
                    field=question["key"],
                ) from None
