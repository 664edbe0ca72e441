"""Performance contracts through their services: drafting, the rules, agreement, closing, access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scopes_disabled
from tests.analytics import field as analytics_field
from tests.analytics import person

from arusha.analytics.models import Contract
from arusha.analytics.selectors.scorecard import contracts_visible
from arusha.analytics.services.contracts import (
    Term,
    contract_agree,
    contract_close,
    contract_create,
    contract_update,
)
from arusha.analytics.tests.test_contract_support import DAY, STANDARD, draft, terms
from arusha.core import services as core_services
from arusha.core.access import access_of
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.planning import services as planning_services

D = Decimal


@pytest.fixture
def f(cast):  # type: ignore[no-untyped-def]
    return analytics_field(cast)


def _actions(contract: Contract) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                object_id=str(contract.pk), action__startswith="arusha.analytics.contract"
            )
            .order_by("sequence")
            .values_list("action", flat=True)
        )


def _update(f, contract, *, version, **values):  # type: ignore[no-untyped-def]
    given = {
        "title": contract.title,
        "office": contract.office,
        "office_code": contract.office_code,
        "first_month": contract.first_month,
        "last_month": contract.last_month,
        "terms": terms(*STANDARD),
        **values,
    }
    return contract_update(actor=f.officer, contract=contract, version=version, **given)


def test_a_draft_takes_the_division_code_and_the_catalogue_direction(f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(
        f,
        first_month=DAY(2025, 1, 17),
        last_month=DAY(2025, 6, 30),
        terms=[Term("HIT_RATE", "22.5"), Term("DOWNGRADE_UNDOC", D("5"))],
    )
    assert (contract.office_code, contract.status) == ("KIL-PRT", "draft")
    assert (contract.first_month, contract.last_month) == (DAY(2025, 1, 1), DAY(2025, 6, 1))
    with scopes_disabled():
        rows = list(contract.indicators.order_by("position").values_list("indicator", "target", "direction"))
    assert rows == [("HIT_RATE", D("22.5"), "higher"), ("DOWNGRADE_UNDOC", D("5"), "lower")]
    assert _actions(contract) == ["arusha.analytics.contract.created"]
    own = draft(f, title="Airport", office_code="DAR-AIR")
    assert own.office_code == "DAR-AIR"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"terms": terms(("HIT_RATE", "20", ""))}, "indicator_1"),
        ({"terms": terms(("HIT_RATE", "20", ""), ("HIT_RATE", "25", ""))}, "indicator_2"),
        ({"terms": terms(("HIT_RATE", "20", ""), ("NO_SUCH", "25", ""))}, "indicator_2"),
        ({"terms": terms(("HIT_RATE", "", ""), ("RELEASE_TIME", "24", ""))}, "target_1"),
        ({"terms": terms(("HIT_RATE", "120", ""), ("RELEASE_TIME", "24", ""))}, "target_1"),
        ({"terms": terms(("HIT_RATE", "20", ""), ("RELEASE_TIME", "-1", ""))}, "target_2"),
        ({"terms": terms(("HIT_RATE", "20", ""), ("RELEASE_TIME", "many", ""))}, "target_2"),
        ({"terms": terms(("HIT_RATE", "20", "sideways"), ("RELEASE_TIME", "2", ""))}, "direction_1"),
        ({"title": "  "}, "title"),
        ({"last_month": DAY(2024, 12, 1)}, "last_month"),
        ({"last_month": DAY(2028, 1, 1)}, "last_month"),
        ({"office_code": "KIL PRT"}, "office_code"),
    ],
)
def test_bad_input_is_refused_naming_the_field(f, values, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        draft(f, **values)
    assert refused.value.field == field
    with scopes_disabled():
        assert not Contract.objects.exists()


def test_an_office_elsewhere_or_without_code_is_refused(cast, f) -> None:  # type: ignore[no-untyped-def]
    foreign = core_services.division_create(actor=None, organization=cast.other, name="Foreign", code="FX")
    with pytest.raises(DomainError) as elsewhere:
        draft(f, office=foreign)
    assert elsewhere.value.field == "office"
    bare = core_services.division_create(
        actor=cast.owner, organization=cast.customs, name="Team without code"
    )
    with pytest.raises(DomainError) as nameless:
        draft(f, office=bare)
    assert nameless.value.field == "office_code"


def test_a_kpi_is_linked_only_if_the_person_sees_it_and_it_is_fed_by_nothing_else(cast, f, world) -> None:  # type: ignore[no-untyped-def]
    linked = draft(f, terms=[Term("HIT_RATE", "20", kpi=world.kpi), Term("RELEASE_TIME", "24")])
    with scopes_disabled():
        assert linked.indicators.get(indicator="HIT_RATE").kpi_id == world.kpi.pk
    with pytest.raises(DomainError) as twice:
        draft(f, terms=[Term("HIT_RATE", "20", kpi=world.kpi), Term("RELEASE_TIME", "24", kpi=world.kpi)])
    assert twice.value.field == "kpi_2"
    fed = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={"name": "Cases", "metric": "cases.received", "periodicity": "quarterly", "direction": "higher",
                "disclosure": "administration"},
    )  # fmt: skip
    with pytest.raises(DomainError, match="already takes its values") as other:
        draft(f, terms=[Term("HIT_RATE", "20"), Term("RELEASE_TIME", "24", kpi=fed)])
    assert other.value.field == "kpi_2"
    # A contract manager who may not read plans sees no KPI to link.
    manager = contract_manager(cast)
    with pytest.raises(DomainError) as unseen:
        draft(f, actor=manager, terms=[Term("HIT_RATE", "20", kpi=world.kpi), Term("RELEASE_TIME", "24")])
    assert unseen.value.field == "kpi_1"
    assert draft(f, actor=manager, title="Without KPI").status == "draft"


def contract_manager(cast):  # type: ignore[no-untyped-def]
    """A member whose only right is to manage performance contracts (a role of the organization's own)."""
    role = core_services.role_create(
        actor=cast.owner, organization=cast.customs, based_on="contributor", name="Contracts"
    )
    core_services.role_update(actor=cast.owner, role=role, name="Contracts", description="",
                              permissions=["analytics.contract.manage"], version=role.version)  # fmt: skip
    return person(cast, "contracts@test.example", "Carla Contracts", [role.code])


def test_a_draft_changes_and_a_stale_edit_is_refused(f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    read_at = contract.version
    _update(f, contract, version=read_at, terms=terms(("HIT_RATE", "30", ""), ("VALUE_UPLIFT", "4", "")))
    with scopes_disabled():
        assert sorted(contract.indicators.values_list("indicator", "target")) == [
            ("HIT_RATE", D("30")),
            ("VALUE_UPLIFT", D("4")),
        ]
    # A colleague's form read at the same version arrives second: refused, nothing written.
    with pytest.raises(DomainError, match="newer version"):
        _update(f, contract, version=read_at, title="Stale title")
    contract.refresh_from_db()
    assert contract.title == "Port office 2025" and contract.version == read_at + 1
    assert _actions(contract) == ["arusha.analytics.contract.created", "arusha.analytics.contract.updated"]


def test_agreement_records_who_and_when_and_freezes_the_indicators(f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    read_at = contract.version
    agreed = contract_agree(actor=f.head, contract=contract, version=read_at)
    assert (agreed.status, agreed.agreed_by) == ("agreed", f.head)
    assert agreed.agreed_at is not None
    with pytest.raises(DomainError, match="draft a new"):
        _update(
            f, agreed, version=agreed.version, terms=terms(("HIT_RATE", "1", ""), ("RELEASE_TIME", "99", ""))
        )
    # A second click of the same page (same version) agrees nothing twice.
    with pytest.raises(DomainError):
        contract_agree(actor=f.head, contract=agreed, version=read_at)
    with pytest.raises(DomainError, match="already agreed"):
        contract_agree(actor=f.head, contract=agreed)
    assert _actions(agreed).count("arusha.analytics.contract.agreed") == 1


def test_only_an_agreed_contract_is_closed(f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    with pytest.raises(DomainError, match="Only an agreed"):
        contract_close(actor=f.officer, contract=contract)
    contract_agree(actor=f.officer, contract=contract)
    closed = contract_close(actor=f.officer, contract=contract, version=contract.version)
    assert closed.status == "closed"
    with pytest.raises(DomainError, match="already closed"):
        contract_close(actor=f.officer, contract=closed)
    assert _actions(closed)[-2:] == ["arusha.analytics.contract.agreed", "arusha.analytics.contract.closed"]


def test_access_per_persona(cast, f) -> None:  # type: ignore[no-untyped-def]
    contract = draft(f)
    airport = core_services.division_create(
        actor=cast.owner, organization=cast.customs, name="Airport", code="DAR-AIR"
    )
    elsewhere = draft(f, title="Airport 2025", office=airport)
    # Contract managers: the integrity officer and the head draft and agree.
    by_head = draft(f, actor=f.head, title="By the head")
    # The office reader (a grant on the Port office only) sees its contracts, changes nothing.
    reader = access_of(f.office_reader, cast.customs)
    assert {c.pk for c in contracts_visible(reader, cast.customs)} == {contract.pk, by_head.pk}
    # Every contract for the readers of every office, and for the contract managers.
    for everyone in (f.analyst, f.officer, f.head):
        assert len(contracts_visible(access_of(everyone, cast.customs), cast.customs)) == 3
    with pytest.raises(PermissionDenied):
        contract_agree(actor=f.office_reader, contract=contract)
    with pytest.raises(Http404):
        contract_agree(actor=f.office_reader, contract=elsewhere)
    with pytest.raises(PermissionDenied):
        draft(f, actor=f.office_reader, title="Mine")
    # A member without any analytics right, and an outsider, may not know a contract exists.
    assert contracts_visible(access_of(f.nobody, cast.customs), cast.customs) == []
    for stranger in (f.nobody, cast.outsider, cast.foreigner):
        with pytest.raises(Http404):
            contract_close(actor=stranger, contract=contract)
    with pytest.raises(PermissionDenied):
        contract_create(
            actor=f.nobody, organization=cast.customs, title="x", office=f.office,
            first_month=DAY(2025, 1, 1), last_month=DAY(2025, 2, 1), terms=terms(*STANDARD),
        )  # fmt: skip
    with pytest.raises(Http404):
        contract_create(
            actor=cast.outsider, organization=cast.customs, title="x", office=f.office,
            first_month=DAY(2025, 1, 1), last_month=DAY(2025, 2, 1), terms=terms(*STANDARD),
        )  # fmt: skip
