"""Datasets through their services: uploads in the worker, refusals, pseudonyms, synthetic data, deletion."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django_scopes import scopes_disabled
from tests.analytics import field, row, run_with

from arusha.analytics import storage
from arusha.analytics.models import Dataset, Pseudonym, Review, Run
from arusha.analytics.services import imports
from arusha.analytics.services.pseudonyms import pseudonym_key
from arusha.analytics.services.reviews import review_close, review_explain
from arusha.analytics.tests.import_support import TABLES as ROWS
from arusha.analytics.tests.import_support import export, zip_of
from arusha.analytics.vocabulary import DatasetStatus, RunStatus
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, BackgroundJob, JobStatus


def _upload(place, content: bytes, capture, mapping: str = "") -> Dataset:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        dataset = imports.dataset_import(
            actor=place.analyst,
            organization=place.organization,
            title="ASYCUDA export",
            upload=io.BytesIO(content),
            size=len(content),
            mapping=mapping,
            language="fr",
        )
    with scopes_disabled():
        dataset.refresh_from_db()
    return dataset


def _actions(dataset: Dataset | int) -> list[str]:
    pk = dataset if isinstance(dataset, int) else dataset.pk
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(object_id=str(pk), action__startswith="arusha.analytics.dataset")
            .order_by("pk")
            .values_list("action", flat=True)
        )


def test_an_uploaded_zip_is_imported_by_the_worker(
    cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = _upload(place, zip_of(export(tmp_path / "src")), django_capture_on_commit_callbacks)
    assert dataset.status == DatasetStatus.READY and dataset.error == ""
    folder = storage.dataset_folder(dataset)
    assert dataset.folder == f"org-{place.organization.pk}/dataset-{dataset.pk}"
    assert sorted(path.name for path in folder.iterdir())[:2] == ["assignments.parquet", "audits.parquet"]
    assert dataset.quality["declarations"]["kept"] == 3 and str(dataset.first_day) == "2025-01-03"
    assert _actions(dataset) == ["arusha.analytics.dataset.imported"]
    # The upload waited beside the datasets and is gone; the job says it is done.
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name]
    with scopes_disabled():
        job = BackgroundJob.objects.get(object_id=str(dataset.pk), kind=imports.IMPORT_KIND)
        officers = dict(Pseudonym.objects.filter(kind="officer").values_list("identity", "code"))
    assert (job.status, job.language) == (JobStatus.DONE, "fr")
    assert sorted(officers) == ["OFF0001", "OFF0002", "OFF0003"]
    inspector = pq.read_table(folder / "declarations.parquet").column("inspector_id").to_pylist()[0]
    assert inspector == officers["OFF0001"]


def test_a_refused_import_leaves_the_dataset_failed_without_files(
    cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    items = [{key: value for key, value in item.items() if key != "customs_value"} for item in ROWS["items"]]
    dataset = _upload(
        place, zip_of(export(tmp_path / "src", items=items)), django_capture_on_commit_callbacks
    )
    assert dataset.status == DatasetStatus.FAILED
    assert "items.csv" in dataset.error and "customs_value" in dataset.error
    assert not storage.dataset_folder(dataset).exists() and dataset.folder == ""
    assert not any(storage.root().rglob("*.parquet"))
    assert _actions(dataset) == ["arusha.analytics.dataset.failed"]
    with scopes_disabled():
        job = BackgroundJob.objects.get(object_id=str(dataset.pk))
        assert not Pseudonym.objects.exists()
    assert job.status == JobStatus.FAILED and "customs_value" in job.error


def test_a_bad_mapping_is_refused_on_its_field_before_anything_is_made(cast, tmp_path: Path) -> None:
    place = field(cast)
    content = zip_of(export(tmp_path / "src"))
    with pytest.raises(DomainError) as caught:
        imports.dataset_import(
            actor=place.analyst,
            organization=place.organization,
            title="x",
            upload=io.BytesIO(content),
            size=len(content),
            mapping="tables:\n  items:\n    columns: {tariff: HS}\n",
            language="en",
        )
    assert caught.value.field == "mapping" and "tariff" in str(caught.value.message)
    with scopes_disabled():
        assert not Dataset.objects.exists()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "named"),
    [
        ({"../declarations.csv": b"a\n"}, "../declarations.csv"),
        ({"export/items.csv": b"a\n", "run.exe": b"MZ"}, "run.exe"),
        ({"a/items.csv": b"a\n", "b/items.csv": b"a\n"}, "items.csv"),
        ({"notes/": b"", "__MACOSX/._items.csv": b""}, "CSV"),
    ],
)
def test_an_upload_that_cannot_be_taken_is_refused_naming_the_file(cast, members, named) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    content = _zip(members)
    with pytest.raises(DomainError) as caught:
        imports.dataset_import(
            actor=place.analyst,
            organization=place.organization,
            title="x",
            upload=io.BytesIO(content),
            size=len(content),
            mapping="",
            language="en",
        )
    assert caught.value.field == "file" and named in str(caught.value.message)
    with scopes_disabled():
        assert not Dataset.objects.exists()


def test_an_upload_beyond_the_limits_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_ANALYTICS_UPLOAD_MAX_FILES = 2
    settings.ARUSHA_ANALYTICS_UPLOAD_MAX_UNCOMPRESSED_BYTES = 1000
    too_many = _zip({"a.csv": b"x", "b.csv": b"x", "c.csv": b"x"})
    with pytest.raises(DomainError, match="more than 2 files"):
        imports.upload_check(io.BytesIO(too_many), len(too_many))
    too_big = _zip({"declarations.csv": b"0" * 2000})  # compresses to a few bytes
    with pytest.raises(DomainError, match=r"declarations\.csv"):
        imports.upload_check(io.BytesIO(too_big), len(too_big))
    with pytest.raises(DomainError, match="not a readable ZIP"):
        imports.upload_check(io.BytesIO(b"PK not really"), 13)


def test_only_analysts_import_and_outsiders_do_not_learn_of_it(cast, tmp_path: Path) -> None:
    place = field(cast)
    for person, refusal in ((place.nobody, PermissionDenied), (cast.outsider, Http404)):
        with pytest.raises(refusal):
            imports.dataset_import_folder(
                actor=person, organization=place.organization, title="x", folder=export(tmp_path / "src")
            )


def test_pseudonyms_are_kept_once_encrypted_and_per_organization(cast, tmp_path: Path) -> None:
    place = field(cast)
    source = export(tmp_path / "src")
    for title in ("January", "January again"):
        imports.dataset_import_folder(
            actor=place.analyst, organization=place.organization, title=title, folder=source
        )
    with scopes_disabled():
        assert Pseudonym.objects.filter(kind="officer").count() == 3
        assert Pseudonym.objects.filter(kind="trader").count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT identity FROM analytics_pseudonym")
        stored = [value for (value,) in cursor.fetchall()]
    assert stored and all(value.startswith("fernet:") and "OFF" not in value for value in stored)
    assert pseudonym_key(cast.customs) != pseudonym_key(cast.other)
    assert pseudonym_key(cast.customs) == pseudonym_key(cast.customs)


def test_synthetic_data_are_imported_like_real_data_with_their_ground_truth(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    with django_capture_on_commit_callbacks(execute=True):
        dataset = imports.dataset_generate(
            actor=place.analyst,
            organization=place.organization,
            title="Synthetic",
            declarations=2000,
            seed=3,
            planted=True,
            language="en",
        )
    with scopes_disabled():
        dataset.refresh_from_db()
        codes = set(Pseudonym.objects.values_list("code", flat=True))
    assert dataset.status == DatasetStatus.READY and dataset.source == "generated"
    assert dataset.quality["declarations"]["read"] == 2000
    truth = pq.read_table(storage.dataset_folder(dataset) / "ground_truth.parquet").to_pylist()
    people = [item["entity"] for item in truth if item["entity_kind"] in ("officer", "broker", "trader")]
    assert people and all(entity in codes for entity in people)
    assert _actions(dataset) == ["arusha.analytics.dataset.generated"]
    assert not (storage.root() / f"org-{place.organization.pk}" / f"waiting-{dataset.pk}").exists()


def test_a_generation_out_of_bounds_is_refused_on_its_field(cast) -> None:
    place = field(cast)
    with pytest.raises(DomainError) as caught:
        imports.dataset_generate_now(
            actor=place.analyst, organization=place.organization, title="x", declarations=10
        )
    assert caught.value.field == "declarations"


def test_a_dataset_is_deleted_only_once_its_reviews_are_concluded(
    cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = imports.dataset_import_folder(
        actor=place.analyst, organization=place.organization, title="x", folder=export(tmp_path / "src")
    )
    run = run_with(place, [row(flag=True)], data=dataset)
    storage.run_folder(run).mkdir(parents=True)
    with pytest.raises(DomainError, match="1 reviews"):
        imports.dataset_delete(actor=place.analyst, dataset=dataset)
    with scopes_disabled():
        review = Review.objects.get(signal__run=run)
    review = review_explain(
        actor=place.officer, review=review, explanation="The broker is a specialist.", version=None
    )
    review_close(
        actor=place.officer, review=review, conclusion="Explained by the specialisation.", version=None
    )
    with pytest.raises(PermissionDenied):
        imports.dataset_delete(actor=place.head, dataset=dataset)
    pk, folder = dataset.pk, storage.dataset_folder(dataset)
    with django_capture_on_commit_callbacks(execute=True):
        imports.dataset_delete(actor=place.analyst, dataset=dataset)
    with scopes_disabled():
        assert not Dataset.objects.filter(pk=pk).exists() and not Run.objects.exists()
    assert _actions(pk) == ["arusha.analytics.dataset.imported", "arusha.analytics.dataset.deleted"]
    assert not folder.exists() and not storage.run_folder(run).exists()


def test_a_dataset_is_not_deleted_while_a_run_of_it_is_under_way(
    cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = imports.dataset_import_folder(
        actor=place.analyst, organization=place.organization, title="x", folder=export(tmp_path / "src")
    )
    with scopes_disabled():
        Run.objects.create(organization=place.organization, dataset=dataset, status=RunStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError, match="under way"):
        imports.dataset_delete(actor=place.analyst, dataset=dataset)
    assert storage.dataset_folder(dataset).exists()


def test_every_refusal_of_the_engine_is_worded_for_the_reader() -> None:
    from arusha.analytics.engine.mapping import MESSAGES

    assert set(imports.REFUSALS) == set(MESSAGES)
