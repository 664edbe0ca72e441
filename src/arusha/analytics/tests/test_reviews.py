"""The review of a flagged signal: its steps, who may take them, conflicts, referral to a case."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django_scopes import scopes_disabled
from tests.analytics import person
from tests.forms import hidden_value, signed_in

from arusha.analytics.models import Review
from arusha.analytics.selectors.signals import review_outcomes
from arusha.analytics.services import reviews as services
from arusha.analytics.tests.signal_world import BROKER_IDENTITY, IDENTITY, world
from arusha.core.access import access_of
from arusha.core.concurrency import StaleEdit
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent

EXPLANATION = "The officer says the section handles seized goods; Canary-explained-7c1"


def _events(review: Review) -> list[AuditEvent]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                object_id=str(review.pk), action__startswith="arusha.analytics.review."
            ).order_by("sequence")
        )


def _raw_review_row(review: Review) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT explanation, conclusion FROM analytics_review WHERE id = %s", [review.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def _refer_desk(cast):
    """A case desk (tests/cases.py) and a referral channel that asks no question."""
    from tests.cases import PASSPHRASE, desk

    from arusha.cases.keys import vault_create
    from arusha.cases.models import Anonymity, Channel, ChannelKind

    d = desk(cast)
    with scopes_disabled():
        channel = Channel.objects.create(
            organization=cast.customs,
            kind=ChannelKind.REFERRAL_IN,
            name="Analytics referrals",
            slug="analytics",
            anonymity=Anonymity.ANONYMOUS_ONLY,
            questionnaire=[],
        )
        channel.recipients.add(d.officer)
    return d, channel, PASSPHRASE, vault_create


# --- Steps -----------------------------------------------------------------------------------


def test_an_explanation_is_recorded_encrypted_and_audited_without_its_text(cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    saved = services.review_explain(actor=w.f.officer, review=review, explanation=EXPLANATION, version=1)
    assert (saved.status, saved.reviewer, saved.version) == ("explained", w.f.officer, 2)
    assert "Canary-explained" not in _raw_review_row(review)  # encrypted at rest
    (event,) = _events(review)
    assert event.action == "arusha.analytics.review.explained"
    assert event.changes["explanation"] == ["***", "***"] and "Canary" not in str(event.changes)


def test_closing_needs_the_explanation_first(cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    with pytest.raises(DomainError) as refused:
        services.review_close(actor=w.f.officer, review=review, conclusion="Seized goods section.", version=1)
    assert refused.value.field == "conclusion"
    with scopes_disabled():
        assert Review.objects.get(pk=review.pk).status == "open"


def test_open_explain_close_reopen_keeps_the_outcome_in_the_trail(cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    services.review_explain(actor=w.f.officer, review=review, explanation=EXPLANATION, version=None)
    services.review_close(
        actor=w.f.officer, review=review, conclusion="Seized goods: legitimate.", version=None
    )
    assert review.status == "closed" and review.closed_at is not None
    services.review_reopen(actor=w.f.officer, review=review, version=None)
    with scopes_disabled():
        stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.closed_at, stored.explanation) == ("explained", None, EXPLANATION)
    assert [e.action.rsplit(".", 1)[1] for e in _events(review)] == ["explained", "closed", "reopened"]
    with pytest.raises(DomainError):
        services.review_reopen(actor=w.f.officer, review=review, version=None)


def test_a_decided_review_takes_no_new_explanation(cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    services.review_explain(actor=w.f.officer, review=review, explanation=EXPLANATION, version=None)
    services.review_close(actor=w.f.officer, review=review, conclusion="No issue.", version=None)
    with pytest.raises(DomainError):
        services.review_explain(actor=w.f.officer, review=review, explanation="Again", version=None)


def test_an_empty_explanation_is_refused_on_its_field(cast):
    w = world(cast)
    with pytest.raises(DomainError) as refused:
        services.review_explain(
            actor=w.f.officer, review=w.review("HIT_RATE", "OF-0001"), explanation="  ", version=1
        )
    assert refused.value.field == "explanation"


def test_only_reviewers_who_see_the_signal_may_review(cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    for user in (w.f.analyst, w.f.head, w.f.office_reader, w.f.nobody, cast.outsider):
        with pytest.raises(Http404):
            services.review_explain(actor=user, review=review, explanation=EXPLANATION, version=1)


def test_a_reviewer_who_may_not_see_people_may_not_review_a_person(cast):
    from arusha.analytics.access import OFFICE_VIEW, REVIEW
    from arusha.core import services as core

    w = world(cast)
    role = core.role_create(
        actor=cast.owner, organization=cast.customs, based_on="contributor", name="Office reviewer"
    )
    core.role_update(
        actor=cast.owner, role=role, name=role.name, description="", permissions=[REVIEW, OFFICE_VIEW],
        version=role.version,
    )  # fmt: skip
    reviewer = person(cast, "office-reviewer@test.example", "Olga Office", [role.code])
    with pytest.raises(Http404):
        services.review_explain(
            actor=reviewer, review=w.review("HIT_RATE", "OF-0001"), explanation=EXPLANATION, version=1
        )
    office = w.review("RELEASE_OUTLIER", "KIL-PRT")
    assert (
        services.review_explain(actor=reviewer, review=office, explanation=EXPLANATION, version=1).status
        == "explained"
    )


# --- Two reviewers at once ----------------------------------------------------------------


def test_a_stale_save_is_refused_and_nothing_is_overwritten(cast):
    w = world(cast)
    second = person(cast, "second-integrity@test.example", "Sara Second", ["integrity_officer"])
    mine, theirs = w.review("HIT_RATE", "OF-0001"), w.review("HIT_RATE", "OF-0001")
    services.review_explain(actor=w.f.officer, review=mine, explanation=EXPLANATION, version=1)
    with pytest.raises(StaleEdit):
        services.review_explain(actor=second, review=theirs, explanation="Another story", version=1)
    with scopes_disabled():
        stored = Review.objects.get(pk=mine.pk)
    assert (stored.explanation, stored.reviewer, stored.version) == (EXPLANATION, w.f.officer, 2)


def test_the_second_reviewer_in_the_browser_is_shown_the_newer_version(cast):
    w = world(cast)
    second = person(cast, "second-integrity@test.example", "Sara Second", ["integrity_officer"])
    review = w.review("HIT_RATE", "OF-0001")
    url = w.url("analytics-review-explain", review.pk)
    first, other = signed_in(w.f.officer), signed_in(second)
    version_first = hidden_value(first.get(url).content.decode(), "version")
    version_other = hidden_value(other.get(url).content.decode(), "version")
    assert first.post(url, {"explanation": EXPLANATION, "version": version_first}).status_code == 302
    answer = other.post(url, {"explanation": "Another story", "version": version_other})
    text = answer.content.decode()
    assert answer.status_code == 400 and "saved a newer version" in text and "Another story" in text
    with scopes_disabled():
        assert Review.objects.get(pk=review.pk).explanation == EXPLANATION


# --- Referral to a case ---------------------------------------------------------------------


def test_a_referral_records_a_case_naming_the_pseudonym_never_the_identity(cast):
    from tests.cases import database_holds

    from arusha.cases import crypto
    from arusha.cases.keys import Keyring, open_vault
    from arusha.cases.models import Case

    w = world(cast)
    d, channel, passphrase, vault_create = _refer_desk(cast)
    vault = vault_create(user=w.f.officer, organization=cast.customs, passphrase=passphrase)
    review = w.review("ASSIGN_EXCESS", "BR-0001|OF-0001")
    case = services.review_refer(
        actor=w.f.officer, review=review, channel=channel, conclusion="Pattern over three months.", version=1
    )
    with scopes_disabled():
        stored = Review.objects.get(pk=review.pk)
        assert Case.objects.filter(organization=cast.customs).count() == 1
    assert (stored.status, stored.case_id) == ("referred", case.pk)
    key = Keyring(user=w.f.officer, organization=cast.customs, private_key=open_vault(vault, passphrase)).key(
        case
    )
    narrative = crypto.unseal_json(key, bytes(case.content))["narrative"]
    assert "BR-0001|OF-0001" in narrative and "ASSIGN_EXCESS" in narrative and "2025-03" in narrative
    assert "never a verdict" in narrative and "Pattern over three months." in narrative
    assert IDENTITY not in narrative and BROKER_IDENTITY not in narrative
    assert database_holds(IDENTITY) == [] and database_holds(BROKER_IDENTITY) == []
    actions = [e.action for e in _events(review)]
    assert actions == ["arusha.analytics.review.referred"]
    assert _events(review)[0].changes["case"] == [None, case.reference]
    assert d.channel.pk != channel.pk


def test_a_channel_that_asks_questions_refuses_the_referral_and_nothing_is_kept(cast):
    from arusha.cases.models import Case

    w = world(cast)
    d, _channel, _passphrase, _vault = _refer_desk(cast)
    review = w.review("HIT_RATE", "OF-0001")
    with pytest.raises(DomainError) as refused:
        services.review_refer(
            actor=w.f.officer, review=review, channel=d.channel, conclusion="Refer.", version=1
        )
    assert refused.value.field == "channel"
    with scopes_disabled():
        assert Review.objects.get(pk=review.pk).status == "open"
        assert not Case.objects.filter(organization=cast.customs).exists()


def test_a_reviewer_without_the_case_right_cannot_refer(cast):
    from arusha.analytics.access import PEOPLE_VIEW, REVIEW
    from arusha.core import services as core

    w = world(cast)
    _d, channel, _p, _v = _refer_desk(cast)
    role = core.role_create(
        actor=cast.owner, organization=cast.customs, based_on="contributor", name="Reviewer"
    )
    core.role_update(
        actor=cast.owner, role=role, name=role.name, description="", permissions=[REVIEW, PEOPLE_VIEW],
        version=role.version,
    )  # fmt: skip
    reviewer = person(cast, "reviewer-only@test.example", "Rita Reviewer", [role.code])
    review = w.review("HIT_RATE", "OF-0001")
    assert services.referral_channels(reviewer, review) == []
    with pytest.raises(DomainError) as refused:
        services.review_refer(actor=reviewer, review=review, channel=channel, conclusion="Refer.", version=1)
    assert refused.value.field == "channel"


def test_the_refer_page_records_the_case_and_returns_to_the_signal(client, cast):
    w = world(cast)
    _d, channel, _p, _v = _refer_desk(cast)
    review = w.review("HIT_RATE", "OF-0001")
    client.force_login(w.f.officer)
    url = w.url("analytics-review-refer", review.pk)
    page = client.get(url).content.decode()
    assert "Analytics referrals" in page
    answer = client.post(
        url, {"channel": channel.pk, "conclusion": "Refer it.", "version": hidden_value(page, "version")}
    )
    assert answer.status_code == 302 and answer["Location"].endswith(f"/signals/{review.signal_id}/#review")
    with scopes_disabled():
        assert Review.objects.get(pk=review.pk).status == "referred"
    bad = client.post(
        w.url("analytics-review-refer", w.review("ASSIGN_EXCESS", "BR-0001|OF-0001").pk),
        {"channel": "x", "conclusion": ""},
    )
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()


# --- Outcomes, and no consequence -----------------------------------------------------------


def test_outcomes_count_closed_and_referred_reviews_per_indicator(cast):
    w = world(cast)
    _d, channel, _p, _v = _refer_desk(cast)
    closed = w.review("HIT_RATE", "OF-0001")
    services.review_explain(actor=w.f.officer, review=closed, explanation=EXPLANATION, version=None)
    services.review_close(actor=w.f.officer, review=closed, conclusion="No issue.", version=None)
    services.review_refer(
        actor=w.f.officer, review=w.review("ASSIGN_EXCESS", "BR-0001|OF-0001"), channel=channel,
        conclusion="Refer.", version=None,
    )  # fmt: skip
    rows = {
        row.indicator.code: row for row in review_outcomes(access_of(w.f.officer, cast.customs), cast.customs)
    }
    assert (rows["HIT_RATE"].closed, rows["HIT_RATE"].referred, rows["HIT_RATE"].open) == (1, 0, 1)
    assert (rows["ASSIGN_EXCESS"].closed, rows["ASSIGN_EXCESS"].referred) == (0, 1)
    # The head sees the outcomes of the reviews of signals they may see only: no people.
    head = {row.indicator.code for row in review_outcomes(access_of(w.f.head, cast.customs), cast.customs)}
    assert "ASSIGN_EXCESS" not in head and "RELEASE_OUTLIER" in head


def test_a_flag_has_no_consequence_but_its_open_review(cast):
    from arusha.cases.models import Case
    from arusha.core.models import Notification

    w = world(cast)
    with scopes_disabled():
        reviews = Review.objects.filter(signal__run=w.run)
        assert reviews.count() == w.run.flagged == 6
        assert set(reviews.values_list("status", flat=True)) == {"open"}
        assert not reviews.filter(reviewer__isnull=False).exists()
        assert not reviews.filter(case__isnull=False).exists()
        assert not Case.objects.filter(organization=cast.customs).exists()
        assert not Notification.objects.filter(recipient__in=[w.f.officer, w.f.head, w.f.analyst]).exists()


# --- The review pages ----------------------------------------------------------------------


def test_review_pages_open_to_reviewers_only(client, cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
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
        for name in (
            "analytics-review-explain",
            "analytics-review-close",
            "analytics-review-refer",
            "analytics-review-reopen",
        ):
            assert client.get(w.url(name, review.pk)).status_code == expected, (name, user)


def test_the_explain_and_close_pages_save_through_the_services(client, cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    client.force_login(w.f.officer)
    url = w.url("analytics-review-explain", review.pk)
    version = hidden_value(client.get(url).content.decode(), "version")
    assert client.post(url, {"explanation": EXPLANATION, "version": version}).status_code == 302
    signal_page = client.get(w.url("analytics-signal", review.signal_id)).content.decode()
    assert "Canary-explained-7c1" in signal_page and "Close with no issue" in signal_page
    url = w.url("analytics-review-close", review.pk)
    version = hidden_value(client.get(url).content.decode(), "version")
    assert client.post(url, {"conclusion": "", "version": version}).status_code == 400
    assert client.post(url, {"conclusion": "Legitimate.", "version": version}).status_code == 302
    url = w.url("analytics-review-reopen", review.pk)
    version = hidden_value(client.get(url).content.decode(), "version")
    assert client.post(url, {"version": version}).status_code == 302
    with scopes_disabled():
        assert Review.objects.get(pk=review.pk).status == "explained"


def test_a_service_call_for_another_organization_is_refused(cast):
    w = world(cast)
    review = w.review("HIT_RATE", "OF-0001")
    with pytest.raises((Http404, PermissionDenied)):
        services.review_explain(actor=cast.foreigner, review=review, explanation=EXPLANATION, version=1)
