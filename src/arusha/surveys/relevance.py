"""XLSForm `relevant` expressions, compiled once into a small tree both sides evaluate.

The station (static/surveys/station.js) and the server evaluate the same tree, so a
question skipped on a tablet is a question the server expects to be skipped. The
subset understood is what perception questionnaires use:

    ${name} = 'value'     ${name} != 'value'   ${age} >= 3   (also >, <, <=)
    selected(${name}, 'value')                 not(...)       a and b    a or b   ( ... )

Tree (JSON): ["or", a, b] · ["and", a, b] · ["not", a] · ["cmp", op, left, right] ·
["selected", name, value]; an operand is ["ref", name] or ["lit", value].
An unanswered reference is empty: comparisons with it are false, except `!=` a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from arusha.core.errors import DomainError

Tree = list[Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\})
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<word>and|or|not|selected)\b
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
OPERATORS = ("=", "!=", ">", ">=", "<", "<=")


class RelevanceError(DomainError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise RelevanceError(
                _("Cannot read the expression from “%(rest)s”.") % {"rest": text[position:][:30]}
            )
        kind = match.lastgroup or ""
        if kind == "name":
            kind = "ref"
        value = match.group("name") if match.group("ref") else match.group(kind)
        if kind == "str":
            value = value[1:-1]
        out.append((kind, value))
        position = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            raise RelevanceError(
                _("The expression is incomplete or has “%(token)s” out of place.")
                % {"token": token[1] or "…"}
            )
        self.at += 1
        return token[1]

    def parse(self) -> Tree:
        tree = self.or_()
        if self.peek()[0] != "end":
            raise RelevanceError(
                _("The expression has “%(token)s” out of place.") % {"token": self.peek()[1]}
            )
        return tree

    def or_(self) -> Tree:
        tree = self.and_()
        while self.peek() == ("word", "or"):
            self.at += 1
            tree = ["or", tree, self.and_()]
        return tree

    def and_(self) -> Tree:
        tree = self.unary()
        while self.peek() == ("word", "and"):
            self.at += 1
            tree = ["and", tree, self.unary()]
        return tree

    def unary(self) -> Tree:
        kind, value = self.peek()
        if (kind, value) == ("word", "not"):
            self.at += 1
            self.take("punct", "(")
            inner = self.or_()
            self.take("punct", ")")
            return ["not", inner]
        if (kind, value) == ("word", "selected"):
            self.at += 1
            self.take("punct", "(")
            name = self.take("ref")
            self.take("punct", ",")
            literal = self.operand()
            self.take("punct", ")")
            if literal[0] != "lit":
                raise RelevanceError(_("selected() compares a question with a value."))
            return ["selected", name, literal[1]]
        if (kind, value) == ("punct", "("):
            self.at += 1
            inner = self.or_()
            self.take("punct", ")")
            return inner
        left = self.operand()
        operator = self.take("op")
        right = self.operand()
        return ["cmp", operator, left, right]

    def operand(self) -> Tree:
        kind, value = self.peek()
        if kind == "ref":
            self.at += 1
            return ["ref", value]
        if kind == "str":
            self.at += 1
            return ["lit", value]
        if kind == "num":
            self.at += 1
            return ["lit", float(value) if "." in value else int(value)]
        raise RelevanceError(
            _("Expected a question or a value, found “%(token)s”.") % {"token": value or "…"}
        )


def compile_relevance(text: str) -> Tree | None:
    """The tree of an expression, None when empty; RelevanceError names what is wrong."""
    if not text.strip():
        return None
    return _Parser(_tokens(text)).parse()


def references(tree: Tree | None) -> set[str]:
    if tree is None:
        return set()
    if tree[0] == "ref":
        return {tree[1]}
    if tree[0] == "selected":
        return {tree[1]}
    if tree[0] == "lit":
        return set()
    found: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, list):
            found |= references(part)
    return found


def _value(operand: Tree, answers: Mapping[str, Any]) -> Any:
    if operand[0] == "ref":
        return answers.get(operand[1])
    return operand[1]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(operator: str, left: Any, right: Any) -> bool:
    if left is None or right is None or left == "" or right == "":
        return operator == "!=" and left != right
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        pair: tuple[Any, Any] = (a, b)
    else:
        pair = (str(left), str(right))
    x, y = pair
    outcome: bool = {
        "=": x == y,
        "!=": x != y,
        ">": x > y,
        ">=": x >= y,
        "<": x < y,
        "<=": x <= y,
    }[operator]
    return outcome


def evaluate(tree: Tree | None, answers: Mapping[str, Any]) -> bool:
    """Whether an item is relevant, given the answers so far (True without an expression)."""
    if tree is None:
        return True
    head = tree[0]
    if head == "or":
        return evaluate(tree[1], answers) or evaluate(tree[2], answers)
    if head == "and":
        return evaluate(tree[1], answers) and evaluate(tree[2], answers)
    if head == "not":
        return not evaluate(tree[1], answers)
    if head == "selected":
        chosen = answers.get(tree[1])
        if isinstance(chosen, list):
            return str(tree[2]) in [str(c) for c in chosen]
        return chosen is not None and str(chosen) == str(tree[2])
    if head == "cmp":
        return _compare(tree[1], _value(tree[2], answers), _value(tree[3], answers))
    raise RelevanceError(_("Unknown expression."))
