"""Setting cases up: channels with their questionnaire, categories and case settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import Desk, desk, signed_in
from tests.forms import hidden_value

from arusha.cases.models import Category, Channel
from arusha.cases.services.intake import case_settings
from arusha.core.models import AuditEvent

pytestmark = pytest.mark.django_db

QUESTIONS = """where | Where did it happen? | text | required
# a comment line is skipped
kind | What kind of wrongdoing? | choice | optional | Bribery; Abuse of office; Other
"""


def _url(d: Desk, name: str, *args: object) -> str:
    return reverse(name, args=[d.organization.slug, *args])


def _data(page: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "service_complaint",
        "name": "Service desk",
        "slug": "service",
        "is_public": "on",
        "anonymity": "optional",
        "introduction": "Tell us how we served you.",
        "questionnaire": QUESTIONS,
        "acknowledge_days": 7,
        "feedback_days": 90,
        "remind_days": 2,
        "retention_not_admissible": 365,
        "retention_redirected": 365,
        "retention_resolved": 730,
        "retention_unsubstantiated": 1825,
        "retention_substantiated": 3650,
        "max_attachment_mb": 20,
        "is_active": "on",
    }
    for name in ("idempotency_key", "version"):
        if f'name="{name}"' in page:
            data[name] = hidden_value(page, name)
    data.update(changes)
    return data


def _create(d: Desk, client: Client, **changes: Any) -> Any:
    page = client.get(_url(d, "channel-add")).content.decode()
    return client.post(_url(d, "channel-add"), _data(page, **changes))


def test_a_manager_opens_a_channel_with_its_questionnaire(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)  # administrators manage channels
    response = _create(d, client, recipients=[d.officer.pk])
    assert response.status_code == 302
    with scopes_disabled():
        channel = Channel.objects.get(organization=d.organization, slug="service")
        assert list(channel.recipients.all()) == [d.officer]
        assert AuditEvent.objects.filter(action="arusha.channel.created", object_id=str(channel.pk)).exists()
    assert [q["key"] for q in channel.questionnaire] == ["where", "kind"]
    assert channel.questionnaire[1]["choices"] == ["Bribery", "Abuse of office", "Other"]
    assert channel.questionnaire[0]["required"] and not channel.questionnaire[1]["required"]
    assert channel.retention["substantiated"] == 3650 and channel.max_attachment_mb == 20
    # The editor shows it back, one question per line.
    page = client.get(_url(d, "channel-edit", channel.pk)).content.decode()
    assert "kind | What kind of wrongdoing? | choice | optional | Bribery; Abuse of office; Other" in page


def test_a_bad_questionnaire_line_is_named(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)
    for text, said in (
        ("where | Where? | text | required\nkind | Kind? | choice | optional | Only one", "Line 2:"),
        ("where | Where? | text\nwhere | Again? | text", "Line 2: the code where is used twice"),
        ("Where | Where? | text", "Line 1:"),
        ("where | Where? | colour", "Line 1: the kind is one of"),
        ("\n\nwhen | When? | date | maybe", "Line 3: write required or optional"),
        ("just a label", "Line 1:"),
    ):
        response = _create(d, client, questionnaire=text)
        assert response.status_code == 400 and said in response.content.decode(), text
    with scopes_disabled():
        assert not Channel.objects.filter(slug="service").exists()


def test_a_double_submitted_channel_makes_one(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)
    page = client.get(_url(d, "channel-add")).content.decode()
    data = _data(page)
    assert client.post(_url(d, "channel-add"), data).status_code == 302
    assert client.post(_url(d, "channel-add"), data).status_code == 302
    with scopes_disabled():
        assert Channel.objects.filter(organization=d.organization, slug="service").count() == 1


def test_a_stale_edit_is_refused_and_keeps_the_text(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    url = _url(d, "channel-edit", d.channel.pk)
    first, second = signed_in(cast.owner), signed_in(d.officer)
    page_one = first.get(url).content.decode()
    page_two = second.get(url).content.decode()
    base = {"kind": "integrity_report", "slug": "integrity", "recipients": [d.officer.pk]}
    assert first.post(url, _data(page_one, name="Integrity line (new)", **base)).status_code == 302
    stale = second.post(url, _data(page_two, name="Integrity hotline", **base))
    text = stale.content.decode()
    assert stale.status_code == 400 and "saved a newer version" in text and "Integrity hotline" in text
    d.channel.refresh_from_db()
    assert d.channel.name == "Integrity line (new)"
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(action="arusha.channel.updated", object_id=str(d.channel.pk)).count()
            == 1
        )


def test_a_channel_nobody_could_read_is_flagged(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)
    assert _create(d, client).status_code == 302  # no intake officer
    listing = client.get(_url(d, "channel-list")).content.decode()
    assert "nobody could read a report" in listing
    with scopes_disabled():
        channel = Channel.objects.get(slug="service")
    assert "nobody could read a report" in client.get(_url(d, "channel-edit", channel.pk)).content.decode()


def test_intake_officers_are_people_who_work_on_cases(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    response = _create(d, signed_in(cast.owner), recipients=[cast.member.pk])
    assert response.status_code == 400 and "recipients" in response.content.decode()


def test_staff_channels_cannot_be_public(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    response = _create(d, signed_in(cast.owner), kind="oral_intake")
    assert response.status_code == 400 and "cannot be open to the public" in response.content.decode()


def test_categories_map_to_key_factors(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)
    url = _url(d, "category-list")
    key = hidden_value(client.get(url).content.decode(), "idempotency_key")
    data = {"code": "bribery", "name": "Bribery", "factor": "KF6", "idempotency_key": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    with scopes_disabled():
        category = Category.objects.get(organization=d.organization)
    assert category.factor == "KF6"
    assert "Audit and investigation" in client.get(url).content.decode()
    bad = client.post(
        _url(d, "category-edit", category.pk), {"code": "bribery", "name": "Bribery", "factor": "KF11"}
    )
    assert bad.status_code == 400
    edited = client.post(
        _url(d, "category-edit", category.pk), {"code": "bribes", "name": "Bribes", "factor": ""}
    )
    assert edited.status_code == 302
    category.refresh_from_db()
    assert (category.code, category.factor) == ("bribes", "")


def test_supervisors_set_the_case_settings(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(d.officer)
    url = _url(d, "case-settings")
    page = client.get(url).content.decode()
    data = {"line_levels": 3, "minimum_cell": 10, "version": hidden_value(page, "version")}
    assert client.post(url, data).status_code == 302  # same unit unticked
    settings = case_settings(d.organization)
    assert (settings.line_levels, settings.same_unit_conflicts, settings.minimum_cell) == (3, False, 10)
    assert client.post(url, {**data, "line_levels": 1}).status_code == 400  # stale
    assert client.post(url, {"line_levels": 9, "minimum_cell": 0}).status_code == 400
    assert signed_in(cast.owner).get(url).status_code == 404  # administrators hold no supervision


def test_people_without_the_permission_are_refused(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    for name, args in (
        ("channel-list", ()),
        ("channel-add", ()),
        ("channel-edit", (d.channel.pk,)),
        ("category-list", ()),
    ):
        url = _url(d, name, *args)
        for user in (cast.member, d.handler, d.custodian):
            assert signed_in(user).get(url).status_code == 403, (name, user)
            assert signed_in(user).post(url, {"name": "x"}).status_code == 403, (name, user)
        for user in (cast.outsider, cast.foreigner):
            assert signed_in(user).get(url).status_code == 404, (name, user)
    assert signed_in(cast.owner).get(_url(d, "channel-edit", 999_999)).status_code == 404


def test_hostile_channel_posts_never_fail(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)
    page = client.get(_url(d, "channel-add")).content.decode()
    for changes in (
        {"kind": "nonsense"},
        {"slug": "Not A Slug!"},
        {"slug": "integrity"},  # taken
        {"acknowledge_days": -1},
        {"feedback_days": "ninety"},
        {"feedback_days": 3, "acknowledge_days": 7},
        {"retention_substantiated": 10**12},
        {"max_attachment_mb": 0},
        {"questionnaire": "a | b | c | d | e | f"},
        {"questionnaire": "x" * 60_000},
        {"questionnaire": "\n".join(f"q{i} | Q{i}? | text" for i in range(41))},
        {"recipients": ["x", str(2**70)]},
        {"name": "\x00" * 10},
        {"introduction": "<script>alert(1)</script>" * 1000},
        {"idempotency_key": "../../etc"},
    ):
        response = client.post(_url(d, "channel-add"), _data(page, **changes))
        assert response.status_code == 400, changes
    for data in ({}, {"line_levels": "x"}, {"minimum_cell": 10**30}):
        assert signed_in(d.officer).post(_url(d, "case-settings"), data).status_code in {200, 400}


def test_the_follow_up_address_is_reserved_for_reporters(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    response = _create(d, signed_in(cast.owner), slug="follow-up")
    assert (
        response.status_code == 400
        and "The reporters&#x27; pages use this web address" in response.content.decode()
    )
