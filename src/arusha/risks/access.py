"""Who may do what with risk registers (DESIGN.md: confidential, 404 by default, reads audited).

A register describes how the organization's processes could be corrupted, so it is
confidential by office and by process:

- `risks.register.view` reads every register; `risks.risk.rate` identifies and rates
  everywhere; both can also be given on one process (a grant on a catalogue process
  covers its sub-processes) or one risk;
- `risks.office.view` / `risks.office.rate` cover the risks of the person's own division
  and the divisions under it;
- a working-group member holds a grant of `risks.risk.rate` on their cycle (given and
  revoked with their membership, so they sign in with a second factor like any holder of
  confidential data) and rates its risks, except those of processes where they declared
  a conflict of interest;
- a risk's owner (`risks.risk.own`) sees it and reports on its treatments and indicators;
- `risks.cycle.manage` runs cycles; `risks.cycle.approve` approves and publishes them;
  `risks.library.manage` keeps the matrices and the process catalogue.

Who may accept a risk is not a permission: the cycle's matrix names the role for each
level (arusha.risks.matrices.Appetite).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.core.access import Access, ObjectPolicy, authorize, granted_ids, has_grant
from arusha.core.models import Division, User
from arusha.core.permissions import PermissionSpec, PresetRole
from arusha.risks.models import Cycle, Matrix, Process, Risk

VIEW = "risks.register.view"
RATE = "risks.risk.rate"
MANAGE = "risks.cycle.manage"
APPROVE = "risks.cycle.approve"
LIBRARY = "risks.library.manage"
OWN = "risks.risk.own"
OFFICE_VIEW = "risks.office.view"
OFFICE_RATE = "risks.office.rate"

ANY = (VIEW, RATE, MANAGE, APPROVE, LIBRARY, OWN, OFFICE_VIEW, OFFICE_RATE)

PERMISSIONS = (
    PermissionSpec(
        VIEW,
        _("Read every corruption risk register"),
        frozenset({PresetRole.INTEGRITY_OFFICER, PresetRole.HEAD_OF_ADMINISTRATION, PresetRole.AUDITOR}),
        confidential=True,
    ),
    PermissionSpec(
        RATE,
        _("Identify and rate corruption risks"),
        frozenset({PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        MANAGE,
        _("Run corruption risk assessment cycles and their working groups"),
        frozenset({PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        APPROVE,
        _("Approve and publish corruption risk registers"),
        frozenset({PresetRole.HEAD_OF_ADMINISTRATION}),
        confidential=True,
    ),
    PermissionSpec(
        LIBRARY,
        _("Keep the risk matrices and the process catalogue"),
        frozenset({PresetRole.ADMINISTRATOR, PresetRole.INTEGRITY_OFFICER}),
    ),
    PermissionSpec(
        OWN,
        _("Own corruption risks: follow their treatments and indicators"),
        frozenset({PresetRole.RISK_OWNER, PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        OFFICE_VIEW,
        _("Read the corruption risks of one's own office"),
        frozenset({PresetRole.RISK_OWNER}),
        confidential=True,
    ),
    PermissionSpec(
        OFFICE_RATE,
        _("Identify and rate the corruption risks of one's own office"),
        frozenset(),
        confidential=True,
    ),
)


def authorize_risk(actor: User | None, action: str, obj: Any) -> Access:
    """The policy's answer for a risk or a cycle (or what hangs from them), scopes or not."""
    with scopes_disabled():
        return authorize(actor, action, obj)


def own_divisions(access: Access) -> list[int]:
    """The person's division and every division under it."""
    membership = access.membership
    if membership is None or membership.division_id is None:
        return []
    found = [membership.division_id]
    with scopes_disabled():
        frontier = found[:]
        while frontier:
            frontier = list(Division.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier = [pk for pk in frontier if pk not in found]
            found.extend(frontier)
    return found


def process_family(process_ids: list[int] | list[str]) -> list[int]:
    """The processes named and every process under them."""
    found = [int(pk) for pk in process_ids]
    with scopes_disabled():
        frontier = found[:]
        while frontier:
            frontier = [
                pk
                for pk in Process.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                if pk not in found
            ]
            found.extend(frontier)
    return found


def process_ancestors(process: Process) -> list[Process]:
    """The process and the processes above it, nearest first."""
    chain = [process]
    with scopes_disabled():
        while chain[-1].parent_id is not None and len(chain) < 20:
            parent = Process.objects.filter(pk=chain[-1].parent_id).first()
            if parent is None:
                break
            chain.append(parent)
    return chain


def _authenticated(access: Access) -> bool:
    return access.user is not None and access.user.is_authenticated


def risk_grants(user: User | None) -> dict[tuple[str, str], list[int]]:
    """The person's active grants of reading or rating on cycles and processes, in one query.

    Keys are (permission, "cycle" | "process"); values the objects' ids.
    """
    found: dict[tuple[str, str], list[int]] = {}
    if user is None or not user.is_authenticated:
        return found
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from arusha.core.models import Grant

    kinds = {
        ContentType.objects.get_for_model(Cycle).pk: "cycle",
        ContentType.objects.get_for_model(Process).pk: "process",
    }
    with scopes_disabled():
        rows = (
            Grant.objects.filter(
                user=user,
                permission__in=(VIEW, RATE),
                content_type_id__in=list(kinds),
                revoked_at__isnull=True,
            )
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .values_list("permission", "content_type_id", "object_id")
        )
        for permission, content_type, object_id in rows:
            found.setdefault((permission, kinds[content_type]), []).append(int(object_id))
    return found


def works_on_risks(access: Access) -> bool:
    """Whether the person holds any risks permission, or access to a cycle or a process."""
    if not _authenticated(access):
        return False
    if any(access.has(code) for code in ANY):
        return True
    return bool(risk_grants(access.user))


def conflicted(user: User | None, risk: Risk) -> bool:
    """Whether the person declared, in the risk's cycle, a conflict of interest on its process."""
    if user is None:
        return False
    process_ids = [p.pk for p in process_ancestors(risk.process)]
    with scopes_disabled():
        return risk.cycle.members.filter(user=user, active=True, conflicts__in=process_ids).exists()


class CyclePolicy(ObjectPolicy[Cycle]):
    """Readers of registers see every cycle; a working-group member and anyone given access to
    a process, an office's risks or one risk see the cycle, and in it only their risks."""

    model = Cycle
    actions: ClassVar[Mapping[str, str]] = {"view": VIEW, "rate": RATE, "manage": MANAGE, "approve": APPROVE}
    confidential = True
    denied_message = _("You may read this risk assessment, not do this.")

    def rule(self, access: Access, action: str, obj: Cycle) -> bool:
        if not _authenticated(access):
            return False
        if action == "view":
            if has_grant(access.user, RATE, obj) or has_grant(access.user, VIEW, obj):
                return True
            if any(access.has(code) for code in (RATE, MANAGE, APPROVE, OFFICE_VIEW, OFFICE_RATE, OWN)):
                return True
            grants = risk_grants(access.user)
            return bool(grants.get((VIEW, "process")) or grants.get((RATE, "process")))
        return False

    def rule_filter(self, access: Access) -> Q:
        if not _authenticated(access):
            return Q(pk__in=[])
        if any(access.has(code) for code in (RATE, MANAGE, APPROVE, OFFICE_VIEW, OFFICE_RATE, OWN)):
            return Q(organization=access.organization)
        grants = risk_grants(access.user)
        if grants.get((VIEW, "process")) or grants.get((RATE, "process")):
            return Q(organization=access.organization)
        mine = set(grants.get((RATE, "cycle"), [])) | set(grants.get((VIEW, "cycle"), []))
        return Q(pk__in=sorted(mine))


class RiskPolicy(ObjectPolicy[Risk]):
    model = Risk
    actions: ClassVar[Mapping[str, str]] = {"view": VIEW, "rate": RATE, "manage": MANAGE, "report": RATE}
    confidential = True
    denied_message = _("You may read this risk, not change it.")

    def can(self, access: Access, action: str, obj: Risk) -> bool:
        # A declared conflict of interest keeps the person out of rating, whatever their roles.
        if action == "rate" and conflicted(access.user, obj):
            return False
        return super().can(access, action, obj)

    def rule(self, access: Access, action: str, obj: Risk) -> bool:
        if not _authenticated(access):
            return False
        user = access.user
        owner = access.has(OWN) and obj.owner_id == getattr(user, "pk", None)
        if action == "report" and owner:
            return True
        if action not in ("view", "rate", "report"):
            return False
        family = [p.pk for p in process_ancestors(obj.process)]
        with scopes_disabled():
            offices = set(obj.offices.values_list("pk", flat=True))
        mine = set(own_divisions(access)) & offices
        if has_grant(user, RATE, obj.cycle) or (access.has(OFFICE_RATE) and mine):
            return True
        if any(pk in family for pk in map(int, granted_ids(user, RATE, Process))):
            return True
        if action != "view":
            return False
        if owner or has_grant(user, VIEW, obj.cycle) or (access.has(OFFICE_VIEW) and mine):
            return True
        return any(pk in family for pk in map(int, granted_ids(user, VIEW, Process)))

    def rule_filter(self, access: Access) -> Q:
        if not _authenticated(access):
            return Q(pk__in=[])
        user = access.user
        query = Q(pk__in=[])
        if access.has(OWN):
            query |= Q(owner=user)
        grants = risk_grants(user)
        cycles = grants.get((RATE, "cycle"), []) + grants.get((VIEW, "cycle"), [])
        if cycles:
            query |= Q(cycle_id__in=cycles)
        processes = grants.get((RATE, "process"), []) + grants.get((VIEW, "process"), [])
        if processes:
            query |= Q(process_id__in=process_family(processes))
        if access.has(OFFICE_VIEW) or access.has(OFFICE_RATE):
            divisions = own_divisions(access)
            if divisions:
                query |= Q(offices__in=divisions)
        return query & Q(organization=access.organization)


class ProcessPolicy(ObjectPolicy[Process]):
    """The catalogue: read by anyone who works on risks; changed by the library's keepers.
    `risks.register.view` and `risks.risk.rate` can be given on one process."""

    model = Process
    actions: ClassVar[Mapping[str, str]] = {
        "view": LIBRARY,
        "edit": LIBRARY,
        "read_risks": VIEW,
        "rate": RATE,
    }
    denied_message = _("You may read the process catalogue, not change it.")

    def rule(self, access: Access, action: str, obj: Process) -> bool:
        return action == "view" and works_on_risks(access)

    def rule_filter(self, access: Access) -> Q:
        return Q(organization=access.organization) if works_on_risks(access) else Q(pk__in=[])


class MatrixPolicy(ObjectPolicy[Matrix]):
    model = Matrix
    actions: ClassVar[Mapping[str, str]] = {"view": LIBRARY, "edit": LIBRARY}
    denied_message = _("You may read the risk matrices, not change them.")

    def rule(self, access: Access, action: str, obj: Matrix) -> bool:
        return action == "view" and works_on_risks(access)

    def rule_filter(self, access: Access) -> Q:
        return Q(organization=access.organization) if works_on_risks(access) else Q(pk__in=[])
