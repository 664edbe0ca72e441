"""One way to decide access, for views, services, selectors and templates alike.

What a person may do inside one organization comes from three sources:

- their membership's roles: preset roles hold the permissions that each context
  declared for them (core.permissions); an organization's own roles hold what their
  administrator chose (core.models.Role);
- grants: one permission on one object, until it expires or is revoked
  (core.models.Grant);
- a context's own rules about one kind of object (the performer of an activity, the
  participant of an assessment), written in that kind's policy.

Each kind of object has one `ObjectPolicy` (wagtail's permission policies are the
model): `can(access, action, obj)`, `visible(access, queryset)`, `answers(access, obj)`.
Services call `authorize()` before they write; views declare `on_object()` or
`member()` (core.policies) and pass `answers()` to templates, which decide nothing.

The rule of answers: a person who may see an object but not do this gets 403
(PermissionDenied); a person who may not know that it exists gets 404. Confidential
kinds default to 404 and every read of them is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.core.models import Division, Grant, Membership, Organization, Role, User
from arusha.core.permissions import PERMISSIONS, Permission, PresetRole, is_confidential, preset_permissions

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Access:
    """What one person may do in one organization, found once and passed around."""

    user: User | None
    organization: Organization | None
    membership: Membership | None
    permissions: frozenset[str]

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def is_member(self) -> bool:
        return self.membership is not None


NOBODY = Access(user=None, organization=None, membership=None, permissions=frozenset())


def membership_permissions(membership: Membership | None) -> frozenset[str]:
    """The permissions of a membership's roles: presets from code, the organization's own from its table."""
    if membership is None or not membership.is_active:
        return frozenset()
    granted: set[str] = set()
    own: list[str] = []
    for role in membership.roles:
        if role in PresetRole.values:
            granted |= preset_permissions(role)
        else:
            own.append(role)
    if own:
        with scopes_disabled():
            for codes in Role.objects.filter(
                organization_id=membership.organization_id, code__in=own
            ).values_list("permissions", flat=True):
                granted |= {code for code in codes if code in PERMISSIONS}
    return frozenset(granted)


def access_of(user: User | None, organization: Organization | None) -> Access:
    """Find a person's access in an organization: their active membership and its permissions."""
    if user is None or organization is None or not user.is_authenticated:
        return Access(user=user, organization=organization, membership=None, permissions=frozenset())
    with scopes_disabled():
        membership = (
            Membership.objects.filter(organization=organization, user=user, is_active=True)
            .select_related("organization", "division")
            .first()
        )
    return Access(
        user=user,
        organization=organization,
        membership=membership,
        permissions=membership_permissions(membership),
    )


def _active_grants(user: User, permission: str) -> QuerySet[Grant]:
    now = timezone.now()
    with scopes_disabled():
        return Grant.objects.filter(user=user, permission=permission, revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


def has_grant(user: User | None, permission: str, obj: models.Model) -> bool:
    """Whether the person holds an active grant of `permission` on this one object."""
    if user is None or not user.is_authenticated:
        return False
    with scopes_disabled():
        return (
            _active_grants(user, permission)
            .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
            .exists()
        )


def granted_ids(user: User | None, permission: str, model: type[models.Model]) -> list[str]:
    """The ids of the objects of one kind on which the person holds an active grant."""
    if user is None or not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            _active_grants(user, permission)
            .filter(content_type=ContentType.objects.get_for_model(model))
            .values_list("object_id", flat=True)
        )


def grant_organizations(user: User) -> list[Organization]:
    """Organizations where the person holds an active grant but maybe no membership."""
    now = timezone.now()
    with scopes_disabled():
        ids = (
            Grant.objects.filter(user=user, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .values_list("organization_id", flat=True)
        )
        return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def confidential_holder(user: User) -> bool:
    """Whether the person holds a confidential permission anywhere, by role or by grant."""
    if not user.is_authenticated:
        return False
    confidential = [code for code, spec in PERMISSIONS.items() if spec.confidential]
    if not confidential:
        return False
    with scopes_disabled():
        memberships = list(Membership.objects.filter(user=user, is_active=True))
    if any(set(membership_permissions(m)) & set(confidential) for m in memberships):
        return True
    now = timezone.now()
    with scopes_disabled():
        return (
            Grant.objects.filter(user=user, permission__in=confidential, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .exists()
        )


class ObjectPolicy(Generic[M]):
    """Every access question about one kind of object.

    `actions` maps each action to the permission that allows it organization-wide
    or, through a grant, on one object. `rule()` adds a context's own reasons (the
    performer of an activity reports on it). A subclass that holds confidential data
    sets `confidential`: reads are audited and nothing is visible by default.
    """

    model: type[M]
    actions: ClassVar[Mapping[str, str]] = {}
    confidential: ClassVar[bool] = False
    denied_message: ClassVar[str | Promise] = _("You may not do this.")

    def organization_of(self, obj: M) -> Organization:
        organization: Organization = obj.organization  # type: ignore[attr-defined]
        return organization

    def access(self, user: User | None, obj: M) -> Access:
        return access_of(user, self.organization_of(obj))

    def rule(self, access: Access, action: str, obj: M) -> bool:
        """A context's own reason to allow `action` on `obj`, beyond roles and grants."""
        return False

    def can(self, access: Access, action: str, obj: M) -> bool:
        permission = self.actions.get(action)
        if permission is None:
            raise KeyError(f"{type(self).__name__} knows no action {action!r}")
        if access.has(permission) or self.rule(access, action, obj):
            return True
        return has_grant(access.user, permission, obj)

    def can_view(self, access: Access, obj: M) -> bool:
        return self.can(access, "view", obj)

    def answers(self, access: Access, obj: M) -> dict[str, bool]:
        """Every action's answer, for the templates (which decide nothing themselves)."""
        if not self.can_view(access, obj):
            return dict.fromkeys(self.actions, False)
        return {action: self.can(access, action, obj) for action in self.actions}

    def visible(self, access: Access, queryset: QuerySet[M]) -> QuerySet[M]:
        """The objects of `queryset` that the person may see."""
        permission = self.actions["view"]
        if access.has(permission):
            return queryset
        ids = granted_ids(access.user, permission, self.model)
        with scopes_disabled():
            # A subquery rather than a join, so rules over related rows never double a row.
            by_rule = self.model._default_manager.filter(self.rule_filter(access)).values("pk")
        return queryset.filter(Q(pk__in=ids) | Q(pk__in=by_rule))

    def rule_filter(self, access: Access) -> Q:
        """The objects that `rule()` lets the person see, as a filter (none by default)."""
        return Q(pk__in=[])

    def is_confidential(self, obj: M) -> bool:
        return self.confidential


POLICIES: dict[type[models.Model], ObjectPolicy[Any]] = {}


def register_policy(policy: ObjectPolicy[Any]) -> None:
    """A context declares the policy of one of its kinds (from its AppConfig.ready)."""
    if policy.model in POLICIES:
        raise ValueError(f"A policy for {policy.model.__name__} is registered twice")
    for action, permission in policy.actions.items():
        if permission not in PERMISSIONS:
            raise ValueError(f"{type(policy).__name__}.{action} names an undeclared permission {permission}")
    POLICIES[policy.model] = policy


# Kinds that follow another object (a sign-off follows its plan, an answer its
# assessment): their access is the access of the object they belong to.
PARENTS: dict[type[models.Model], Callable[[Any], models.Model]] = {}


def register_parent(model: type[models.Model], parent: Callable[[Any], models.Model]) -> None:
    """Declare that objects of `model` are seen and changed with the object `parent(obj)` returns."""
    PARENTS[model] = parent


def owner_of(obj: models.Model) -> models.Model:
    """The object whose policy decides about `obj`: itself, or what it belongs to."""
    seen = 0
    while type(obj) in PARENTS and type(obj) not in POLICIES:
        obj = PARENTS[type(obj)](obj)
        seen += 1
        if seen > 10:
            raise LookupError("Parent chain too long")
    return obj


def policy_for(obj_or_model: models.Model | type[models.Model]) -> ObjectPolicy[Any]:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        policy = POLICIES.get(klass)
        if policy is not None:
            return policy
    raise LookupError(f"No access policy is registered for {model.__name__}")


def authorize(actor: User | None, action: str, obj: models.Model) -> Access:
    """The write check every service makes before it writes: 404, then 403.

    `actor=None` is the system itself (loaders, the daily checks), which answers to
    no person's rights.
    """
    obj = owner_of(obj)
    policy = policy_for(obj)
    access = policy.access(actor, obj)
    if actor is None:
        return access
    if not policy.can_view(access, obj):
        raise Http404
    if action != "view" and not policy.can(access, action, obj):
        raise PermissionDenied(str(policy.denied_message))
    return access


def authorize_in(actor: User | None, permission: str, organization: Organization) -> Access:
    """The check of a write that belongs to no object yet (creating a plan): 404, then 403.

    Outsiders, and members lacking a confidential permission, may not know what lies
    behind it: 404.
    """
    access = access_of(actor, organization)
    if actor is None:
        return access
    if not access.has(permission):
        if not access.is_member or is_confidential(permission):
            raise Http404
        raise PermissionDenied(str(_("You may not do this.")))
    return access


def read(actor: User, obj: models.Model) -> Access:
    """The read check of a view: 404 unless the person may see `obj`; confidential reads are audited."""
    obj = owner_of(obj)
    policy = policy_for(obj)
    access = policy.access(actor, obj)
    if not policy.can_view(access, obj):
        raise Http404
    if policy.is_confidential(obj) or is_confidential(policy.actions["view"]):
        from arusha.core.audit import audit_read

        audit_read(actor=actor, obj=obj, organization=policy.organization_of(obj))
    return access


def permission_labels(codes: Iterable[str]) -> list[str]:
    return [str(PERMISSIONS[code].label) for code in codes if code in PERMISSIONS]


class DivisionPolicy(ObjectPolicy[Division]):
    model = Division
    actions: ClassVar[Mapping[str, str]] = {"view": Permission.VIEW, "change": Permission.MANAGE}


def register_division_grant(action: str, permission: str) -> None:
    """A context declares a permission that can be given on one division through a grant.

    DESIGN.md: a grant gives one person access to one object, an office's analytics for
    instance; the grant names the division and the context's permission.
    """
    if action in DivisionPolicy.actions:
        raise ValueError(f"Division action registered twice: {action!r}")
    DivisionPolicy.actions = {**DivisionPolicy.actions, action: permission}


class MembershipPolicy(ObjectPolicy[Membership]):
    model = Membership
    actions: ClassVar[Mapping[str, str]] = {"view": Permission.VIEW, "change": Permission.MEMBERS}
