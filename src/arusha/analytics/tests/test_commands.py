"""The commands of scheduled analytics: generate, import and run without the web interface."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from arusha.analytics.models import Dataset, Run, Signal
from arusha.analytics.tests.import_support import TABLES as ROWS
from arusha.analytics.tests.import_support import export
from arusha.analytics.vocabulary import DatasetStatus, RunStatus


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_generate_then_run_store_the_signals_and_write_the_files(cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slug = cast.customs.slug
    printed = _call(
        "analytics_generate", "--organization", slug, "--declarations", "2000", "--seed", "4", "--null"
    )
    assert "is ready" in printed and "declarations" in printed and "[0/" in printed
    with scopes_disabled():
        dataset = Dataset.objects.get(organization=cast.customs)
    assert dataset.status == DatasetStatus.READY and dataset.title.endswith("null")
    out = tmp_path / "out"
    printed = _call(
        "analytics_run", "--organization", slug, "--latest", "--engine", "duckdb", "--out", str(out)
    )
    with scopes_disabled():
        run = Run.objects.get(dataset=dataset)
        stored = Signal.objects.filter(run=run).count()
    assert run.status == RunStatus.DONE and run.requested_by is None and stored == run.rows > 0
    assert f"{run.rows:,} signals stored" in printed and str(out / "signals.csv") in printed
    assert pq.read_table(out / "signals.parquet").num_rows >= run.rows


def test_import_prints_the_quality_report(cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    items = [*ROWS["items"], {**ROWS["items"][0], "declaration_id": "NOWHERE"}]
    source = export(tmp_path / "src", items=items)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("defaults:\n  decimal: '.'\n", encoding="utf-8")
    printed = _call(
        "analytics_import", str(source), "--organization", cast.customs.slug, "--mapping", str(mapping)
    )
    assert "orphan 1 (declaration_id 1)" in printed
    items_line = next(line for line in printed.splitlines() if line.strip().startswith("items"))
    assert items_line.split()[1:3] == ["4", "3"]
    with scopes_disabled():
        dataset = Dataset.objects.get(organization=cast.customs)
    assert dataset.status == DatasetStatus.READY and dataset.created_by is None


def test_a_refused_import_exits_with_the_reason(cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = export(tmp_path / "src", declarations=None)
    with pytest.raises(CommandError, match=r"declarations\.csv or declarations\.parquet"):
        _call("analytics_import", str(source), "--organization", cast.customs.slug)
    with scopes_disabled():
        assert Dataset.objects.get(organization=cast.customs).status == DatasetStatus.FAILED


def test_the_commands_refuse_an_unknown_organization_or_dataset(cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="No organization has the slug 'nowhere'"):
        _call("analytics_import", str(export(tmp_path / "src")), "--organization", "nowhere")
    with pytest.raises(CommandError, match="No organization"):
        _call("analytics_generate", "--organization", "nowhere", "--declarations", "2000")
    with pytest.raises(CommandError, match="has no ready dataset"):
        _call("analytics_run", "--organization", cast.customs.slug)
    _call("analytics_import", str(export(tmp_path / "src")), "--organization", cast.customs.slug)
    with scopes_disabled():
        dataset = Dataset.objects.get(organization=cast.customs)
    with pytest.raises(CommandError, match="has no dataset"):
        _call("analytics_run", "--organization", cast.other.slug, "--dataset", str(dataset.pk))
