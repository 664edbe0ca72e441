"""Every export read back cell by cell: results (XLSX, CSV), the aggregate pack, microdata (SAV, CSV)."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from arusha.core.models import AuditEvent
from arusha.surveys import analysis, microdata
from arusha.surveys.exports import zip_of
from arusha.surveys.models import Item, ItemRole, Response
from arusha.surveys.results import EVERYONE, OVERALL
from arusha.surveys.tests.results_support import (
    SMALL,
    K,
    answered,
    hidden_numbers,
    second_wave,
    signed_in,
    standalone,
)

pytestmark = pytest.mark.django_db

HIDDEN = f"suppressed (n < {K})"


def _url(name: str, a, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"organization": a.f.organization.slug, "wave": a.wave.pk, **kwargs})


def _xml_text(content: bytes) -> str:
    """Every value and text of an XLSX's sheets (not cell references such as r="E37"), from the XML itself."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "\n".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/"))
    return "\n".join(re.findall(r"<(?:v|t)(?: [^>]*)?>([^<]*)</(?:v|t)>", xml))


def _zip_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist())


def _rows_below(rows: list[list[Any]], header_first: str) -> tuple[list[Any], list[list[Any]]]:
    start = next(i for i, row in enumerate(rows) if row and row[0] == header_first)
    body = []
    for row in rows[start + 1 :]:
        if not row or all(v in (None, "") for v in row):
            break
        body.append(row)
    return rows[start], body


def test_the_results_workbook_holds_every_cell_and_no_hidden_figure(cast) -> None:
    a = answered(cast)
    later = second_wave(a, shift={"KF1": 20.0})
    hidden = hidden_numbers(a.wave) | hidden_numbers(later)
    a.wave = later
    response = signed_in(a.f.analyst).get(_url("results-export", a), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cips-wave-2-results.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Survey", "Integrity perception"]
    assert rows[1][:2] == ["Wave", "Round 2028 (round 2)"]
    assert rows[2][:2] == ["Smallest group shown (k)", K]
    header, body = _rows_below(rows, "Factor code")
    assert header[:6] == ["Factor code", "Factor", "Group code", "Group", "Respondents (n)", "Index (0-100)"]
    table = analysis.results(later)
    assert len(body) == len(table.cells)
    for row in body:
        cell = table.cell(str(row[0]), "" if row[2] is None else str(row[2]))
        assert cell is not None
        if cell.suppressed:
            assert row[4:] == [HIDDEN, HIDDEN, None, None, None, None], row
        else:
            assert row[4] == cell.n
            for got, want in zip(
                row[5:], (cell.index, cell.ci_low, cell.ci_high, cell.dont_know, cell.favourable), strict=True
            ):
                assert want is None or abs(float(got) - want) < 1e-4, row  # type: ignore[arg-type]
    everyone = next(row for row in body if row[0] == OVERALL and row[2] is None)
    assert everyone[1] == "Overall index" and everyone[3] == "Everyone"
    carriers = [row for row in body if row[2] == "carrier"]
    assert len(carriers) == 4 and all(row[4] == HIDDEN for row in carriers)
    # The comparison sheet: both waves' indices, the difference, q and the marker.
    compared = [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]
    assert compared[0] == ["Compared with", "Round 2026 (round 1)"] + [None] * (len(compared[0]) - 2)
    _header, changes = _rows_below(compared, "Factor code")
    kf1 = next(row for row in changes if row[0] == "KF1" and row[2] is None)
    difference = next(
        d for d in analysis.compare(a.f.wave, later) if (d.factor, d.group) == ("KF1", EVERYONE)
    )
    assert difference.difference is not None
    assert abs(float(kf1[6]) - difference.difference) < 1e-4 and kf1[8] == "yes"  # type: ignore[arg-type]
    assert next(row for row in changes if row[2] == "carrier")[4:] == [HIDDEN, HIDDEN, None, None, None]
    text = _xml_text(response.content)
    for number in hidden:
        assert standalone(number, text) == [], number
    assert "<f>" not in text  # no formula anywhere


def test_the_results_csv_breaks_down_as_the_dashboard_does(cast) -> None:
    a = answered(cast)
    hidden = hidden_numbers(a.wave)
    response = signed_in(a.f.analyst).get(_url("results-export", a), {"format": "csv", "by": "age"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["Perception survey results", "Integrity perception"]
    assert ["Broken down by", "Age"] in rows
    header, body = _rows_below(rows, "Factor code")
    assert header[4] == "Age" and header[5] == "Respondents (n)"
    table = analysis.results(a.wave, by=["age"])
    assert len(body) == len(table.cells)
    bands = {"18-29", "30-44", "45+", "all"}
    for row in body:
        assert row[4] in bands
        cell = table.cell(str(row[0]), str(row[2]), (str(row[4]),) if row[4] != "all" else ())
        assert cell is not None, row
        if cell.suppressed:
            assert row[5:] == [HIDDEN, HIDDEN, "", "", "", ""], row
        else:
            assert int(str(row[5])) == cell.n and cell.index is not None
            assert abs(float(str(row[6])) - cell.index) < 1e-4
    for number in hidden:
        assert standalone(number, content) == [], number
    refused = signed_in(a.f.analyst).get(
        _url("results-export", a), {"format": "csv", "by": "age", "then": "age"}
    )
    assert refused.status_code == 400 and "Choose two different items" in refused.content.decode()
    assert signed_in(a.f.analyst).get(_url("results-export", a), {"format": "pdf"}).status_code == 404


def test_the_aggregate_pack_names_nothing_of_the_organization_but_the_survey(cast) -> None:
    a = answered(cast)
    hidden = hidden_numbers(a.wave)
    response = signed_in(a.f.analyst).get(_url("aggregate-pack", a))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "indices.csv", "indices.json"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        document = json.loads(archive.read("indices.json"))
        rows = list(csv.DictReader(io.StringIO(archive.read("indices.csv").decode())))
        readme = archive.read("README.txt").decode()
    assert document["format"] == "arusha-survey-aggregate" and document["k"] == K
    assert (
        document["survey"] == "Integrity perception" and document["round"] == 1 and document["year"] == 2026
    )
    with scopes_disabled():
        lineage = {
            item.factor: [str(item.lineage)]
            for item in Item.objects.filter(questionnaire=a.f.questionnaire, role=ItemRole.QUESTION)
            if item.factor and item.kind == "likert"
        }
    assert document["lineage"] == lineage  # the scored questions: kf3_why (free text) is not one
    table = analysis.results(a.wave)
    assert len(document["cells"]) == len(rows) == len(table.cells)
    for packed, row in zip(document["cells"], rows, strict=True):
        cell = table.cell(packed["factor"], packed["group"])
        assert cell is not None and row["factor"] == packed["factor"] and row["group"] == packed["group"]
        if cell.suppressed:
            assert packed == {"factor": cell.factor, "group": cell.group, "suppressed": True}
            assert row["n"] == row["index"] == "" and row["suppressed"] == "True"
        else:
            assert packed["n"] == cell.n == int(row["n"]) and abs(packed["index"] - cell.index) < 1e-4
    everything = response.content.decode("latin-1") + json.dumps(document) + readme + str(rows)
    for internal in ("Test Customs", "test-customs", "Round 2026", "Customs staff", "Private sector", "Sara"):
        assert internal not in everything, internal
    # Lineage ids are hexadecimal: "…-4a37-…" is no count.
    text = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", _zip_text(response.content)
    )
    for number in hidden:
        assert standalone(number, text) == [], number


def _sav(content: bytes):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.sav"
        path.write_bytes(content)
        frame, meta = pyreadstat.read_sav(str(path), output_format="polars", user_missing=True)
        return frame, meta


def test_the_spss_file_has_value_labels_missing_codes_and_no_identifying_column(cast) -> None:
    a = answered(cast)
    client = signed_in(a.f.analyst)
    page = client.get(_url("microdata-export", a))
    assert page.status_code == 200
    data = page.context["data"]
    # k = 40: carriers (37) lose their group; so do the 23 staff aged 45+, once their band is withheld.
    assert data.respondents == 300 and data.recoded > 0 and data.groups_withheld > SMALL
    text = page.content.decode()
    assert f"<dt>Demographics withheld</dt><dd>{data.recoded} respondents</dd>" in text
    response = client.post(_url("microdata-export", a), {"format": "sav"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cips-wave-1-microdata.sav"'
    frame, meta = _sav(response.content)
    assert frame.columns == ["group", "age", "kf1_fair", "kf2_rules", "kf3_bribe"]  # kf3_why is free text
    assert frame.height == 300
    assert meta.column_names_to_labels["kf1_fair"] == "Kf1 fair"
    assert meta.variable_value_labels["kf1_fair"] == {
        1.0: "Strongly disagree",
        2.0: "Disagree",
        3.0: "Neither",
        4.0: "Agree",
        5.0: "Strongly agree",
        -8.0: "Don't know",
        -9.0: "Refused",
    }
    assert meta.variable_value_labels["group"] == {
        1.0: "Customs staff",
        2.0: "Private sector",
        3.0: "Broker",
        4.0: "Importer",
        5.0: "Carrier",
        -1.0: "withheld (disclosure check)",
    }
    assert meta.variable_value_labels["age"][-1.0] == "withheld (disclosure check)"
    for name in ("group", "age", "kf1_fair", "kf2_rules", "kf3_bribe"):
        assert meta.missing_ranges[name] == [{"lo": -9.0, "hi": -1.0}], name
    # Carriers (fewer than k) are all withheld: their group and their demographics.
    groups = frame["group"].to_list()
    assert 5.0 not in groups and groups.count(-1.0) == data.groups_withheld
    assert frame["age"].to_list().count(-1.0) == data.recoded
    # The answers of the file are the stored answers, coded.
    with scopes_disabled():
        stored = sorted(str(r.answers.get("kf1_fair")) for r in Response.objects.filter(wave=a.wave))
    coded = {"98": -8.0, "99": -9.0}
    exported = sorted(frame["kf1_fair"].to_list())
    assert exported == sorted(coded.get(v, float(v)) for v in stored)
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="arusha.surveys.microdata_exported").get()
        assert event.actor == a.f.analyst and event.object_id == str(a.wave.pk)
        assert event.changes["format"] == [None, "sav"]
        ids = [
            str(r.envelope.response_id)
            for r in Response.objects.filter(wave=a.wave).select_related("envelope")
        ]
    raw = response.content.decode("latin-1")
    assert not any(identifier in raw for identifier in ids)


def test_the_csv_microdata_comes_with_its_codebook(cast) -> None:
    a = answered(cast)
    response = signed_in(a.f.analyst).post(_url("microdata-export", a), {"format": "csv"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "codebook.csv", "data.csv"]
        data = list(csv.reader(io.StringIO(archive.read("data.csv").decode())))
        codebook = list(csv.reader(io.StringIO(archive.read("codebook.csv").decode())))
        readme = archive.read("README.txt").decode()
    assert data[0] == ["group", "age", "kf1_fair", "kf2_rules", "kf3_bribe"]
    assert len(data) == 301
    values = {row[2] for row in data[1:]}
    assert values <= {"1", "2", "3", "4", "5", "-8", "-9"} and "-8" in values  # numbers, never '-8
    assert codebook[0] == ["Variable", "Label", "Measure", "Value", "Value label", "Missing code"]
    assert ["kf1_fair", "Kf1 fair", "ordinal", "", "", ""] in codebook
    assert ["kf1_fair", "", "", "-8", "Don't know", "yes"] in codebook
    assert ["kf1_fair", "", "", "4", "Agree", "no"] in codebook
    assert ["group", "", "", "-1", "withheld (disclosure check)", "yes"] in codebook
    assert "Free-text answers are never exported: kf3_why." in readme
    with scopes_disabled():
        day = Response.objects.filter(wave=a.wave).select_related("envelope").first().envelope.received_on  # type: ignore[union-attr]
    everything = response.content.decode("latin-1") + "".join(",".join(r) for r in data)
    assert day.isoformat() not in everything


def test_microdata_does_not_exist_for_a_results_reader_nor_for_outsiders(cast) -> None:
    a = answered(cast, n=0)
    for user in (a.f.manager, a.f.custodian, cast.member, cast.outsider, cast.foreigner):
        client = signed_in(user)
        assert client.get(_url("microdata-export", a)).status_code == 404, user
        assert client.post(_url("microdata-export", a), {"format": "sav"}).status_code == 404, user
    # The results reader sees the dashboard, and no link to microdata on it.
    page = signed_in(a.f.manager).get(_url("wave-results", a)).content.decode()
    assert _url("microdata-export", a) not in page
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="arusha.surveys.microdata_exported").exists()


def test_the_disclosure_check_blanks_small_combinations_of_group_and_bands(cast) -> None:
    a = answered(cast, n=0, k=10)
    from arusha.surveys import synthetic

    bodies = synthetic.payloads(a.wave, 60, seed=5, tiny=12)
    for n, body in enumerate(bodies):
        body["group"] = "staff" if n < 48 else "broker"
        body["answers"]["age"] = "30-44" if n < 45 else ("45+" if n < 48 else "18-29")
    synthetic.write_responses(a.wave, bodies)
    data = microdata.build(a.wave)
    # Staff 30-44: 45 (kept); staff 45+: 3 (blanked; still 3 < 10 in staff: group withheld too);
    # brokers 18-29: 12 (kept).
    assert (data.recoded, data.groups_withheld) == (3, 3)
    rows = [(row[0], row[1]) for row in data.rows]
    assert rows.count((1.0, 2.0)) == 45 and rows.count((3.0, 1.0)) == 12 and rows.count((-1.0, -1.0)) == 3


def test_a_zip_tells_nothing_of_when_it_was_made() -> None:
    content = zip_of({"a.txt": "x"})
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
