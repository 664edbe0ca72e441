"""People concerned by a case: recorded sealed by key holders, and read by the arm's-length rules."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import case_url, database_holds, desk, signed_in, unlocked

from arusha.cases.models import Subject
from arusha.cases.services import people
from arusha.cases.services.intake import Report, report_submit
from arusha.cases.tests.people_support import membership, set_line
from arusha.core.errors import DomainError


@pytest.fixture
def d(cast):  # type: ignore[no-untyped-def]
    return desk(cast)


def _case(d):  # type: ignore[no-untyped-def]
    with scopes_disabled():
        return report_submit(
            Report(channel=d.channel, answers={"where": "Port"}, narrative="Cash at gate 4")
        ).case


def test_a_key_holder_records_a_member_and_assignments_then_follow_the_rule(d, cast) -> None:  # type: ignore[no-untyped-def]
    case = _case(d)
    set_line(d, cast.owner, d.handler, None)
    set_line(d, cast.owner, cast.member, d.handler)  # the member reports to Hugo Handler
    officer = unlocked(d, d.officer)
    url = case_url("case-subjects", case)
    page = officer.post(
        url, {"name": "Zebulon Quartermain", "role": "gate clerk", "member": membership(d, cast.member).pk,
              "idempotency_key": "key-one-0123456789"},
    )  # fmt: skip
    assert page.status_code == 302
    again = officer.post(
        url,
        {"name": "Zebulon Quartermain", "role": "", "member": "", "idempotency_key": "key-one-0123456789"},
    )
    assert again.status_code == 302
    with scopes_disabled():
        assert Subject.objects.filter(case=case).count() == 1  # a double submit records once
    listing = officer.get(url).content.decode()
    assert "Zebulon Quartermain" in listing and "gate clerk" in listing
    assert database_holds("Zebulon Quartermain") == []  # sealed
    with pytest.raises(DomainError):
        people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role="handler")
    assigned = people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler2, role="handler")
    assert assigned.user == d.handler2


def test_recording_a_subject_warns_about_an_assignee_who_now_conflicts(d, cast) -> None:  # type: ignore[no-untyped-def]
    case = _case(d)
    people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role="handler")
    set_line(d, cast.owner, cast.member, d.handler)
    officer = unlocked(d, d.officer)
    answer = officer.post(
        case_url("case-subjects", case),
        {"name": "Mark", "member": membership(d, cast.member).pk, "idempotency_key": "key-two-0123456789"},
        follow=True,
    )
    assert "Hugo Handler is assigned to this case and conflicts with this person" in answer.content.decode()


def test_without_the_key_the_page_says_so_and_bad_input_is_named(d, cast) -> None:  # type: ignore[no-untyped-def]
    case = _case(d)
    url = case_url("case-subjects", case)
    keyless = unlocked(d, d.supervisor)
    page = keyless.get(url)
    assert page.status_code == 200 and "no key" in page.content.decode()
    locked = signed_in(d.officer).get(url)
    assert "Unlock your case vault" in locked.content.decode()
    officer = unlocked(d, d.officer)
    for data in (
        {"name": ""},
        {"name": "x" * 500},
        {"name": "A", "member": "9" * 30},
        {"name": "A", "member": "x"},
    ):
        answer = officer.post(url, {**data, "idempotency_key": "key-bad-0123456789"})
        assert answer.status_code == 400, data
    other_org_case = reverse("case-subjects", args=[cast.other.slug, case.pk])
    assert signed_in(d.officer).get(other_org_case).status_code == 404
    assert signed_in(cast.member).get(url).status_code == 404
    handler = signed_in(d.handler)  # not assigned: the case does not exist for them
    assert handler.post(url, {"name": "A", "idempotency_key": "key-h-0123456789ab"}).status_code == 404


def test_a_person_recorded_by_mistake_is_removed(d) -> None:  # type: ignore[no-untyped-def]
    case = _case(d)
    officer = unlocked(d, d.officer)
    officer.post(
        case_url("case-subjects", case), {"name": "Wrong Person", "idempotency_key": "key-three-0123456789"}
    )
    with scopes_disabled():
        subject = Subject.objects.get(case=case)
    assert officer.post(case_url("case-subject-remove", case, subject.pk)).status_code == 302
    assert officer.post(case_url("case-subject-remove", case, subject.pk), follow=True).status_code == 200
    with scopes_disabled():
        assert not Subject.objects.filter(case=case).exists()
