"""Sections of a person's home page that other contexts contribute.

Core depends on no context, so a context registers, from its AppConfig.ready, a
template and a function giving that template the person's items (for example the
assessments they are invited to, across organizations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arusha.core.models import User


@dataclass(frozen=True)
class HomeSection:
    template: str
    items: Callable[[User], list[Any]]


SECTIONS: list[HomeSection] = []


def register_home_section(template: str, items: Callable[[User], list[Any]]) -> None:
    SECTIONS.append(HomeSection(template, items))


def home_sections(user: User) -> list[tuple[str, list[Any]]]:
    return [(section.template, section.items(user)) for section in SECTIONS]
