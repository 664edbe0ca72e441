"""How the results of arusha.surveys.results read on screens, in exports and in the report.

Every figure shown comes from a results.Cell, already suppressed by the analysis: this
module only words it. A suppressed cell reads "fewer than k" (k being the survey's
smallest cell) and never a count; a cell hidden so that a small one cannot be found by
subtraction reads the same, so that nobody can tell which of two hidden cells is the
small one. Numbers are written as documents.numbers writes them (a point for decimals,
rounded half-up), the same on the page, in the PDF and in the exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.documents import numbers
from arusha.frameworks.factors import FACTOR_NAMES, FACTORS
from arusha.surveys.models import Choice, Item, ItemRole, RespondentGroup, Survey, Wave
from arusha.surveys.results import EVERYONE, OVERALL, Cell, Difference, Table

DECIMALS = 1
ANY = ""  # a breakdown value standing for every value of its item (analysis.ANY)


def language() -> str:
    return (get_language() or "en").split("-")[0]


def _pack_titles() -> dict[str, dict[str, str]]:
    """The key factors' titles from the built-in framework pack, when it is loaded."""
    from arusha.frameworks import selectors

    version = selectors.version_list().filter(is_builtin=True).first()
    if version is None:
        return {}
    return {area.code: area.title for area in selectors.area_list(version) if isinstance(area.title, dict)}


class Labels:
    """The names of factors and groups in the reader's language, read once per page or file."""

    def __init__(self, survey: Survey, wave: Wave | None = None) -> None:
        self.language = language()
        self._titles = _pack_titles()
        self._items: dict[str, str] = {}
        self._bands: dict[tuple[str, str], str] = {}
        # Callers have checked access to the survey; the worker and KPIs read outside a request.
        with scopes_disabled():
            self._read(survey, wave)

    def _read(self, survey: Survey, wave: Wave | None) -> None:
        self._groups = {group.code: group for group in RespondentGroup.objects.filter(survey=survey)}
        if wave is not None:
            version = wave.questionnaire
            lists: dict[str, str] = {}
            for item in Item.objects.filter(questionnaire=version, role=ItemRole.DEMOGRAPHIC):
                self._items[item.name] = item.label(self.language)
                lists[item.choice_list] = item.name
            for choice in Choice.objects.filter(questionnaire=version, list_name__in=list(lists)):
                text = choice.labels.get(self.language) or choice.labels.get("en") or choice.name
                self._bands[(lists[choice.list_name], choice.name)] = str(text)

    def item(self, name: str) -> str:
        return self._items.get(name, name)

    def band(self, item: str, value: str) -> str:
        if value == ANY:
            return _("all")
        return self._bands.get((item, value), value)

    def bands(self, by: Sequence[str], breakdown: Sequence[str]) -> list[str]:
        """The breakdown values of a cell as read, one per item of `by`: "all" for a total or a margin."""
        values = list(breakdown) or [ANY] * len(by)
        return [self.band(item, value) for item, value in zip(by, values, strict=False)]

    def factor(self, code: str) -> str:
        if code == OVERALL:
            return _("Overall index")
        # The built-in framework pack's own titles (in its languages) win over ours.
        title = self._titles.get(code)
        if title:
            return str(title.get(self.language) or title.get("en") or next(iter(title.values())))
        return str(FACTOR_NAMES.get(code, code))

    def factor_with_code(self, code: str) -> str:
        return self.factor(code) if code == OVERALL else f"{code} {self.factor(code)}"

    def group(self, code: str) -> str:
        if code == EVERYONE:
            return _("Everyone")
        group = self._groups.get(code)
        return group.label(self.language) if group is not None else code

    def is_subgroup(self, code: str) -> bool:
        group = self._groups.get(code)
        return group is not None and group.parent_id is not None


def figure(value: float | None, *, percent: bool = False) -> str:
    """An index (0-100, one decimal) or a share ("12.5 %"); "—" when there is none."""
    return numbers.format_value(value, decimals=DECIMALS, value_format="percent" if percent else "number")


def fewer_than(k: int) -> str:
    return _("fewer than %(k)d") % {"k": k}


def suppressed_export(k: int) -> str:
    """What an export writes instead of a hidden cell's figures (text, never a number of its own)."""
    return _("suppressed (n < %(k)d)") % {"k": k}


def heat_class(cell: Cell | None) -> str:
    """A CSS class per fifth of the 0-100 scale (the CSP refuses inline colours)."""
    if cell is None or cell.suppressed or cell.index is None:
        return "heat-none"
    return f"heat-{min(int(cell.index // 20), 4)}"


def interval(cell: Cell) -> str:
    if cell.ci_low is None or cell.ci_high is None:
        return "—"
    return f"{figure(cell.ci_low)} \u2013 {figure(cell.ci_high)}"  # an en dash between the bounds


@dataclass(frozen=True)
class Shown:
    """One cell as a reader sees it: every text ready, or the one "fewer than k"."""

    cell: Cell | None
    k: int

    @property
    def hidden(self) -> bool:
        return self.cell is not None and self.cell.suppressed

    @property
    def css(self) -> str:
        return heat_class(self.cell)

    @property
    def index(self) -> str:
        if self.cell is None:
            return "—"
        return fewer_than(self.k) if self.cell.suppressed else figure(self.cell.index)

    @property
    def n(self) -> str:
        if self.cell is None:
            return "—"
        if self.cell.suppressed:
            return fewer_than(self.k)
        return str(self.cell.n) if self.cell.n is not None else "—"

    @property
    def interval(self) -> str:
        if self.cell is None or self.cell.suppressed:
            return ""
        return interval(self.cell)

    @property
    def dont_know(self) -> str:
        if self.cell is None or self.cell.suppressed:
            return ""
        return figure(self.cell.dont_know, percent=True)

    @property
    def favourable(self) -> str:
        if self.cell is None or self.cell.suppressed:
            return ""
        return figure(self.cell.favourable, percent=True)


@dataclass(frozen=True)
class Row:
    """A row of the heat map: one group (and one value of each breakdown), a cell per factor."""

    group: str
    label: str
    breakdown: tuple[str, ...]
    bands: list[str]  # the breakdown values as read, in `Table.by` order
    subgroup: bool
    cells: list[tuple[str, Shown]]  # (factor, cell)


def heat_rows(table: Table, labels: Labels) -> list[Row]:
    """Rows group by group (then breakdown values), columns factor by factor, overall last."""
    breakdowns = _breakdowns(table)
    factors = ordered_factors(table.factors)
    # Table.cell looks through every cell; with two breakdowns that is a thousand cells a call.
    index = {(cell.factor, cell.group, cell.breakdown): cell for cell in table.cells}
    rows = []
    for group in table.groups:
        for breakdown in breakdowns:
            cells = [(factor, Shown(index.get((factor, group, breakdown)), table.k)) for factor in factors]
            if all(shown.cell is None for _factor, shown in cells):
                continue
            bands = labels.bands(table.by, breakdown)
            rows.append(Row(group, labels.group(group), breakdown, bands, labels.is_subgroup(group), cells))
    return rows


def _breakdowns(table: Table) -> list[tuple[str, ...]]:
    seen: dict[tuple[str, ...], None] = {}
    for cell in table.cells:
        seen.setdefault(cell.breakdown, None)
    return sorted(seen) if seen else [()]


def ordered_factors(factors: Iterable[str]) -> list[str]:
    """KF1 … KF10, then the overall index."""
    listed = list(factors)
    known = [code for code in FACTORS if code in listed]
    return (
        known
        + [code for code in listed if code not in known and code != OVERALL]
        + ([OVERALL] if OVERALL in listed else [])
    )


def all_suppressed(table: Table) -> bool:
    return bool(table.cells) and all(cell.suppressed for cell in table.cells)


@dataclass(frozen=True)
class Change:
    """One row of the wave-on-wave comparison, as read."""

    factor: str
    group: str
    earlier: Shown
    later: Shown
    difference: str
    q: str
    significant: bool


def changes(differences: Sequence[Difference], k: int) -> list[Change]:
    rows = []
    for diff in differences:
        hidden = diff.suppressed
        rows.append(
            Change(
                factor=diff.factor,
                group=diff.group,
                earlier=Shown(diff.earlier, k),
                later=Shown(diff.later, k),
                difference="" if hidden or diff.difference is None else signed(diff.difference),
                q="" if hidden or diff.q is None else p_value(diff.q),
                significant=diff.significant and not hidden,
            )
        )
    return rows


def signed(value: float) -> str:
    text = figure(value)
    return text if text.startswith("-") or text == "0.0" else f"+{text}"


def p_value(value: float) -> str:
    return "< 0.001" if value < 0.001 else numbers.format_value(value, decimals=3, value_format="number")


def wave_label(wave: Wave) -> str:
    return f"{wave.name} ({_('round %(number)d') % {'number': wave.number}})"
