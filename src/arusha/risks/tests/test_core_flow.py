"""The cycle's guards and the register's core writes, through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scopes_disabled
from tests.risks import add_risk, field, rate, to_identification

from arusha.core.errors import DomainError
from arusha.risks.models import RatingSnapshot
from arusha.risks.services.cycles import cycle_advance, member_remove
from arusha.risks.services.guards import blockers
from arusha.risks.services.register import risk_rate
from arusha.risks.vocabulary import CycleStatus, RiskStatus


def test_planning_needs_a_chair_three_members_scope_and_matrix(cast):
    f = field(cast)
    assert blockers(f.cycle) == []
    member_remove(actor=f.officer, member=f.group[1])
    assert any("at least 3 members" in str(b) for b in blockers(f.cycle))
    with pytest.raises(DomainError):
        cycle_advance(actor=f.officer, cycle=f.cycle)
    f.cycle.refresh_from_db()
    assert f.cycle.status == CycleStatus.PLANNING


def test_identification_freezes_the_matrix(cast):
    f = field(cast)
    to_identification(f)
    f.matrix.refresh_from_db()
    assert f.matrix.frozen
    assert f.cycle.status == CycleStatus.IDENTIFICATION


def test_rating_reads_the_grid_and_appends_snapshots(cast):
    f = field(cast)
    to_identification(f)
    risk = add_risk(f)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    rate(f, risk, inherent=(5, 4), current=(4, 4), target=(2, 3))
    risk.refresh_from_db()
    assert (risk.inherent_level, risk.current_level, risk.target_level) == ("very_high", "high", "medium")
    assert risk.status == RiskStatus.RATED
    rate(f, risk, inherent=(5, 4), current=(3, 4))
    with scopes_disabled():
        snapshots = list(RatingSnapshot.objects.filter(risk=risk))
    assert [s.current_level for s in snapshots] == ["high", "high"]
    with pytest.raises(ValueError, match="never changed"):
        snapshots[0].save()


def test_a_member_without_rights_elsewhere_rates_only_their_cycle(cast):
    f = field(cast)
    to_identification(f)
    risk = add_risk(f)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    member = f.members[0]
    risk_rate(actor=member, risk=risk, ratings={"inherent": (3, 3), "current": (2, 3)})
    member_remove(actor=f.officer, member=f.group[1])
    with pytest.raises(Http404):
        risk_rate(actor=member, risk=risk, ratings={"inherent": (3, 3), "current": (2, 3)})
    with pytest.raises((Http404, PermissionDenied)):
        risk_rate(actor=f.head, risk=risk, ratings={"inherent": (3, 3), "current": (2, 3)})
