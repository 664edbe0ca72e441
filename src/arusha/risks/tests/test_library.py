"""The library's writes through its services: the shipped catalogue, processes, scenarios, matrix versions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope, scopes_disabled
from tests.risks import field, to_identification

from arusha.core import services as core_services
from arusha.core.concurrency import StaleEdit
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.risks.catalogue import library, walk
from arusha.risks.models import Matrix, MatrixStatus, Process, Scenario
from arusha.risks.selectors.library import definition_yaml, processes_for_new_cycle
from arusha.risks.services.library import (
    catalogue_install,
    matrix_add,
    matrix_edit,
    matrix_install,
    parse_definition,
)
from arusha.risks.services.processes import (
    process_activate,
    process_deactivate,
    process_delete,
    process_save,
    scenario_save,
)

TOP_LEVEL = [
    "DEC",
    "VAL",
    "CLO",
    "SEL",
    "EXA",
    "REL",
    "WHT",
    "EXE",
    "PCA",
    "ENF",
    "REF",
    "LIC",
    "HRM",
    "PRO",
    "ITD",
]


def _texts(value: Any) -> list[dict[str, Any]]:
    """Every {language: text} or {language: [names]} mapping in an entry of the library."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if value and all(len(key) == 2 and key.islower() for key in value):
            found.append(value)
        else:
            for item in value.values():
                found.extend(_texts(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_texts(item))
    return found


def _officer(cast: Any) -> Any:
    from tests.risks import person

    return person(cast, "keeper@test.example", "Kim Keeper", ["integrity_officer"])


def _process(cast: Any, code: str) -> Process:
    with scope(organization=cast.customs):
        return Process.objects.get(organization=cast.customs, code=code)


# --- The shipped library ------------------------------------------------------------------------


def test_the_library_holds_the_fifteen_processes_with_sub_processes_and_scenarios() -> None:
    entries = walk(library().processes)
    assert [entry.code for entry, parent in entries if parent is None] == TOP_LEVEL
    assert len([entry for entry, parent in entries if parent is not None]) >= 12
    scenarios = [scenario for entry, _parent in entries for scenario in entry.scenarios]
    assert len(scenarios) >= 30
    assert "EXA-S1" in {scenario.code for scenario in scenarios}
    rel = [entry for entry, _parent in entries if entry.code.split(".")[0] == "REL"]
    assert sum(len(entry.scenarios) for entry in rel) >= 2
    assert len({scenario.code for scenario in scenarios}) == len(scenarios)
    for entry, _parent in entries:
        for scenario in entry.scenarios:
            assert scenario.code.startswith(entry.code.split(".")[0] + "-S"), scenario.code
            assert set(scenario.scheme) == {"who", "with_whom", "what", "how", "benefit"}, scenario.code
            assert scenario.corruption_types and scenario.factors and scenario.risk_factors, scenario.code


def test_every_text_of_the_library_is_in_english_french_and_spanish() -> None:
    for entry, _parent in walk(library().processes):
        data = entry.model_dump(exclude={"children"})
        assert entry.description, entry.code
        texts = _texts(data)
        assert texts, entry.code
        for text in texts:
            assert set(text) == {"en", "fr", "es"}, (entry.code, text)
            assert all(text.values()), (entry.code, text)


def test_installing_the_library_twice_adds_nothing_the_second_time(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    added = catalogue_install(actor=officer, organization=cast.customs)
    assert added == len(walk(library().processes))
    with scopes_disabled():
        processes = Process.objects.filter(organization=cast.customs).count()
        scenarios = Scenario.objects.filter(process__organization=cast.customs).count()
    assert catalogue_install(actor=officer, organization=cast.customs) == 0
    with scopes_disabled():
        assert Process.objects.filter(organization=cast.customs).count() == processes
        assert Scenario.objects.filter(process__organization=cast.customs).count() == scenarios >= 30
        exa2 = Process.objects.get(organization=cast.customs, code="EXA.2")
    assert exa2.parent is not None and exa2.parent.code == "EXA"
    assert "Clearance system" in _process(cast, "EXA").systems


def test_the_library_installs_in_the_language_asked(cast) -> None:  # type: ignore[no-untyped-def]
    catalogue_install(actor=_officer(cast), organization=cast.customs, language="fr")
    release = _process(cast, "REL")
    assert release.name == "Mainlevée des marchandises"
    assert "Système de dédouanement" in release.systems.splitlines()


def test_a_reader_may_not_install_the_library(cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    with pytest.raises(PermissionDenied):
        catalogue_install(actor=f.head, organization=cast.customs)
    with pytest.raises(Http404):
        catalogue_install(actor=cast.outsider, organization=cast.customs)


# --- Processes ----------------------------------------------------------------------------------


def test_a_process_is_added_under_a_parent_with_its_offices(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    catalogue_install(actor=officer, organization=cast.customs)
    process = process_save(
        actor=officer,
        organization=cast.customs,
        code="exa.4",
        name="  Scanner   images ",
        parent=_process(cast, "EXA"),
        offices=[cast.division],
        external_actors="Terminal operator\n\nTerminal operator\nScanner contractor",
    )
    assert (process.code, process.name) == ("EXA.4", "Scanner images")
    assert process.external_actors == "Terminal operator\nScanner contractor"
    with scopes_disabled():
        assert list(process.offices.all()) == [cast.division]
        assert AuditEvent.objects.filter(
            action="arusha.risks.process.created", object_id=str(process.pk)
        ).exists()


@pytest.mark.parametrize(
    ("values", "field_name", "message"),
    [
        ({"code": "EXA"}, "code", "Another process has the code EXA"),
        ({"code": "=HYPERLINK(1)"}, "code", "capital letters and digits"),
        ({"code": "<script>"}, "code", "capital letters and digits"),
        ({"name": "   "}, "name", "Give the process a name"),
        ({"name": "x" * 201}, "name", "too long"),
        ({"external_actors": "\n".join(f"Actor {n}" for n in range(41))}, "external_actors", "at most 40"),
        ({"systems": "s" * 201}, "systems", "too long"),
    ],
)
def test_a_process_that_does_not_hold_is_refused_on_its_field(  # type: ignore[no-untyped-def]
    cast, values, field_name, message
) -> None:
    officer = _officer(cast)
    catalogue_install(actor=officer, organization=cast.customs)
    with pytest.raises(DomainError, match=message) as refused:
        process_save(actor=officer, organization=cast.customs, **{"code": "NEW", "name": "New", **values})
    assert refused.value.field == field_name


def test_a_process_cannot_be_put_under_itself_or_its_own_sub_process(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    catalogue_install(actor=officer, organization=cast.customs)
    exa = _process(cast, "EXA")
    for parent in (exa, _process(cast, "EXA.2")):
        with pytest.raises(DomainError, match="part of itself") as refused:
            process_save(
                actor=officer,
                organization=cast.customs,
                process=exa,
                code="EXA",
                name=exa.name,
                parent=parent,
            )
        assert refused.value.field == "parent"
    exa.refresh_from_db()
    assert exa.parent_id is None


def test_a_parent_or_an_office_of_another_organization_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    foreign = process_save(actor=None, organization=cast.other, code="FOR", name="Foreign")
    with pytest.raises(DomainError, match="organization's catalogue"):
        process_save(actor=officer, organization=cast.customs, code="NEW", name="New", parent=foreign)
    other_division = core_services.division_create(actor=None, organization=cast.other, name="Elsewhere")
    with pytest.raises(DomainError, match="offices of the organization"):
        process_save(
            actor=officer, organization=cast.customs, code="NEW", name="New", offices=[other_division]
        )
    with scopes_disabled():
        assert not Process.objects.filter(organization=cast.customs).exists()


def test_an_edit_read_at_an_old_version_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    process = process_save(actor=officer, organization=cast.customs, code="NEW", name="First")
    read_at = process.version
    process_save(
        actor=officer, organization=cast.customs, process=process, code="NEW", name="Second", version=read_at
    )
    stale = _process(cast, "NEW")
    with pytest.raises(StaleEdit):
        process_save(
            actor=officer, organization=cast.customs, process=stale, code="NEW", name="Third", version=read_at
        )
    assert _process(cast, "NEW").name == "Second"


def test_a_code_that_registers_use_does_not_change(cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)  # its cycle has EXA, REL and VAL in scope
    exa = f.processes["EXA"]
    with pytest.raises(DomainError, match="the code stays EXA"):
        process_save(actor=f.officer, organization=cast.customs, process=exa, code="EXAM", name=exa.name)
    renamed = process_save(
        actor=f.officer, organization=cast.customs, process=exa, code="EXA", name="Examination of goods"
    )
    assert renamed.name == "Examination of goods"


def test_a_process_out_of_use_and_its_sub_processes_leave_new_cycles(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    catalogue_install(actor=officer, organization=cast.customs)
    process_deactivate(actor=officer, process=_process(cast, "EXA"))
    offered = {process.code for process in processes_for_new_cycle(cast.customs)}
    assert not {"EXA", "EXA.1", "EXA.2", "EXA.3"} & offered
    assert "REL" in offered
    with pytest.raises(DomainError, match="above it is not in use"):
        process_activate(actor=officer, process=_process(cast, "EXA.2"))
    process_activate(actor=officer, process=_process(cast, "EXA"))
    offered = {process.code for process in processes_for_new_cycle(cast.customs)}
    assert "EXA" in offered and "EXA.2" not in offered


def test_a_process_used_by_a_cycle_or_holding_sub_processes_is_not_removed(cast) -> None:  # type: ignore[no-untyped-def]
    from arusha.risks.services.cycles import cycle_create

    f = field(cast)
    with pytest.raises(DomainError, match="Remove or move its sub-processes first"):
        process_delete(actor=f.officer, process=f.processes["REL"])
    lonely = process_save(actor=f.officer, organization=cast.customs, code="TMP", name="Temporary")
    cycle_create(
        actor=f.officer, organization=cast.customs, title="Another", matrix=f.matrix, processes=[lonely],
        scope_text="Temporary work.",
    )  # fmt: skip
    with pytest.raises(DomainError, match="Risk registers or assessment cycles use this process"):
        process_delete(actor=f.officer, process=lonely)
    process_delete(actor=f.officer, process=f.processes["REL.2"])
    with scopes_disabled():
        assert Process.objects.filter(organization=cast.customs, code="TMP").exists()
        assert not Process.objects.filter(organization=cast.customs, code="REL.2").exists()
        assert AuditEvent.objects.filter(action="arusha.risks.process.deleted").count() == 1


def test_a_reader_may_not_change_the_catalogue(cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    with pytest.raises(PermissionDenied):
        process_save(actor=f.head, organization=cast.customs, code="NEW", name="New")
    with pytest.raises(PermissionDenied):
        process_deactivate(actor=f.head, process=f.processes["EXA"])
    with pytest.raises(Http404):
        process_save(actor=cast.member, organization=cast.customs, code="NEW", name="New")


# --- Scenarios ----------------------------------------------------------------------------------


def test_a_scenario_is_added_with_its_scheme_and_codes(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    catalogue_install(actor=officer, organization=cast.customs)
    process = _process(cast, "EXA.2")
    scenario = scenario_save(
        actor=officer,
        process=process,
        code="exa-s9",
        title="A report signed without the goods being seen",
        scheme={"who": "Examining officer", "what": "Examination report", "how": "Signs without looking"},
        corruption_types=["abuse"],
        factors=["KF6"],
        risk_factors=["supervision"],
    )
    assert scenario.code == "EXA-S9"
    assert scenario.scheme == {
        "who": "Examining officer",
        "what": "Examination report",
        "how": "Signs without looking",
    }
    with pytest.raises(DomainError, match="Another scenario has the code EXA-S9"):
        scenario_save(
            actor=officer, process=_process(cast, "REL"), code="EXA-S9", title="Again", scheme={"what": "x"}
        )


@pytest.mark.parametrize(
    ("values", "field_name"),
    [
        ({"factors": ["KF11"]}, "factors"),
        ({"corruption_types": ["theft"]}, "corruption_types"),
        ({"risk_factors": ["greed"]}, "risk_factors"),
        ({"code": "S1"}, "code"),
        ({"title": ""}, "title"),
        ({"scheme": {"how": "x" * 2001}}, "how"),
        ({"scheme": {}}, "what"),
    ],
)
def test_a_scenario_that_does_not_hold_is_refused_on_its_field(  # type: ignore[no-untyped-def]
    cast, values, field_name
) -> None:
    officer = _officer(cast)
    process = process_save(actor=officer, organization=cast.customs, code="NEW", name="New")
    arguments: dict[str, Any] = {
        "code": "NEW-S1",
        "title": "A title",
        "scheme": {"what": "A decision"},
        **values,
    }
    with pytest.raises(DomainError) as refused:
        scenario_save(actor=officer, process=process, **arguments)
    assert refused.value.field == field_name
    with scopes_disabled():
        assert not Scenario.objects.filter(process=process).exists()


def test_a_scenario_edit_crossing_another_change_of_its_process_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    catalogue_install(actor=officer, organization=cast.customs)
    process = _process(cast, "EXA")
    with scopes_disabled():
        scenario = Scenario.objects.get(code="EXA-S1", process=process)
    read_at = process.version
    scenario_save(
        actor=officer, process=process, scenario=scenario, code="EXA-S1", title="First", scheme={"what": "w"},
        version=read_at,
    )  # fmt: skip
    with pytest.raises(StaleEdit):
        scenario_save(
            actor=officer, process=_process(cast, "EXA"), scenario=scenario, code="EXA-S1", title="Second",
            scheme={"what": "w"}, version=read_at,
        )  # fmt: skip
    scenario.refresh_from_db()
    assert scenario.title == "First"


# --- Matrices -----------------------------------------------------------------------------------


def test_freezing_then_revising_makes_version_two_and_leaves_version_one_unchanged(cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    to_identification(f)  # the cycle starts using its matrix: frozen
    v1 = _matrix(f.matrix.pk)
    assert v1.status == MatrixStatus.FROZEN
    before = (v1.definition, v1.checksum, v1.name)
    text = definition_yaml(v1).replace("acceptance_months: 12", "acceptance_months: 6")
    v2 = matrix_edit(actor=f.officer, matrix=v1, name="Five by five, shorter acceptances", text=text)
    assert (v2.code, v2.number, v2.status) == (v1.code, 2, MatrixStatus.DRAFT)
    assert v2.definition["appetite"]["acceptance_months"] == 6
    v1 = _matrix(v1.pk)
    assert (v1.definition, v1.checksum, v1.name) == before
    assert v1.status == MatrixStatus.FROZEN
    with pytest.raises(DomainError, match="Version 2 of this matrix exists"):
        matrix_edit(actor=f.officer, matrix=v1, name="Another branch", text=text)
    assert matrix_edit(actor=f.officer, matrix=v2, name=v2.name, text=text).pk == v2.pk


def test_a_frozen_matrix_saved_unchanged_makes_no_new_version(cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    to_identification(f)
    frozen = _matrix(f.matrix.pk)
    assert (
        matrix_edit(actor=f.officer, matrix=frozen, name=frozen.name, text=definition_yaml(frozen)).pk
        == frozen.pk
    )
    with scopes_disabled():
        assert Matrix.objects.filter(organization=cast.customs, code=frozen.code).count() == 1


def test_a_draft_saved_meanwhile_refuses_the_stale_edit(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    draft = matrix_install(actor=officer, organization=cast.customs, preset="3x3")
    read_at = draft.version
    text = definition_yaml(draft)
    matrix_edit(actor=officer, matrix=draft, name="Ours", text=text, version=read_at)
    with pytest.raises(StaleEdit):
        matrix_edit(actor=officer, matrix=_matrix(draft.pk), name="Theirs", text=text, version=read_at)
    assert _matrix(draft.pk).name == "Ours"


def test_a_matrix_added_from_a_preset_is_a_new_matrix_not_a_new_version(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    first = matrix_add(actor=officer, organization=cast.customs, preset="4x4")
    second = matrix_add(actor=officer, organization=cast.customs, preset="4x4", name="For HR processes")
    assert (first.code, first.number) == ("matrix-4x4", 1)
    assert (second.code, second.number, second.name) == ("matrix-4x4-2", 1, "For HR processes")
    with pytest.raises(DomainError, match="Choose one of the presets") as refused:
        matrix_add(actor=officer, organization=cast.customs, preset="7x7")
    assert refused.value.field == "preset"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the matrix's definition"),
        ("name: [unclosed", "not valid YAML at line"),
        ("- a list", "must be a mapping"),
        ("x" * 70_000, "longer than 64 KB"),
        (
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcde", "bcdef", strict=True)
            )
            + "grid: *f\n",
            "too many values",
        ),
        ("{1: x}", "must be text"),
        ("a: " + "[" * 30_000 + "]" * 30_000, "nested too deeply"),
        ("".join(" " * depth + "a:\n" for depth in range(30)), "nested too deeply"),
    ],
)
def test_a_definition_text_that_cannot_be_read_is_refused_with_its_reason(text: str, message: str) -> None:
    with pytest.raises(DomainError, match=message) as refused:
        parse_definition(text)
    assert refused.value.field == "definition"


def test_an_acceptor_that_names_no_role_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _officer(cast)
    draft = matrix_install(actor=officer, organization=cast.customs, preset="3x3")
    text = definition_yaml(draft).replace("medium: head_of_administration", "medium: nobody_here")
    with pytest.raises(DomainError, match="appetite > acceptors > medium: there is no role nobody_here"):
        matrix_edit(actor=officer, matrix=draft, name=draft.name, text=text)


def _matrix(pk: int) -> Matrix:
    with scopes_disabled():
        return Matrix.objects.get(pk=pk)
