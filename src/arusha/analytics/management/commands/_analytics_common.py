"""What the analytics commands share: the organization, progress lines, the quality report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from arusha.analytics.engine.quality import GATES
from arusha.core.jobs import Progress
from arusha.core.models import Organization


def organization_of(slug: str) -> Organization:
    """The organization with this slug; an unknown one stops the command."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(f"No organization has the slug {slug!r}.")
    return organization


def progress_printer(out: OutputWrapper) -> Progress:
    """A progress callback that prints one line per step."""

    def report(done: int, total: int, message: str) -> None:
        if message:
            out.write(f"  [{done}/{total}] {message}")

    return report


def quality_lines(quality: dict[str, Any]) -> list[str]:
    """The import's quality report as lines: per table, rows read, kept and excluded per gate."""
    lines = [f"  {'table':<16} {'read':>12} {'kept':>12}  excluded"]
    for table, report in quality.items():
        if not report.get("supplied"):
            lines.append(f"  {table:<16} {'—':>12} {'—':>12}  not supplied (empty)")
            continue
        excluded = report.get("excluded", {})
        columns = report.get("columns", {})
        parts = []
        for gate in GATES:
            if gate in excluded:
                detail = ", ".join(f"{column} {count:,}" for column, count in columns.get(gate, {}).items())
                parts.append(f"{gate} {excluded[gate]:,}" + (f" ({detail})" if detail else ""))
        counts = f"{report.get('read', 0):>12,} {report.get('kept', 0):>12,}"
        lines.append(f"  {table:<16} {counts}  {'; '.join(parts) or 'none'}")
    return lines
