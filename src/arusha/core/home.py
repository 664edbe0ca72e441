"""A person's home page, "my work": what waits for them, across every organization.

Core depends on no context, so each context registers, from its AppConfig.ready:

- a work provider (`register_work`): a function that, given the person's `Workspace`,
  returns the `WorkItem`s waiting for them (answers to give, reports due, alerts…),
  each with a count and a link;
- a section (`register_home_section`): a template and a function giving it the person's
  objects (the assessments and plans they take part in).

Every provider receives the same `Workspace`: the person's active memberships, read once,
with their access in each organization. Providers answer with a fixed number of
queries, whatever the number of items (the home page must not query per item), and
list only what the person may open: an organization they left gives them nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.utils import timezone
from django_scopes import scopes_disabled

from arusha.core.access import Access, membership_permissions
from arusha.core.models import Membership, Organization, User

T = TypeVar("T")


@dataclass(frozen=True)
class Workspace:
    """The person, their active memberships and their access in each organization, read once."""

    user: User
    memberships: tuple[Membership, ...]
    today: datetime.date
    # What one provider read and another needs (the plans the person may open): read once.
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, user: User) -> Workspace:
        with scopes_disabled():
            memberships = tuple(
                Membership.objects.filter(user=user, is_active=True)
                .select_related("organization")
                .order_by("organization__name")
            )
        return cls(user=user, memberships=memberships, today=timezone.localdate())

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, once per page: the providers of one home page share what they read."""
        if key not in self._memo:
            self._memo[key] = compute()
        found: T = self._memo[key]
        return found

    @cached_property
    def _accesses(self) -> dict[int, Access]:
        return {
            m.organization_id: Access(
                user=self.user,
                organization=m.organization,
                membership=m,
                permissions=membership_permissions(m),
            )
            for m in self.memberships
        }

    @property
    def organizations(self) -> list[Organization]:
        return [m.organization for m in self.memberships]

    def is_member(self, organization_id: int) -> bool:
        return organization_id in self._accesses

    def access(self, organization: Organization) -> Access:
        """The person's access in an organization: through a membership, or none (a guest)."""
        found = self._accesses.get(organization.pk)
        if found is not None:
            return found
        return Access(user=self.user, organization=organization, membership=None, permissions=frozenset())

    def organizations_with(self, permission: str) -> list[int]:
        """The ids of the organizations where the person's roles hold `permission`."""
        return [pk for pk, access in self._accesses.items() if access.has(permission)]


# Status tags of the task list: the same words everywhere (UX.md, "status tags").
WAITING = "waiting"
LATE = "late"


@dataclass(frozen=True)
class WorkItem:
    """One kind of thing waiting for the person in one object, with how many and where to go."""

    organization: Organization
    place: str  # the assessment or plan it belongs to
    place_url: str
    text: str  # already counted and translated: "3 questions to answer"
    count: int
    url: str
    late: bool = False

    @property
    def tag(self) -> str:
        return LATE if self.late else WAITING


@dataclass(frozen=True)
class HomeSection:
    template: str
    items: Callable[[Workspace], list[Any]]


SECTIONS: list[HomeSection] = []
WORK: list[Callable[[Workspace], list[WorkItem]]] = []


def register_home_section(template: str, items: Callable[[Workspace], list[Any]]) -> None:
    """A block of the home page: `template` receives `items`, what `items(workspace)` returns."""
    SECTIONS.append(HomeSection(template, items))


def register_work(provider: Callable[[Workspace], list[WorkItem]]) -> None:
    """A source of work items for the home page's task list."""
    WORK.append(provider)


@dataclass
class Place:
    """An assessment or a plan, with what waits for the person there."""

    name: str
    url: str
    items: list[WorkItem] = field(default_factory=list)


@dataclass
class OrganizationWork:
    organization: Organization
    places: list[Place] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(item.count for place in self.places for item in place.items)


@dataclass
class HomePage:
    workspace: Workspace
    work: list[OrganizationWork]
    sections: list[tuple[str, list[Any]]]

    @property
    def memberships(self) -> tuple[Membership, ...]:
        return self.workspace.memberships

    @property
    def waiting(self) -> int:
        return sum(group.count for group in self.work)

    @property
    def takes_part(self) -> bool:
        return any(items for _template, items in self.sections)


def _grouped(items: list[WorkItem]) -> list[OrganizationWork]:
    groups: dict[int, OrganizationWork] = {}
    places: dict[tuple[int, str], Place] = {}
    for item in sorted(items, key=lambda i: (i.organization.name, i.place, not i.late, i.text)):
        group = groups.setdefault(item.organization.pk, OrganizationWork(item.organization))
        key = (item.organization.pk, item.place_url)
        if key not in places:
            places[key] = Place(item.place, item.place_url)
            group.places.append(places[key])
        places[key].items.append(item)
    return list(groups.values())


def home_page(user: User) -> HomePage:
    workspace = Workspace.of(user)
    items = [item for provider in WORK for item in provider(workspace) if item.count > 0]
    sections = [(section.template, section.items(workspace)) for section in SECTIONS]
    return HomePage(workspace=workspace, work=_grouped(items), sections=sections)
