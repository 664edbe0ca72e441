"""Issue 9's new surfaces tried as a hostile tester would: every bad input answers a message on
the field at fault (400, nothing written, what was typed kept), never a 500; exported cells
are text as typed, never formulas; two people's saves never overwrite each other in silence.

1. an activity's details (its new indicators, target and target value), and its Annex 9;
2. two people editing the same activity, a double "Add an activity";
3. a measurement computed from its parts (a rate per category), its pages;
4. a KPI's reference values, its chart;
5. the API's writes of measurements and progress reports;
6. the organization's paper size; and the KPI sheet's dated targets and disaggregation.
"""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from arusha.accounts.services import api_token_create
from arusha.core.errors import DomainError
from arusha.core.models import Organization
from arusha.monitoring import services as monitoring_services
from arusha.monitoring.models import Measurement, ProgressReport
from arusha.monitoring.tests import conftest as monitoring_fixtures
from arusha.planning import annex9
from arusha.planning import services as planning_services
from arusha.planning.models import Activity, Kpi, KpiReference, KpiTarget
from tests.forms import hidden_value, signed_in

# The adopted plan of 2025, monitored quarterly, and its rate of women in senior posts per grade.
monitored = monitoring_fixtures.monitored
women = monitoring_fixtures.women


def _activity(cast, world) -> Activity:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return Activity.objects.get(pk=world.activity.pk)


def _library(cast) -> list[str]:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return sorted(Kpi.objects.filter(organization=cast.customs).values_list("name", flat=True))


def _details_url(cast, world) -> str:  # type: ignore[no-untyped-def]
    return reverse("plan-activity-details", args=[cast.customs.slug, world.plan.pk, world.activity.pk])


def _details(cast, world, **values: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The details form as the page sends it: the activity's title, its version, and `values`."""
    activity = _activity(cast, world)
    return {"title": activity.title, "version": str(activity.version), **values}


def _errors(response, field: str, form: str = "form") -> list[str]:  # type: ignore[no-untyped-def]
    """The messages the page shows on `field` of its form (None: above the form)."""
    return [str(m) for m in response.context[form].errors.get(field or "__all__", [])]


# --- 1. An activity's details and its Annex 9 -------------------------------------------------


@pytest.mark.parametrize(
    ("new_kpis", "message"),
    [
        ("x" * 10_000, "too long for an indicator's name (200 characters at most)"),
        ("\n".join(f"Indicator {n}" for n in range(500)), "Name at most 20 new indicators at a time."),
    ],
    ids=["a-10000-character-line", "500-lines"],
)
def test_new_indicators_beyond_reason_are_refused_on_the_field_and_nothing_is_written(  # type: ignore[no-untyped-def]
    client, cast, world, new_kpis, message
) -> None:
    client.force_login(cast.owner)
    before = _activity(cast, world)
    response = client.post(
        _details_url(cast, world), _details(cast, world, new_kpis=new_kpis, target="Every officer trained")
    )
    assert response.status_code == 400
    assert any(message in m for m in _errors(response, "new_kpis", "details_form"))
    # What was typed is kept; nothing is written, not even the first 20 indicators.
    assert "Every officer trained</textarea>" in response.content.decode()
    assert _library(cast) == ["Integrity compliance rate"]
    after = _activity(cast, world)
    assert (after.target, after.version) == (before.target, before.version)


def test_indicator_names_that_look_like_formulas_are_kept_as_typed_and_exported_as_text(  # type: ignore[no-untyped-def]
    client, cast, world
) -> None:
    typed = [
        '=HYPERLINK("http://x")',
        "+SUM(A1)",
        "",
        "@cmd",
        "   ",
        "Trained officers",
        "trained OFFICERS",  # the same name in other letters: made once
        "integrity COMPLIANCE rate",  # already in the library: linked, not doubled
    ]
    client.force_login(cast.owner)
    response = client.post(
        _details_url(cast, world),
        _details(cast, world, new_kpis="\n".join(typed), target="=1+1", target_value="-0"),
    )
    assert response.status_code == 302
    created = ['=HYPERLINK("http://x")', "+SUM(A1)", "@cmd", "Trained officers"]
    assert _library(cast) == sorted([*created, "Integrity compliance rate"])
    activity = _activity(cast, world)
    assert activity.target_value == 0
    with scope(organization=cast.customs):
        assert sorted(k.name for k in activity.kpis.all()) == sorted([*created, "Integrity compliance rate"])
        book = load_workbook(io.BytesIO(annex9.to_xlsx(world.plan)))
    cells = [cell for row in book.active.iter_rows() for cell in row]  # type: ignore[union-attr]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    row = next(c.row for c in cells if c.value == activity.title)
    texts = [c.value for c in cells if c.row == row]
    kpi_cell = next(t for t in texts if isinstance(t, str) and "HYPERLINK" in t)
    assert sorted(kpi_cell.split("\n")) == sorted([*created, "Integrity compliance rate"])
    # The target in words as typed, then its figure on a line of its own.
    assert "=1+1\nTarget value: 0 %" in texts


@pytest.mark.parametrize("value", ["1e400", "NaN", "Infinity", "12,5", "9" * 20])
def test_a_target_value_that_is_no_storable_number_is_refused_on_its_field(  # type: ignore[no-untyped-def]
    client, cast, world, value
) -> None:
    client.force_login(cast.owner)
    response = client.post(
        _details_url(cast, world), _details(cast, world, target_value=value, target="Half the staff")
    )
    assert response.status_code == 400
    assert _errors(response, "target_value", "details_form")
    assert "Half the staff</textarea>" in response.content.decode()
    assert (_activity(cast, world).target, _activity(cast, world).target_value) == ("", None)


def test_a_target_of_100_kb_is_refused_on_its_field(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        _details_url(cast, world), _details(cast, world, target="t" * 100_000, staff="Two auditors")
    )
    assert response.status_code == 400
    assert _errors(response, "target", "details_form") == ["Say the target in at most 2000 characters."]
    assert 'value="Two auditors"' in response.content.decode()
    assert (_activity(cast, world).target, _activity(cast, world).staff) == ("", "")


def test_the_service_refuses_a_target_value_its_column_cannot_hold(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        planning_services.activity_update(
            actor=cast.owner,
            activity=world.activity,
            values={"title": world.activity.title, "target_value": Decimal("1e20")},
        )
    assert refused.value.field == "target_value"
    assert _activity(cast, world).target_value is None


@pytest.mark.parametrize("field", ["kpis", "depends_on", "strategic_objectives"])
def test_an_id_of_another_organization_or_beyond_any_id_is_an_invalid_choice(  # type: ignore[no-untyped-def]
    client, cast, world, field
) -> None:
    theirs = planning_services.kpi_save(
        actor=cast.foreigner, organization=cast.other, values={"name": "Theirs"}
    )
    client.force_login(cast.owner)
    for value in (str(theirs.pk), "9" * 30, "-1", "abc"):
        response = client.post(_details_url(cast, world), _details(cast, world, **{field: [value]}))
        assert response.status_code == 400, value
        assert _errors(response, field, "details_form"), value
    with scope(organization=cast.customs):
        assert not _activity(cast, world).kpis.exists()


# --- 2. Two people at once, and a double submit ------------------------------------------------


def test_the_second_of_two_people_saving_an_activity_is_refused_with_their_version(  # type: ignore[no-untyped-def]
    cast, world, colleague
) -> None:
    page = reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, world.activity.pk])
    first, second = signed_in(cast.owner), signed_in(colleague)
    read = hidden_value(first.get(page).content.decode(), "version")
    assert hidden_value(second.get(page).content.decode(), "version") == read
    url = _details_url(cast, world)
    base = {"title": world.activity.title, "version": read}
    assert first.post(url, {**base, "target": "First target", "new_kpis": "First KPI"}).status_code == 302
    refused = second.post(url, {**base, "target": "Second target", "new_kpis": "Second KPI"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "saved a newer version" in text and "Their version" in text and "First target" in text
    # The second person's typing is kept in the form; nothing of theirs is written.
    assert "Second target</textarea>" in text and "Second KPI</textarea>" in text
    assert _activity(cast, world).target == "First target"
    assert _library(cast) == ["First KPI", "Integrity compliance rate"]
    # Once compared, saving again goes through.
    again = second.post(url, {**base, "version": hidden_value(text, "version"), "target": "Second target"})
    assert again.status_code == 302 and _activity(cast, world).target == "Second target"


def test_a_double_post_of_add_an_activity_creates_one(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("plan-activity-add", args=[cast.customs.slug, world.plan.pk])
    client.force_login(cast.owner)
    data = {
        "title": "Sent twice",
        "idempotency_key": hidden_value(client.get(url).content.decode(), "idempotency_key"),
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    with scope(organization=cast.customs):
        assert Activity.objects.filter(plan=world.plan, title="Sent twice").count() == 1
    assert client.post(url, {"title": "Sent twice", "idempotency_key": "short"}).status_code == 400
    assert client.post(url, {"title": "x", "objective": "9" * 30}).status_code == 400


# --- 3. A measurement computed from its parts -------------------------------------------------


def _parts(*rows: tuple[str, str, str]) -> dict[str, str]:
    data = {"version": "0"}
    for i, (category, women_, posts) in enumerate(rows):
        data |= {f"part_0_{i}_category": category, f"part_0_{i}_W": women_, f"part_0_{i}_S": posts}
    return data


def _measurement_url(cast, monitored, kpi) -> str:  # type: ignore[no-untyped-def]
    return reverse(
        "monitoring-measurement", args=[cast.customs.slug, monitored.plan.pk, monitored.periods[0].pk, kpi.pk]
    )


@pytest.mark.parametrize(
    ("rows", "field", "messages"),
    [
        (
            [("x" * 300, "1", "2")],
            "part_0_0_category",
            ["Ensure this value has at most 100 characters (it has 300)."],
        ),
        ([("", "1", "2")], "part_0_0_category", ["Name the category of this row."]),
        ([("A", "1", "2"), ("A", "1", "2")], "part_0_1_category", ["This category is given twice."]),
        ([("A", "1", "2"), ("a", "1", "2")], "part_0_1_category", ["This category is given twice."]),
        ([("A", "1e308", "2")], "part_0_0_W", ["grade A: women in senior posts: “1e308” is not a number."]),
        ([("A", "-5", "10")], "part_0_0_W", ["grade A: women in senior posts cannot be negative."]),
        ([("A", "5", "-10")], "part_0_0_S", ["grade A: senior posts cannot be negative."]),
        ([("A", "", "10")], "part_0_0_W", ["grade A: women in senior posts is missing."]),
        ([("A", "abc", "10")], "part_0_0_W", ["grade A: women in senior posts: “abc” is not a number."]),
        ([("A", "1", "0")], "part_0_0_S", ["grade A: senior posts is zero."]),
        ([(f"G{n}", "1", "2") for n in range(200)], "", ["Give at most 60 categories of grade."]),
    ],
    ids=[
        "300-characters",
        "empty",
        "duplicated",
        "duplicated-in-another-case",
        "1e308",
        "negative-part",
        "negative-denominator",
        "missing",
        "abc",
        "zero-denominator",
        "200-categories",
    ],
)
def test_bad_categories_and_variables_get_a_message_on_their_cell_and_nothing_is_written(  # type: ignore[no-untyped-def]
    client, cast, monitored, women, rows, field, messages
) -> None:
    client.force_login(cast.member)
    response = client.post(_measurement_url(cast, monitored, women), _parts(*rows))
    assert response.status_code == 400
    assert _errors(response, field) == messages
    with scope(organization=cast.customs):
        assert not Measurement.objects.filter(kpi=women).exists()


def test_category_names_are_shown_escaped_on_the_period_page_and_the_dashboard(  # type: ignore[no-untyped-def]
    client, cast, monitored, women
) -> None:
    trap = "<script>alert(1)</script>"
    client.force_login(cast.member)
    assert client.post(_measurement_url(cast, monitored, women), _parts((trap, "1", "4"))).status_code == 302
    period = reverse(
        "monitoring-period", args=[cast.customs.slug, monitored.plan.pk, monitored.periods[0].pk]
    )
    dashboard = reverse("monitoring-dashboard", args=[cast.customs.slug, monitored.plan.pk])
    for url in (period, dashboard, _measurement_url(cast, monitored, women)):
        page = client.get(url).content.decode()
        assert trap not in page, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(period).content.decode()


def test_a_category_typed_twice_in_a_breakdown_is_refused_not_overwritten(  # type: ignore[no-untyped-def]
    client, cast, monitored
) -> None:
    client.force_login(cast.member)
    data = {"var_A": "3", "var_B": "60", "dis_region": "North: 2\nnorth: 3", "version": "0"}
    response = client.post(_measurement_url(cast, monitored, monitored.kpi), data)
    assert response.status_code == 400
    assert _errors(response, "dis_region") == ["Line 2: north is given twice."]
    with scope(organization=cast.customs):
        assert not Measurement.objects.filter(kpi=monitored.kpi).exists()


# --- 4. Reference values ----------------------------------------------------------------------


def _reference(client, cast, world, **values: str):  # type: ignore[no-untyped-def]
    url = reverse("kpi-references", args=[cast.customs.slug, world.kpi.pk])
    form = client.get(url).content.decode()
    data = {
        "label": "Regional average",
        "date": "2024-12-31",
        "value": "2.5",
        "source": "WCO regional survey 2024",
        "idempotency_key": hidden_value(form, "idempotency_key"),
        **values,
    }
    return client.post(url, data)


def _references(cast) -> list[tuple[str, datetime.date]]:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return list(KpiReference.objects.order_by("date").values_list("label", "date"))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"value": "inf"}, "value"),
        ({"value": "-inf"}, "value"),
        ({"value": "nan"}, "value"),
        ({"value": "1e30"}, "value"),
        ({"date": "2024-02-30"}, "date"),
        ({"label": "x" * 101}, "label"),
    ],
)
def test_a_reference_value_out_of_reason_is_refused_on_its_field(client, cast, world, values, field) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = _reference(client, cast, world, **values)
    assert response.status_code == 400 and _errors(response, field)
    assert _references(cast) == []


def test_a_series_typed_in_other_letters_is_the_same_series_and_a_second_value_on_a_date_is_refused(  # type: ignore[no-untyped-def]
    client, cast, world
) -> None:
    client.force_login(cast.owner)
    assert _reference(client, cast, world).status_code == 302
    for label in ("Regional average", "regional  AVERAGE "):
        refused = _reference(client, cast, world, label=label)
        assert refused.status_code == 400
        assert _errors(refused, "date") == [
            "Regional average already has a value on this date: delete it first."
        ]
    assert _reference(client, cast, world, label="regional average", date="2023-12-31").status_code == 302
    assert _references(cast) == [
        ("Regional average", datetime.date(2023, 12, 31)),
        ("Regional average", datetime.date(2024, 12, 31)),
    ]


def test_a_reference_label_like_a_formula_or_markup_is_drawn_as_text(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    for label in ("=1+1", "<b>Neighbour</b>"):
        planning_services.reference_add(
            actor=cast.owner,
            kpi=monitored.kpi,
            label=label,
            source="@their report",
            date=datetime.date(2025, 3, 31),
            value="4",
        )
    monitoring_services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=monitored.periods[0], variables={"A": 3, "B": 60}
    )
    client.force_login(cast.owner)
    page = client.get(
        reverse("monitoring-dashboard", args=[cast.customs.slug, monitored.plan.pk])
    ).content.decode()
    assert "<svg" in page and "=1+1" in page
    assert "<b>Neighbour</b>" not in page and "&lt;b&gt;Neighbour&lt;/b&gt;" in page
    token = _token(cast.member, cast.customs, "read")
    read = client.get(reverse("api-kpi", args=[monitored.kpi.pk]), HTTP_AUTHORIZATION=token).json()
    assert sorted(r["label"] for r in read["reference_values"]) == ["<b>Neighbour</b>", "=1+1"]


def test_another_organization_s_reference_cannot_be_deleted(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    theirs = planning_services.kpi_save(
        actor=cast.foreigner, organization=cast.other, values={"name": "Theirs"}
    )
    reference = planning_services.reference_add(
        actor=cast.foreigner,
        kpi=theirs,
        label="Their series",
        source="Their report",
        date=datetime.date(2024, 1, 1),
        value="1",
    )
    client.force_login(cast.owner)
    for organization, kpi in ((cast.customs, world.kpi), (cast.customs, theirs), (cast.other, theirs)):
        url = reverse("kpi-reference-delete", args=[organization.slug, kpi.pk, reference.pk])
        assert client.post(url).status_code == 404
    with scope(organization=cast.other):
        assert KpiReference.objects.filter(pk=reference.pk).exists()


# --- 5. The API's writes ----------------------------------------------------------------------


def _token(user, organization, scope_: str = "write") -> str:  # type: ignore[no-untyped-def]
    _row, key = api_token_create(actor=user, organization=organization, scope=scope_, expires_in_days=1)
    return f"Token {key}"


def _put(client, token: str, url: str, body: Any):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.put(url, data, content_type="application/json", HTTP_AUTHORIZATION=token)


RATE = {"A": 3, "B": 60}


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"variables": {"A": [1], "B": 60}}, {"variables": {"A": ["Not a valid string."]}}),
        ({"variables": "A=3"}, {"variables": ['Expected a dictionary of items but got type "str".']}),
        ({"variables": {"A": 1e308, "B": 60}}, {"variables.A": ["“1e+308” is not a number."]}),
        ({"variables": {"A": "9" * 5000, "B": 60}}, {"variables.A": [f"“{'9' * 5000}” is not a number."]}),
        ({"variables": {**RATE, "C": 1}}, {"variables.C": ["“C” is not a variable of this indicator."]}),
        ({"variables": RATE, "verison": 1}, {"verison": ["This field is unknown."]}),
        (
            {"variables": RATE, "version": 10**30},
            {"version": ["Ensure this value is less than or equal to 2147483647."]},
        ),
        ({"variables": RATE, "version": "one"}, {"version": ["A valid integer is required."]}),
        (
            {"variables": RATE, "disaggregated": {"region": {f"R{n}": 1 for n in range(5000)}}},
            {"disaggregated.region": ["Give at most 60 categories of region."]},
        ),
        (
            {"variables": RATE, "disaggregated": {"region": {"N" * 5000: 1}}},
            {"disaggregated.region": ["region: name each category in at most 100 characters."]},
        ),
        (
            {"variables": RATE, "disaggregated": {"region": {"North": 1, " north ": 2}}},
            {"disaggregated.region.north": ["region north is given twice."]},
        ),
        ([1, 2], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ("not json", {"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"}),
    ],
    ids=[
        "list-variable",
        "string-variables",
        "1e308",
        "5000-digits",
        "unknown-variable",
        "misspelt-version",
        "huge-version",
        "text-version",
        "5000-categories",
        "5000-character-category",
        "category-twice",
        "a-list",
        "not-json",
    ],
)
def test_a_measurement_put_with_a_bad_body_is_refused_with_json_naming_the_field(  # type: ignore[no-untyped-def]
    client, cast, monitored, body, answer
) -> None:
    url = reverse("api-plan-measurement", args=[monitored.plan.pk, monitored.periods[0].pk, monitored.kpi.pk])
    response = _put(client, _token(cast.member, cast.customs), url, body)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == answer
    with scope(organization=cast.customs):
        assert not Measurement.objects.filter(kpi=monitored.kpi).exists()


@pytest.mark.parametrize(
    ("grades", "answer"),
    [
        (
            {"A": {"W": -5, "S": 10}},
            {"disaggregated.grade.A.W": ["grade A: women in senior posts cannot be negative."]},
        ),
        (
            {"A": {"W": 1, "S": 2, "X": 3}},
            {"disaggregated.grade.A": ["grade A: “X” is not a variable of this indicator."]},
        ),
        (
            {"x" * 300: {"W": 1, "S": 2}},
            {"disaggregated.grade": ["grade: name each category in at most 100 characters."]},
        ),
        (
            {"A": {"W": 1, "S": 2}, "a": {"W": 1, "S": 2}},
            {"disaggregated.grade.a": ["grade a is given twice."]},
        ),
    ],
)
def test_a_rate_put_with_bad_parts_is_refused_naming_the_category(  # type: ignore[no-untyped-def]
    client, cast, monitored, women, grades, answer
) -> None:
    url = reverse("api-plan-measurement", args=[monitored.plan.pk, monitored.periods[0].pk, women.pk])
    response = _put(client, _token(cast.member, cast.customs), url, {"disaggregated": {"grade": grades}})
    assert response.status_code == 400 and response.json() == answer


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"percent_done": 40.5}, "percent_done"),
        ({"percent_done": 10**40}, "percent_done"),
        ({"percent_done": True}, "percent_done"),
        ({"status": "<b>"}, "status"),
        ({"narrative": ["x"]}, "narrative"),
        ({"narrative": "x\x00y"}, "narrative"),
        ({"obstacle": "typo"}, "obstacle"),
        ({"version": -1}, "version"),
    ],
)
def test_a_progress_put_with_a_bad_body_is_refused_with_json_naming_the_field(  # type: ignore[no-untyped-def]
    client, cast, monitored, body, field
) -> None:
    url = reverse(
        "api-plan-progress-report", args=[monitored.plan.pk, monitored.periods[1].pk, monitored.late.pk]
    )
    report = {"percent_done": 40, "status": "on_track", "narrative": "Half the trainers.", **body}
    response = _put(client, _token(cast.member, cast.customs), url, report)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert list(response.json()) == [field]
    with scope(organization=cast.customs):
        assert not ProgressReport.objects.filter(activity=monitored.late).exists()


def test_api_writes_answer_json_for_other_organizations_read_only_tokens_and_missing_versions(  # type: ignore[no-untyped-def]
    client, cast, world, monitored
) -> None:
    q1 = monitored.periods[0]
    url = reverse("api-plan-measurement", args=[monitored.plan.pk, q1.pk, monitored.kpi.pk])
    body = {"variables": RATE}
    writer = _token(cast.member, cast.customs)
    for answer, token, where in (
        (404, _token(cast.foreigner, cast.other), url),
        (403, _token(cast.member, cast.customs, "read"), url),
        (401, "Token not-a-token", url),
        (404, writer, reverse("api-plan-measurement", args=[world.plan.pk, q1.pk, monitored.kpi.pk])),
        (404, writer, reverse("api-plan-measurement", args=[monitored.plan.pk, q1.pk, world.kpi.pk + 99])),
        (404, writer, reverse("api-plan-measurement", args=[monitored.plan.pk, 10**30, monitored.kpi.pk])),
    ):
        response = _put(client, token, where, body)
        assert (response.status_code, response["Content-Type"]) == (answer, "application/json"), where
    with scope(organization=cast.customs):
        assert not Measurement.objects.exists()
    # Without a version, a PUT replaces what is there (a retried request does no harm), as documented;
    # with the version read, it refuses to overwrite a newer one.
    assert _put(client, writer, url, body).status_code == 201
    assert _put(client, writer, url, {**body, "variables": {"A": 6, "B": 60}}).status_code == 200
    stale = _put(client, writer, url, {**body, "version": 1})
    assert stale.status_code == 409 and stale.json()["version"] == 2


# --- 6. Paper size, and the KPI sheet ---------------------------------------------------------


@pytest.mark.parametrize("size", ["A3", "<b>x</b>", "a4", "letter", "A4 "])
def test_a_paper_size_other_than_a4_or_letter_is_refused_on_its_field(client, cast, size) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("organization-edit", args=[cast.customs.slug])
    data = {
        "name": "Renamed",
        "default_language": "en",
        "paper_size": size,
        "version": str(cast.customs.version),
    }
    response = client.post(url, data)
    assert response.status_code == 400 and _errors(response, "paper_size")
    assert "<b>x</b>" not in response.content.decode()
    assert 'value="Renamed"' in response.content.decode()
    saved = Organization.objects.get(pk=cast.customs.pk)
    assert (saved.name, saved.paper_size) == ("Test Customs", "A4")


def _sheet(client, cast, world, **values: str):  # type: ignore[no-untyped-def]
    url = reverse("kpi-edit", args=[cast.customs.slug, world.kpi.pk])
    data = {
        "name": "Integrity compliance rate",
        "code": "INT-1",
        "periodicity": "yearly",
        "direction": "lower",
        "disclosure": "administration",
        "formula": "A / B * 100",
        "variables_text": "A: cases\nB: audits",
        "version": hidden_value(client.get(url).content.decode(), "version"),
        **values,
    }
    return client.post(url, data)


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e400", "12345678901234567890"])
def test_a_dated_target_that_is_no_storable_number_is_refused_on_its_field(  # type: ignore[no-untyped-def]
    client, cast, world, value
) -> None:
    client.force_login(cast.owner)
    response = _sheet(client, cast, world, targets_text=f"2027-12-31: 3\n2028-12-31: {value}")
    assert response.status_code == 400
    assert _errors(response, "targets_text") == ["Line 2: the target value is not a number a sheet can hold."]
    with scope(organization=cast.customs):
        assert list(KpiTarget.objects.filter(kpi=world.kpi).values_list("value", flat=True)) == [Decimal("2")]


def test_a_dimension_named_twice_is_refused_on_the_disaggregation(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = _sheet(client, cast, world, disaggregation_text="grade, region, Grade ")
    assert response.status_code == 400
    assert _errors(response, "disaggregation_text") == ["The disaggregation names “Grade” twice."]
    with pytest.raises(DomainError) as refused:
        planning_services.kpi_save(
            actor=cast.owner,
            organization=cast.customs,
            values={"name": "Twice", "disaggregation": ["a", "A"]},
        )
    assert refused.value.field == "disaggregation"
    with scope(organization=cast.customs):
        assert Kpi.objects.get(pk=world.kpi.pk).disaggregation == ["region"]


def test_a_declared_variable_given_twice_is_refused_on_the_variables(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = _sheet(client, cast, world, variables_text="A: cases\nA: audits", formula="A")
    assert response.status_code == 400
    assert _errors(response, "variables_text") == ["Line 2: A is declared twice."]


def test_a_meeting_attended_by_an_id_beyond_any_id_is_refused_on_the_attendees(  # type: ignore[no-untyped-def]
    client, cast, monitored
) -> None:
    client.force_login(cast.owner)
    url = reverse("monitoring-meetings", args=[cast.customs.slug, monitored.plan.pk])
    data = {"date": "2025-03-31", "minutes": "Met.", "attendees": ["9" * 30]}
    response = client.post(url, data)
    assert response.status_code == 400 and _errors(response, "attendees")
