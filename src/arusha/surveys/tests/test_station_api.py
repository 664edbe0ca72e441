"""The station API: enrolment, its token, packages, envelopes acknowledged after commit, hostile input."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from tests.surveys import PASSPHRASE, build_questionnaire, envelope, field, payload

from arusha.core.models import AuditEvent
from arusha.surveys.keys import MAX_ENVELOPE_BYTES, decrypt, open_private
from arusha.surveys.models import Envelope, Resend, Station, Wave
from arusha.surveys.package import package_of
from arusha.surveys.services.stations import station_create, station_retire
from arusha.surveys.tests.station_support import outcomes, tablet, wire

pytestmark = pytest.mark.django_db


def _post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_enrolment_gives_a_token_whose_digest_only_is_kept(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="Tablet 1", waves=[f.wave])
    answer = _post_json(Client(), reverse("station-api-enrol"), {"code": fresh.code})
    assert answer.status_code == 200
    body = answer.json()
    assert body["station"] == "Tablet 1" and body["organization"] == f.organization.name
    with scopes_disabled():
        station = Station.objects.get(pk=fresh.station.pk)
    assert station.status == "active" and station.enrolled_on == timezone.localdate()
    assert station.token_digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert station.enrol_digest is None
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action__startswith="arusha.surveys.station"))
    assert {e.action for e in events} == {"arusha.surveys.station_created", "arusha.surveys.station_enrolled"}
    for event in events:
        assert fresh.code not in json.dumps(event.changes) and body["token"] not in json.dumps(event.changes)


def test_a_double_submit_of_the_code_enrols_once(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="Tablet 1", waves=[f.wave])
    first = _post_json(Client(), reverse("station-api-enrol"), {"code": fresh.code})
    second = _post_json(Client(), reverse("station-api-enrol"), {"code": fresh.code})
    assert [first.status_code, second.status_code] == [200, 403]
    assert second.json()["error"] == "code_refused"
    # The first token still works: the refused second request changed nothing.
    manifest = Client().get(
        reverse("station-api-manifest"), HTTP_AUTHORIZATION=f"Bearer {first.json()['token']}"
    )
    assert manifest.status_code == 200


def test_an_expired_or_unknown_code_does_not_enrol(cast):
    f = field(cast)
    fresh = station_create(actor=f.manager, organization=f.organization, name="Tablet 1", waves=[f.wave])
    with scopes_disabled():
        Station.objects.filter(pk=fresh.station.pk).update(enrol_until=timezone.now())
    assert _post_json(Client(), reverse("station-api-enrol"), {"code": fresh.code}).status_code == 403
    assert _post_json(Client(), reverse("station-api-enrol"), {"code": "nope"}).status_code == 403


def test_the_api_wants_the_token_of_an_active_station(cast):
    f = field(cast)
    t = tablet(f)
    url = reverse("station-api-manifest")
    assert Client().get(url).status_code == 401
    assert Client().get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert Client().get(url, HTTP_AUTHORIZATION=f"Basic {t.token}").status_code == 401
    assert t.get(url).status_code == 200
    station_retire(actor=f.manager, station=t.station)
    refused = t.get(url)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"


def test_the_manifest_checksum_is_the_sha256_of_the_package_bytes(cast):
    f = field(cast)
    t = tablet(f)
    manifest = t.get(reverse("station-api-manifest")).json()
    assert manifest["station"] == "Tablet 1"
    [entry] = manifest["waves"]
    assert entry["id"] == f.wave.pk and entry["status"] == "open"
    served = t.get(entry["package"])
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == entry["checksum"]
    package = json.loads(served.content)
    assert package["wave"] == {"id": f.wave.pk, "name": "Round 2026", "number": 1}
    assert package["key"]["fingerprint"] == f.wave.key_fingerprint
    assert [item["name"] for item in package["questionnaire"]["items"]] == [
        "age",
        "kf1_fair",
        "kf2_rules",
        "kf3_bribe",
        "kf3_why",
    ]
    assert "factor" not in package["questionnaire"]["items"][1]
    assert [c["special"] for c in package["questionnaire"]["choices"]["agree"]][-2:] == [
        "dont_know",
        "refused",
    ]
    assert {g["code"]: g["parent"] for g in package["groups"]}["broker"] == "private"
    # Canonical: the same wave gives the same bytes.
    assert package_of(f.wave).data == served.content


def test_a_wave_the_station_does_not_collect_is_not_found(cast):
    f = field(cast)
    t = tablet(f)
    other = Wave.objects.create(
        survey=f.survey, name="Round 2028", number=2, questionnaire=build_questionnaire(f.survey, 2)
    )
    assert t.get(reverse("station-api-package", kwargs={"wave": other.pk})).status_code == 404
    sent = t.send(other, [envelope(f.wave, payload())])
    assert sent.status_code == 404 and sent.json()["error"] == "not_found"


def test_envelopes_are_stored_once_replays_are_duplicates_and_conflicts_are_kept(cast):
    f = field(cast)
    t = tablet(f)
    body = payload()
    batch = [envelope(f.wave, body), envelope(f.wave, payload())]
    assert outcomes(t.send(f.wave, batch)) == ["stored", "stored"]
    assert outcomes(t.send(f.wave, batch)) == ["duplicate", "duplicate"]
    assert outcomes(t.send(f.wave, [envelope(f.wave, body)])) == ["conflict"]
    damaged = dataclasses.replace(batch[0], response_id=uuid.uuid4(), ciphertext=batch[0].ciphertext + b"x")
    assert outcomes(t.send(f.wave, [damaged])) == ["rejected"]
    with scopes_disabled():
        assert Envelope.objects.filter(wave=f.wave).count() == 2
        assert Resend.objects.filter(envelope__wave=f.wave).count() == 1
        assert set(Envelope.objects.values_list("source", flat=True)) == {"station"}
        station = Station.objects.get(pk=t.station.pk)
    # The station keeps no day of contact: with the envelopes' arrival day it would say
    # which tablet (which office) a response came from.
    assert not hasattr(station, "last_sync_on")
    # What is kept opens to what the station sealed: the bytes were not altered on the way.
    key = open_private(bytes(f.wave.private_key or b""), PASSPHRASE)
    with scopes_disabled():
        stored = Envelope.objects.get(response_id=uuid.UUID(body["response_id"]))
    assert decrypt(key, bytes(stored.ciphertext)) == body


def _fail_third_insert() -> None:
    """The database fails while the batch is being written: after two of its rows, before commit."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_third AFTER INSERT ON surveys_envelope "
                "WHEN (SELECT count(*) FROM surveys_envelope) >= 3 "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_third() RETURNS trigger AS $$ BEGIN "
                "IF (SELECT count(*) FROM surveys_envelope) >= 3 THEN RAISE EXCEPTION 'disk full'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_third AFTER INSERT ON surveys_envelope "
                "FOR EACH ROW EXECUTE FUNCTION refuse_third()"
            )


def _allow_inserts() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_third" + ("" if connection.vendor == "sqlite" else " ON surveys_envelope")
        )


def test_a_failing_transaction_acknowledges_nothing_and_keeps_nothing(cast):
    f = field(cast)
    t = tablet(f)
    batch = [envelope(f.wave, payload()) for _ in range(3)]
    _fail_third_insert()
    try:
        failed = t.send(f.wave, batch)
    finally:
        _allow_inserts()
    assert failed.status_code == 503
    assert "receipts" not in failed.json() and b"stored" not in failed.content
    with scopes_disabled():
        assert not Envelope.objects.filter(wave=f.wave).exists()
    # Sent again, they are new: nothing of the failed attempt was kept.
    assert outcomes(t.send(f.wave, batch)) == ["stored"] * 3


def test_verify_tells_which_pairs_the_server_holds_byte_for_byte(cast):
    f = field(cast)
    t = tablet(f)
    held, other = envelope(f.wave, payload()), envelope(f.wave, payload())
    t.send(f.wave, [held])
    pairs = [
        {"response_id": str(held.response_id), "digest": held.digest},
        {"response_id": str(other.response_id), "digest": other.digest},
    ]
    answer = t.post(reverse("station-api-verify"), {"wave": f.wave.pk, "pairs": pairs})
    assert answer.status_code == 200
    assert answer.json()["held"] == {str(held.response_id): True, str(other.response_id): False}
    wrong = [{"response_id": str(held.response_id), "digest": "0" * 64}]
    assert t.post(reverse("station-api-verify"), {"wave": f.wave.pk, "pairs": wrong}).json()["held"] == {
        str(held.response_id): False
    }


def _hostile_bodies(wave: int, good: dict[str, str]) -> list[tuple[object, int]]:
    """(body, status) pairs: each must be refused in words, never with a server error."""
    deep = "[" * 100_000 + "]" * 100_000
    return [
        (b"not json", 400),
        (b"\xff\xfe\x00garbage", 400),
        (deep, 400),
        ("[]", 400),
        ("null", 400),
        ({"wave": "1", "envelopes": []}, 400),
        ({"wave": True, "envelopes": []}, 400),
        ({"wave": 10**30, "envelopes": []}, 400),
        ({"wave": wave + 1000, "envelopes": []}, 404),
        ({"wave": wave}, 400),
        ({"wave": wave, "envelopes": {"a": 1}}, 400),
        ({"wave": wave, "envelopes": [1, 2]}, 400),
        ({"wave": wave, "envelopes": [{**good, "response_id": "not-a-uuid"}]}, 400),
        ({"wave": wave, "envelopes": [{**good, "response_id": ["x"]}]}, 400),
        ({"wave": wave, "envelopes": [{**good, "digest": 12}]}, 400),
        ({"wave": wave, "envelopes": [{**good, "ciphertext": "***"}]}, 400),
        ({"wave": wave, "envelopes": [{**good, "ciphertext": None}]}, 400),
        ({"wave": wave, "envelopes": [{**good, "ciphertext": "A" * (MAX_ENVELOPE_BYTES * 2)}]}, 400),
        ({"wave": wave, "envelopes": [good] * 101}, 413),
        ({"wave": wave, "pairs": "x"}, 400),
    ]


def test_hostile_bodies_get_clear_json_errors_never_a_server_error(cast):
    f = field(cast)
    t = tablet(f)
    [good] = wire([envelope(f.wave, payload())])
    for body, status in _hostile_bodies(f.wave.pk, good):
        for url in (reverse("station-api-envelopes"), reverse("station-api-verify")):
            answer = t.post(url, body)
            expected = status
            if url.endswith("verify") and isinstance(body, dict) and "envelopes" in body and status != 404:
                expected = 400  # verify reads "pairs", which these bodies lack
            if url.endswith("verify") and isinstance(body, dict) and body.get("pairs") == "x":
                expected = 400
            assert answer.status_code == expected, (url, str(body)[:80], answer.content[:200])
            assert answer["Content-Type"] == "application/json"
            assert answer.json()["message"]
    for body in (b"{", "[]", {"code": 5}, {"code": ""}, {"code": "x" * 5000}):
        answer = _post_json(Client(), reverse("station-api-enrol"), body) if isinstance(body, dict) else None
        answer = answer or Client().post(
            reverse("station-api-enrol"), data=body, content_type="application/json"
        )
        assert answer.status_code in {400, 403}, body
    with scopes_disabled():
        assert not Envelope.objects.filter(wave=f.wave).exists()


def test_a_body_larger_than_the_cap_is_refused_before_it_is_read(cast):
    f = field(cast)
    t = tablet(f)
    from arusha.surveys.views.station_api import MAX_BODY

    big = b'{"wave": 1, "envelopes": ["' + b"A" * MAX_BODY + b'"]}'
    answer = t.post(reverse("station-api-envelopes"), big)
    assert answer.status_code == 413 and answer.json()["error"] == "too_large"
    liar = t.post(reverse("station-api-envelopes"), big[:100], CONTENT_LENGTH=str(MAX_BODY * 2))
    assert liar.status_code == 413


def test_a_form_encoded_body_is_refused_in_words(cast):
    f = field(cast)
    t = tablet(f)
    answer = t.client.post(
        reverse("station-api-envelopes"),
        {"wave": f.wave.pk, "envelopes": "x"},
        HTTP_AUTHORIZATION=f"Bearer {t.token}",
    )
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


def test_the_api_takes_only_its_methods(cast):
    f = field(cast)
    t = tablet(f)
    assert t.get(reverse("station-api-envelopes")).status_code == 405
    assert t.post(reverse("station-api-manifest"), {}).status_code == 405


def test_nothing_stored_with_an_envelope_names_the_station(cast):
    f = field(cast)
    t = tablet(f, name="Tablet at gate 7")
    sent = envelope(f.wave, payload())
    t.send(f.wave, [sent])
    with scopes_disabled():
        row = Envelope.objects.filter(wave=f.wave).values().get()
    assert set(row) == {
        "id",
        "wave_id",
        "response_id",
        "digest",
        "ciphertext",
        "source",
        "received_on",
        "state",
        "reason",
        "detail",
    }
    assert "gate 7" not in json.dumps({k: str(v) for k, v in row.items()})
    assert base64.b64encode(bytes(row["ciphertext"])).decode() == wire([sent])[0]["ciphertext"]
