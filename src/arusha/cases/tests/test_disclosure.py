"""Disclosure of a reporter's identity: motivated, decided by a custodian, enforced by the keys."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import Desk, desk, person, signed_in
from tests.forms import hidden_value

from arusha.cases import crypto
from arusha.cases.keys import NoKey
from arusha.cases.models import AssignmentRole, Case, CaseKey, Disclosure, DisclosureStatus, KeyPurpose
from arusha.cases.services import people
from arusha.core.errors import DomainError
from arusha.core.permissions import PresetRole

from .people_support import NARRATIVE, people_url, report_about, unlocked

pytestmark = pytest.mark.django_db

IDENTITY = {"name": "Rita Reporter", "contact": "rita@reporter.example"}
MOTIVATION = "We must hear her as a witness before the hearing of 3 May."


def _handled(d: Desk, user=None) -> Case:  # type: ignore[no-untyped-def]
    """A report with the reporter's identity, assigned to the handler, who has attested."""
    case = report_about(d, identity=IDENTITY)
    handler = user or d.handler
    assignment = people.assign(
        keyring=d.keyring(d.officer), case=case, user=handler, role=AssignmentRole.HANDLER
    )
    people.attest(keyring=d.keyring(handler), assignment=assignment, no_conflict=True)
    return case


def _list_url(d: Desk) -> str:
    return reverse("disclosure-list", args=[d.organization.slug])


def test_a_handler_cannot_read_the_identity_before_approval_even_with_the_rows(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = _handled(d)
    content_key = d.keyring(d.handler).key(case)
    with pytest.raises(NoKey):
        d.keyring(d.handler).key(case, KeyPurpose.IDENTITY)
    with scopes_disabled():
        assert not CaseKey.objects.filter(case=case, user=d.handler, purpose=KeyPurpose.IDENTITY).exists()
        stored = Case.objects.get(pk=case.pk)
    # The content key does not open the identity, and the row holds no readable name.
    assert stored.identity is not None
    sealed = bytes(stored.identity)
    assert b"Rita" not in sealed
    with pytest.raises(crypto.CryptoError):
        crypto.unseal(content_key, sealed)
    page = unlocked(d, d.handler).get(people_url(case)).content.decode()
    assert "Rita Reporter" not in page and "Ask who the reporter is" in page


def test_an_approved_request_gives_the_identity_key_to_the_requester(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = _handled(d)
    handler = unlocked(d, d.handler)
    form = handler.get(people_url(case, "case-disclosure-request")).content.decode()
    sent = handler.post(
        people_url(case, "case-disclosure-request"),
        {"motivation": MOTIVATION, "idempotency_key": hidden_value(form, "idempotency_key")},
    )
    assert sent.status_code == 302
    with scopes_disabled():
        disclosure = Disclosure.objects.get(case=case)
    assert MOTIVATION.encode() not in bytes(disclosure.motivation)
    assert MOTIVATION not in str(disclosure.custodian_copies)
    assert set(disclosure.custodian_copies) == {str(d.custodian.pk)}

    custodian = unlocked(d, d.custodian)
    listing = custodian.get(_list_url(d)).content.decode()
    assert MOTIVATION in listing and case.reference in listing and "Hugo Handler" in listing
    assert NARRATIVE not in listing  # custodians never see the content
    assert signed_in(d.custodian).get(people_url(case)).status_code == 404

    decide = reverse("disclosure-decide", args=[d.organization.slug, disclosure.pk])
    assert custodian.post(decide, {"decision": "approve"}).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.APPROVED and disclosure.decided_by == d.custodian
    assert d.keyring(d.handler).key(case, KeyPurpose.IDENTITY) == d.keyring(d.custodian).key(
        case, KeyPurpose.IDENTITY
    )
    page = handler.get(people_url(case)).content.decode()
    assert "Rita Reporter" in page and "rita@reporter.example" in page
    # Another handler of the case still sees no identity.
    assert "Rita Reporter" not in signed_in(d.supervisor).get(people_url(case)).content.decode()


def test_a_refused_request_grants_nothing(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = _handled(d)
    disclosure = people.disclosure_request(keyring=d.keyring(d.handler), case=case, motivation=MOTIVATION)
    people.disclosure_decide(keyring=d.keyring(d.custodian), disclosure=disclosure, approve=False)
    assert disclosure.status == DisclosureStatus.REFUSED
    with pytest.raises(NoKey):
        d.keyring(d.handler).key(case, KeyPurpose.IDENTITY)
    with pytest.raises(DomainError):
        people.disclosure_decide(keyring=d.keyring(d.custodian), disclosure=disclosure, approve=True)
    with pytest.raises(NoKey):
        d.keyring(d.handler).key(case, KeyPurpose.IDENTITY)


def test_a_custodian_cannot_decide_their_own_request(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d, identity=IDENTITY)
    # Both handler and custodian, but joined after the report came in: no identity key yet.
    both = person(cast, "both@test.example", "Bo Both", [PresetRole.CASE_HANDLER, PresetRole.CUSTODIAN])
    assignment = people.assign(
        keyring=d.keyring(d.officer), case=case, user=both, role=AssignmentRole.HANDLER
    )
    people.attest(keyring=d.keyring(both), assignment=assignment, no_conflict=True)
    disclosure = people.disclosure_request(keyring=d.keyring(both), case=case, motivation=MOTIVATION)
    with pytest.raises(DomainError):
        people.disclosure_decide(keyring=d.keyring(both), disclosure=disclosure, approve=True)
    with pytest.raises(NoKey):
        d.keyring(both).key(case, KeyPurpose.IDENTITY)
    # Their own copy of the motivation opens with their vault; the other custodian decides.
    copy = base64.b64decode(disclosure.custodian_copies[str(both.pk)])
    assert crypto.unwrap(d.keyring(both).private_key or b"", copy).decode() == MOTIVATION
    people.disclosure_decide(keyring=d.keyring(d.custodian), disclosure=disclosure, approve=True)
    assert d.keyring(both).key(case, KeyPurpose.IDENTITY)


def test_only_a_key_holder_of_the_case_may_ask(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d, identity=IDENTITY)
    assert signed_in(d.handler).get(people_url(case, "case-disclosure-request")).status_code == 404
    assert signed_in(d.custodian).get(people_url(case, "case-disclosure-request")).status_code == 404
    with pytest.raises(DomainError):
        people.disclosure_request(keyring=d.keyring(d.supervisor), case=case, motivation=MOTIVATION)  # no key
    anonymous = _handled(d, d.handler2)
    with scopes_disabled():
        Case.objects.filter(pk=anonymous.pk).update(identity=None, anonymous=True)
    anonymous.refresh_from_db()
    with pytest.raises(DomainError):
        people.disclosure_request(keyring=d.keyring(d.handler2), case=anonymous, motivation=MOTIVATION)


def test_only_custodians_see_the_requests(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = _handled(d)
    disclosure = people.disclosure_request(keyring=d.keyring(d.handler), case=case, motivation=MOTIVATION)
    decide = reverse("disclosure-decide", args=[d.organization.slug, disclosure.pk])
    for user in (d.officer, d.handler, cast.owner, cast.member, cast.outsider):
        client = signed_in(user)
        assert client.get(_list_url(d)).status_code == 404, user
        assert client.post(decide, {"decision": "approve"}).status_code == 404, user
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REQUESTED


def test_hostile_disclosure_posts_never_fail(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = _handled(d)
    handler = unlocked(d, d.handler)
    for data in ({}, {"motivation": ""}, {"motivation": "x" * 100_000}, {"motivation": ["a", "b"]}):
        assert handler.post(people_url(case, "case-disclosure-request"), data).status_code in {200, 302, 400}
    custodian = unlocked(d, d.custodian)
    with scopes_disabled():
        disclosure = Disclosure.objects.filter(case=case).first()
    assert disclosure is not None
    decide = reverse("disclosure-decide", args=[d.organization.slug, disclosure.pk])
    for data in ({}, {"decision": "maybe"}, {"decision": "x" * 10_000}):
        assert custodian.post(decide, data).status_code == 302
    assert (
        custodian.post(reverse("disclosure-decide", args=[d.organization.slug, 999_999])).status_code == 404
    )
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REQUESTED
    # A locked custodian who approves gets a message, not an error, and gives nothing.
    locked = signed_in(d.custodian)
    assert locked.post(decide, {"decision": "approve"}).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.REQUESTED
