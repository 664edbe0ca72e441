"""Re-identification: only with the right, only for a recorded purpose, shown once, never cached."""

from __future__ import annotations

import pytest
from django.http import Http404
from django_scopes import scopes_disabled

from arusha.analytics.models import Reidentification
from arusha.analytics.services.reidentification import pseudonyms_of, reidentify
from arusha.analytics.tests.signal_world import BROKER_IDENTITY, IDENTITY, world
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent

PURPOSE = "Preparing the interview of the officer in case 2025-014"


def _count() -> int:
    with scopes_disabled():
        return Reidentification.objects.count()


def test_the_page_opens_to_holders_of_the_right_only(client, cast):
    w = world(cast)
    url = w.url("analytics-signal-reidentify", w.officer_signal.pk)
    for user, expected in (
        (w.f.officer, 200),
        (w.f.analyst, 404),
        (w.f.head, 404),
        (w.f.office_reader, 404),
        (w.f.nobody, 404),
        (cast.outsider, 404),
        (cast.foreigner, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
        assert client.post(url, {"pseudonym": "OF-0001", "purpose": PURPOSE}).status_code == expected, user
    assert _count() == 1  # the officer's post only


def test_without_a_purpose_nothing_is_opened_or_kept(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    url = w.url("analytics-signal-reidentify", w.officer_signal.pk)
    for purpose in ("", "because", " " * 30, "x" * 19):
        answer = client.post(url, {"pseudonym": "OF-0001", "purpose": purpose})
        assert answer.status_code == 400, purpose
        assert IDENTITY not in answer.content.decode()
    assert _count() == 0
    with pytest.raises(DomainError) as refused:
        reidentify(actor=w.f.officer, signal=w.officer_signal, code="OF-0001", purpose="   short purpose   ")
    assert refused.value.field == "purpose"


def test_with_a_purpose_the_identity_is_shown_once_recorded_audited_and_never_cached(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    url = w.url("analytics-signal-reidentify", w.officer_signal.pk)
    form = client.get(url)
    assert "no-store" in form["Cache-Control"]
    answer = client.post(url, {"pseudonym": "OF-0001", "purpose": PURPOSE})
    assert answer.status_code == 200 and IDENTITY in answer.content.decode()
    assert "no-store" in answer["Cache-Control"]
    assert IDENTITY not in answer.request["PATH_INFO"] and IDENTITY not in answer.request["QUERY_STRING"]
    with scopes_disabled():
        record = Reidentification.objects.get()
        event = AuditEvent.objects.get(action="arusha.analytics.pseudonym.reidentified")
    assert (record.purpose, record.by, record.signal_id) == (PURPOSE, w.f.officer, w.officer_signal.pk)
    assert event.actor == w.f.officer and event.changes["reidentification"] == [None, record.pk]
    assert IDENTITY not in str(event.changes) and IDENTITY not in event.object_repr
    # The signal's page, read again, still shows the pseudonym only.
    assert IDENTITY not in client.get(w.url("analytics-signal", w.officer_signal.pk)).content.decode()


def test_a_pair_names_two_pseudonyms_and_one_is_opened_at_a_time(client, cast):
    w = world(cast)
    pair = w.signal("ASSIGN_EXCESS", "BR-0001|OF-0001")
    assert pseudonyms_of(pair) == [("broker", "BR-0001"), ("officer", "OF-0001")]
    client.force_login(w.f.officer)
    answer = client.post(
        w.url("analytics-signal-reidentify", pair.pk), {"pseudonym": "BR-0001", "purpose": PURPOSE}
    ).content.decode()
    assert BROKER_IDENTITY in answer and IDENTITY not in answer


def test_a_pseudonym_the_signal_does_not_name_is_refused(cast):
    w = world(cast)
    with pytest.raises(DomainError) as refused:
        reidentify(actor=w.f.officer, signal=w.officer_signal, code="BR-0001", purpose=PURPOSE)
    assert refused.value.field == "pseudonym" and _count() == 0


def test_offices_and_flows_name_nobody(client, cast):
    w = world(cast)
    client.force_login(w.f.officer)
    for signal in (w.office_signal, w.signal("MIRROR_GAP", "870323|JP")):
        assert client.get(w.url("analytics-signal-reidentify", signal.pk)).status_code == 404


def test_the_service_refuses_those_without_the_right_before_reading_the_purpose(cast):
    w = world(cast)
    for user in (w.f.analyst, w.f.head, w.f.nobody):
        with pytest.raises(Http404):
            reidentify(actor=user, signal=w.office_signal, code="", purpose="")
    assert _count() == 0


def test_a_missing_key_is_said_so(cast):
    w = world(cast)
    trader = w.signal("UNIT_VALUE", "TR-000001")
    with pytest.raises(DomainError) as refused:
        reidentify(actor=w.f.officer, signal=trader, code="TR-000001", purpose=PURPOSE)
    assert "not in the database" in str(refused.value.message) and _count() == 0
