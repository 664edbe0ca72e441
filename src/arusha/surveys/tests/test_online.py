"""The online survey: the same app and the same ingest, with single-use invitations that link to nothing."""

from __future__ import annotations

import hashlib
import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.surveys import build_questionnaire, envelope, field, payload

from arusha.core.models import AuditEvent
from arusha.surveys.models import Envelope, Invitation, Wave
from arusha.surveys.services.invitations import invitations_create
from arusha.surveys.services.waves import wave_close
from arusha.surveys.tests.station_support import wire

pytestmark = pytest.mark.django_db


def _urls(f, name: str) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"organization": f.organization.slug, "wave": f.wave.pk})


def _config(page: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script id="station-config" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def _submit(f, sent, invitation: str | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"envelope": wire([sent])[0]}
    if invitation is not None:
        body["invitation"] = invitation
    return Client().post(_urls(f, "online-submit"), data=json.dumps(body), content_type="application/json")


def test_the_online_survey_is_the_station_app_in_online_mode(cast):
    f = field(cast)
    page = Client().get(_urls(f, "online-survey"))
    assert page.status_code == 200
    config = _config(page.content.decode())
    assert config["mode"] == "online"
    assert config["online"]["refusal"] == ""
    assert set(config["strings"]) == {"en", "fr", "es"}
    assert config["strings"]["fr"]["next"] != config["strings"]["en"]["next"]  # already translated
    package = Client().get(config["online"]["package"])
    assert package.status_code == 200
    assert hashlib.sha256(package.content).hexdigest() == config["online"]["checksum"]
    assert 'rel="manifest"' not in page.content.decode()


def test_a_response_sent_online_goes_through_the_same_ingest(cast):
    f = field(cast)
    sent = envelope(f.wave, payload(group="broker"))
    answer = _submit(f, sent)
    assert answer.status_code == 200
    assert answer.json()["receipt"] == {"response_id": str(sent.response_id), "outcome": "stored"}
    assert _submit(f, sent).json()["receipt"]["outcome"] == "duplicate"
    with scopes_disabled():
        assert Envelope.objects.get(wave=f.wave).source == "online"


def test_draft_closed_and_foreign_waves_have_no_online_survey(cast):
    f = field(cast)
    draft = Wave.objects.create(
        survey=f.survey, name="Round 2028", number=2, questionnaire=build_questionnaire(f.survey, 2)
    )
    client = Client()
    assert client.get(reverse("online-survey", args=[f.organization.slug, draft.pk])).status_code == 404
    assert client.get(reverse("online-package", args=[f.organization.slug, draft.pk])).status_code == 404
    assert client.get(reverse("online-survey", args=[cast.other.slug, f.wave.pk])).status_code == 404
    assert client.get(reverse("online-survey", args=["nobody", f.wave.pk])).status_code == 404
    sent = envelope(f.wave, payload())
    wave_close(f.wave, actor=f.manager)
    assert client.get(_urls(f, "online-survey")).status_code == 404
    # A respondent who started before the wave closed is not lost: quarantined as late.
    assert _submit(f, sent).json()["receipt"]["outcome"] == "stored"
    with scopes_disabled():
        assert Envelope.objects.get(wave=f.wave).reason == "late"


def test_an_invitation_is_spent_once_by_a_new_response_only(cast):
    f = field(cast)
    first, second = invitations_create(actor=f.manager, wave=f.wave, count=2, batch="Brokers")
    sent = envelope(f.wave, payload())
    assert _submit(f, sent).status_code == 403  # invitation only: none given
    assert _submit(f, sent, "made-up").status_code == 403
    assert _submit(f, sent, first).json()["receipt"]["outcome"] == "stored"
    # Its reply was lost: the same bytes again are a duplicate and spend nothing more.
    assert _submit(f, sent, first).json()["receipt"]["outcome"] == "duplicate"
    with scopes_disabled():
        assert Invitation.objects.filter(wave=f.wave, used=True).count() == 1
    # A spent invitation lets in no other response, and that response is not kept.
    other = envelope(f.wave, payload())
    refused = _submit(f, other, first)
    assert refused.status_code == 403 and refused.json()["error"] == "invitation_used"
    assert "already been used" in refused.json()["message"]
    with scopes_disabled():
        assert not Envelope.objects.filter(response_id=other.response_id).exists()
    assert _submit(f, other, second).json()["receipt"]["outcome"] == "stored"
    with scopes_disabled():
        assert Invitation.objects.filter(wave=f.wave, used=True).count() == 2


def test_an_invitation_keeps_no_link_to_the_response_it_let_in(cast):
    f = field(cast)
    [token] = invitations_create(actor=f.manager, wave=f.wave, count=1, batch="B")
    with scopes_disabled():
        before = AuditEvent.objects.count()
    sent = envelope(f.wave, payload())
    assert _submit(f, sent, token).status_code == 200
    with scopes_disabled():
        row = Invitation.objects.values().get()
        envelope_row = Envelope.objects.values().get()
        # Spending writes no audit event, whose time would date the response.
        assert AuditEvent.objects.count() == before
    assert set(row) == {"id", "wave_id", "digest", "batch", "used", "created_on"}
    assert row["used"] is True
    assert token not in json.dumps({k: str(v) for k, v in envelope_row.items()})
    assert row["digest"] not in json.dumps({k: str(v) for k, v in envelope_row.items()})


def test_the_page_says_when_an_invitation_is_needed_or_already_used(cast):
    f = field(cast)
    [token] = invitations_create(actor=f.manager, wave=f.wave, count=1, batch="B")
    needed = Client().get(_urls(f, "online-survey"))
    assert needed.status_code == 403 and _config(needed.content.decode())["online"]["refusal"] == (
        "online_invitation_needed"
    )
    valid = Client().get(_urls(f, "online-survey") + f"?t={token}")
    assert valid.status_code == 200 and _config(valid.content.decode())["online"]["refusal"] == ""
    # The token is never written into the page.
    assert token not in valid.content.decode()
    _submit(f, envelope(f.wave, payload()), token)
    used = Client().get(_urls(f, "online-survey") + f"?t={token}")
    assert (
        used.status_code == 403
        and _config(used.content.decode())["online"]["refusal"] == "online_invitation_used"
    )


def test_hostile_online_submissions_are_refused_in_words(cast):
    f = field(cast)
    url = _urls(f, "online-submit")
    good = wire([envelope(f.wave, payload())])[0]
    for body in (
        "nope",
        "[]",
        json.dumps({"envelope": "x"}),
        json.dumps({"envelope": {**good, "response_id": "x"}}),
        json.dumps({"envelope": good, "invitation": 5}),
        json.dumps({"envelope": {**good, "ciphertext": "A" * 200_000}}),
    ):
        answer = Client().post(url, data=body, content_type="application/json")
        assert answer.status_code in {400, 413}, (body[:60], answer.content[:200])
        assert answer.json()["message"]
    assert Client().get(url).status_code == 405
    with scopes_disabled():
        assert not Envelope.objects.exists()
    unknown = reverse("online-submit", args=[f.organization.slug, f.wave.pk + 99])
    assert (
        Client()
        .post(unknown, data=json.dumps({"envelope": good}), content_type="application/json")
        .status_code
        == 404
    )
    assert uuid.UUID(good["response_id"])
