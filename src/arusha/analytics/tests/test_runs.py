"""Runs of the catalogue through their services: in the worker, one at a time, all or nothing, the output."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scopes_disabled
from tests.analytics import Field, field

from arusha.analytics import storage
from arusha.analytics.models import Dataset, Review, Run, Signal
from arusha.analytics.services import runs
from arusha.analytics.services.imports import dataset_generate_now
from arusha.analytics.vocabulary import RunStatus
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, BackgroundJob, JobStatus


def _dataset(place: Field, seed: int = 5) -> Dataset:
    return dataset_generate_now(
        actor=place.analyst, organization=place.organization, title="Synthetic", declarations=2000, seed=seed
    )


def _actions(run: Run) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(object_id=str(run.pk), action__startswith="arusha.analytics.run")
            .order_by("pk")
            .values_list("action", flat=True)
        )


def test_a_requested_run_computes_and_stores_the_signals_in_the_worker(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _dataset(place)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.run_request(actor=place.analyst, dataset=dataset, engine="duckdb", language="en")
        assert run.status == RunStatus.QUEUED
    with scopes_disabled():
        run.refresh_from_db()
        stored = Signal.objects.filter(run=run).count()
        reviews = Review.objects.filter(signal__run=run).count()
        # Context indicators (tenure) are flagged but open no review.
        to_review = Signal.objects.filter(run=run, flag=True).exclude(indicator="TENURE").count()
        job = BackgroundJob.objects.get(kind=runs.RUN_KIND, object_id=str(run.pk))
    assert run.status == RunStatus.DONE and run.error == "" and run.finished_at is not None
    assert run.rows == stored > 0 and run.flagged >= reviews == to_review
    assert {"HIT_RATE", "ASSIGN_EXCESS", "BENFORD"} <= set(run.catalogue)
    assert run.seconds is not None and run.seconds > 0 and "total" in run.timings
    assert sorted(path.name for path in storage.run_folder(run).iterdir()) == [
        "signals.csv",
        "signals.parquet",
    ]
    assert job.status == JobStatus.DONE and job.result_data["signals"] == stored
    assert _actions(run) == ["arusha.analytics.run.requested", "arusha.analytics.run.finished"]


def test_a_double_click_makes_one_run(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _dataset(place)
    with django_capture_on_commit_callbacks(execute=False):
        first = runs.run_request(actor=place.analyst, dataset=dataset, engine="duckdb", language="en")
        second = runs.run_request(actor=place.officer, dataset=dataset, engine="duckdb", language="en")
    assert first.pk == second.pk
    with scopes_disabled():
        assert Run.objects.count() == 1 and BackgroundJob.objects.filter(kind=runs.RUN_KIND).count() == 1


def test_a_run_that_fails_keeps_no_signal_and_says_so(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _dataset(place)
    (storage.dataset_folder(dataset) / "declarations.parquet").write_bytes(b"not parquet at all")
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.run_request(actor=place.analyst, dataset=dataset, engine="duckdb", language="en")
    with scopes_disabled():
        run.refresh_from_db()
        job = BackgroundJob.objects.get(kind=runs.RUN_KIND, object_id=str(run.pk))
        assert not Signal.objects.filter(run=run).exists()
    assert run.status == RunStatus.FAILED and "could not be finished" in run.error
    assert job.status == JobStatus.FAILED
    assert not storage.run_folder(run).exists()
    assert _actions(run) == ["arusha.analytics.run.requested", "arusha.analytics.run.failed"]
    # Once it has ended, another run may be asked for.
    with django_capture_on_commit_callbacks(execute=False):
        again = runs.run_request(actor=place.analyst, dataset=dataset, engine="duckdb", language="en")
    assert again.pk != run.pk


def test_only_analysts_run_and_an_engine_not_installed_is_refused(cast, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _dataset(place)
    with pytest.raises(PermissionDenied):
        runs.run_request(actor=place.head, dataset=dataset, engine="duckdb", language="en")
    with pytest.raises(Http404):
        runs.run_request(actor=cast.outsider, dataset=dataset, engine="duckdb", language="en")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert [value for value, _label in runs.engines()] == ["duckdb"]
    with pytest.raises(DomainError) as caught:
        runs.run_request(actor=place.analyst, dataset=dataset, engine="spark", language="en")
    assert caught.value.field == "engine"


def test_the_full_output_is_for_people_readers_and_every_download_is_audited(cast) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    run = runs.run_now(actor=place.analyst, dataset=_dataset(place))
    with pytest.raises(Http404):
        runs.run_output(actor=place.analyst, run=run, fmt="csv")  # runs it, but reads no people
    path = runs.run_output(actor=place.officer, run=run, fmt="csv")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("indicator,version,entity_kind,entity")
    assert runs.run_output(actor=place.officer, run=run, fmt="parquet").name == "signals.parquet"
    with pytest.raises(Http404):
        runs.run_output(actor=place.officer, run=run, fmt="xlsx")
    with scopes_disabled():
        downloads = AuditEvent.objects.filter(
            action="arusha.analytics.signals.exported", object_id=str(run.pk)
        )
        assert list(downloads.values_list("actor", flat=True)) == [place.officer.pk, place.officer.pk]


def test_a_run_at_once_refuses_while_another_is_under_way(cast) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _dataset(place)
    with scopes_disabled():
        Run.objects.create(organization=place.organization, dataset=dataset, status=RunStatus.RUNNING)
    with pytest.raises(DomainError, match="already under way"):
        runs.run_now(actor=None, dataset=dataset)


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore::FutureWarning")  # pyspark's use of pandas
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyspark's own, on Python 3.11
def test_a_run_on_spark_stores_what_duckdb_stores(cast) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _dataset(place, seed=9)
    on_duckdb = runs.run_now(actor=place.analyst, dataset=dataset, engine="duckdb")
    on_spark = runs.run_now(actor=place.analyst, dataset=dataset, engine="spark")
    assert on_spark.status == RunStatus.DONE and on_spark.engine == "spark"
    assert (on_spark.rows, on_spark.flagged) == (on_duckdb.rows, on_duckdb.flagged)
    with scopes_disabled():
        flagged = {
            run.engine: set(
                Signal.objects.filter(run=run, flag=True).values_list("indicator", "entity", "period")
            )
            for run in (on_duckdb, on_spark)
        }
    assert flagged["spark"] == flagged["duckdb"]
