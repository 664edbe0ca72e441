"""Reading and validating framework packs. Nothing here writes to the database.

Every problem is collected (not just the first) and reported with the file, the line
and the path of the field, so the author can fix the pack in one pass.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent

from arusha.frameworks.models import Area, FrameworkVersion, Question, Topic
from arusha.frameworks.schema import AreaSchema, PackSchema, QuestionSchema

PACK_FILE = "pack.yaml"


@dataclass(frozen=True)
class PackError:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class PackInvalidError(Exception):
    def __init__(self, errors: list[PackError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class ParsedPack:
    pack: PackSchema
    checksum: str
    files: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower-case without accents: how search text is stored and queried."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A pack nests pack > areas > topics > questions > texts: far below this depth.
MAX_DEPTH = 40
# PositiveIntegerField's bound on PostgreSQL: a larger order or number would fail on write.
MAX_INT = 2**31 - 1


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    return yaml


def _check_aliases(text: str, filename: str, errors: list[PackError]) -> bool:
    """Count aliases on the event stream, before anything is built from it.

    Aliases let a few lines name the same node again and again ("billion laughs"); the
    checks that walk the loaded pack would then visit it an exponential number of times.
    Packs do not need them, so by default none is accepted (ARUSHA_YAML_MAX_ALIASES).
    """
    limit = settings.ARUSHA_YAML_MAX_ALIASES
    count = 0
    for event in _yaml().parse(io.StringIO(text)):
        if isinstance(event, AliasEvent):
            count += 1
            if count > limit:
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                message = (
                    _("YAML aliases (*%(name)s) are not accepted in a pack: write the value out in full.")
                    if limit == 0
                    else _("more than %(limit)s YAML aliases (*%(name)s): write the values out in full.")
                )
                errors.append(PackError(filename, line, "", message % {"name": event.anchor, "limit": limit}))
                return False
    return True


def _flow_too_deep(text: str) -> int | None:
    """The line where [ and { brackets nest deeper than MAX_DEPTH, outside quotes and comments.

    ruamel.yaml's scanner slows down sharply with nested flow brackets (a thousand take
    seconds), so they are counted before it sees the text. A stray bracket in plain text
    adds one level at most; it takes dozens to be taken for nesting.
    """
    depth, quote, line, previous = 0, "", 1, "\n"
    comment = False
    for char in text:
        if char == "\n":
            line, comment = line + 1, False
        elif comment:
            pass
        elif quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and previous in " \t\n[{,:":
            quote = char
        elif char == "#" and previous in " \t\n":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        previous = char
    return None


def _read(text: str, filename: str, errors: list[PackError]) -> Any:
    deep = _flow_too_deep(text)
    if deep is not None:
        errors.append(
            PackError(filename, deep, "", _("brackets nest too deeply (at most %(n)s)") % {"n": MAX_DEPTH})
        )
        return None
    try:
        if not _check_aliases(text, filename, errors):
            return None
        return _yaml().load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        errors.append(
            PackError(filename, line, "", _("not valid YAML: %(problem)s") % {"problem": exc.problem})
        )
    except Exception as exc:  # ruamel raises several unrelated types for broken input
        errors.append(PackError(filename, None, "", _("not valid YAML: %(problem)s") % {"problem": exc}))
    return None


def _line_of(
    root: Any, loc: tuple[Any, ...], files: dict[int, str], default_file: str
) -> tuple[str, int | None]:
    """Follow a pydantic error location through the YAML nodes to the nearest known line."""
    node, line, file = root, None, default_file
    if isinstance(root, CommentedMap | CommentedSeq):
        line = root.lc.line + 1
    for key in loc:
        file = files.get(id(node), file)
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
        file = files.get(id(node), file)
    return file, line


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _semantic_errors(pack: PackSchema) -> list[tuple[tuple[Any, ...], str]]:
    """Rules a schema cannot say: code nesting, uniqueness, every language present."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    languages = list(pack.languages)
    seen: set[str] = set()

    def texts(loc: tuple[Any, ...], value: dict[str, str], required: bool = True) -> None:
        for lang in value:
            if lang not in languages:
                problems.append(
                    (loc, _("language “%(lang)s” is not declared in the pack's languages") % {"lang": lang})
                )
        if required or value:
            for lang in languages:
                if not value.get(lang):
                    problems.append((loc, _("the text in “%(lang)s” is missing") % {"lang": lang}))

    def unique(loc: tuple[Any, ...], code: str) -> None:
        if code in seen:
            problems.append((loc, _("the code %(code)s is used twice") % {"code": code}))
        seen.add(code)

    def question(loc: tuple[Any, ...], q: QuestionSchema, prefix: str) -> None:
        expected = f"{prefix}.{q.number}"
        if q.code != expected:
            problems.append(
                (
                    (*loc, "code"),
                    _("expected the code %(expected)s for question number %(number)s")
                    % {"expected": expected, "number": q.number},
                )
            )
        unique((*loc, "code"), q.code)
        texts((*loc, "text"), q.text)
        texts((*loc, "guidance"), q.guidance, required=False)

    texts(("name",), pack.name)
    orders: set[int] = set()
    for a_index, area in enumerate(pack.areas):
        a_loc: tuple[Any, ...] = ("areas", a_index)
        unique((*a_loc, "code"), area.code)
        if area.order in orders:
            problems.append(((*a_loc, "order"), _("another area has the same order")))
        orders.add(area.order)
        texts((*a_loc, "title"), area.title)
        texts((*a_loc, "summary"), area.summary, required=False)
        if bool(area.topics) == bool(area.questions):
            problems.append((a_loc, _("an area holds either topics or questions (exactly one of the two)")))
        for q_index, q in enumerate(area.questions):
            question((*a_loc, "questions", q_index), q, area.code)
        for t_index, topic in enumerate(area.topics):
            t_loc = (*a_loc, "topics", t_index)
            if not topic.code.startswith(area.code + "."):
                problems.append(
                    (
                        (*t_loc, "code"),
                        _("a topic code starts with its area code, %(code)s.") % {"code": area.code},
                    )
                )
            unique((*t_loc, "code"), topic.code)
            texts((*t_loc, "title"), topic.title)
            for q_index, q in enumerate(topic.questions):
                question((*t_loc, "questions", q_index), q, topic.code)
    problems += _limit_errors(pack)
    return problems


def _limit_errors(pack: PackSchema) -> list[tuple[tuple[Any, ...], str]]:
    """What the database columns hold: code lengths, numbers, no NUL character in any text."""
    problems: list[tuple[tuple[Any, ...], str]] = []

    def length(loc: tuple[Any, ...], value: str, model: Any, name: str) -> None:
        limit = model._meta.get_field(name).max_length
        if len(value) > limit:
            problems.append((loc, _("at most %(limit)s characters") % {"limit": limit}))

    def number(loc: tuple[Any, ...], value: int) -> None:
        if value > MAX_INT:
            problems.append((loc, _("at most %(limit)s") % {"limit": MAX_INT}))

    def texts(loc: tuple[Any, ...], value: Any) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                problems.append((loc, _("the text holds a NUL character")))
        elif isinstance(value, dict):
            for key, item in value.items():
                texts((*loc, key), item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                texts((*loc, index), item)

    texts((), pack.model_dump())
    length(("source",), pack.source, FrameworkVersion, "source")
    for a_index, area in enumerate(pack.areas):
        a_loc: tuple[Any, ...] = ("areas", a_index)
        length((*a_loc, "code"), area.code, Area, "code")
        length((*a_loc, "idg_reference"), area.idg_reference, Area, "idg_reference")
        number((*a_loc, "order"), area.order)
        questions = [((*a_loc, "questions", i), q) for i, q in enumerate(area.questions)]
        for t_index, topic in enumerate(area.topics):
            t_loc = (*a_loc, "topics", t_index)
            length((*t_loc, "code"), topic.code, Topic, "code")
            number((*t_loc, "order"), topic.order)
            questions += [((*t_loc, "questions", i), q) for i, q in enumerate(topic.questions)]
        for q_loc, question in questions:
            length((*q_loc, "code"), question.code, Question, "code")
            length((*q_loc, "idg_reference"), question.idg_reference, Question, "idg_reference")
            number((*q_loc, "number"), question.number)
    return problems


def _validate(root: Any, files: dict[int, str], main_file: str, errors: list[PackError]) -> PackSchema | None:
    try:
        pack = PackSchema.model_validate(root)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            file, line = _line_of(root, loc, files, main_file)
            errors.append(PackError(file, line, _dotted(loc), err["msg"]))
        return None
    for loc, message in _semantic_errors(pack):
        file, line = _line_of(root, loc, files, main_file)
        errors.append(PackError(file, line, _dotted(loc), message))
    return pack if not errors else None


def parse_text(text: str, filename: str = "pack.yaml") -> ParsedPack:
    """Parse a pack held in one YAML text (the upload page and single-file packs)."""
    errors: list[PackError] = []
    limit = settings.ARUSHA_FRAMEWORK_UPLOAD_MAX_BYTES
    if len(text) > limit:
        message = _("the pack is larger than %(mb)s MB") % {"mb": limit // (1024 * 1024)}
        raise PackInvalidError([PackError(filename, None, "", message)])
    root = _read(text, filename, errors)
    if errors:
        raise PackInvalidError(errors)
    pack = _validate(root, {}, filename, errors)
    if pack is None:
        raise PackInvalidError(errors)
    return ParsedPack(pack=pack, checksum=hashlib.sha256(text.encode()).hexdigest(), files=[filename])


def _text_of(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PackInvalidError([PackError(name, None, "", _("the file is not UTF-8 text"))]) from error


def parse_path(path: Path) -> ParsedPack:
    """Parse a pack from a YAML file, or from a folder holding pack.yaml and its area files."""
    if path.is_file():
        return parse_text(_text_of(path, path.name), path.name)
    manifest = path / PACK_FILE
    if not manifest.is_file():
        raise PackInvalidError(
            [PackError(str(path), None, "", _("no %(file)s in this folder") % {"file": PACK_FILE})]
        )
    errors: list[PackError] = []
    digest = hashlib.sha256()
    text = _text_of(manifest, PACK_FILE)
    digest.update(text.encode())
    root = _read(text, PACK_FILE, errors)
    files: dict[int, str] = {}
    names = [PACK_FILE]
    if isinstance(root, CommentedMap) and isinstance(root.get("areas"), CommentedSeq):
        areas = root["areas"]
        for index, entry in enumerate(list(areas)):
            if not isinstance(entry, str):
                continue
            area_file = path / entry
            if path.resolve() not in area_file.resolve().parents or not area_file.is_file():
                errors.append(
                    PackError(
                        PACK_FILE,
                        areas.lc.item(index)[0] + 1,
                        f"areas.{index}",
                        _("the area file %(file)s is not in the pack folder") % {"file": entry},
                    )
                )
                continue
            area_text = _text_of(area_file, entry)
            digest.update(area_text.encode())
            node = _read(area_text, entry, errors)
            if node is not None:
                areas[index] = node
                files[id(node)] = entry
                names.append(entry)
    if errors:
        raise PackInvalidError(errors)
    pack = _validate(root, files, PACK_FILE, errors)
    if pack is None:
        raise PackInvalidError(errors)
    return ParsedPack(pack=pack, checksum=digest.hexdigest(), files=names)


def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = PackSchema.model_json_schema()
    schema["$defs"]["AreaSchema"]["description"] = "One area: topics with questions, or questions directly."
    return schema


__all__ = [
    "AreaSchema",
    "PackError",
    "PackInvalidError",
    "ParsedPack",
    "fold",
    "json_schema",
    "parse_path",
    "parse_text",
]
