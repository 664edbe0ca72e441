"""Setting surveys up: versions imported whole, published for good, lineages kept; waves and groups."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass, replace

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django_scopes import scopes_disabled
from tests.surveys import PASSPHRASE, person

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, User
from arusha.core.permissions import PresetRole
from arusha.surveys.example import example_add, example_questionnaire
from arusha.surveys.models import (
    Item,
    Population,
    QuestionnaireVersion,
    RespondentGroup,
    Survey,
    VersionStatus,
    Wave,
)
from arusha.surveys.services import questionnaires as services
from arusha.surveys.services.waves import wave_open
from arusha.surveys.xlsform import canonical, from_version

pytestmark = pytest.mark.django_db


@dataclass
class Desk:
    manager: User
    analyst: User
    survey: Survey


def desk(cast) -> Desk:  # type: ignore[no-untyped-def]
    manager = person(cast, "surveys@test.example", "Sara Surveys", [PresetRole.INTEGRITY_OFFICER])
    analyst = person(cast, "analyst@test.example", "Ana Analyst", [PresetRole.ANALYST])
    survey = services.survey_create(
        actor=manager, organization=cast.customs, title="Integrity perception", slug="cips"
    )
    return Desk(manager, analyst, survey)


def published(d: Desk) -> QuestionnaireVersion:
    version = example_add(actor=d.manager, survey=d.survey)
    return services.version_publish(actor=d.manager, questionnaire=version)


def lineages(version: QuestionnaireVersion) -> dict[str, uuid.UUID]:
    with scopes_disabled():
        return dict(Item.objects.filter(questionnaire=version).values_list("name", "lineage"))


def test_a_survey_needs_a_free_short_name_and_never_shows_groups_under_five(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    with pytest.raises(DomainError) as taken:
        services.survey_create(actor=d.manager, organization=cast.customs, title="Again", slug="cips")
    assert taken.value.field == "slug"
    with pytest.raises(DomainError) as small:
        services.survey_edit(
            actor=d.manager, survey=d.survey, title="X", slug="cips", description="", minimum_cell=4
        )
    assert small.value.field == "minimum_cell"
    with scopes_disabled():
        assert Survey.objects.get(pk=d.survey.pk).minimum_cell == 10


def test_only_survey_managers_set_surveys_up(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    with pytest.raises(PermissionDenied):
        example_add(actor=d.analyst, survey=d.survey)
    with pytest.raises(Http404):
        example_add(actor=cast.foreigner, survey=d.survey)
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=cast.member, organization=cast.customs, title="T", slug="t")
    with scopes_disabled():
        assert not QuestionnaireVersion.objects.exists()


def test_the_example_adds_a_draft_and_the_groups_once(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    first = example_add(actor=d.manager, survey=d.survey)
    second = example_add(actor=d.manager, survey=d.survey)
    assert (first.number, second.number) == (1, 2)
    assert first.status == VersionStatus.DRAFT and first.languages == ["en", "fr", "es"]
    with scopes_disabled():
        groups = {
            g.code: (g.parent.code if g.parent else "")
            for g in RespondentGroup.objects.filter(survey=d.survey)
        }
        assert Item.objects.filter(questionnaire=first).count() == len(example_questionnaire().items)
        assert AuditEvent.objects.filter(action="arusha.surveys.version_imported").count() == 2
    assert groups == {
        "staff": "",
        "private": "",
        "broker": "private",
        "importer": "private",
        "carrier": "private",
    }


def test_publishing_fixes_the_checksum_of_the_content(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    version = published(d)
    expected = hashlib.sha256(canonical(from_version(version)).encode()).hexdigest()
    assert version.checksum == expected and version.published_on == datetime.date.today()
    with scopes_disabled():
        assert QuestionnaireVersion.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED


def test_every_service_refuses_to_change_a_published_version(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    version = published(d)
    before = canonical(from_version(version))
    changed = replace(example_questionnaire(), title="Changed")
    for attempt in (
        lambda: services.version_replace(actor=d.manager, questionnaire=version, content=changed),
        lambda: services.version_publish(actor=d.manager, questionnaire=version),
        lambda: services.version_delete(actor=d.manager, questionnaire=version),
    ):
        with pytest.raises(DomainError, match="published"):
            attempt()
    with scopes_disabled():
        again = QuestionnaireVersion.objects.get(pk=version.pk)
    assert (again.title, again.checksum, again.version) == (version.title, version.checksum, version.version)
    assert canonical(from_version(again)) == before


def test_a_draft_is_replaced_or_deleted_whole(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    draft = example_add(actor=d.manager, survey=d.survey)
    smaller = example_questionnaire()
    smaller = replace(smaller, items=[i for i in smaller.items if i.factor in {"", "KF1"}], title="Short")
    services.version_replace(actor=d.manager, questionnaire=draft, content=smaller, version=draft.version)
    with scopes_disabled():
        assert Item.objects.filter(questionnaire=draft).count() == len(smaller.items)
    with pytest.raises(DomainError):  # read at the version before the replacement: stale
        services.version_delete(actor=d.manager, questionnaire=draft, version=1)
    services.version_delete(actor=d.manager, questionnaire=draft, version=draft.version)
    with scopes_disabled():
        assert not QuestionnaireVersion.objects.filter(pk=draft.pk).exists()
        assert not Item.objects.filter(questionnaire_id=draft.pk).exists()


def test_items_keep_their_lineage_by_column_by_name_and_in_a_new_draft(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    first = published(d)
    old = lineages(first)
    # Version 2: one question renamed with its lineage given, one renamed without, one new.
    content = example_questionnaire()
    items = list(content.items)
    position = {item.name: n for n, item in enumerate(items)}
    items[position["kf1_example"]] = replace(
        items[position["kf1_example"]], name="kf1_leaders_example", lineage=old["kf1_example"]
    )
    items[position["kf2_simple"]] = replace(items[position["kf2_simple"]], name="kf2_simpler")
    second = services.version_import(
        actor=d.manager, survey=d.survey, questionnaire=replace(content, items=items)
    )
    new = lineages(second)
    assert new["kf1_leaders_example"] == old["kf1_example"]
    assert new["kf2_simpler"] not in old.values()
    assert all(new[name] == old[name] for name in old if name not in {"kf1_example", "kf2_simple"})
    services.version_publish(actor=d.manager, questionnaire=second)
    third = services.version_new_draft(actor=d.manager, questionnaire=second)
    assert (third.number, third.status) == (3, VersionStatus.DRAFT)
    assert lineages(third) == new
    with pytest.raises(DomainError):
        services.version_new_draft(actor=d.manager, questionnaire=third)


def test_a_wave_uses_a_published_version_and_keeps_it_once_open(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    draft = example_add(actor=d.manager, survey=d.survey)
    with pytest.raises(DomainError) as refused:
        services.wave_create(actor=d.manager, survey=d.survey, name="Round 1", questionnaire=draft)
    assert refused.value.field == "questionnaire"
    services.version_publish(actor=d.manager, questionnaire=draft)
    with pytest.raises(DomainError) as backwards:
        services.wave_create(
            actor=d.manager,
            survey=d.survey,
            name="Round 1",
            questionnaire=draft,
            opens_on=datetime.date(2026, 5, 1),
            closes_on=datetime.date(2026, 4, 1),
        )
    assert backwards.value.field == "closes_on"
    wave = services.wave_create(actor=d.manager, survey=d.survey, name="Round 1", questionnaire=draft)
    other = services.version_publish(
        actor=d.manager, questionnaire=services.version_new_draft(actor=d.manager, questionnaire=draft)
    )
    services.wave_edit(
        actor=d.manager, wave=wave, name="Round one", questionnaire=other, opens_on=None, closes_on=None
    )
    wave_open(wave, PASSPHRASE, actor=d.manager)
    with pytest.raises(DomainError) as fixed:
        services.wave_edit(
            actor=d.manager, wave=wave, name="Round one", questionnaire=draft, opens_on=None, closes_on=None
        )
    assert fixed.value.field == "questionnaire"
    with scopes_disabled():
        assert Wave.objects.get(pk=wave.pk).questionnaire_id == other.pk


def test_group_sizes_are_set_and_forgotten_per_wave(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    wave = services.wave_create(actor=d.manager, survey=d.survey, name="Round 1", questionnaire=published(d))
    with scopes_disabled():
        groups = {g.code: g.pk for g in RespondentGroup.objects.filter(survey=d.survey)}
    services.wave_populations(
        actor=d.manager, wave=wave, counts={groups["staff"]: 1200, groups["broker"]: 300}
    )
    services.wave_populations(actor=d.manager, wave=wave, counts={groups["broker"]: None})
    assert services.populations_of(wave) == {groups["staff"]: 1200}
    with pytest.raises(DomainError):
        services.wave_populations(actor=d.manager, wave=wave, counts={groups["staff"]: 0})
    with scopes_disabled():
        assert Population.objects.get(wave=wave).count == 1200
        event = (
            AuditEvent.objects.filter(action="arusha.surveys.wave_populations").order_by("-sequence").first()
        )
    assert event is not None and event.changes == {
        "populations": [{"staff": 1200, "broker": 300}, {"staff": 1200}]
    }


def test_a_groups_code_and_place_are_fixed_once_a_wave_opened(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    version = published(d)
    with scopes_disabled():
        broker = RespondentGroup.objects.get(survey=d.survey, code="broker")
    services.group_edit(
        actor=d.manager, group=broker, code="agent", labels={"en": "Agent"}, parent=broker.parent
    )
    wave = services.wave_create(actor=d.manager, survey=d.survey, name="Round 1", questionnaire=version)
    wave_open(wave, PASSPHRASE, actor=d.manager)
    with pytest.raises(DomainError) as fixed:
        services.group_edit(
            actor=d.manager, group=broker, code="broker", labels={"en": "Agent"}, parent=broker.parent
        )
    assert fixed.value.field == "code"
    services.group_edit(
        actor=d.manager, group=broker, code="agent", labels={"en": "Customs agent"}, parent=broker.parent
    )
    with scopes_disabled():
        assert RespondentGroup.objects.get(pk=broker.pk).labels == {"en": "Customs agent"}


def test_the_command_adds_the_example_to_an_organization(cast, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("survey_example", cast.customs.slug)
    call_command("survey_example", cast.customs.slug, "--publish")
    with scopes_disabled():
        survey = Survey.objects.get(organization=cast.customs)
        statuses = list(
            QuestionnaireVersion.objects.filter(survey=survey)
            .order_by("number")
            .values_list("status", flat=True)
        )
    assert statuses == [VersionStatus.DRAFT, VersionStatus.PUBLISHED]
    assert "version 2" in capsys.readouterr().out
