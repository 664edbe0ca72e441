"""Reads of the risk register: its rows, one risk with all that hangs from it, the choices of its forms.

`register_rows(cycle, access, filters)` is the register as a list of plain rows, built in
a fixed number of queries whatever the number of risks (no query per row: the owner is
joined, offices prefetched, counts annotated, levels read from the matrix held in
memory, process ancestors walked in a map of the catalogue loaded once). The restricted
texts (who, with whom, what, how, benefit, notes) are not even read unless asked for
(`with_text=True`): decrypting them is the slow part, and most screens never show them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import CharField, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled

from arusha.core.access import Access, membership_permissions, policy_for
from arusha.core.models import Membership, Organization, User
from arusha.core.permissions import preset_permissions
from arusha.frameworks.factors import factor_label
from arusha.planning import selectors as planning_selectors
from arusha.risks.access import OWN, RATE, RiskPolicy
from arusha.risks.appetite import scale_of, standing
from arusha.risks.matrices import Level, Scale, localized
from arusha.risks.models import (
    RESTRICTED_FIELDS,
    STAGES,
    Acceptance,
    Control,
    Cycle,
    Process,
    RatingSnapshot,
    Risk,
    Scenario,
    Treatment,
)
from arusha.risks.selectors.acceptances import acceptance_state
from arusha.risks.selectors.base import one_or_404
from arusha.risks.vocabulary import (
    CorruptionType,
    Decision,
    Knowledge,
    RiskFactor,
    RiskStatus,
    Stage,
    TreatmentStatus,
)

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan

# What the impact dimensions of the presets are called (a matrix may name others: shown by code).
DIMENSION_LABELS = {
    "revenue": gettext_lazy("Revenue"),
    "trade": gettext_lazy("Trade facilitation"),
    "trust": gettext_lazy("Public trust"),
    "security": gettext_lazy("Security"),
    "legal": gettext_lazy("Legal"),
    "staff": gettext_lazy("Staff"),
}
SORTS = ("code", "level", "title")


@dataclass(frozen=True)
class LevelCell:
    """One stage's rating as a screen shows it; `severity` is -1 when the stage is not rated."""

    stage: str
    likelihood: int | None
    impact: int | None
    code: str
    label: str
    colour: str
    severity: int

    @property
    def rated(self) -> bool:
        return bool(self.code)


@dataclass(frozen=True)
class RiskText:
    who: str
    with_whom: str
    what: str
    how: str
    benefit: str
    notes: str


@dataclass(frozen=True)
class RegisterRow:
    pk: int
    code: str
    title: str
    process_id: int
    process_code: str
    process_name: str
    inherent: LevelCell
    current: LevelCell
    target: LevelCell
    owner_id: int | None
    owner_name: str
    decision: str
    decision_label: str
    status: str
    status_label: str
    knowledge: str
    knowledge_label: str
    review_on: datetime.date | None
    treatments: int
    controls: int
    above_appetite: bool
    zero_tolerance: str
    corruption_types: tuple[str, ...]
    factors: tuple[str, ...]
    risk_factors: tuple[str, ...]
    offices: tuple[str, ...]
    # The restricted texts, only when asked for (`with_text=True`).
    text: RiskText | None = None


@dataclass(frozen=True)
class RegisterFilters:
    process: int | None = None
    level: str = ""
    owner: int | None = None
    above: bool | None = None
    status: str = ""
    sort: str = "code"


def _cell(
    levels: Mapping[str, Level], stage: str, likelihood: int | None, impact: int | None, code: str | None
) -> LevelCell:
    code = str(code or "")
    level = levels.get(code)
    return LevelCell(
        stage=stage,
        likelihood=likelihood,
        impact=impact,
        code=code,
        label=level.label if level is not None else code,
        colour=level.colour if level is not None else "",
        severity=level.severity if level is not None else -1,
    )


def level_cells(scale: Scale | None, risk: Risk | RatingSnapshot) -> dict[str, LevelCell]:
    levels = {level.code: level for level in scale.levels()} if scale is not None else {}
    return {
        stage: _cell(
            levels,
            stage,
            getattr(risk, f"{stage}_likelihood"),
            getattr(risk, f"{stage}_impact"),
            getattr(risk, f"{stage}_level"),
        )
        for stage in STAGES
    }


def _ancestor_codes(processes: Mapping[int, Process], pk: int) -> list[str]:
    codes: list[str] = []
    current: int | None = pk
    while current is not None and current in processes and len(codes) < 20:
        codes.append(processes[current].code)
        current = processes[current].parent_id
    return codes


def _family(processes: Mapping[int, Process], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for process in processes.values():
        children.setdefault(process.parent_id, []).append(process.pk)
    found, waiting = {root}, [root]
    while waiting:
        for child in children.get(waiting.pop(), []):
            if child not in found:
                found.add(child)
                waiting.append(child)
    return found


def _labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


# What a row reads of each risk (no object is built per risk: a dict per row is much cheaper).
_ROW_FIELDS = (
    "pk",
    "code",
    "title",
    "process_id",
    "owner_id",
    "decision",
    "status",
    "knowledge",
    "review_on",
    "corruption_types",
    "factors",
    "risk_factors",
    *(f"{stage}_{part}" for stage in STAGES for part in ("likelihood", "impact", "level")),
)


@dataclass(frozen=True)
class _Standing:
    """What `appetite.standing` reads of a risk, when the caller has its process codes."""

    corruption_types: list[str]
    current_level: str


@dataclass(frozen=True)
class Register:
    """Every risk of the cycle the person may see (sorted by code), and the filters' choices they offer."""

    rows: list[RegisterRow]
    # The owners and the processes of those risks (with the processes above them), as choices.
    owners: list[tuple[int, str]]
    processes: list[tuple[int, str]]
    catalogue: dict[int, Process]

    def filtered(self, filters: RegisterFilters | None = None) -> list[RegisterRow]:
        """The rows that pass `filters`, in their order. In memory: every visible row is read
        anyway (the count, the appetite, the choices), so filtering costs no query."""
        filters = filters or RegisterFilters()
        rows = self.rows
        if filters.process is not None:
            family = _family(self.catalogue, filters.process)
            rows = [row for row in rows if row.process_id in family]
        if filters.level:
            rows = [row for row in rows if row.current.code == filters.level]
        if filters.owner is not None:
            rows = [row for row in rows if row.owner_id == filters.owner]
        if filters.status:
            rows = [row for row in rows if row.status == filters.status]
        if filters.above is not None:
            rows = [row for row in rows if row.above_appetite == filters.above]
        if filters.sort == "level":
            return sorted(rows, key=lambda row: (-row.current.severity, -row.inherent.severity, row.code))
        if filters.sort == "title":
            return sorted(rows, key=lambda row: (row.title.casefold(), row.code))
        return list(rows)


def register_rows(
    cycle: Cycle,
    access: Access,
    filters: RegisterFilters | None = None,
    *,
    with_text: bool = False,
) -> list[RegisterRow]:
    """The risks of the cycle the person may see, as rows, filtered and sorted (exports use it)."""
    return register_of(cycle, access, with_text=with_text).filtered(filters)


def register_of(
    cycle: Cycle, access: Access, *, with_text: bool = False, with_offices: bool = True
) -> Register:
    """Every risk of the cycle the person may see, in a fixed number of queries: the matrix, the
    catalogue, the access filter's grants, the risks (owner's name and counts annotated) and,
    unless told not to, their offices."""
    with scope(organization=cycle.organization_id):
        scale = scale_of(cycle)
        levels = {level.code: level for level in scale.levels()} if scale is not None else {}
        processes = {
            p.pk: p
            for p in Process.objects.filter(organization_id=cycle.organization_id).only(
                "pk", "parent_id", "code", "name", "position"
            )
        }
        risks = RiskPolicy().visible(access, Risk.objects.filter(cycle=cycle))
        live = Treatment.objects.filter(risk=OuterRef("pk")).exclude(status=TreatmentStatus.CANCELLED)
        controls = Control.objects.filter(risk=OuterRef("pk"))
        found = list(
            risks.annotate(
                owner_name=Coalesce(
                    NullIf(F("owner__full_name"), Value("")), F("owner__email"), output_field=CharField()
                ),
                treatment_count=_count(live),
                control_count=_count(controls),
            )
            .order_by("code")
            .values(
                *_ROW_FIELDS,
                "owner_name",
                "treatment_count",
                "control_count",
                *(RESTRICTED_FIELDS if with_text else ()),
            )
        )
        offices: dict[int, list[str]] = {}
        if with_offices and found:
            links = Risk.offices.through.objects.filter(risk_id__in=risks.values("pk"))
            for risk_id, name in links.values_list("risk_id", "division__name"):
                offices.setdefault(risk_id, []).append(name)
    decisions, statuses = _labels(Decision.choices), _labels(RiskStatus.choices)
    knowledge = _labels(Knowledge.choices)
    rows = []
    for risk in found:
        process = processes.get(risk["process_id"])
        position = (
            standing(
                cast(Risk, _Standing(risk["corruption_types"], risk["current_level"])),
                scale,
                _ancestor_codes(processes, risk["process_id"]),
            )
            if scale is not None
            else None
        )
        cells = {
            stage: _cell(
                levels, stage, risk[f"{stage}_likelihood"], risk[f"{stage}_impact"], risk[f"{stage}_level"]
            )
            for stage in STAGES
        }
        rows.append(
            RegisterRow(
                pk=risk["pk"],
                code=risk["code"],
                title=risk["title"],
                process_id=risk["process_id"],
                process_code=process.code if process is not None else "",
                process_name=process.name if process is not None else "",
                inherent=cells["inherent"],
                current=cells["current"],
                target=cells["target"],
                owner_id=risk["owner_id"],
                owner_name=risk["owner_name"] or "",
                decision=risk["decision"],
                decision_label=decisions.get(risk["decision"], risk["decision"]),
                status=risk["status"],
                status_label=statuses.get(risk["status"], risk["status"]),
                knowledge=risk["knowledge"],
                knowledge_label=knowledge.get(risk["knowledge"], "") if risk["knowledge"] else "",
                review_on=risk["review_on"],
                treatments=risk["treatment_count"],
                controls=risk["control_count"],
                above_appetite=bool(position and position.above),
                zero_tolerance=localized(position.zero_tolerance.label)
                if position is not None and position.zero_tolerance is not None
                else "",
                corruption_types=tuple(risk["corruption_types"]),
                factors=tuple(risk["factors"]),
                risk_factors=tuple(risk["risk_factors"]),
                offices=tuple(sorted(offices.get(risk["pk"], []))),
                text=RiskText(*(risk[name] or "" for name in RESTRICTED_FIELDS)) if with_text else None,
            )
        )
    rows.sort(key=lambda row: row.code)
    owners = sorted(
        {(row.owner_id, row.owner_name) for row in rows if row.owner_id is not None}, key=lambda o: o[1]
    )
    shown: set[int] = set()
    for row in rows:
        current: int | None = row.process_id
        while current is not None and current in processes and current not in shown:
            shown.add(current)
            current = processes[current].parent_id
    chosen = sorted((processes[pk] for pk in shown), key=lambda p: p.code)
    return Register(
        rows=rows,
        owners=owners,
        processes=[(p.pk, f"{p.code} · {p.name}") for p in chosen],
        catalogue=processes,
    )


def _count(rows: QuerySet[Any]) -> Coalesce:
    counted = rows.order_by().values("risk").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- One risk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    cell: LevelCell
    likelihood_label: str
    impact_label: str


@dataclass(frozen=True)
class AcceptanceRow:
    acceptance: Acceptance
    level_label: str
    state: str
    state_label: str


@dataclass(frozen=True)
class RiskPage:
    risk: Risk
    scale: Scale | None
    ratings: list[Rating]
    above_appetite: bool
    zero_tolerance: str
    corruption_types: list[str]
    factors: list[str]
    risk_factors: list[str]
    offices: list[str]
    snapshots: list[tuple[RatingSnapshot, dict[str, LevelCell]]]
    controls: list[Control]
    treatments: list[Treatment]
    acceptances: list[AcceptanceRow]


def risk_page(risk: Risk) -> RiskPage:
    """Everything the risk's page shows: scheme, ratings and their history, controls, treatments,
    acceptances; a fixed number of queries."""
    with scope(organization=risk.organization_id):
        scale = scale_of(risk.cycle)
        processes = {
            p.pk: p
            for p in Process.objects.filter(organization_id=risk.organization_id).only(
                "pk", "parent_id", "code", "name"
            )
        }
        position = standing(risk, scale, _ancestor_codes(processes, risk.process_id)) if scale else None
        cells = level_cells(scale, risk)
        ratings = [
            Rating(
                cell=cells[stage],
                likelihood_label=_rank_label(scale, "likelihood", cells[stage].likelihood),
                impact_label=_rank_label(scale, "impact", cells[stage].impact),
            )
            for stage in STAGES
        ]
        snapshots = [
            (snap, level_cells(scale, snap))
            for snap in RatingSnapshot.objects.filter(risk=risk).select_related("rated_by").order_by("-id")
        ]
        levels = {level.code: level.label for level in scale.levels()} if scale is not None else {}
        acceptances = [
            AcceptanceRow(a, levels.get(a.level, a.level), *acceptance_state(a))
            for a in Acceptance.objects.filter(risk=risk).select_related("submitted_by", "decided_by")
        ]
        types, risk_factors = _labels(CorruptionType.choices), _labels(RiskFactor.choices)
        return RiskPage(
            risk=risk,
            scale=scale,
            ratings=ratings,
            above_appetite=bool(position and position.above),
            zero_tolerance=localized(position.zero_tolerance.label)
            if position is not None and position.zero_tolerance is not None
            else "",
            corruption_types=[types.get(code, code) for code in risk.corruption_types],
            factors=[factor_label(code) for code in risk.factors],
            risk_factors=[risk_factors.get(code, code) for code in risk.risk_factors],
            offices=sorted(o.name for o in risk.offices.all()),
            snapshots=snapshots,
            controls=list(Control.objects.filter(risk=risk)),
            treatments=list(Treatment.objects.filter(risk=risk).select_related("owner", "activity")),
            acceptances=acceptances,
        )


def _rank_label(scale: Scale | None, axis: str, rank: int | None) -> str:
    if scale is None or rank is None:
        return ""
    rows, columns = scale.size
    if not 1 <= rank <= (rows if axis == "likelihood" else columns):
        return str(rank)
    label = scale.likelihood_label(rank) if axis == "likelihood" else scale.impact_label(rank)
    return f"{rank} · {label}"


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def control_of(risk: Risk, pk: int) -> Control:
    return one_or_404(Control, risk.organization_id, risk=risk, pk=pk)


def treatment_of(risk: Risk, pk: int) -> Treatment:
    return one_or_404(Treatment, risk.organization_id, related=["owner"], risk=risk, pk=pk)


def acceptance_of(risk: Risk, pk: int) -> Acceptance:
    return one_or_404(Acceptance, risk.organization_id, related=["submitted_by"], risk=risk, pk=pk)


# --- Choices of the forms -------------------------------------------------------------------


def processes_in_scope(cycle: Cycle) -> QuerySet[Process]:
    """The cycle's processes and those under them, in the catalogue's order (two queries)."""
    with scopes_disabled():
        roots = list(cycle.processes.values_list("pk", flat=True))
        catalogue = {
            p.pk: p
            for p in Process.objects.filter(organization_id=cycle.organization_id).only("pk", "parent_id")
        }
    family: set[int] = set()
    for root in roots:
        family |= _family(catalogue, root)
    return Process.objects.filter(organization_id=cycle.organization_id, pk__in=sorted(family)).order_by(
        "position", "code"
    )


def scenarios_for(cycle: Cycle) -> QuerySet[Scenario]:
    """The library's scenarios of the processes in the cycle's scope."""
    return (
        Scenario.objects.filter(process__in=processes_in_scope(cycle))
        .select_related("process")
        .order_by("process__position", "process__code", "position", "code")
    )


def scenario_for(cycle: Cycle, raw: str | None) -> Scenario | None:
    """The scenario named by a query parameter, if it is one of the cycle's scope (else None)."""
    if not raw or not str(raw).isdigit() or len(str(raw)) > 18:
        return None
    with scope(organization=cycle.organization_id):
        return scenarios_for(cycle).filter(pk=int(raw)).first()


def members_of(organization: Organization) -> QuerySet[User]:
    """The active members of the organization (a treatment's owner)."""
    with scopes_disabled():
        ids = list(
            Membership.objects.filter(organization=organization, is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return User.objects.filter(pk__in=ids).order_by("full_name")


def owner_candidates(organization: Organization) -> QuerySet[User]:
    """Members who may own a risk: those whose roles hold risks.risk.own or risks.risk.rate."""
    with scopes_disabled():
        memberships = list(Membership.objects.filter(organization=organization, is_active=True))
    ids = []
    for membership in memberships:
        presets = set().union(*(preset_permissions(r) for r in membership.roles if _is_preset(r)))
        permissions = (
            presets if all(_is_preset(r) for r in membership.roles) else membership_permissions(membership)
        )
        if {OWN, RATE} & set(permissions):
            ids.append(membership.user_id)
    return User.objects.filter(pk__in=ids).order_by("full_name")


def _is_preset(role: str) -> bool:
    from arusha.core.permissions import PresetRole

    return role in PresetRole.values


def editable_plans(organization: Organization, access: Access) -> list[ActionPlan]:
    """The action plans a treatment may go into: drafts (an adopted plan is frozen) the person may change."""
    with scope(organization=organization):
        plans = planning_selectors.plan_list(organization, access).exclude(
            status=planning_selectors.PLAN_ADOPTED
        )
        return [plan for plan in plans if policy_for(plan).can(access, "edit", plan)]
