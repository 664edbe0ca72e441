"""The signal screens name what the catalogue stored: measures, details and example declarations."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.analytics import dataset, field, row, run_with

from arusha.analytics.engine.runner import catalogue
from arusha.analytics.models import Signal
from arusha.analytics.selectors.indicators import indicator_text

LANGUAGES = ("en", "fr", "es")


def _codes() -> dict[str, str]:
    """Every code a signal may carry, with the unit of its office-level measure ("" for none)."""
    codes: dict[str, str] = {}
    for definition in catalogue():
        own = definition.measure is not None and definition.measure.code == definition.code
        codes[definition.code] = definition.measure.unit if own and definition.measure else ""
        if definition.measure is not None:
            codes[definition.measure.code] = definition.measure.unit
    return codes


def _section(text: str, title_id: str) -> str:
    return text.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]


def _french(client) -> None:
    client.post(reverse("set-language"), {"language": "fr", "next": "/"})


def _signal(run) -> Signal:
    with scopes_disabled():
        return Signal.objects.get(run=run)


# --- Names of indicators and measures -------------------------------------------------------


def test_every_code_a_signal_may_carry_has_a_name_a_description_and_its_unit_in_each_language():
    codes = _codes()
    assert "RELEASE_TIME" in codes and codes["RELEASE_TIME"] == "hours"
    for code, unit in codes.items():
        names = set()
        for language in LANGUAGES:
            text = indicator_text(code, language)
            assert text.name and text.name != code, (code, language)
            assert text.description, (code, language)
            assert text.unit == unit, (code, language)
            names.add(text.name)
        assert len(names) == len(LANGUAGES), code  # written in each language, not in English thrice
    release = indicator_text("RELEASE_TIME", "fr")
    assert release.name == "Délai moyen de mainlevée" and release.unit_label == "heures"
    # The indicator counts outliers; the hours belong to its measure's own code.
    assert indicator_text("RELEASE_OUTLIER", "en").unit == ""


def _release_time_run(f):
    details = {
        "measure": "RELEASE_TIME",
        "unit": "hours",
        "direction": "lower",
        "value": 25.0,
        "national": 10.36211245662353,
        "support": 20,
    }
    rows = [
        row(
            "RELEASE_TIME",
            "office",
            "KIL-PRT",
            period,
            numerator=500,
            denominator=20,
            baseline=10.36,
            effect=2.41,
            p=None,
            q=None,
            flag=False,
            persistence=0,
            details=details,
        )
        for period in ("2025-02", "2025-03")
    ]
    return run_with(f, rows)


def test_the_dashboard_names_the_release_time_measure_with_its_unit(client, cast):
    f = field(cast)
    run = _release_time_run(f)
    client.force_login(f.head)
    url = reverse("analytics-landing", args=[cast.customs.slug])
    text = _section(
        client.get(url, {"office": "KIL-PRT", "period": "2025-03"}).content.decode(), "indicators-title"
    )
    assert re.search(r">Mean release time</a> <span class=\"muted\">RELEASE_TIME</span>", text)
    assert "<td>25.0 hours</td>" in text and "2025-02: 25.0 hours" in text
    _french(client)
    text = client.get(url, {"office": "KIL-PRT", "period": "2025-03", "run": run.pk}).content.decode()
    assert ">Délai moyen de mainlevée</a>" in text and "25,0 heures" in text


def test_the_release_time_page_describes_the_measure_and_labels_its_figures(client, cast):
    f = field(cast)
    run = _release_time_run(f)
    with scopes_disabled():
        signal = Signal.objects.get(run=run, period="2025-03")
    client.force_login(f.head)
    text = client.get(reverse("analytics-signal", args=[cast.customs.slug, signal.pk])).content.decode()
    about = _section(text, "about-title")
    assert "no description" not in about
    assert "An office-level measure" in about and "“Release time outliers”" in about
    numbers = _section(text, "numbers-title")
    assert "<dt>Office value</dt><dd>25.0 hours</dd>" in numbers
    assert "<dt>National value</dt><dd>10.4 hours</dd>" in numbers
    assert "<dt>Which way is better</dt><dd>lower is better</dd>" in numbers
    assert "<dt>Measure</dt><dd>Mean release time</dd>" in numbers
    assert "<dt>Stratum</dt><dd>the national value of the month</dd>" in numbers
    assert "<dt>value</dt>" not in numbers and "10.36211245662353" not in numbers


# --- Details of a signal ------------------------------------------------------------------------


BENFORD_DETAILS = {
    "test": "benford_chi2",
    "stratum": "Benford's first-digit law",
    **{f"d{digit}": 20 - digit for digit in range(1, 10)},
    "expected": None,
    "support": 171,
    "mad": 0.0150762527410576,
    "window_months": 12,
    # Names a later catalogue may add: still shown, after the known ones.
    "alpha_new": "kept as written",
    "zz_extra": 1.23456789,
}


def test_the_details_are_labelled_rounded_and_unknown_names_come_last(client, cast):
    f = field(cast)
    run = run_with(f, [row("BENFORD", "trader", "TR-000001", details=BENFORD_DETAILS, effect=0.0151)])
    signal = _signal(run)
    client.force_login(f.officer)
    url = reverse("analytics-signal", args=[cast.customs.slug, signal.pk])
    numbers = _section(client.get(url).content.decode(), "numbers-title")
    expected = [
        "<dt>Test</dt><dd>Chi-square against Benford&#x27;s law (8 degrees of freedom)</dd>",
        "<dt>Expected under the baseline</dt><dd>—</dd>",
        "<dt>Support (the count the test rests on)</dt><dd>171</dd>",
        "<dt>Months in the window</dt><dd>12</dd>",
        "<dt>Mean absolute deviation from Benford</dt><dd>0.0151</dd>",
        "<dt>First digit 1</dt><dd>19</dd>",
        "<dt>First digit 9</dt><dd>11</dd>",
        "<dt>alpha_new</dt><dd>kept as written</dd>",
        "<dt>zz_extra</dt><dd>1.23</dd>",
    ]
    places = [numbers.find(line) for line in expected]
    assert -1 not in places, [line for line, at in zip(expected, places, strict=True) if at < 0]
    assert places == sorted(places)
    for raw in ("d1", "mad", "support", "test", "window_months", "stratum"):
        assert f"<dt>{raw}</dt>" not in numbers
    assert "0.0150762527410576" not in numbers and "1.23456789" not in numbers
    assert "<dt>Stratum</dt><dd>Benford&#x27;s first-digit law</dd>" in numbers
    _french(client)
    numbers = _section(client.get(url).content.decode(), "numbers-title")
    assert "la loi de Benford sur le premier chiffre" in numbers and "0,0151" in numbers


# --- Example declarations -----------------------------------------------------------------------


def _en_money(value: float) -> str:
    return f"{value:,.2f}"


def _fr_money(value: float) -> str:
    return f"{value:,.2f}".replace(",", "\xa0").replace(".", ",")


@pytest.fixture
def release_examples(cast):
    """A generated dataset and an officer's RELEASE_OUTLIER signal on it, with its examples."""
    import pandas

    from arusha.analytics import storage
    from arusha.analytics.engine.examples import examples
    from arusha.analytics.engine.generator import generate

    f = field(cast)
    data = dataset(f)
    folder = storage.dataset_folder(data)
    generate(folder, declarations=1500, seed=3, months=2)
    declarations = pandas.read_parquet(folder / "declarations.parquet")
    released = declarations[declarations["released_at"].notna() & declarations["inspector_id"].notna()]
    released = released.assign(period=released["lodged_at"].dt.strftime("%Y-%m"))
    busiest: tuple[str, str] = released.groupby(["inspector_id", "period"]).size().idxmax()  # type: ignore[assignment]
    officer, period = busiest
    run = run_with(f, [row("RELEASE_OUTLIER", "officer", str(officer), str(period))], data=data)
    found = examples(folder, "RELEASE_OUTLIER", str(officer), str(period), 10, entity_kind="officer")
    assert found
    return f, _signal(run), found


def test_example_declarations_have_named_columns_and_values_written_for_reading(
    client, cast, release_examples
):
    f, signal, found = release_examples
    client.force_login(f.officer)
    url = reverse("analytics-signal", args=[cast.customs.slug, signal.pk])
    section = _section(client.get(url).content.decode(), "examples-title")
    assert '<div class="table-scroll"' in section and "<caption>" in section
    headers = re.findall(r'<th scope="col">([^<]*)</th>', section)
    assert {"Declaration", "Lodged", "Released", "Release time (hours)", "Declared value"} <= set(headers)
    assert not {"lodged_at", "release_hours", "declared_value"} & set(headers)
    # Timestamps to the minute, hours to one decimal, money with thousands separated.
    assert not re.search(r"\d{2}:\d{2}:\d{2}|T\d{2}:\d{2}|\.\d{6}", section)
    first = found[0]
    lodged = first["lodged_at"]
    day = f"{lodged[5:7]}/{lodged[8:10]}/{lodged[0:4]} {lodged[11:16]}"
    assert f"<td>{day}</td>" in section
    assert f"<td>{first['release_hours']:.1f}</td>" in section
    big = next(r["declared_value"] for r in found if r["declared_value"] and r["declared_value"] >= 1000)
    assert f"<td>{_en_money(big)}</td>" in section and "," in _en_money(big)
    _french(client)
    section = _section(client.get(url).content.decode(), "examples-title")
    assert f"<td>{_fr_money(big)}</td>" in section
    assert f"<td>{lodged[8:10]}/{lodged[5:7]}/{lodged[0:4]} {lodged[11:16]}</td>" in section


def test_the_example_values_are_what_the_engine_found(release_examples):
    """The page's table is the engine's rows, labelled: same columns, same order, same values."""
    from arusha.analytics.selectors.signals import examples_of

    _f, signal, found = release_examples
    columns, rows, readable = examples_of(signal)
    assert readable and [column.key for column in columns] == list(found[0])
    assert [[cell.value for cell in cells] for cells in rows] == [list(item.values()) for item in found]
    kinds = {column.key: column.kind for column in columns}
    assert (kinds["lodged_at"], kinds["release_hours"], kinds["declared_value"]) == (
        "timestamp",
        "hours",
        "money",
    )
