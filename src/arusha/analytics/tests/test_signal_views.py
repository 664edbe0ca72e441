"""The signal screens: who gets in, what each person sees, what is audited, and no 500."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.analytics import field

from arusha.analytics.models import Run, Signal
from arusha.analytics.tests.signal_world import BROKER_IDENTITY, IDENTITY, OTHER_OFFICE, world
from arusha.core.models import AuditEvent

NOTICE = "Risk signals for review, never verdicts."


def _reads(obj) -> list[AuditEvent]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                action="arusha.object.read",
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
            ).order_by("sequence")
        )


def _main(response) -> str:
    """The page's content, without the header (whose language form repeats the query)."""
    return str(response.content.decode().split('<main id="main"', 1)[1])


def _personas(cast, w):
    f = w.f
    return {
        "analyst": f.analyst,
        "officer": f.officer,
        "head": f.head,
        "office_reader": f.office_reader,
        "nobody": f.nobody,
        "outsider": cast.outsider,
        "foreigner": cast.foreigner,
    }


# --- Who gets in ---------------------------------------------------------------------------


LANDING_AND_LISTS = {
    "analyst": 200,
    "officer": 200,
    "head": 200,
    "office_reader": 200,
    "nobody": 404,
    "outsider": 404,
    "foreigner": 404,
}


@pytest.mark.parametrize("name", ["analytics-landing", "analytics-signals", "analytics-review-outcomes"])
def test_the_section_opens_to_analytics_people_only(client, cast, name):
    w = world(cast)
    for persona, user in _personas(cast, w).items():
        client.force_login(user)
        assert client.get(w.url(name)).status_code == LANDING_AND_LISTS[persona], (name, persona)


def test_a_signal_about_a_person_opens_only_to_people_readers(client, cast):
    w = world(cast)
    expected = {"officer": 200} | {p: 404 for p in LANDING_AND_LISTS if p != "officer"}
    # A trader may be a sole trader: a person, like an officer, a broker or a pair.
    for signal in (w.officer_signal, w.signal("ASSIGN_EXCESS", "BR-0001|OF-0001"), w.trader_signal):
        for persona, user in _personas(cast, w).items():
            client.force_login(user)
            got = client.get(w.url("analytics-signal", signal.pk)).status_code
            assert got == expected[persona], (signal.entity, persona)


def test_an_office_signal_opens_to_office_readers_and_a_grant_to_its_office_only(client, cast):
    w = world(cast)
    own = {"analyst": 200, "officer": 200, "head": 200, "office_reader": 200}
    other = {"analyst": 200, "officer": 200, "head": 200, "office_reader": 404}
    for persona, user in _personas(cast, w).items():
        client.force_login(user)
        assert client.get(w.url("analytics-signal", w.office_signal.pk)).status_code == own.get(persona, 404)
        got = client.get(w.url("analytics-signal", w.other_office_signal.pk)).status_code
        assert got == other.get(persona, 404), persona


def test_the_nav_shows_analytics_to_permission_holders_only_and_a_grant_opens_the_section(client, cast):
    w = world(cast)
    home = reverse("organization-home", args=[cast.customs.slug])
    client.force_login(w.f.head)
    assert w.url("analytics-landing") in client.get(home).content.decode()
    client.force_login(w.f.nobody)
    assert w.url("analytics-landing") not in client.get(home).content.decode()
    # The bar makes no query for grants; the section itself accepts the office grant.
    client.force_login(w.f.office_reader)
    assert client.get(w.url("analytics-landing")).status_code == 200


# --- The landing page ------------------------------------------------------------------------


def test_without_a_finished_run_the_landing_page_says_so(client, cast):
    f = field(cast)
    client.force_login(f.analyst)
    page = client.get(reverse("analytics-landing", args=[cast.customs.slug]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "No run of the indicators has finished yet" in text and NOTICE in text


def test_the_dashboard_shows_the_office_indicators_with_their_trend_and_reviews(client, cast):
    w = world(cast)
    client.force_login(w.f.head)
    page = client.get(w.url("analytics-landing"), {"office": "KIL-PRT", "period": "2025-03"})
    text = page.content.decode()
    assert page.status_code == 200 and NOTICE in text
    # Office-level value: 10 / 200 examinations ending in an offence, in percent.
    assert "Risk-adjusted hit rate" in text or "hit rate" in text.lower()
    assert "5.00 %" in text
    assert "2025-02: 5.00" in text  # 12 / 240, the month before, in the trend
    assert "Release" in text and "flagged" in text
    assert "Open reviews of this office&#x27;s signals" in text or "Open reviews of this office" in text
    # The head reads offices: no pseudonym of a person anywhere.
    assert "OF-0001" not in text and IDENTITY not in text


def test_the_dashboard_counts_open_reviews_of_the_signals_the_reader_may_see(cast):
    from arusha.analytics.selectors.signals import dashboard
    from arusha.core.access import access_of

    w = world(cast)
    officer = dashboard(access_of(w.f.officer, cast.customs), w.run, "KIL-PRT", "2025-03")
    head = dashboard(access_of(w.f.head, cast.customs), w.run, "KIL-PRT", "2025-03")
    # Flagged in KIL-PRT: the officer's HIT_RATE, the pair, the trader and the office's RELEASE_OUTLIER.
    assert officer.open_reviews == 4
    assert officer.flagged == {"officer": 1, "pair": 1, "trader": 1, "office": 1}
    # The head reads offices: the office's own flag only, neither people nor traders.
    assert head.open_reviews == 1 and head.flagged == {"office": 1}


def test_an_office_reader_with_a_grant_sees_only_their_office(client, cast):
    w = world(cast)
    client.force_login(w.f.office_reader)
    page = _main(client.get(w.url("analytics-landing"), {"office": OTHER_OFFICE}))
    assert OTHER_OFFICE not in page and "KIL-PRT" in page


def test_the_dashboard_in_french_names_the_indicators_from_the_catalogue(client, cast):
    from arusha.analytics.selectors.indicators import indicator_text

    w = world(cast)
    client.force_login(w.f.head)
    client.post(reverse("set-language"), {"language": "fr", "next": "/"})
    text = client.get(w.url("analytics-landing"), {"office": "KIL-PRT"}).content.decode()
    french = indicator_text("RELEASE_OUTLIER", "fr").name
    assert french != indicator_text("RELEASE_OUTLIER", "en").name
    assert french in text


# --- The list ---------------------------------------------------------------------------------


def test_the_list_hides_people_from_office_readers(client, cast):
    w = world(cast)
    client.force_login(w.f.head)
    text = client.get(w.url("analytics-signals")).content.decode()
    assert NOTICE in text
    assert (
        "870323|JP" in text and OTHER_OFFICE in text and w.url("analytics-signal", w.office_signal.pk) in text
    )
    assert "OF-0001" not in text and "BR-0001" not in text and "TR-000001" not in text
    client.force_login(w.f.office_reader)
    text = client.get(w.url("analytics-signals")).content.decode()
    assert w.url("analytics-signal", w.office_signal.pk) in text
    assert OTHER_OFFICE not in text and "OF-0001" not in text and "TR-000001" not in text
    assert "870323|JP" not in text  # a flow belongs to no office: not to the grant's office


def test_the_list_shows_people_under_pseudonyms_to_people_readers(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    text = client.get(w.url("analytics-signals")).content.decode()
    assert "OF-0001" in text and "BR-0001|OF-0001" in text
    assert IDENTITY not in text and BROKER_IDENTITY not in text


def test_each_list_page_showing_people_is_audited_once_naming_its_signals(client, cast, settings):
    settings.ARUSHA_PAGE_SIZE = 3
    w = world(cast)
    client.force_login(w.f.officer)
    # Flags first, by q: page 1 holds the officer, the pair and an office, page 2 the flow,
    # an office and the trader, page 3 the officer's unflagged months and an office, page 4
    # an office only.
    for number in (1, 2, 3, 4):
        assert client.get(w.url("analytics-signals"), {"page": number}).status_code == 200
    reads = _reads(w.run)
    assert [event.changes["page"] for event in reads] == [[None, 1], [None, 2], [None, 3]]
    assert {event.actor for event in reads} == {w.f.officer}
    with scopes_disabled():
        first_page = set(
            Signal.objects.filter(pk__in=reads[0].changes["signals"][1]).values_list("entity_kind", flat=True)
        )
    assert first_page == {"officer", "pair"}  # the page's office is shown, not named as a person
    # A trader is a person: the page holding it is recorded, naming the trader's signal only.
    assert reads[1].changes["signals"][1] == [w.trader_signal.pk]


def test_a_list_page_without_people_is_not_audited_as_a_read(client, cast):
    w = world(cast)
    client.force_login(w.f.head)
    assert client.get(w.url("analytics-signals")).status_code == 200
    client.force_login(w.f.officer)
    assert client.get(w.url("analytics-signals"), {"entity_kind": "office"}).status_code == 200
    assert _reads(w.run) == []


def test_the_filters_narrow_the_list(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    text = client.get(
        w.url("analytics-signals"), {"indicator": "HIT_RATE", "entity_kind": "officer", "flagged": "on"}
    ).content.decode()
    assert "OF-0001" in text and "2025-03" in text and "KIL-PRT</td>" in text
    assert "2025-02" not in text.split('id="signal-rows"')[1]
    text = client.get(w.url("analytics-signals"), {"review": "closed"}).content.decode()
    assert "No signal matches these filters." in text
    partial = client.get(w.url("analytics-signals"), {"office": "KIL-PRT"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


def test_an_office_reader_cannot_filter_their_way_to_people(client, cast):
    w = world(cast)
    client.force_login(w.f.head)
    text = client.get(w.url("analytics-signals"), {"entity_kind": "officer"}).content.decode()
    assert "OF-0001" not in text


@pytest.mark.parametrize(
    "query",
    [
        {"run": "abc", "office": "<script>alert(1)</script>", "period": "9999-99", "page": "-1"},
        {"run": "9" * 30, "indicator": "=HYPERLINK(1)", "entity_kind": "nobody", "review": "x" * 5000},
        {"flagged": "maybe", "page": "x" * 10_000},
    ],
)
def test_hostile_filters_are_ignored(client, cast, query):
    w = world(cast)
    client.force_login(w.f.officer)
    for name in ("analytics-landing", "analytics-signals"):
        response = client.get(w.url(name), query)
        assert response.status_code == 200, name
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_run_of_another_organization_is_never_chosen(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    with scopes_disabled():
        foreign = Run.objects.create(organization=cast.other, dataset=w.run.dataset, status="done")
    text = client.get(w.url("analytics-signals"), {"run": foreign.pk}).content.decode()
    assert "OF-0001" in text  # the organization's own latest run, not the foreign one


# --- The explanation page -------------------------------------------------------------------


def test_the_explanation_page_shows_numbers_stratum_history_and_other_indicators(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    text = client.get(w.url("analytics-signal", w.officer_signal.pk)).content.decode()
    assert NOTICE in text
    assert "KIL-PRT, section S1, red channel" in text  # the stratum
    assert "6.00" in text and "&lt; 0.0001" in text  # effect; q written without an exponent
    assert "2025-02" in text  # the history of HIT_RATE for OF-0001
    history = w.signal("HIT_RATE", "OF-0001", "2025-02")
    assert w.url("analytics-signal", history.pk) in text
    other = w.signal("DOWNGRADE_UNDOC", "OF-0001")
    assert w.url("analytics-signal", other.pk) in text  # another indicator of the same officer
    assert IDENTITY not in text
    assert "Record the officer&#x27;s explanation" in text or "Record the officer's explanation" in text


def test_every_read_of_a_signal_is_audited(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    client.get(w.url("analytics-signal", w.officer_signal.pk))
    client.get(w.url("analytics-signal", w.officer_signal.pk))
    client.force_login(w.f.head)
    client.get(w.url("analytics-signal", w.office_signal.pk))
    assert [e.actor for e in _reads(w.officer_signal)] == [w.f.officer, w.f.officer]
    assert [e.actor for e in _reads(w.office_signal)] == [w.f.head]


def test_a_reader_without_the_review_right_sees_the_review_status_only(client, cast):
    w = world(cast)
    client.force_login(w.f.head)
    text = client.get(w.url("analytics-signal", w.office_signal.pk)).content.decode()
    review = w.review("RELEASE_OUTLIER", "KIL-PRT")
    assert w.url("analytics-review-explain", review.pk) not in text
    assert "Reviewers record the explanation" in text


def test_examples_that_cannot_be_read_are_said_so(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    text = client.get(w.url("analytics-signal", w.officer_signal.pk)).content.decode()
    # The test run's dataset has no files: the page says so instead of failing.
    assert "cannot be read any more" in text or "No example declaration" in text


def test_posting_to_read_only_pages_is_refused(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    for url in (
        w.url("analytics-landing"),
        w.url("analytics-signals"),
        w.url("analytics-signal", w.officer_signal.pk),
    ):
        assert client.post(url).status_code == 405, url


def test_the_composite_score_is_shown_with_its_breakdown(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    text = client.get(w.url("analytics-signal", w.officer_signal.pk)).content.decode()
    # HIT_RATE (q 0.00002) and the pair's ASSIGN_EXCESS (q 0.0001): 4.70 + 4.00 of evidence.
    assert "Composite score for the month: 8.70" in text
    breakdown = text.split("Breakdown of the composite score")[1].split("</table>")[0]
    assert "Assignment excess" in breakdown and "broker and officer" in breakdown
    assert "Risk-adjusted hit rate" in breakdown or "hit rate" in breakdown.lower()


def test_a_trader_composite_counts_the_trader_own_signals_and_only_people_readers_see_it(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    text = client.get(w.url("analytics-signal", w.trader_signal.pk)).content.decode()
    # UNIT_VALUE (q 0.0001) alone: a trader belongs to no broker-officer pair.
    assert "Composite score for the month: 4.00" in text
    breakdown = text.split("Breakdown of the composite score")[1].split("</table>")[0]
    assert "Low unit values" in breakdown
    assert "Assignment excess" not in breakdown and "BR-0001" not in text
    for reader in (w.f.head, w.f.office_reader):
        client.force_login(reader)
        assert client.get(w.url("analytics-signal", w.trader_signal.pk)).status_code == 404


def test_example_declarations_come_from_the_dataset_files(client, cast):
    import pandas
    from tests.analytics import dataset, row, run_with

    from arusha.analytics import storage
    from arusha.analytics.engine.generator import generate

    f = field(cast)
    data = dataset(f)
    folder = storage.dataset_folder(data)
    generate(folder, declarations=1500, seed=3, months=2)
    declarations = pandas.read_parquet(folder / "declarations.parquet")
    examined = declarations[(declarations["channel_final"] == "red") & declarations["inspector_id"].notna()]
    first = examined.iloc[0]
    officer, period = str(first["inspector_id"]), first["lodged_at"].strftime("%Y-%m")
    run = run_with(f, [row("HIT_RATE", "officer", officer, period)], data=data)
    with scopes_disabled():
        signal = Signal.objects.get(run=run)
    client.force_login(f.officer)
    text = client.get(reverse("analytics-signal", args=[cast.customs.slug, signal.pk])).content.decode()
    section = text.split('id="examples-title"')[1].split("</section>")[0]
    shown = set(re.findall(r"<td>(D\d+)</td>", section))
    theirs = set(declarations.loc[declarations["inspector_id"] == officer, "declaration_id"].astype(str))
    assert shown and shown <= theirs  # the officer's own declarations, read from the files
    assert "behind this signal, from the clearance data" in section


def test_the_integrity_officer_opens_every_signal_and_review_page(client, cast):
    from arusha.analytics.views.signal_urls import urlpatterns

    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    client.force_login(w.f.officer)
    opened = []
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        kwargs = {"organization": cast.customs.slug}
        if "<int:signal>" in route:
            kwargs["signal"] = review.signal_id
        if "<int:review>" in route:
            kwargs["review"] = review.pk
        opened.append((route, client.get(reverse(pattern.name, kwargs=kwargs)).status_code))
    assert len(opened) == 11 and [item for item in opened if item[1] != 200] == []
