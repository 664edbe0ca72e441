"""The register's writes and its rows, through the services and the selector."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scopes_disabled
from tests.risks import add_risk, stays_out

from arusha.core.access import access_of
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.risks.models import RatingSnapshot
from arusha.risks.selectors.register import RegisterFilters, register_rows
from arusha.risks.services.register import risk_create, risk_rate, risk_update
from arusha.risks.services.treatments import treatment_save
from arusha.risks.tests.register_world import CANARY, rated, values


def _codes(rows):
    return [row.code for row in rows]


def test_the_register_rows_carry_levels_labels_and_counts(cast):
    r = rated(cast)
    treatment_save(actor=r.f.officer, risk=r.fine, values=values())
    treatment_save(actor=r.f.officer, risk=r.fine, values=values(title="Cancelled one", status="cancelled"))
    rows = register_rows(r.f.cycle, access_of(r.f.officer, cast.customs))
    assert _codes(rows) == ["R-001", "R-002"]
    zero, fine = rows
    assert (zero.inherent.label, zero.current.label, zero.target.label) == ("Very high", "High", "Low")
    assert zero.current.colour.startswith("#") and zero.current.severity == 2
    assert (zero.zero_tolerance != "", zero.above_appetite) == (True, True)
    assert (fine.zero_tolerance, fine.above_appetite) == ("", True)
    assert (fine.treatments, fine.decision_label, fine.status_label) == (1, "treat", "treatment planned")
    assert (fine.process_code, fine.owner_name) == ("VAL", "Omar Owner")
    assert zero.text is None


def test_restricted_text_is_read_only_when_asked(cast):
    r = rated(cast)
    rows = register_rows(r.f.cycle, access_of(r.f.officer, cast.customs), with_text=True)
    assert rows[0].text is not None and rows[1].text is not None
    assert CANARY in rows[1].text.who and CANARY in rows[0].text.how


def test_the_register_filters_and_sorts(cast):
    r = rated(cast)
    risk_rate(actor=r.f.officer, risk=r.zero, ratings={"current": (1, 1)})
    risk_update(actor=r.f.officer, risk=r.zero, values={"title": "Zeta payment at examination"})
    access = access_of(r.f.officer, cast.customs)
    cycle = r.f.cycle
    assert _codes(register_rows(cycle, access, RegisterFilters(process=r.f.processes["VAL"].pk))) == ["R-002"]
    assert _codes(register_rows(cycle, access, RegisterFilters(level="low"))) == ["R-001"]
    assert _codes(register_rows(cycle, access, RegisterFilters(above=True))) == ["R-002"]
    assert _codes(register_rows(cycle, access, RegisterFilters(above=False))) == ["R-001"]
    assert _codes(register_rows(cycle, access, RegisterFilters(owner=r.f.officer.pk))) == []
    assert _codes(register_rows(cycle, access, RegisterFilters(owner=r.f.owner.pk))) == ["R-001", "R-002"]
    assert _codes(register_rows(cycle, access, RegisterFilters(status="treated"))) == []
    assert _codes(register_rows(cycle, access, RegisterFilters(status="rated"))) == ["R-001", "R-002"]
    assert _codes(register_rows(cycle, access, RegisterFilters(sort="level"))) == ["R-002", "R-001"]
    assert _codes(register_rows(cycle, access, RegisterFilters(sort="title"))) == ["R-002", "R-001"]
    assert _codes(register_rows(cycle, access)) == ["R-001", "R-002"]


def test_a_process_filter_takes_in_the_sub_processes(cast):
    r = rated(cast)
    parent = r.f.processes["VAL"]
    child = r.f.processes["VAL.1"]
    assert child.parent_id == parent.pk
    add_risk(r.f, "Used car values", process=child, corruption_types=["fraud"])
    rows = register_rows(r.f.cycle, access_of(r.f.officer, cast.customs), RegisterFilters(process=parent.pk))
    assert _codes(rows) == ["R-002", "R-003"]
    rows = register_rows(r.f.cycle, access_of(r.f.officer, cast.customs), RegisterFilters(process=child.pk))
    assert _codes(rows) == ["R-003"]


def test_a_risk_owner_sees_only_the_risks_they_own(cast):
    r = rated(cast)
    risk_update(actor=r.f.officer, risk=r.zero, values={"owner": r.f.officer})
    rows = register_rows(r.f.cycle, access_of(r.f.owner, cast.customs))
    assert _codes(rows) == ["R-002"]


def test_the_register_reads_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    r = rated(cast)
    for number in range(48):
        add_risk(r.f, f"Scheme number {number}", process=r.f.processes["REL" if number % 2 else "VAL"])
    member = access_of(r.f.members[0], cast.customs)  # sees the cycle through the working group's grant
    officer = access_of(r.f.officer, cast.customs)
    r.f.cycle.refresh_from_db()
    with django_assert_max_num_queries(10):
        rows = register_rows(r.f.cycle, member, RegisterFilters(above=True, sort="level"))
    assert len(rows) == 2
    r.f.cycle.refresh_from_db()
    with django_assert_max_num_queries(10):
        assert len(register_rows(r.f.cycle, officer, with_text=True)) == 50


def test_moving_a_risk_into_a_process_one_is_conflicted_on_is_refused(cast):
    r = rated(cast)
    member = r.f.group[1]
    stays_out(member, [r.f.processes["REL"]], "Cousin at the port")
    with pytest.raises(DomainError) as refused:
        risk_update(actor=member.user, risk=r.fine, values={"process": r.f.processes["REL"]})
    assert refused.value.field == "process"
    with pytest.raises(DomainError):
        risk_create(
            actor=member.user, cycle=r.f.cycle, values={"title": "x", "process": r.f.processes["REL"]}
        )


def test_a_conflicted_member_cannot_rate_or_change_the_risk(cast):
    r = rated(cast)
    member = r.f.group[1]
    stays_out(member, [r.f.processes["VAL"]], "Cousin")
    with pytest.raises(PermissionDenied):
        risk_rate(actor=member.user, risk=r.fine, ratings={"current": (1, 1)})
    with pytest.raises(PermissionDenied):
        risk_update(actor=member.user, risk=r.fine, values={"title": "Renamed"})


@pytest.mark.parametrize(
    ("ratings", "field"),
    [
        ({"current": (6, 1)}, "current_likelihood"),
        ({"current": (1, 0)}, "current_impact"),
        ({"current": ("x", 1)}, "current_likelihood"),
        ({"current": (1, None)}, "current_impact"),
        ({"current": 5}, "current_likelihood"),
        ({"sideways": (1, 1)}, None),
        ({}, None),
    ],
)
def test_hostile_ratings_are_refused_and_nothing_is_appended(cast, ratings, field):
    r = rated(cast)
    with scopes_disabled():
        before = RatingSnapshot.objects.filter(risk=r.fine).count()
    with pytest.raises(DomainError) as refused:
        risk_rate(actor=r.f.officer, risk=r.fine, ratings=ratings)
    assert refused.value.field == field
    with scopes_disabled():
        assert RatingSnapshot.objects.filter(risk=r.fine).count() == before


def test_changes_of_the_scheme_are_audited_without_their_text(cast):
    r = rated(cast)
    risk_update(actor=r.f.officer, risk=r.fine, values={"how": f"Another way {CANARY}", "title": "Renamed"})
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="arusha.risks.risk.updated").latest("sequence")
        everything = list(AuditEvent.objects.values_list("changes", "object_repr"))
    assert event.changes["how"] == ["***", "***"] and event.changes["title"][1] == "Renamed"
    assert not [c for c in everything if CANARY in str(c)]
