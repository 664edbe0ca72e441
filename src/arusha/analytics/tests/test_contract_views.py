"""The screens of performance contracts: list, draft, edit, agree and close, the scorecard, its export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from tests.analytics import field as analytics_field
from tests.forms import hidden_value, signed_in

from arusha.analytics.models import Contract
from arusha.analytics.services.contracts import Term, contract_agree
from arusha.analytics.tests.test_contract_support import clearance, draft
from arusha.core import services as core_services
from arusha.core.models import AuditEvent

SLUG = "test-customs"


@pytest.fixture
def f(cast):  # type: ignore[no-untyped-def]
    return analytics_field(cast)


def _url(name: str, *args: object) -> str:
    return reverse(name, args=[SLUG, *args])


def _form(**values: str) -> dict[str, str]:
    return {
        "title": "Port office 2025",
        "office_code": "",
        "first_month": "2025-01",
        "last_month": "2025-04",
        "notes": "",
        "indicator_1": "HIT_RATE",
        "target_1": "20",
        "direction_1": "",
        "indicator_2": "RELEASE_TIME",
        "target_2": "24",
        "direction_2": "lower",
        **values,
    }


def test_the_empty_list_says_what_a_contract_is_and_who_drafts_it(f) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(f.officer).get(_url("contract-list")).content.decode()
    assert "No performance contract yet." in page and _url("contract-add") in page
    reader = signed_in(f.office_reader).get(_url("contract-list")).content.decode()
    assert "No performance contract yet." in reader and _url("contract-add") not in reader


def test_the_list_shows_each_person_the_contracts_they_may_see(cast, f) -> None:  # type: ignore[no-untyped-def]
    port = draft(f)
    airport = core_services.division_create(
        actor=cast.owner, organization=cast.customs, name="Airport", code="DAR-AIR"
    )
    draft(f, title="Airport 2025", office=airport)
    assert "Airport 2025" in signed_in(f.head).get(_url("contract-list")).content.decode()
    reader = signed_in(f.office_reader).get(_url("contract-list")).content.decode()
    assert port.title in reader and "Airport 2025" not in reader
    for person in (f.nobody, cast.outsider, cast.foreigner):
        assert signed_in(person).get(_url("contract-list")).status_code == 404


def test_a_contract_is_drafted_once_however_often_the_form_is_sent(f) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(f.officer)
    page = client.get(_url("contract-add")).content.decode()
    key = hidden_value(page, "idempotency_key")
    office = str(f.office.pk)
    first = client.post(_url("contract-add"), _form(office=office, idempotency_key=key))
    second = client.post(_url("contract-add"), _form(office=office, idempotency_key=key))
    with scopes_disabled():
        [contract] = Contract.objects.all()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == _url("contract-detail", contract.pk)
    assert contract.office_code == "KIL-PRT"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"first_month": "2025-13"}, "first_month", "Give a month as YYYY-MM"),
        ({"target_1": "lots"}, "target_1", "Enter a number"),
        ({"target_1": "150"}, "target_1", "at most 100"),
        ({"indicator_2": "HIT_RATE"}, "indicator_2", "already in the contract"),
        ({"indicator_2": "", "target_2": ""}, "indicator_1", "from 2 to 8 indicators"),
        ({"last_month": "2024-01"}, "last_month", "comes after the first"),
    ],
)
def test_bad_input_answers_400_naming_the_field(f, values, field, message) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(f.officer).post(_url("contract-add"), _form(office=str(f.office.pk), **values))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    with scopes_disabled():
        assert not Contract.objects.exists()


def test_only_contract_managers_open_the_draft_form(cast, f) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(f.head).get(_url("contract-add")).status_code == 200
    assert signed_in(f.office_reader).get(_url("contract-add")).status_code == 403
    assert signed_in(f.nobody).get(_url("contract-add")).status_code == 403
    assert signed_in(cast.outsider).get(_url("contract-add")).status_code == 404


def test_the_contract_page_shows_the_scorecard_in_words_and_symbols(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    contract = contract_agree(actor=f.head, contract=draft(f))
    page = signed_in(f.office_reader).get(_url("contract-detail", contract.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "✓ on target" in text and "✗ off target" in text and "– no data" in text  # noqa: RUF001
    assert "25.0 %" in text and "23.0 hours" in text and "12.0 %" in text
    assert "by Hana Head on" in text
    # A reader gets no button to change anything.
    assert _url("contract-close", contract.pk) not in text and "Record the agreement" not in text
    assert signed_in(f.office_reader).post(_url("contract-close", contract.pk)).status_code == 403


def test_others_may_not_know_the_contract_exists(cast, f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    for person in (f.nobody, cast.outsider, cast.foreigner):
        client = signed_in(person)
        for name in ("contract-detail", "contract-edit", "contract-agree", "contract-close"):
            assert client.get(_url(name, contract.pk)).status_code == 404, (person, name)
        assert client.get(_url("contract-export", contract.pk, "xlsx")).status_code == 404


def test_a_concurrent_edit_is_refused_with_their_version_shown(f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    url = _url("contract-edit", contract.pk)
    mine, theirs = signed_in(f.officer), signed_in(f.head)
    version = hidden_value(mine.get(url).content.decode(), "version")
    office = str(f.office.pk)
    assert theirs.post(url, _form(office=office, version=version, title="Their title")).status_code == 302
    refused = mine.post(url, _form(office=office, version=version, title="My title"))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "saved a newer version" in page and "Their title" in page
    contract.refresh_from_db()
    assert contract.title == "Their title"


def test_agree_then_close_with_one_click_each_and_a_double_click_acts_once(f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    client = signed_in(f.officer)
    page = client.get(_url("contract-detail", contract.pk)).content.decode()
    version = hidden_value(page, "version")
    for _click in range(2):
        assert client.post(_url("contract-agree", contract.pk), {"version": version}).status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.agreed_by) == ("agreed", f.officer)
    with scopes_disabled():
        agreed = AuditEvent.objects.filter(
            object_id=str(contract.pk), action="arusha.analytics.contract.agreed"
        )
        assert agreed.count() == 1
    page = client.get(_url("contract-detail", contract.pk)).content.decode()
    assert "draft a new contract from this one" in page and _url("contract-edit", contract.pk) not in page
    assert client.get(_url("contract-edit", contract.pk)).status_code == 302  # back to the page, with why
    client.post(_url("contract-close", contract.pk), {"version": hidden_value(page, "version")})
    contract.refresh_from_db()
    assert contract.status == "closed"


def test_a_new_contract_is_drafted_from_an_agreed_one(f) -> None:  # type: ignore[no-untyped-def]
    contract = contract_agree(actor=f.officer, contract=draft(f))
    form = signed_in(f.officer).get(_url("contract-add") + f"?from={contract.pk}").context["form"]
    assert form.initial["indicator_2"] == "RELEASE_TIME" and str(form.initial["target_2"]) == "24"
    assert "version" not in form.initial


def test_the_xlsx_export_is_read_cell_by_cell(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    contract = draft(f, title='=HYPERLINK("http://evil")')
    response = signed_in(f.office_reader).get(_url("contract-export", contract.pk, "xlsx"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    assert str(sheet["A1"].value).startswith("Confidential — exported by Paco Port (port-chief@test.example)")
    assert sheet.oddHeader is not None
    assert "Confidential — exported by Paco Port" in str(sheet.oddHeader.center.text)
    assert sheet["A2"].value.startswith('=HYPERLINK("http://evil") · Port office (KIL-PRT)')
    assert sheet["A2"].data_type == "s"
    assert [cell.value for cell in sheet[3]][:8] == [
        "Month", "Indicator", "Name", "Unit", "Office figure", "Target", "Better", "Status",
    ]  # fmt: skip
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 8  # 4 months, 2 indicators each
    assert rows[0] == ["2025-01", "HIT_RATE", "Risk-adjusted hit rate of examinations", "%", 25, 20,
                       "higher is better", "✓ on target", None, 10, 12, 5, 20]  # fmt: skip
    assert rows[3][:8] == ["2025-02", "RELEASE_TIME", "Mean release time", "hours", 23, 24, "lower is better",
                           "✓ on target"]  # fmt: skip
    assert rows[4][4:8] == [None, 20, "higher is better", "– no data"]  # noqa: RUF001
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="arusha.analytics.contract.exported").count() == 1


def test_the_csv_export_has_a_watermark_line_and_no_formula(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    contract = draft(f)
    response = signed_in(f.officer).get(_url("contract-export", contract.pk, "csv"))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff# Confidential — exported by Ivo Integrity")
    rows = list(csv.reader(io.StringIO(text.split("\r\n", 1)[1])))
    assert rows[0][:2] == ["Month", "Indicator"]
    assert rows[1][:8] == ["2025-01", "HIT_RATE", "Risk-adjusted hit rate of examinations", "%", "25.0", "20",
                           "higher is better", "✓ on target"]  # fmt: skip
    assert signed_in(f.officer).get(_url("contract-export", contract.pk, "docx")).status_code == 404


def test_a_linked_kpi_is_named_only_to_those_who_read_plans(f, world) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f, terms=[Term("HIT_RATE", "20", kpi=world.kpi), Term("RELEASE_TIME", "24")])
    contract_agree(actor=f.officer, contract=contract)  # an integrity officer may not edit KPIs
    officer = signed_in(f.officer).get(_url("contract-detail", contract.pk)).content.decode()
    assert world.kpi.name in officer
    assert "not fed yet: someone who edits the KPI library chooses" in officer
    assert "Hit rate of examinations, from the clearance data (%) · KIL-PRT" in officer
    reader = signed_in(f.office_reader).get(_url("contract-detail", contract.pk)).content.decode()
    assert world.kpi.name not in reader and "a KPI of the action plan" in reader
