"""A KPI's reference values (issue 9, part 5): added, listed and deleted from its page, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from tests.forms import hidden_value

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.planning import services
from arusha.planning.models import KpiReference


def _add(cast, world, **values):  # type: ignore[no-untyped-def]
    return services.reference_add(
        actor=cast.owner,
        kpi=world.kpi,
        **{
            "label": "Regional average",
            "source": "WCO regional survey 2024",
            "date": datetime.date(2024, 12, 31),
            "value": "2.5",
            **values,
        },
    )


def test_reference_values_are_checked_and_every_change_is_audited(cast, world) -> None:  # type: ignore[no-untyped-def]
    reference = _add(cast, world)
    assert reference.value == Decimal("2.5")
    for values, field in (
        ({"label": " "}, "label"),
        ({"source": ""}, "source"),
        ({"value": "a lot"}, "value"),
        ({"value": "1e20"}, "value"),
        ({}, "date"),  # the same series already has a value on that date
    ):
        with pytest.raises(DomainError) as refused:
            _add(cast, world, **values)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):  # the performer reads the library, does not change it
        services.reference_add(
            actor=cast.member,
            kpi=world.kpi,
            label="Neighbour",
            source="Their annual report",
            date=datetime.date(2024, 12, 31),
            value=3,
        )
    services.reference_delete(actor=cast.owner, reference=reference)
    with scope(organization=cast.customs):
        assert not KpiReference.objects.filter(kpi=world.kpi).exists()
    with scopes_disabled():
        actions = list(
            AuditEvent.objects.filter(action__startswith="arusha.plan.kpi.reference")
            .order_by("sequence")
            .values_list("action", "changes")
        )
    assert [a for a, _changes in actions] == [
        "arusha.plan.kpi.reference.added",
        "arusha.plan.kpi.reference.deleted",
    ]
    assert actions[1][1]["label"] == ["Regional average", None]


def test_the_kpi_page_lists_reference_values_and_leads_to_adding_and_deleting_them(
    client, cast, world
) -> None:  # type: ignore[no-untyped-def]
    detail = reverse("kpi-detail", args=[cast.customs.slug, world.kpi.pk])
    manage = reverse("kpi-references", args=[cast.customs.slug, world.kpi.pk])
    client.force_login(cast.owner)
    page = client.get(detail).content.decode()
    assert "No reference value yet" in page and manage in page
    form = client.get(manage).content.decode()
    values = {
        "label": "Regional average",
        "date": "2024-12-31",
        "value": "2,456",
        "source": "WCO regional survey 2024",
        "idempotency_key": hidden_value(form, "idempotency_key"),
    }
    assert client.post(manage, values).status_code == 302
    assert client.post(manage, values).status_code == 302  # a double submit makes one value
    with scope(organization=cast.customs):
        reference = KpiReference.objects.get(kpi=world.kpi)
    # INT-1 is a number with one decimal (the default): 2.456 reads 2.5 beside the series.
    assert "Regional average" in client.get(detail).content.decode()
    assert "2.5" in client.get(manage).content.decode()
    bad = client.post(
        manage, {**values, "value": "x", "idempotency_key": hidden_value(form, "idempotency_key") + "1"}
    )
    assert bad.status_code == 400 and "“x” is not a number." in bad.content.decode()
    # A reader sees the values, no form, and may not delete.
    client.force_login(cast.member)
    read = client.get(manage).content.decode()
    assert "Regional average" in read and "Add a reference value" not in read
    delete = reverse("kpi-reference-delete", args=[cast.customs.slug, world.kpi.pk, reference.pk])
    assert client.post(delete).status_code == 403
    client.force_login(cast.foreigner)
    assert client.get(manage).status_code == 404 and client.post(delete).status_code == 404
    client.force_login(cast.owner)
    assert client.post(delete).status_code == 302
    assert "No reference value yet" in client.get(detail).content.decode()
