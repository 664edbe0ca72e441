"""The screens of clearance data and runs: lists, forms that never answer 500, progress, downloads."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.analytics import field

from arusha.analytics.models import Dataset, Run
from arusha.analytics.services.imports import dataset_import_folder
from arusha.analytics.services.runs import run_now
from arusha.analytics.tests.import_support import export, zip_of
from arusha.analytics.vocabulary import DatasetStatus, RunStatus
from arusha.core.concurrency import new_key

KEY = "idempotency_key"


def _url(name: str, place, *args: int) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[place.organization.slug, *args])


def test_the_list_of_datasets_starts_empty_and_says_what_to_do(client, cast) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    url = _url("analytics-datasets", place)
    client.force_login(place.analyst)
    page = client.get(url).content.decode()
    assert "No clearance data yet. Import an export" in page
    assert (
        _url("analytics-dataset-import", place) in page and _url("analytics-dataset-generate", place) in page
    )
    client.force_login(place.head)
    page = client.get(url).content.decode()
    assert "an analyst imports them" in page and _url("analytics-dataset-import", place) not in page
    client.force_login(place.nobody)
    assert client.get(url).status_code == 404
    assert client.get(_url("analytics-dataset-import", place)).status_code == 403


def test_an_upload_through_the_form_is_imported_and_its_report_shown(
    client, cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    client.force_login(place.analyst)
    upload = SimpleUploadedFile(
        "export.zip", zip_of(export(tmp_path / "src")), content_type="application/zip"
    )
    form = {KEY: new_key(), "title": "January export", "file": upload, "mapping": ""}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(_url("analytics-dataset-import", place), form)
    with scopes_disabled():
        dataset = Dataset.objects.get()
    assert answer.status_code == 302 and answer["Location"] == _url("analytics-dataset", place, dataset.pk)
    assert dataset.status == DatasetStatus.READY
    page = client.get(answer["Location"]).content.decode()
    assert "Quality report" in page and "declarations.csv" in page
    assert "Not supplied" not in page
    assert _url("analytics-dataset-run", place, dataset.pk) in page
    listing = client.get(_url("analytics-datasets", place)).content.decode()
    assert "January export" in listing and "1\u20131 of 1" in listing


def test_bad_uploads_are_refused_on_their_field_without_a_500(client, cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    client.force_login(place.analyst)
    url = _url("analytics-dataset-import", place)
    good = zip_of(export(tmp_path / "src"))
    cases: list[tuple[dict[str, object], str]] = [
        ({"file": SimpleUploadedFile("export.csv", b"a,b\n")}, "Choose a ZIP file"),
        ({"file": SimpleUploadedFile("export.zip", b"PK broken")}, "not a readable ZIP"),
        (
            {"file": SimpleUploadedFile("export.zip", zip_of(tmp_path / "src", extra={"../x.csv": b"a"}))},
            "../x.csv",
        ),
        ({"file": SimpleUploadedFile("export.zip", good), "mapping": "tables:\n  sales: {}\n"}, "sales"),
        ({"file": SimpleUploadedFile("export.zip", good), "mapping": "a: [unclosed"}, "not valid YAML"),
        ({"file": SimpleUploadedFile("export.zip", good), "title": "   "}, "This field is required"),
    ]
    for values, words in cases:
        form: dict[str, object] = {KEY: new_key(), "title": "x", "mapping": ""}
        answer = client.post(url, {**form, **values})
        assert answer.status_code == 400, words
        assert words in answer.content.decode(), words
    with scopes_disabled():
        assert not Dataset.objects.exists()


def test_the_generate_form_names_the_field_of_a_bad_number(client, cast) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    client.force_login(place.analyst)
    url = _url("analytics-dataset-generate", place)
    assert "Synthetic clearance data" in client.get(url).content.decode()
    for declarations in ("10", "many", "99999999999"):
        form = {KEY: new_key(), "title": "x", "declarations": declarations, "seed": "1", "anomalies": "null"}
        answer = client.post(url, form)
        assert answer.status_code == 400
        assert 'id="id_declarations"' in answer.content.decode() and "aria-invalid" in answer.content.decode()
    answer = client.post(
        url, {KEY: new_key(), "title": "x", "declarations": "2000", "seed": "-1", "anomalies": "x"}
    )
    assert answer.status_code == 400 and "Select a valid choice" in answer.content.decode()


def test_a_run_is_started_from_its_form_and_its_page_follows_it(
    client, cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = dataset_import_folder(
        actor=place.analyst, organization=place.organization, title="January", folder=export(tmp_path / "src")
    )
    client.force_login(place.analyst)
    url = _url("analytics-dataset-run", place, dataset.pk)
    assert "DuckDB" in client.get(url).content.decode()
    assert client.post(url, {"engine": "hadoop"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"engine": "duckdb"})
    with scopes_disabled():
        run = Run.objects.get()
    assert answer.status_code == 302 and answer["Location"] == _url("analytics-run", place, run.pk)
    assert run.status == RunStatus.DONE
    page = client.get(answer["Location"]).content.decode()
    assert "Flags per indicator" in page and _url("analytics-run-output-csv", place, run.pk) not in page
    poll = client.get(_url("analytics-run-progress", place, run.pk), headers={"HX-Request": "true"})
    assert poll.status_code == 286 and "The run is done." in poll.content.decode()
    assert client.get(_url("analytics-run-output-csv", place, run.pk)).status_code == 404
    client.force_login(place.officer)
    page = client.get(answer["Location"]).content.decode()
    assert _url("analytics-run-output-csv", place, run.pk) in page
    download = client.get(_url("analytics-run-output-csv", place, run.pk))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content).startswith(b"indicator,version")  # type: ignore[attr-defined]
    runs_page = client.get(_url("analytics-runs", place)).content.decode()
    assert "January" in runs_page and _url("analytics-run", place, run.pk) in runs_page


def test_readers_see_datasets_and_runs_but_do_not_run_or_delete(client, cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = dataset_import_folder(
        actor=place.analyst, organization=place.organization, title="January", folder=export(tmp_path / "src")
    )
    run = run_now(actor=place.analyst, dataset=dataset)
    client.force_login(place.head)
    page = client.get(_url("analytics-dataset", place, dataset.pk)).content.decode()
    assert "Quality report" in page and _url("analytics-dataset-run", place, dataset.pk) not in page
    assert client.get(_url("analytics-dataset-run", place, dataset.pk)).status_code == 403
    assert client.post(_url("analytics-dataset-delete", place, dataset.pk)).status_code == 403
    assert client.get(_url("analytics-run", place, run.pk)).status_code == 200
    client.force_login(place.office_reader)  # one office's analytics, by a grant: no datasets
    assert client.get(_url("analytics-dataset", place, dataset.pk)).status_code == 404
    assert client.get(_url("analytics-run", place, run.pk)).status_code == 200
    client.force_login(cast.outsider)
    for name, pk in (("analytics-dataset", dataset.pk), ("analytics-run", run.pk)):
        assert client.get(_url(name, place, pk)).status_code == 404


def test_deleting_a_dataset_asks_once_then_removes_it(
    client, cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    dataset = dataset_import_folder(
        actor=place.analyst, organization=place.organization, title="January", folder=export(tmp_path / "src")
    )
    client.force_login(place.analyst)
    url = _url("analytics-dataset-delete", place, dataset.pk)
    assert "This cannot be undone" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url)
    assert answer.status_code == 302 and answer["Location"] == _url("analytics-datasets", place)
    with scopes_disabled():
        assert not Dataset.objects.exists()


def test_a_failed_import_says_why_on_its_page(
    client, cast, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    place = field(cast)
    client.force_login(place.analyst)
    upload = SimpleUploadedFile("export.zip", zip_of(export(tmp_path / "src", items=None)))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            _url("analytics-dataset-import", place), {KEY: new_key(), "title": "No items", "file": upload}
        )
    page = client.get(answer["Location"]).content.decode()
    assert "The import failed; nothing of it was kept." in page and "items.csv or items.parquet" in page
    assert "Run the indicators" not in page and "Quality report" not in page
    poll = client.get(answer["Location"] + "progress/", headers={"HX-Request": "true"})
    assert poll.status_code == 286 and "The work failed." in poll.content.decode()
