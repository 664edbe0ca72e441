"""Survey stations and invitation batches: services and staff screens."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.surveys import build_questionnaire, field, person

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.core.permissions import PresetRole
from arusha.surveys.models import Invitation, Station, Wave
from arusha.surveys.services.invitations import batches_of, invitations_create
from arusha.surveys.services.stations import (
    Enrolment,
    station_create,
    station_enrol,
    station_new_code,
    station_of_token,
    station_retire,
)
from arusha.surveys.services.waves import wave_close

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _code_of(page: str) -> str:
    match = re.search(r"#enrol=([A-Za-z0-9_-]+)", page)
    assert match is not None, page[:500]
    return match.group(1)


# --- Services -------------------------------------------------------------------------------------


def test_a_station_keeps_only_the_digest_of_its_one_time_code(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="  Tablet   1 ", waves=[f.wave])
    with scopes_disabled():
        station = Station.objects.get(pk=fresh.station.pk)
        assert list(station.waves.all()) == [f.wave]
    assert station.name == "Tablet 1" and station.status == "pending"
    assert station.enrol_digest == hashlib.sha256(fresh.code.encode()).hexdigest()
    with scopes_disabled():
        event = AuditEvent.objects.get(action="arusha.surveys.station_created")
    assert fresh.code not in str(event.changes)


def test_only_collectors_of_the_organization_add_stations(cast):
    f = field(cast)
    with pytest.raises(Http404):
        station_create(actor=cast.outsider, organization=f.organization, name="T", waves=[f.wave])
    with pytest.raises(PermissionDenied):
        station_create(actor=cast.member, organization=f.organization, name="T", waves=[f.wave])
    with pytest.raises(DomainError) as refused:
        station_create(actor=f.manager, organization=f.organization, name="T", waves=[])
    assert refused.value.field == "waves"
    wave_close(f.wave, actor=f.manager)
    with pytest.raises(DomainError):
        station_create(actor=f.manager, organization=f.organization, name="T", waves=[f.wave])


def test_a_new_code_moves_the_station_to_another_tablet(cast):
    f = field(cast)
    first = station_enrol(
        station_create(actor=f.manager, organization=f.organization, name="T", waves=[f.wave]).code
    )
    assert first is not None
    fresh = station_new_code(actor=f.manager, station=first.station)
    # The old tablet keeps working until the new code is used.
    assert station_of_token(first.token) is not None
    second = station_enrol(fresh.code)
    assert second is not None and second.station.pk == first.station.pk
    assert station_of_token(first.token) is None
    assert station_of_token(second.token) is not None


def test_a_retired_station_is_refused_and_cannot_enrol_again(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="T", waves=[f.wave])
    enrolled = station_enrol(fresh.code)
    assert enrolled is not None
    with pytest.raises(Http404):  # stations are seen by collectors only
        station_retire(actor=cast.member, station=enrolled.station)
    station_retire(actor=f.manager, station=enrolled.station)
    assert station_of_token(enrolled.token) is None
    with pytest.raises(DomainError):
        station_new_code(actor=f.manager, station=enrolled.station)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uses_of_one_code_enrol_one_tablet_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("The in-memory SQLite test database has no concurrent writers.")
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="T", waves=[f.wave])
    start = threading.Barrier(8)
    results: list[Enrolment | None] = []

    def enrol() -> None:
        try:
            start.wait()
            results.append(station_enrol(fresh.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r is not None]) == 1


def test_invitations_are_shown_once_and_only_their_digests_kept(cast):
    f = field(cast)
    tokens = invitations_create(actor=f.manager, wave=f.wave, count=5, batch=" Brokers  March ")
    assert len(set(tokens)) == 5 and not any(token.startswith("-") for token in tokens)
    with scopes_disabled():
        digests = set(Invitation.objects.filter(wave=f.wave).values_list("digest", flat=True))
        event = AuditEvent.objects.get(action="arusha.surveys.invitations_created")
    assert digests == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    assert not any(token in str(event.changes) for token in tokens)
    [batch] = batches_of(f.wave)
    assert (batch.name, batch.total, batch.used) == ("Brokers March", 5, 0)
    with pytest.raises(PermissionDenied):
        invitations_create(actor=f.analyst, wave=f.wave, count=1, batch="")
    with pytest.raises(DomainError):
        invitations_create(actor=f.manager, wave=f.wave, count=0, batch="")


# --- Screens --------------------------------------------------------------------------------------


def test_the_station_list_starts_empty_and_says_what_to_do(cast):
    f = field(cast)
    page = _signed_in(f.manager).get(reverse("station-list", args=[f.organization.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "No station yet." in text and reverse("station-add", args=[f.organization.slug]) in text


def test_adding_a_station_shows_its_qr_code_once_and_it_enrols(cast):
    f = field(cast)
    browser = _signed_in(f.manager)
    url = reverse("station-add", args=[f.organization.slug])
    form = browser.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    assert key is not None
    data = {"name": "Tablet 2", "waves": [f.wave.pk], "idempotency_key": key.group(1)}
    shown = browser.post(url, data)
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    page = shown.content.decode()
    assert '<svg class="qr"' in page and "http://testserver/station/#enrol=" in page
    code = _code_of(page)
    # The same form sent again makes no second station and shows no code.
    again = browser.post(url, data)
    assert again.status_code == 302 and "#enrol=" not in again.content.decode()
    with scopes_disabled():
        assert Station.objects.filter(organization=f.organization).count() == 1
    assert station_enrol(code) is not None
    listing = browser.get(reverse("station-list", args=[f.organization.slug])).content.decode()
    assert "Tablet 2" in listing and "Enrolled" in listing


def test_a_station_form_without_a_name_or_wave_says_which_field(cast):
    f = field(cast)
    answer = _signed_in(f.manager).post(reverse("station-add", args=[f.organization.slug]), {"name": ""})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "This field is required." in text and "Choose at least one wave" in text


def test_a_new_code_and_retiring_from_the_station_pages(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="Tablet 3", waves=[f.wave])
    browser = _signed_in(f.manager)
    enrol = reverse("station-enrol", args=[f.organization.slug, fresh.station.pk])
    assert "Make a new enrolment code" in browser.get(enrol).content.decode()
    made = browser.post(enrol, {"version": fresh.station.version})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    new_code = _code_of(made.content.decode())
    assert station_enrol(fresh.code) is None  # replaced
    enrolled = station_enrol(new_code)
    assert enrolled is not None
    retire = reverse("station-retire", args=[f.organization.slug, fresh.station.pk])
    assert "cannot be undone" in browser.get(retire).content.decode()
    stale = browser.post(retire, {"version": 1})
    assert stale.status_code == 400 and station_of_token(enrolled.token) is not None
    with scopes_disabled():
        version = Station.objects.get(pk=fresh.station.pk).version
    assert browser.post(retire, {"version": version}).status_code == 302
    assert station_of_token(enrolled.token) is None


def test_station_pages_are_hidden_from_outsiders_and_refused_to_members_without_the_permission(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="T", waves=[f.wave])
    urls = [
        reverse("station-list", args=[f.organization.slug]),
        reverse("station-add", args=[f.organization.slug]),
        reverse("station-enrol", args=[f.organization.slug, fresh.station.pk]),
        reverse("station-retire", args=[f.organization.slug, fresh.station.pk]),
        reverse("invitation-list", args=[f.organization.slug, f.wave.pk]),
        reverse("invitation-add", args=[f.organization.slug, f.wave.pk]),
        reverse("invitation-csv", args=[f.organization.slug, f.wave.pk]),
    ]
    for stranger in (cast.outsider, cast.foreigner):
        browser = _signed_in(stranger)
        assert [
            u for u in urls if browser.get(u).status_code != 404 and browser.post(u).status_code != 404
        ] == []
    member = _signed_in(cast.member)
    assert {member.get(u).status_code for u in urls[:4] + urls[4:6]} <= {403, 404}
    analyst = _signed_in(f.analyst)  # sees surveys (results) but neither collects nor manages
    assert analyst.get(urls[0]).status_code == 403
    assert analyst.get(urls[4]).status_code == 403


def test_a_station_of_another_organization_is_not_found(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="T", waves=[f.wave])
    other_collector = person(cast, "collector@test.example", "Col Lector", [PresetRole.INTEGRITY_OFFICER])
    # Same organization: found. Another organization's slug with this station's number: not found.
    assert (
        _signed_in(other_collector)
        .get(reverse("station-enrol", args=[f.organization.slug, fresh.station.pk]))
        .status_code
        == 200
    )
    assert (
        _signed_in(cast.foreigner)
        .get(reverse("station-enrol", args=[cast.other.slug, fresh.station.pk]))
        .status_code
        == 404
    )


def test_a_batch_of_invitations_is_shown_once_and_downloadable_as_csv(cast):
    f = field(cast)
    browser = _signed_in(f.manager)
    listing = reverse("invitation-list", args=[f.organization.slug, f.wave.pk])
    page = browser.get(listing).content.decode()
    assert "No invitation yet." in page and f"/s/{f.organization.slug}/{f.wave.pk}/" in page
    made = browser.post(
        reverse("invitation-add", args=[f.organization.slug, f.wave.pk]), {"count": 3, "batch": "Brokers"}
    )
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    text = made.content.decode()
    links = re.findall(r"<code>(http://testserver/s/[^<]+)</code>", text)
    assert len(links) == 3 and all("?t=" in link for link in links)
    tokens = [link.split("?t=")[1] for link in links]
    download = browser.post(
        reverse("invitation-csv", args=[f.organization.slug, f.wave.pk]),
        {"batch": "Brokers", "tokens": "\n".join(tokens)},
    )
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["batch", "link", "invitation"]
    assert [row[2] for row in rows[1:]] == tokens and [row[1] for row in rows[1:]] == links
    # Tokens that are not this wave's invitations are not turned into a file.
    forged = browser.post(
        reverse("invitation-csv", args=[f.organization.slug, f.wave.pk]),
        {"batch": "x", "tokens": "=cmd|calc"},
    )
    assert forged.status_code == 302
    page = browser.get(listing).content.decode()
    assert "Brokers" in page and "invitation only" in page


def test_an_invitation_form_names_the_field_in_error(cast):
    f = field(cast)
    answer = _signed_in(f.manager).post(
        reverse("invitation-add", args=[f.organization.slug, f.wave.pk]), {"count": 0}
    )
    assert answer.status_code == 400
    assert "greater than or equal to 1" in answer.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_a_closed_wave_takes_no_more_invitations(cast):
    f = field(cast)
    draft = Wave.objects.create(
        survey=f.survey, name="Round 2028", number=2, questionnaire=build_questionnaire(f.survey, 2)
    )
    assert invitations_create(actor=f.manager, wave=draft, count=1, batch="")
    wave_close(f.wave, actor=f.manager)
    answer = _signed_in(f.manager).post(
        reverse("invitation-add", args=[f.organization.slug, f.wave.pk]), {"count": 2}
    )
    assert answer.status_code == 400 and "closed" in answer.content.decode()
