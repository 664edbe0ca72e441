"""The rows of an imported register workbook checked against the cycle, before anything is written.

`check(actor, cycle, parsed)` looks up, in a few queries, the cycle's risks, the process
catalogue and its scope, the organization's members and offices, and the actor's declared
conflicts; then it checks every row of the three sheets and says, for each row of the
Register sheet, what must change: nothing, the description, the offices, the ratings,
the controls, the treatments. Every problem is listed by sheet, row and column, all at
once (arusha.risks.workbook.Errors); services/register_io.py writes only when there is none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.access import Access, membership_permissions, policy_for
from arusha.core.models import Division, Membership, User
from arusha.frameworks.factors import FACTORS
from arusha.risks.access import OWN, RATE, authorize_risk, process_family
from arusha.risks.appetite import scale_of
from arusha.risks.matrices import Scale
from arusha.risks.models import (
    RESTRICTED_FIELDS,
    STAGES,
    Control,
    Cycle,
    CycleMember,
    Process,
    Risk,
    Treatment,
)
from arusha.risks.vocabulary import (
    ControlKind,
    CorruptionType,
    CycleStatus,
    Decision,
    Effectiveness,
    Knowledge,
    RiskFactor,
    TreatmentStatus,
)
from arusha.risks.workbook import Errors, Parsed, Row

# The cycle's steps in which ratings may change (as services.register.risk_rate says).
RATING_STEPS = (CycleStatus.RATING, CycleStatus.TREATMENT, CycleStatus.MONITORING)
Ratings = dict[str, tuple[int | None, int | None]]


@dataclass
class Wanted:
    """What one row of the Register sheet asks for, checked, and how it differs from the risk.

    For a new risk (`risk` None) `values` holds every value; for a risk of the cycle, only
    those that change. `offices` and `ratings` are None when they do not change.
    """

    row: Row
    risk: Risk | None
    values: dict[str, Any]
    offices: list[Division] | None
    ratings: Ratings | None
    knowledge: str
    controls: list[dict[str, Any]] = field(default_factory=list)
    treatments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return str(self.row.values["code"])


@dataclass
class _Lookups:
    access: Access
    scale: Scale | None
    existing: dict[str, Risk]
    processes: dict[str, Process]
    in_scope: set[int]
    conflicts: set[int]
    members: dict[str, tuple[User, frozenset[str]]]
    by_code: dict[str, Division]
    by_name: dict[str, list[Division]]

    def ancestors(self, process: Process) -> set[int]:
        by_pk = {p.pk: p for p in self.processes.values()}
        found: set[int] = set()
        current: Process | None = process
        while current is not None and current.pk not in found:
            found.add(current.pk)
            current = by_pk.get(current.parent_id) if current.parent_id else None
        return found


def _lookups(actor: User, access: Access, cycle: Cycle) -> _Lookups:
    organization = cycle.organization
    with scopes_disabled():
        existing = {
            risk.code: risk
            for risk in Risk.objects.filter(cycle=cycle)
            .select_related("process", "owner", "cycle__organization", "cycle__matrix")
            .prefetch_related(
                "offices",
                Prefetch("controls", queryset=Control.objects.order_by("position", "id")),
                Prefetch("treatments", queryset=Treatment.objects.order_by("position", "id")),
            )
        }
        processes = {p.code: p for p in Process.objects.filter(organization=organization)}
        in_scope = set(process_family([p.pk for p in cycle.processes.all()]))
        conflicts = set(
            CycleMember.objects.filter(
                cycle=cycle, user=actor, active=True, conflicts__isnull=False
            ).values_list("conflicts", flat=True)
        )
        members = {
            m.user.email.lower(): (m.user, membership_permissions(m))
            for m in Membership.objects.filter(organization=organization, is_active=True).select_related(
                "user"
            )
        }
        divisions = list(Division.objects.filter(organization=organization))
    by_name: dict[str, list[Division]] = defaultdict(list)
    for division in divisions:
        by_name[division.name.casefold()].append(division)
    by_code = {d.code.casefold(): d for d in divisions if d.code}
    return _Lookups(
        access, scale_of(cycle), existing, processes, in_scope, conflicts, members, by_code, by_name
    )


def _ordered(values: list[str], allowed: Sequence[str]) -> list[str] | None:
    """The codes in the vocabulary's order, once each (as the services keep them); None if one is unknown."""
    if set(values) - set(allowed):
        return None
    return sorted(set(values), key=list(allowed).index)


def _differs(risk: Risk, key: str, value: Any) -> bool:
    if key == "process":
        return bool(risk.process_id != value.pk)
    if key == "owner":
        return risk.owner_id != (value.pk if value is not None else None)
    return bool(getattr(risk, key) != value)


def _rated(risk: Risk | None) -> Ratings:
    return {
        stage: (getattr(risk, f"{stage}_likelihood", None), getattr(risk, f"{stage}_impact", None))
        for stage in STAGES
    }


class _Checker:
    def __init__(self, cycle: Cycle, look: _Lookups, errors: Errors) -> None:
        self.cycle = cycle
        self.look = look
        self.errors = errors

    def error(self, row: Row, column: str | None, message: str) -> None:
        self.errors.add(row.sheet, row.number, column, message)

    def codes(self, row: Row, key: str, allowed: Sequence[str], what: str) -> list[str]:
        given = row.values.get(key) or []
        found = _ordered(given, allowed)
        if found is None:
            unknown = sorted(set(given) - set(allowed))
            self.error(
                row,
                key,
                _("unknown %(what)s: %(codes)s (the About sheet lists the codes).")
                % {"what": what, "codes": ", ".join(code[:30] for code in unknown[:10])},
            )
            return []
        return found

    def choice(self, row: Row, key: str, allowed: Sequence[str]) -> str:
        value = row.values.get(key) or ""
        if value not in allowed:
            self.error(
                row,
                key,
                _("“%(value)s” is not one of: %(codes)s.")
                % {"value": value[:30], "codes": ", ".join(code for code in allowed if code)},
            )
        return value

    def member(self, row: Row, key: str) -> User | None:
        email = (row.values.get(key) or "").lower()
        if not email:
            return None
        found = self.look.members.get(email)
        if found is None:
            self.error(
                row,
                key,
                _("“%(email)s” is not an active member of the organization.") % {"email": email[:80]},
            )
            return None
        return found[0]

    def offices(self, row: Row) -> list[Division]:
        chosen: list[Division] = []
        for name in row.values.get("offices") or []:
            division = self.look.by_code.get(name.casefold())
            named = self.look.by_name.get(name.casefold(), [])
            if division is None and len(named) > 1:
                self.error(
                    row,
                    "offices",
                    _("several offices are named “%(name)s”: give its code.") % {"name": name[:60]},
                )
            elif division is None and not named:
                self.error(
                    row, "offices", _("no office has the code or name “%(name)s”.") % {"name": name[:60]}
                )
            else:
                division = division or named[0]
                if division not in chosen:
                    chosen.append(division)
        return chosen

    def process(self, row: Row) -> Process | None:
        code = row.values.get("process") or ""
        process = self.look.processes.get(code)
        if process is None:
            if code:
                self.error(
                    row,
                    "process",
                    _("no process of the catalogue has the code “%(code)s”.") % {"code": code[:30]},
                )
        elif process.pk not in self.look.in_scope:
            self.error(
                row,
                "process",
                _("the process %(code)s is not within the assessment's scope.") % {"code": process.code},
            )
        elif self.look.conflicts & self.look.ancestors(process):
            self.error(row, "process", _("you declared a conflict of interest on this process."))
        else:
            return process
        return None

    def ratings(self, row: Row) -> Ratings:
        scale = self.look.scale
        ratings: Ratings = dict.fromkeys(STAGES, (None, None))
        if scale is None:
            self.error(row, None, _("the assessment has no risk matrix yet."))
            return ratings
        limits = dict(zip(("likelihood", "impact"), scale.size, strict=True))
        for stage in STAGES:
            pair: list[int | None] = []
            for part in ("likelihood", "impact"):
                key = f"{stage}_{part}"
                rank = row.values.get(key)
                if rank is not None and not 1 <= rank <= limits[part]:
                    self.error(
                        row,
                        key,
                        _("choose a rank from 1 to %(n)s (the About sheet lists them).")
                        % {"n": limits[part]},
                    )
                pair.append(rank)
            likelihood, impact = pair
            if (likelihood is None) != (impact is None):
                missing = f"{stage}_impact" if impact is None else f"{stage}_likelihood"
                self.error(row, missing, _("give both likelihood and impact, or neither."))
            ratings[stage] = (likelihood, impact)
        return ratings

    def risk(self, row: Row) -> Wanted | None:
        """The Register row checked; None when it has a problem (listed in the errors)."""
        before = len(self.errors.messages)
        v = row.values
        risk = self.look.existing.get(v.get("code") or "")
        if risk is not None:
            policy = policy_for(Risk)
            if not (policy.can_view(self.look.access, risk) and policy.can(self.look.access, "rate", risk)):
                self.error(row, "code", _("this code belongs to a risk you may not change."))
                return None
        process = self.process(row)
        values: dict[str, Any] = {
            "title": v.get("title"),
            "process": process,
            **{name: v.get(name) for name in RESTRICTED_FIELDS},
            "corruption_types": self.codes(
                row, "corruption_types", CorruptionType.values, _("corruption types")
            ),
            "factors": self.codes(row, "factors", FACTORS, _("key factors")),
            "risk_factors": self.codes(row, "risk_factors", RiskFactor.values, _("risk factors")),
            "owner": self.member(row, "owner"),
            "decision": self.choice(row, "decision", Decision.values),
            "review_on": v.get("review_on"),
        }
        owner = values["owner"]
        if owner is not None and not ({OWN, RATE} & self.look.members[owner.email.lower()][1]):
            self.error(row, "owner", _("the owner must be a member who may own risks."))
        offices = self.offices(row)
        knowledge = self.choice(row, "knowledge", ["", *Knowledge.values])
        ratings = self.ratings(row)
        unread = any(values[key] is None for key in ("title", *RESTRICTED_FIELDS))
        if len(self.errors.messages) > before or process is None or unread:
            return None  # a formula or a text too long was listed when the sheet was read
        now = _rated(risk)
        rated = ratings != now or bool(knowledge and (risk is None or knowledge != risk.knowledge))
        if risk is None:
            wanted = Wanted(row, None, values, offices, ratings if rated else None, knowledge)
        else:
            changed = {key: value for key, value in values.items() if _differs(risk, key, value)}
            same_offices = {d.pk for d in offices} == {d.pk for d in risk.offices.all()}
            wanted = Wanted(
                row, risk, changed, None if same_offices else offices, ratings if rated else None, knowledge
            )
        if wanted.ratings is not None and self.cycle.status not in RATING_STEPS:
            first = next((stage for stage in STAGES if ratings[stage] != now[stage]), None)
            self.error(
                row,
                f"{first}_likelihood" if first else "knowledge",
                _(
                    "ratings change only while the assessment is at rating, treatment planning or "
                    "monitoring; it is at %(step)s. Leave the ratings as they were exported."
                )
                % {"step": self.cycle.get_status_display()},
            )
            return None
        return wanted

    def control(self, row: Row) -> dict[str, Any] | None:
        before = len(self.errors.messages)
        values = {
            "kind": self.choice(row, "kind", ControlKind.values) if row.values.get("kind") else "",
            "description": row.values.get("description"),
            "design": self.choice(row, "design", Effectiveness.values),
            "operation": self.choice(row, "operation", Effectiveness.values),
        }
        if len(self.errors.messages) > before or not values["kind"] or not values["description"]:
            return None
        return values

    def treatment(self, row: Row) -> dict[str, Any] | None:
        before = len(self.errors.messages)
        row.values["status"] = row.values.get("status") or TreatmentStatus.PLANNED
        values = {
            "title": row.values.get("title"),
            "description": row.values.get("description"),
            "owner": self.member(row, "owner"),
            "due_on": row.values.get("due_on"),
            "status": self.choice(row, "status", TreatmentStatus.values),
        }
        if len(self.errors.messages) > before or not values["title"] or values["description"] is None:
            return None
        return values


def check(actor: User, cycle: Cycle, parsed: Parsed) -> list[Wanted]:
    """Every row of the workbook checked; the Register's rows with what each must change.

    Problems are added to `parsed.errors`; the caller writes nothing when there is one.
    """
    access = authorize_risk(actor, "rate", cycle)
    look = _lookups(actor, access, cycle)
    checker = _Checker(cycle, look, parsed.errors)
    wanted: dict[str, Wanted] = {}
    seen: dict[str, int] = {}
    for row in parsed.register:
        code = row.values.get("code") or ""
        if code in seen:
            checker.error(
                row,
                "code",
                _("the code %(code)s is already on row %(row)s.") % {"code": code, "row": seen[code]},
            )
            continue
        if code:
            seen[code] = row.number
        checked = checker.risk(row)
        if checked is not None:
            wanted[code] = checked
    for sheet_rows, read, kind in (
        (parsed.controls, checker.control, "controls"),
        (parsed.treatments, checker.treatment, "treatments"),
    ):
        for row in sheet_rows:
            values = read(row)
            code = row.values.get("risk")
            if code and code not in seen:
                checker.error(
                    row,
                    "risk",
                    _("no row of the Register sheet has the code “%(code)s”.") % {"code": code[:20]},
                )
            elif values is not None and code in wanted:
                getattr(wanted[code], kind).append(values)
    return list(wanted.values())
