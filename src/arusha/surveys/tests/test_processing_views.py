"""The processing screens: who may open them, the key and its job, review, files, paper and imports."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.surveys import PASSPHRASE, Field, envelope, field, payload

from arusha.surveys.models import Envelope, EnvelopeState, OpenKey, Resend, Response, Source
from arusha.surveys.services.ingest import ingest
from arusha.surveys.services.processing import key_open, process_wave
from arusha.surveys.services.waves import wave_close
from arusha.surveys.tests.test_intake import bundle
from arusha.surveys.tests.test_tool_import import ANSWERS, as_csv, kobo_rows

pytestmark = pytest.mark.django_db

CUSTODY_PAGES = ("wave-key", "wave-quarantine", "wave-resends")
COLLECT_PAGES = ("wave-intake", "wave-upload", "wave-paper", "wave-import")


def url(f: Field, name: str) -> str:
    return reverse(name, args=[f.organization.slug, f.wave.pk])


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def envelopes(f: Field) -> int:
    with scopes_disabled():
        return Envelope.objects.filter(wave=f.wave).count()


def test_each_page_is_for_its_permission_and_hidden_from_outsiders(cast):
    f = field(cast)
    for person in (cast.outsider, cast.foreigner, cast.member, cast.staff):
        client = signed_in(person)
        for name in CUSTODY_PAGES + COLLECT_PAGES:
            assert client.get(url(f, name)).status_code == 404, (person, name)
            assert client.post(url(f, name), {"action": "close"}).status_code == 404, (person, name)
    analyst = signed_in(f.analyst)
    for name in CUSTODY_PAGES + COLLECT_PAGES:
        assert analyst.get(url(f, name)).status_code == 403, name
    custodian = signed_in(f.custodian)
    for name in CUSTODY_PAGES:
        assert custodian.get(url(f, name)).status_code == 200, name
    for name in COLLECT_PAGES:
        assert custodian.get(url(f, name)).status_code == 403, name
    manager = signed_in(f.manager)
    for name in CUSTODY_PAGES + COLLECT_PAGES:
        assert manager.get(url(f, name)).status_code == 200, name
    other_wave = reverse("wave-key", args=[f.organization.slug, f.wave.pk + 1000])
    assert manager.get(other_wave).status_code == 404
    assert Client().get(url(f, "wave-key")).status_code == 302


def test_a_wrong_passphrase_opens_nothing_and_the_right_one_processes_in_the_worker(
    cast, django_capture_on_commit_callbacks
):
    f = field(cast)
    ingest(f.wave, [envelope(f.wave, payload()) for _ in range(3)], source="station")
    ingest(f.wave, [envelope(f.wave, payload(answers={"kf2_rules": "3"}))], source="online")
    custodian = signed_in(f.custodian)
    wrong = custodian.post(
        url(f, "wave-key"), {"action": "open", "passphrase": "not the passphrase", "hours": 8}
    )
    assert wrong.status_code == 400
    assert "This passphrase does not open the wave" in wrong.content.decode()
    with scopes_disabled():
        assert not OpenKey.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        opened = custodian.post(url(f, "wave-key"), {"action": "open", "passphrase": PASSPHRASE, "hours": 2})
    assert opened.status_code == 302
    page = custodian.get(url(f, "wave-key")).content.decode()
    assert "The key is open" in page and "Opened: 3 accepted, 1 quarantined." in page
    poll = custodian.get(url(f, "wave-key"), headers={"HX-Request": "true"})
    assert poll.status_code == 286 and poll["HX-Refresh"] == "true"
    counts = signed_in(f.manager).get(url(f, "wave-intake")).content.decode()
    accepted_row = re.search(r"<th scope=\"row\">Accepted</th>(.*?)</tr>", counts, re.S)
    assert accepted_row is not None and "<strong>3</strong>" in accepted_row.group(1)
    assert "Does not match the questionnaire" in counts
    assert not re.search(r"\b\d{1,2}:\d{2}\b", counts.split('id="main"')[1])  # no time of day
    with django_capture_on_commit_callbacks(execute=True):
        closed = custodian.post(url(f, "wave-key"), {"action": "close"})
    assert closed.status_code == 302
    with scopes_disabled():
        assert not OpenKey.objects.exists()
    refused = custodian.post(url(f, "wave-key"), {"action": "process"}, follow=True)
    assert "is not open" in refused.content.decode()


def test_quarantine_review_accepts_a_late_response_and_excludes_with_a_reason(cast):
    f = field(cast)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    wave_close(f.wave, actor=f.manager)
    late, invalid = payload(), payload(answers={"kf2_rules": "3"})
    ingest(f.wave, [envelope(f.wave, late), envelope(f.wave, invalid)], source="station")
    with scopes_disabled():
        late_envelope = Envelope.objects.get(response_id=late["response_id"])
        invalid_envelope = Envelope.objects.get(response_id=invalid["response_id"])
    custodian = signed_in(f.custodian)
    page = custodian.get(url(f, "wave-quarantine")).content.decode()
    assert page.count('value="accept"') == 2 and "Arrived after the wave closed" in page
    accepted = custodian.post(
        url(f, "wave-quarantine"), {"pk": late_envelope.pk, "action": "accept"}, follow=True
    )
    assert "is accepted and counted" in accepted.content.decode()
    refused = custodian.post(
        url(f, "wave-quarantine"), {"pk": invalid_envelope.pk, "action": "accept"}, follow=True
    )
    assert "It stays in quarantine" in refused.content.decode()
    unexplained = custodian.post(
        url(f, "wave-quarantine"), {"pk": invalid_envelope.pk, "action": "exclude", "reason": ""}, follow=True
    )
    assert "Say why this response is excluded." in unexplained.content.decode()
    excluded = custodian.post(
        url(f, "wave-quarantine"),
        {"pk": invalid_envelope.pk, "action": "exclude", "reason": "Test interview"},
    )
    assert excluded.status_code == 302
    with scopes_disabled():
        states = dict(Envelope.objects.values_list("response_id", "state"))
        assert Response.objects.count() == 1
    assert states == {
        uuid.UUID(late["response_id"]): EnvelopeState.ACCEPTED,
        uuid.UUID(invalid["response_id"]): EnvelopeState.EXCLUDED,
    }
    for hostile in ({"pk": "x"}, {"pk": 2**70, "action": "accept"}, {"pk": 1, "action": "delete"}, {}):
        assert custodian.post(url(f, "wave-quarantine"), hostile).status_code == 302
    assert custodian.post(url(f, "wave-quarantine"), {"pk": 10**9, "action": "accept"}).status_code == 404


def test_a_resend_is_resolved_on_its_page(cast):
    f = field(cast)
    body = payload()
    ingest(f.wave, [envelope(f.wave, body)], source="station")
    ingest(f.wave, [envelope(f.wave, dict(body, group="broker"))], source="bundle")
    with scopes_disabled():
        resend = Resend.objects.get()
    custodian = signed_in(f.custodian)
    page = custodian.get(url(f, "wave-resends")).content.decode()
    assert "Keep the second" in page and str(body["response_id"])[:8] in page
    kept = custodian.post(url(f, "wave-resends"), {"pk": resend.pk, "keep": "second"}, follow=True)
    assert "The second copy is kept" in kept.content.decode()
    with scopes_disabled():
        assert Envelope.objects.get().source == Source.BUNDLE
    assert "No re-send waits for a decision." in custodian.get(url(f, "wave-resends")).content.decode()
    assert custodian.post(url(f, "wave-resends"), {"pk": "1; drop", "keep": "second"}).status_code == 302


def test_a_station_file_upload_shows_counts_or_every_problem(cast):
    f = field(cast)
    manager = signed_in(f.manager)
    data = bundle(f.wave, [payload() for _ in range(2)])
    stored = manager.post(
        url(f, "wave-upload"), {"file": SimpleUploadedFile("arusha.json", data)}, follow=True
    )
    assert "2 responses stored; 0 already held (duplicates); 0 conflicting re-sends kept for review." in (
        stored.content.decode()
    )
    again = manager.post(
        url(f, "wave-upload"), {"file": SimpleUploadedFile("arusha.json", data)}, follow=True
    )
    assert "0 responses stored; 2 already held (duplicates)" in again.content.decode()
    for hostile in (
        b"\x00\x01garbage",
        b'{"format": "arusha-survey-bundle", "version": 1e999}',
        b"[" * 50_000,
    ):
        answer = manager.post(url(f, "wave-upload"), {"file": SimpleUploadedFile("x.json", hostile)})
        assert answer.status_code == 400 and "The file was not uploaded" in answer.content.decode()
    assert manager.post(url(f, "wave-upload"), {"file": SimpleUploadedFile("x.json", b"")}).status_code == 400
    assert manager.post(url(f, "wave-upload"), {}).status_code == 400
    assert envelopes(f) == 2


def _paper_form(client: Client, f: Field) -> dict[str, str]:
    page = client.get(url(f, "wave-paper")).content.decode()
    found = re.search(r'name="response_id" value="([0-9a-f-]{36})"', page)
    assert found is not None
    assert 'type="radio" name="q_kf1_fair" value="98"' in page
    return {"response_id": found.group(1), "group": "staff", "language": "en"}


def test_a_paper_response_posted_twice_is_stored_once_and_the_next_form_is_fresh(cast):
    f = field(cast)
    manager = signed_in(f.manager)
    form = _paper_form(manager, f) | {
        "q_age": "18-29",
        "q_kf1_fair": "5",
        "q_kf3_bribe": "4",
        "q_kf3_why": "x",
    }
    first = manager.post(url(f, "wave-paper"), form, follow=True)
    assert "The paper response is saved" in first.content.decode()
    second = manager.post(url(f, "wave-paper"), form, follow=True)
    assert "already saved: it is counted once" in second.content.decode()
    assert envelopes(f) == 1
    assert _paper_form(manager, f)["response_id"] != form["response_id"]


def test_a_wrong_paper_answer_is_shown_at_its_item_and_nothing_is_stored(cast):
    f = field(cast)
    manager = signed_in(f.manager)
    form = _paper_form(manager, f)
    answer = manager.post(url(f, "wave-paper"), form | {"q_kf2_rules": "3"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert '<a href="#id_q_kf1_fair">Kf1 fair: “kf1_fair” is required and has no answer.</a>' in page
    assert f'value="{form["response_id"]}"' in page
    assert re.search(r'name="q_kf2_rules" value="3"[^>]*checked', page)
    skipped = manager.post(url(f, "wave-paper"), form | {"q_kf1_fair": "2", "q_kf3_why": "typed anyway"})
    assert skipped.status_code == 400 and "#id_q_kf3_why" in skipped.content.decode()
    for hostile in (
        {"response_id": "not-a-uuid", "group": "staff", "language": "en"},
        form | {"q_kf1_fair": "1000"},
        form | {"group": "ghosts"},
        form | {"language": "xx"},
        {},
    ):
        assert manager.post(url(f, "wave-paper"), hostile).status_code == 400
    assert envelopes(f) == 0


def test_an_import_page_stores_a_small_file_and_lists_the_problems_of_a_bad_one(cast):
    f = field(cast)
    manager = signed_in(f.manager)
    ids = [str(uuid.uuid4()) for _ in ANSWERS]
    good = SimpleUploadedFile("kobo.csv", as_csv(kobo_rows(ANSWERS, ids)))
    stored = manager.post(url(f, "wave-import"), {"file": good}, follow=True)
    assert "The file is imported: 3 responses stored" in stored.content.decode()
    rows = [dict(ANSWERS[0], kf1_fair="0"), dict(ANSWERS[0], kf1_fair="")]
    bad = SimpleUploadedFile("kobo.csv", as_csv(kobo_rows(rows, [str(uuid.uuid4()) for _ in rows])))
    refused = manager.post(url(f, "wave-import"), {"file": bad})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "row 2: “kf1_fair” is not one of its choices." in page and "row 3: “kf1_fair” is required" in page
    for hostile in (b"", b"\x00\xff" * 100, b"PK\x03\x04garbage", b"_uuid\n" + b'"' * 10):
        answer = manager.post(url(f, "wave-import"), {"file": SimpleUploadedFile("x.xlsx", hostile)})
        assert answer.status_code == 400
    assert manager.post(url(f, "wave-import"), {"file": good, "group": "nobody"}).status_code == 400
    assert envelopes(f) == 3


def test_a_large_import_runs_in_the_worker_and_its_page_shows_the_outcome(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.ARUSHA_SURVEY_IMPORT_INLINE_BYTES = 10
    f = field(cast)
    manager = signed_in(f.manager)
    ids = [str(uuid.uuid4()) for _ in ANSWERS]
    with django_capture_on_commit_callbacks(execute=True):
        sent = manager.post(
            url(f, "wave-import"), {"file": SimpleUploadedFile("odk.csv", as_csv(kobo_rows(ANSWERS, ids)))}
        )
    assert sent.status_code == 302
    page = manager.get(url(f, "wave-import")).content.decode()
    assert "The file is imported: 3 responses stored" in page
    assert manager.get(url(f, "wave-import"), headers={"HX-Request": "true"}).status_code == 286
    rows = [dict(ANSWERS[0], kf1_fair="0")]
    bad = SimpleUploadedFile("kobo.csv", as_csv(kobo_rows(rows, [str(uuid.uuid4())])))
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(url(f, "wave-import"), {"file": bad})
    assert (
        "row 2: “kf1_fair” is not one of its choices." in manager.get(url(f, "wave-import")).content.decode()
    )
    assert envelopes(f) == 3


def test_processed_paper_counts_as_accepted_on_the_arrivals_page(cast):
    f = field(cast)
    manager = signed_in(f.manager)
    form = _paper_form(manager, f) | {"q_kf1_fair": "5"}
    manager.post(url(f, "wave-paper"), form)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    process_wave(f.wave)
    page = manager.get(url(f, "wave-intake")).content.decode()
    row = re.search(r"<th scope=\"row\">Accepted</th>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td class=\"number\">(.*?)</td>", row.group(1))
    assert cells == ["0", "0", "0", "1", "0", "<strong>1</strong>"]
