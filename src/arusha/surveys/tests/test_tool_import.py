"""Exports of KoboToolbox and ODK Central come in through the same pipeline, every row or none."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_scopes import scopes_disabled
from openpyxl import Workbook
from tests.surveys import PASSPHRASE, field

from arusha.core.models import BackgroundJob, JobStatus
from arusha.surveys.keys import decrypt, open_private
from arusha.surveys.models import Choice, Envelope, Item, ItemKind, Response, Source
from arusha.surveys.services.intake import IntakeRefusedError
from arusha.surveys.services.processing import key_open, process_wave
from arusha.surveys.services.tool_import import tool_import, tool_import_request

pytestmark = pytest.mark.django_db

# What the tools record about each submission: none of it may reach the database.
CANARIES = ["09:41:17", "CanaryDev9Q", "06:41:20", "Canary Submitter", "+2557712345"]

KOBO = [
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "intro/age",
    "respondent_group",
    "kf1/kf1_fair",
    "kf2/kf2_rules",
    "kf3/kf3_bribe",
    "kf3/kf3_why",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_submitted_by",
    "__version__",
    "_index",
]
ODK = [
    "SubmissionDate",
    "start",
    "end",
    "deviceid",
    "intro-age",
    "intro-respondent_group",
    "kf1-kf1_fair",
    "kf2-kf2_rules",
    "kf3-kf3_bribe",
    "kf3-kf3_why",
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
ANSWERS = [
    {"age": "18-29", "group": "broker", "kf1_fair": "4", "kf2_rules": "5", "kf3_bribe": "2", "kf3_why": ""},
    {
        "age": "45+",
        "group": "staff",
        "kf1_fair": "98",
        "kf2_rules": "",
        "kf3_bribe": "5",
        "kf3_why": "Long queues",
    },
    {"age": "", "group": "carrier", "kf1_fair": "1", "kf2_rules": "99", "kf3_bribe": "", "kf3_why": ""},
]


def _answers_in_order(row: dict[str, str]) -> list[str]:
    """The answer columns, in the order both exports have them."""
    return [row["age"], row["group"], row["kf1_fair"], row["kf2_rules"], row["kf3_bribe"], row["kf3_why"]]


def kobo_rows(answers: list[dict[str, str]], ids: list[str]) -> list[list[Any]]:
    rows: list[list[Any]] = [KOBO]
    for index, (row, tool_id) in enumerate(zip(answers, ids, strict=True)):
        rows.append(
            [
                "2026-03-02T09:41:17.512+03:00",
                "2026-03-02T09:49:02.100+03:00",
                "2026-03-02",
                "collect:CanaryDev9Q",
                "+2557712345",
                *_answers_in_order(row),
                f"uuid:{tool_id}",
                1000 + index,
                tool_id,
                "2026-03-02T06:41:20",
                "",
                "Canary Submitter",
                "vGz8",
                index + 1,
            ]
        )
    return rows


def odk_rows(answers: list[dict[str, str]], ids: list[str]) -> list[list[Any]]:
    rows: list[list[Any]] = [ODK]
    for row, tool_id in zip(answers, ids, strict=True):
        rows.append(
            [
                "2026-03-02T06:41:20.000Z",
                "2026-03-02T09:41:17.512+03:00",
                "2026-03-02T09:49:02.100+03:00",
                "collect:CanaryDev9Q",
                *_answers_in_order(row),
                f"uuid:{tool_id}",
                f"uuid:{tool_id}",
                "17",
                "Canary Submitter",
                "0",
                "",
                "approved",
                "collect:CanaryDev9Q",
                "0",
                "2026031",
            ]
        )
    return rows


def as_csv(rows: list[list[Any]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "CIPS export"
    for row in rows:
        sheet.append([int(v) if isinstance(v, str) and v.isdigit() and len(v) < 3 else v for v in row])
    book.create_sheet("repeat_group")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def database_bytes() -> bytes:
    """Every value of every table, for a search."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the introspection
            for row in cursor.fetchall():
                for value in row:
                    chunks.append(
                        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    )
    return b"\n".join(chunks)


def opened_payloads(wave: Any) -> list[str]:
    private = open_private(bytes(wave.private_key), PASSPHRASE)
    with scopes_disabled():
        return [json.dumps(decrypt(private, bytes(e.ciphertext))) for e in Envelope.objects.filter(wave=wave)]


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda rows: as_csv(rows, ";"), "kobo.csv"),
        (as_csv, "kobo-new.csv"),
        (as_xlsx, "kobo.xlsx"),
    ],
)
def test_a_kobotoolbox_export_imports_and_leaves_its_metadata_behind(cast, build, name):
    f = field(cast)
    ids = [str(uuid.uuid4()) for _ in ANSWERS]
    counts = tool_import(f.wave, build(kobo_rows(ANSWERS, ids)), name, actor=f.manager)
    assert (counts.stored, counts.duplicate, counts.conflict) == (3, 0, 0)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    assert process_wave(f.wave) == {"accepted": 3, "quarantined": 0}
    with scopes_disabled():
        assert set(Envelope.objects.filter(wave=f.wave).values_list("source", flat=True)) == {Source.IMPORT}
        answers = {r.group.code: (r.demographics, r.answers, r.language) for r in Response.objects.all()}
    assert answers["staff"] == (
        {"age": "45+"},
        {"kf1_fair": "98", "kf3_bribe": "5", "kf3_why": "Long queues"},
        "en",
    )
    assert answers["carrier"] == ({}, {"kf1_fair": "1", "kf2_rules": "99"}, "en")
    stored = database_bytes() + "".join(opened_payloads(f.wave)).encode()
    for canary in [*CANARIES, *ids]:
        assert canary.encode() not in stored, canary


@pytest.mark.parametrize(("build", "name"), [(as_csv, "odk.csv"), (as_xlsx, "odk.xlsx")])
def test_an_odk_central_export_imports_and_a_second_import_is_all_duplicates(cast, build, name):
    f = field(cast)
    ids = [str(uuid.uuid4()) for _ in ANSWERS]
    data = build(odk_rows(ANSWERS, ids))
    assert tool_import(f.wave, data, name, actor=f.manager).stored == 3
    again = tool_import(f.wave, data, name, actor=f.manager)
    assert (again.stored, again.duplicate, again.conflict) == (0, 3, 0)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    assert process_wave(f.wave) == {"accepted": 3, "quarantined": 0}
    stored = database_bytes() + "".join(opened_payloads(f.wave)).encode()
    for canary in [*CANARIES, *ids, "approved"]:
        assert canary.encode() not in stored, canary


def test_bad_rows_are_named_and_nothing_is_stored(cast):
    f = field(cast)
    rows = [
        *ANSWERS,
        dict(ANSWERS[0], kf1_fair="7"),
        dict(ANSWERS[0], kf1_fair=""),
        dict(ANSWERS[0], kf3_why="skipped, yet answered"),
        dict(ANSWERS[0], group="smugglers"),
    ]
    ids = [str(uuid.uuid4()) for _ in rows]
    ids[2] = "not-an-id"
    with pytest.raises(IntakeRefusedError) as refused:
        tool_import(f.wave, as_csv(kobo_rows(rows, ids)), "kobo.csv", actor=f.manager)
    assert refused.value.errors == [
        "row 4: the response ID is missing or is not a UUID.",
        "row 5: “kf1_fair” is not one of its choices.",
        "row 6: “kf1_fair” is required and has no answer.",
        "row 7: “kf3_why” is answered although it should have been skipped.",
        "row 8: The respondent group is not one of the survey's groups.",
    ]
    with scopes_disabled():
        assert not Envelope.objects.filter(wave=f.wave).exists()


def test_a_file_without_a_response_id_or_with_unknown_columns_is_refused(cast):
    f = field(cast)
    ids = [str(uuid.uuid4()) for _ in ANSWERS]
    rows = kobo_rows(ANSWERS, ids)
    without = [[v for i, v in enumerate(row) if KOBO[i] not in ("_uuid", "meta/instanceID")] for row in rows]
    with pytest.raises(IntakeRefusedError, match="_uuid"):
        tool_import(f.wave, as_csv(without), "kobo.csv", actor=f.manager)
    unknown = [[*row, "x"] for row in rows]
    unknown[0][-1] = "kf9/kf9_mystery"
    with pytest.raises(IntakeRefusedError) as refused:
        tool_import(f.wave, as_csv(unknown), "kobo.csv", actor=f.manager)
    assert refused.value.errors == ["column “kf9/kf9_mystery” is not an item of this questionnaire."]
    no_group = [[v for i, v in enumerate(row) if KOBO[i] != "respondent_group"] for row in rows]
    with pytest.raises(IntakeRefusedError, match="respondent_group") as missing:
        tool_import(f.wave, as_csv(no_group), "kobo.csv", actor=f.manager)
    assert missing.value.field == "group"
    counts = tool_import(f.wave, as_csv(no_group), "kobo.csv", actor=f.manager, group="importer")
    assert counts.stored == 3
    with scopes_disabled():
        assert not Envelope.objects.exclude(source=Source.IMPORT).exists()


def test_multiple_choices_and_numbers_are_read_and_split_columns_skipped(cast):
    f = field(cast)
    with scopes_disabled():
        for position, name in enumerate(["port", "border", "office"]):
            Choice.objects.create(
                questionnaire=f.questionnaire, list_name="places", name=name, position=position
            )
        Item.objects.create(
            questionnaire=f.questionnaire,
            position=10,
            name="kf4_where",
            kind=ItemKind.MULTIPLE,
            choice_list="places",
        )
        Item.objects.create(questionnaire=f.questionnaire, position=11, name="years", kind=ItemKind.NUMBER)
    header = [
        "_uuid",
        "respondent_group",
        "kf1/kf1_fair",
        "kf4/kf4_where",
        "kf4/kf4_where/port",
        "kf4/kf4_where/office",
        "years",
    ]
    rows = [
        header,
        [str(uuid.uuid4()), "staff", "3", "port office", "1", "1", "12"],
        [str(uuid.uuid4()), "staff", "3", "", "0", "0", "2.5"],
    ]
    assert tool_import(f.wave, as_csv(rows), "multi.csv", actor=f.manager).stored == 2
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    process_wave(f.wave)
    with scopes_disabled():
        answers = sorted((r.answers for r in Response.objects.all()), key=lambda a: a["years"])
    assert answers == [
        {"kf1_fair": "3", "years": 2.5},
        {"kf1_fair": "3", "kf4_where": ["port", "office"], "years": 12},
    ]
    bad = [header, [str(uuid.uuid4()), "staff", "3", "port", "1", "0", "1e400"]]
    with pytest.raises(IntakeRefusedError) as refused:
        tool_import(f.wave, as_csv(bad), "multi.csv", actor=f.manager)
    assert refused.value.errors == ["row 2: “years” is not a number."]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "empty.csv"),
        (b"_uuid,kf1/kf1_fair\n", "header-only.csv"),
        (b"\xff\xfe\x00garbage", "garbage.csv"),
        (b"PK\x03\x04 not really a workbook", "fake.xlsx"),
        (b"a,b\n" + b"x" * 200_000 + b"\n", "long-cell.csv"),
        (b"{}", "export.json"),
    ],
)
def test_hostile_files_are_refused_with_a_message(cast, data, name):
    f = field(cast)
    with pytest.raises(IntakeRefusedError) as refused:
        tool_import(f.wave, data, name, actor=f.manager)
    assert refused.value.errors
    with scopes_disabled():
        assert not Envelope.objects.exists()


def test_a_large_file_is_imported_by_the_worker_and_then_deleted(cast, django_capture_on_commit_callbacks):
    f = field(cast)
    ids = [str(uuid.uuid4()) for _ in ANSWERS]
    upload = SimpleUploadedFile("kobo.xlsx", as_xlsx(kobo_rows(ANSWERS, ids)))
    with django_capture_on_commit_callbacks(execute=True):
        job = tool_import_request(f.wave, upload, actor=f.manager, group=None, language="en")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.result_data["stored"], job.result_data["file"]) == (3, "kobo.xlsx")
    assert not default_storage.exists(f"jobs/uploads/survey-import-{job.pk}.xlsx")
    bad = SimpleUploadedFile(
        "kobo.csv", as_csv(kobo_rows([dict(ANSWERS[0], kf1_fair="0")], [str(uuid.uuid4())]))
    )
    with django_capture_on_commit_callbacks(execute=True):
        failed = tool_import_request(f.wave, bad, actor=f.manager, group=None, language="en")
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED
    assert failed.result_data["errors"] == ["row 2: “kf1_fair” is not one of its choices."]
    assert not default_storage.exists(f"jobs/uploads/survey-import-{failed.pk}.csv")
    with scopes_disabled():
        assert Envelope.objects.count() == 3
        assert BackgroundJob.objects.count() == 2
