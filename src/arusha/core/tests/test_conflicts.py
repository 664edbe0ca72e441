"""Arm's-length rules: the reasons core finds between an assignee and the subjects of a matter."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from arusha.core import services
from arusha.core.conflicts import ConflictReason, ConflictRules, conflicts_of
from arusha.core.models import Membership, Relationship


def _member(cast, email: str, division=None, reports_to=None) -> Membership:
    user = services.user_create(email=email, full_name=email.split("@")[0].title(), password=None)
    membership = services.membership_create(
        actor=None, organization=cast.customs, user=user, roles=["case_handler"], division=division
    )
    if reports_to is not None:
        with scopes_disabled():
            Membership.objects.filter(pk=membership.pk).update(reports_to=reports_to)
            membership.refresh_from_db()
    return membership


def _reasons(assignee, subjects, rules=None) -> set[str]:
    return {c.reason for c in conflicts_of(assignee, subjects, rules)}


@pytest.mark.django_db
def test_the_reporting_line_counts_two_levels_either_way(cast) -> None:
    director = _member(cast, "director@test.example")
    chief = _member(cast, "chief@test.example", reports_to=director)
    officer = _member(cast, "officer@test.example", reports_to=chief)
    clerk = _member(cast, "clerk@test.example", reports_to=officer)
    stranger = _member(cast, "stranger@test.example")
    assert _reasons(chief, [officer]) == {ConflictReason.REPORTING_LINE}
    assert _reasons(director, [officer]) == {ConflictReason.REPORTING_LINE}
    assert _reasons(officer, [director]) == {ConflictReason.REPORTING_LINE}
    assert _reasons(director, [clerk]) == set()  # three levels apart
    assert _reasons(director, [clerk], ConflictRules(line_levels=3)) == {ConflictReason.REPORTING_LINE}
    assert _reasons(stranger, [officer]) == set()
    assert _reasons(officer, [officer]) == {ConflictReason.IS_SUBJECT}


@pytest.mark.django_db
def test_a_shared_division_counts_unless_the_rule_is_off(cast) -> None:
    one = _member(cast, "one@test.example", division=cast.division)
    two = _member(cast, "two@test.example", division=cast.division)
    three = _member(cast, "three@test.example", division=cast.sub_division)
    assert _reasons(one, [two]) == {ConflictReason.SAME_UNIT}
    assert _reasons(one, [two], ConflictRules(same_unit=False)) == set()
    assert _reasons(one, [three]) == set()


@pytest.mark.django_db
def test_a_declared_relationship_counts_until_it_ends(cast) -> None:
    one = _member(cast, "one@test.example")
    two = _member(cast, "two@test.example")
    with scopes_disabled():
        relationship = Relationship.objects.create(
            organization=cast.customs, member=two, other=one, kind="family"
        )
    assert _reasons(one, [two]) == {ConflictReason.RELATIONSHIP}
    with scopes_disabled():
        relationship.ended_on = datetime.date(2020, 1, 1)
        relationship.save()
    assert _reasons(one, [two]) == set()
