"""The set-up screens: surveys, groups, XLSForm import and export, publication, waves."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.forms import hidden_value
from tests.surveys import person

from arusha.core.models import AuditEvent
from arusha.core.permissions import PresetRole
from arusha.surveys.example import example_add, example_questionnaire
from arusha.surveys.keys import open_private
from arusha.surveys.models import (
    Item,
    QuestionnaireVersion,
    RespondentGroup,
    Survey,
    VersionStatus,
    Wave,
    WaveStatus,
)
from arusha.surveys.services import questionnaires as services
from arusha.surveys.tests.books import likert, workbook
from arusha.surveys.xlsform import canonical, from_version, parse_workbook, to_workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def manager_of(cast):  # type: ignore[no-untyped-def]
    return person(cast, "surveys@test.example", "Sara Surveys", [PresetRole.INTEGRITY_OFFICER])


def new_survey(cast, manager):  # type: ignore[no-untyped-def]
    return services.survey_create(
        actor=manager, organization=cast.customs, title="Perception 2026", slug="cips"
    )


def upload(data: bytes, name: str = "form.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def url(name: str, *args: object) -> str:
    return reverse(name, args=["test-customs", *args])


def test_the_list_invites_a_manager_to_add_the_first_survey(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    client.force_login(manager)
    page = client.get(url("survey-list")).content.decode()
    assert "No survey yet." in page and url("survey-add") in page
    home = client.get(reverse("organization-home", args=["test-customs"])).content.decode()
    assert f'href="{url("survey-list")}"' in home
    client.force_login(cast.member)  # a contributor holds no survey permission
    assert client.get(url("survey-list")).status_code == 403
    assert (
        f'href="{url("survey-list")}"'
        not in client.get(reverse("organization-home", args=["test-customs"])).content.decode()
    )


def test_a_survey_is_created_once_however_often_the_form_is_sent(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(manager_of(cast))
    key = hidden_value(client.get(url("survey-add")).content.decode(), "idempotency_key")
    data = {"title": "Perception 2026", "slug": "cips", "minimum_cell": "10", "idempotency_key": key}
    first = client.post(url("survey-add"), data)
    second = client.post(url("survey-add"), data)
    with scopes_disabled():
        survey = Survey.objects.get()
    assert first["Location"] == second["Location"] == url("survey-detail", survey.pk)
    bad = client.post(url("survey-add"), {**data, "idempotency_key": "", "slug": "cips", "minimum_cell": "3"})
    assert bad.status_code == 400 and "minimum_cell" in bad.content.decode()


def test_the_example_button_adds_a_draft_shown_block_by_block(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    client.force_login(manager)
    page = client.get(url("survey-detail", survey.pk)).content.decode()
    assert "Add the example questionnaire" in page
    key = hidden_value(page, "idempotency_key")
    answer = client.post(url("survey-example", survey.pk), {"idempotency_key": key})
    client.post(url("survey-example", survey.pk), {"idempotency_key": key})  # a double click
    assert answer["Location"] == url("version-detail", survey.pk, 1)
    with scopes_disabled():
        assert QuestionnaireVersion.objects.filter(survey=survey).count() == 1
    shown = client.get(answer["Location"]).content.decode()
    assert (
        "KF7 · Code of conduct" in shown and "reversed" in shown and "Senior managers set an example" in shown
    )
    french = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Les cadres dirigeants donnent l&#x27;exemple" in french


def test_an_import_with_errors_lists_them_by_sheet_and_row_and_writes_nothing(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    client.force_login(manager)
    bad = workbook([likert("kf1_a"), likert("kf1_a"), likert("kf9_b", factor="KF99")])
    answer = client.post(url("version-import", survey.pk), {"file": upload(bad)})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "Sheet survey, row 3: the name “kf1_a” is already used on row 2." in page
    assert "Sheet survey, row 4: factor “KF99” must be one of KF1 … KF10." in page
    assert "Nothing was imported" in page
    with scopes_disabled():
        assert not QuestionnaireVersion.objects.exists() and not Item.objects.exists()
    junk = client.post(url("version-import", survey.pk), {"file": upload(b"\x00" * 100)})
    assert junk.status_code == 400 and "not an XLSX workbook" in junk.content.decode()


def test_an_exported_version_imports_back_as_the_same_questionnaire(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    first = services.version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    client.force_login(manager)
    exported = client.get(url("version-export", survey.pk, 1))
    assert (
        exported["Content-Type"] == XLSX
        and 'filename="questionnaire-cips-v1.xlsx"' in exported["Content-Disposition"]
    )
    answer = client.post(url("version-import", survey.pk), {"file": upload(exported.content)})
    assert answer.status_code == 302 and answer["Location"] == url("version-detail", survey.pk, 2)
    with scopes_disabled():
        second = QuestionnaireVersion.objects.get(survey=survey, number=2)
    assert second.status == VersionStatus.DRAFT
    assert canonical(from_version(second)) == canonical(from_version(first))  # lineages included
    assert canonical(parse_workbook(io.BytesIO(exported.content).getvalue())) != canonical(
        example_questionnaire()
    )


def test_every_change_to_a_published_version_is_refused_with_a_message(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    version = services.version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    before = (canonical(from_version(version)), version.checksum, version.version)
    with scopes_disabled():
        events = AuditEvent.objects.count()
    client.force_login(manager)
    form = to_workbook(example_questionnaire())
    replaced = client.post(
        url("version-replace", survey.pk, 1), {"file": upload(form), "version": version.version}
    )
    assert replaced.status_code == 400 and "is published and never changes" in replaced.content.decode()
    for name in ("version-publish", "version-delete"):
        answer = client.post(url(name, survey.pk, 1), {"version": version.version}, follow=True)
        assert "is published" in answer.content.decode(), name
    for name in ("version-publish", "version-delete"):
        assert (
            "already published" in client.get(url(name, survey.pk, 1)).content.decode()
            or "kept for ever" in client.get(url(name, survey.pk, 1)).content.decode()
        )
    with scopes_disabled():
        again = QuestionnaireVersion.objects.get(pk=version.pk)
        assert QuestionnaireVersion.objects.count() == 1
        assert AuditEvent.objects.count() == events
    assert (canonical(from_version(again)), again.checksum, again.version) == before


def test_a_draft_is_published_from_its_page_and_then_copied(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    draft = example_add(actor=manager, survey=survey)
    client.force_login(manager)
    confirm = client.get(url("version-publish", survey.pk, 1)).content.decode()
    version = hidden_value(confirm, "version")
    published = client.post(url("version-publish", survey.pk, 1), {"version": version}, follow=True)
    assert "Version 1 is published" in published.content.decode()
    key = hidden_value(published.content.decode(), "idempotency_key")
    copied = client.post(url("version-new", survey.pk, 1), {"idempotency_key": key})
    assert copied["Location"] == url("version-detail", survey.pk, 2)
    with scopes_disabled():
        lineages = {
            v: set(
                Item.objects.filter(questionnaire__number=v, questionnaire__survey=survey).values_list(
                    "lineage", flat=True
                )
            )
            for v in (1, 2)
        }
        assert QuestionnaireVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    assert lineages[1] == lineages[2]


def test_a_wave_is_added_opened_with_the_passphrase_twice_and_closed(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    version = services.version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    client.force_login(manager)
    key = hidden_value(client.get(url("wave-add", survey.pk)).content.decode(), "idempotency_key")
    added = client.post(
        url("wave-add", survey.pk),
        {"name": "Round 2026", "questionnaire": version.pk, "opens_on": "2026-03-01", "closes_on": "2026-04-30",
         "idempotency_key": key},
    )  # fmt: skip
    with scopes_disabled():
        wave = Wave.objects.get(survey=survey)
        staff = RespondentGroup.objects.get(survey=survey, code="staff")
    assert added["Location"] == url("wave-detail", wave.pk)
    page = client.get(url("wave-detail", wave.pk)).content.decode()
    assert "Being prepared" in page and url("wave-open", wave.pk) in page
    sizes = client.post(
        url("wave-populations", wave.pk), {f"group_{staff.pk}": "1200", "version": wave.version}
    )
    assert sizes.status_code == 302 and services.populations_of(wave) == {staff.pk: 1200}
    wave.refresh_from_db()
    differ = client.post(
        url("wave-open", wave.pk),
        {
            "passphrase": "a long passphrase one",
            "passphrase_again": "a long passphrase two",
            "version": wave.version,
        },
    )
    assert differ.status_code == 400 and "The two passphrases differ" in differ.content.decode()
    assert "a long passphrase one" not in differ.content.decode()
    passphrase = "custodians keep this one"
    opened = client.post(
        url("wave-open", wave.pk),
        {"passphrase": passphrase, "passphrase_again": passphrase, "version": wave.version},
    )
    assert opened.status_code == 302
    wave.refresh_from_db()
    assert wave.status == WaveStatus.OPEN and wave.private_key is not None
    assert open_private(bytes(wave.private_key), passphrase)
    with scopes_disabled():
        assert not AuditEvent.objects.filter(changes__icontains=passphrase).exists()
    closed = client.post(url("wave-close", wave.pk), {"version": wave.version}, follow=True)
    assert "The wave is closed" in closed.content.decode()
    wave.refresh_from_db()
    assert wave.status == WaveStatus.CLOSED


def test_a_results_reader_sees_the_set_up_but_changes_nothing(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    analyst = person(cast, "analyst@test.example", "Ana Analyst", [PresetRole.ANALYST])
    survey = new_survey(cast, manager)
    version = services.version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    wave = services.wave_create(actor=manager, survey=survey, name="Round 1", questionnaire=version)
    client.force_login(analyst)
    for page in (
        url("survey-detail", survey.pk),
        url("version-detail", survey.pk, 1),
        url("wave-detail", wave.pk),
    ):
        answer = client.get(page)
        assert answer.status_code == 200 and url("survey-edit", survey.pk) not in answer.content.decode()
    for change in (
        url("survey-edit", survey.pk),
        url("wave-add", survey.pk),
        url("version-import", survey.pk),
    ):
        assert client.post(change, {"title": "x"}).status_code == 403
    assert client.post(url("wave-close", wave.pk), {}).status_code == 403


def test_people_outside_the_organization_find_none_of_these_pages(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    version = services.version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    wave = services.wave_create(actor=manager, survey=survey, name="Round 1", questionnaire=version)
    with scopes_disabled():
        group = RespondentGroup.objects.filter(survey=survey).first()
    assert group is not None
    pages = [url("survey-list"), url("survey-add")]
    pages += [
        url(n, survey.pk)
        for n in ("survey-detail", "survey-edit", "survey-example", "group-add", "version-import", "wave-add")
    ]
    pages += [url("group-edit", survey.pk, group.pk)]
    pages += [
        url(n, survey.pk, 1)
        for n in (
            "version-detail",
            "version-export",
            "version-replace",
            "version-publish",
            "version-new",
            "version-delete",
        )
    ]
    pages += [
        url(n, wave.pk) for n in ("wave-detail", "wave-edit", "wave-populations", "wave-open", "wave-close")
    ]
    for outsider in (cast.foreigner, cast.outsider, cast.staff):
        client.force_login(outsider)
        assert [
            p
            for p in pages
            if client.get(p).status_code != 404 or client.post(p, {}).status_code not in {404, 405}
        ] == []
    client.force_login(manager)
    assert client.get(url("version-detail", survey.pk, 9)).status_code == 404
    assert client.get(url("group-edit", survey.pk, 10**6)).status_code == 404


def test_a_manager_opens_every_set_up_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    manager = manager_of(cast)
    survey = new_survey(cast, manager)
    version = services.version_publish(actor=manager, questionnaire=example_add(actor=manager, survey=survey))
    example_add(actor=manager, survey=survey)  # version 2, a draft
    wave = services.wave_create(actor=manager, survey=survey, name="Round 1", questionnaire=version)
    with scopes_disabled():
        group = RespondentGroup.objects.get(survey=survey, code="broker")
    client.force_login(manager)
    pages = [url("survey-list"), url("survey-add"), url("group-edit", survey.pk, group.pk)]
    pages += [
        url(n, survey.pk) for n in ("survey-detail", "survey-edit", "group-add", "version-import", "wave-add")
    ]
    pages += [
        url(n, survey.pk, 2)
        for n in ("version-detail", "version-replace", "version-publish", "version-delete")
    ]
    pages += [
        url(n, wave.pk) for n in ("wave-detail", "wave-edit", "wave-populations", "wave-open", "wave-close")
    ]
    answers = {page: client.get(page) for page in pages}
    assert {page: a.status_code for page, a in answers.items() if a.status_code != 200} == {}
    opening = answers[url("wave-open", wave.pk)].content.decode()
    assert "never keeps the passphrase" in opening and 'name="passphrase_again"' in opening
    assert "Group sizes" in answers[url("wave-detail", wave.pk)].content.decode()
    assert "Customs broker" in answers[url("wave-populations", wave.pk)].content.decode()
