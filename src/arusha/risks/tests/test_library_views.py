"""The library's screens: who opens them, what they show, and how they answer bad input.

The cast of tests/risks.py: the integrity officer keeps the library; the head of
administration reads registers (VIEW) but does not keep the library; a plain member (no
risks permission) and an outsider may not know it exists.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.forms import hidden_value
from tests.risks import Field, field, to_identification

from arusha.core import services as core_services
from arusha.core.models import OrganizationKind
from arusha.risks.models import Matrix, MatrixStatus, Process, Scenario
from arusha.risks.selectors.library import definition_yaml


def _urls(f: Field) -> dict[str, str]:
    slug = f.organization.slug
    exa = f.processes["EXA"]
    with scopes_disabled():
        scenario = Scenario.objects.get(process=exa, code="EXA-S1")
    return {
        "risk-library": reverse("risk-library", args=[slug]),
        "catalogue-install": reverse("catalogue-install", args=[slug]),
        "matrix-add": reverse("matrix-add", args=[slug]),
        "matrix-detail": reverse("matrix-detail", args=[slug, f.matrix.pk]),
        "matrix-edit": reverse("matrix-edit", args=[slug, f.matrix.pk]),
        "process-add": reverse("process-add", args=[slug]),
        "process-detail": reverse("process-detail", args=[slug, exa.pk]),
        "process-edit": reverse("process-edit", args=[slug, exa.pk]),
        "process-deactivate": reverse("process-deactivate", args=[slug, exa.pk]),
        "process-activate": reverse("process-activate", args=[slug, exa.pk]),
        "process-delete": reverse("process-delete", args=[slug, exa.pk]),
        "scenario-add": reverse("scenario-add", args=[slug, exa.pk]),
        "scenario-edit": reverse("scenario-edit", args=[slug, exa.pk, scenario.pk]),
    }


def _errors(response: Any, name: str | None) -> list[str]:
    return [str(m) for m in response.context["form"].errors.get(name or "__all__", [])]


def _matrix(pk: int) -> Matrix:
    with scopes_disabled():
        return Matrix.objects.get(pk=pk)


def _processes(f: Field) -> dict[str, Process]:
    with scopes_disabled():
        return {p.code: p for p in Process.objects.filter(organization=f.organization)}


# --- Who opens what -----------------------------------------------------------------------------


def test_every_library_page_opens_for_the_integrity_officer(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    for language in ("en", "fr", "es"):
        for name, url in _urls(f).items():
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (language, name)
            assert b"<h1>" in response.content, (language, name)


def test_outsiders_and_members_without_a_risks_permission_get_404_everywhere(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    for person in (cast.outsider, cast.member, cast.foreigner):
        client.force_login(person)
        for name, url in _urls(f).items():
            assert client.get(url).status_code == 404, (person, name)
            assert client.post(url, {"name": "x", "code": "X"}).status_code == 404, (person, name)
    assert len(_processes(f)) == len(f.processes)


def test_a_reader_of_registers_sees_the_library_but_may_not_change_it(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.head)
    urls = _urls(f)
    for name in ("risk-library", "matrix-detail", "process-detail"):
        page = client.get(urls[name])
        assert page.status_code == 200, name
    library = client.get(urls["risk-library"]).content.decode()
    assert "Add a matrix from a preset" not in library and "Add a process" not in library
    assert "Change the process" not in client.get(urls["process-detail"]).content.decode()
    for name in ("catalogue-install", "matrix-add", "matrix-edit", "process-add", "process-edit",
                 "process-deactivate", "process-delete", "scenario-add", "scenario-edit"):  # fmt: skip
        assert client.post(urls[name], {"name": "x", "code": "NEW", "preset": "3x3"}).status_code == 403, name
    assert _processes(f)["EXA"].active
    assert _matrix(f.matrix.pk).name == f.matrix.name


# --- What the pages show ------------------------------------------------------------------------


def test_the_matrix_page_shows_the_grid_highest_likelihood_first_with_each_level(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    page = client.get(_urls(f)["matrix-detail"]).content.decode()
    grid = page[page.index('class="heat matrix-grid"') : page.index("</table>", page.index("matrix-grid"))]
    rows = re.findall(r'<th scope="row">(\d)\. ([^<]+)</th>', grid)
    assert [rank for rank, _label in rows] == ["5", "4", "3", "2", "1"]
    assert rows[0][1] == "Almost certain"
    cells = re.findall(r'fill="(#[0-9a-f]{6})"[^>]*/></svg> ([^<]+)</span>\s*</td>', grid)
    assert len(cells) == 25
    # Likelihood 5 (first row), impact 5 (last cell) is very high; likelihood 1, impact 1 low.
    assert cells[4] == ("#f4cdc6", "Very high")
    assert cells[20] == ("#cce2d8", "Low")
    for text in ("Public trust", "Trade facilitation", "Head of administration", "Senior management",
                 "Bribery or extortion at examination, release or valuation", "12 months"):  # fmt: skip
        assert text in page, text


def test_the_library_page_shows_the_tree_and_the_matrices(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    page = client.get(_urls(f)["risk-library"]).content.decode()
    assert page.index("EXA Physical examination") < page.index("EXA.1 Assigning examinations")
    assert 'class="depth-1"' in page
    assert "Terminal operators" in page and "Scanner images" in page
    assert "Five by five" in page
    assert "Install the process library" not in page


def test_an_empty_catalogue_offers_the_library_and_installing_it_fills_the_tree(client, cast) -> None:  # type: ignore[no-untyped-def]
    from tests.risks import person

    officer = person(cast, "keeper@test.example", "Kim Keeper", ["integrity_officer"])
    client.force_login(officer)
    url = reverse("risk-library", args=[cast.customs.slug])
    page = client.get(url).content.decode()
    assert "Install the process library" in page
    assert "No matrix yet" in page
    response = client.post(reverse("catalogue-install", args=[cast.customs.slug]))
    assert response.status_code == 302
    with scopes_disabled():
        assert Process.objects.filter(organization=cast.customs, code="HRM.2").exists()
    assert "Install the process library" not in client.get(url).content.decode()


def test_the_library_installs_in_the_language_of_the_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    from tests.risks import person

    client.force_login(person(cast, "keeper@test.example", "Kim Keeper", ["integrity_officer"]))
    client.post(reverse("catalogue-install", args=[cast.customs.slug]), HTTP_ACCEPT_LANGUAGE="es")
    with scopes_disabled():
        assert Process.objects.get(organization=cast.customs, code="REL").name == "Levante de las mercancías"


def test_a_matrix_added_from_a_preset_opens_on_its_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    page = client.get(_urls(f)["risk-library"]).content.decode()
    key = hidden_value(page, "idempotency_key")
    response = client.post(_urls(f)["matrix-add"], {"preset": "3x3", "name": "", "idempotency_key": key})
    assert response.status_code == 302
    with scopes_disabled():
        added = Matrix.objects.get(organization=f.organization, preset="3x3")
    assert response["Location"] == reverse("matrix-detail", args=[f.organization.slug, added.pk])
    assert client.post(_urls(f)["matrix-add"], {"preset": "9x9"}).status_code == 400


# --- Editing a matrix ---------------------------------------------------------------------------


def test_a_frozen_matrix_says_saving_makes_the_next_version_and_does_so(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    to_identification(f)
    client.force_login(f.officer)
    url = _urls(f)["matrix-edit"]
    page = client.get(url).content.decode()
    assert "Saving makes version 2" in page
    frozen = _matrix(f.matrix.pk)
    text = definition_yaml(frozen).replace("acceptance_months: 12", "acceptance_months: 24")
    response = client.post(url, {"name": frozen.name, "definition": text, "version": frozen.version})
    assert response.status_code == 302
    with scopes_disabled():
        v2 = Matrix.objects.get(organization=f.organization, code=frozen.code, number=2)
    assert response["Location"] == reverse("matrix-detail", args=[f.organization.slug, v2.pk])
    assert v2.status == MatrixStatus.DRAFT and v2.definition["appetite"]["acceptance_months"] == 24
    assert _matrix(frozen.pk).definition == frozen.definition
    detail = client.get(response["Location"]).content.decode()
    assert "Version 1" in detail and "24 months" in detail


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: "x" * 70_000, "at most 65536 characters"),
        (lambda text: text.replace("'#cce2d8'", "'<script>alert(1)</script>'"), "levels > 0 > colour"),
        (
            lambda text: text.replace(
                "- [low, low, low, medium, medium]", "- [=1+1, low, low, medium, medium]"
            ),
            "grid > 0 > 0: String should match pattern",
        ),
        (
            lambda text: text.replace("- [low, low, low, medium, medium]", "- [low, low, low, medium]"),
            "Grid row 1 needs 5 cells",
        ),
        (lambda text: text + "\n  oops: [", "not valid YAML"),
        (
            lambda text: "a: &a [" + ", ".join(["x"] * 50) + "]\nb: &b [" + ", ".join(["*a"] * 500) + "]\n",
            "too many values",
        ),
    ],
    ids=["huge", "script-colour", "formula-cell", "short-row", "broken-yaml", "alias-bomb"],
)
def test_a_definition_that_does_not_hold_answers_400_with_a_message_and_keeps_the_text(  # type: ignore[no-untyped-def]
    client, cast, change, message
) -> None:
    f = field(cast)
    client.force_login(f.officer)
    draft = _matrix(f.matrix.pk)
    text = change(definition_yaml(draft))
    response = client.post(
        _urls(f)["matrix-edit"], {"name": draft.name, "definition": text, "version": draft.version}
    )
    assert response.status_code == 400
    assert any(message in error for error in _errors(response, "definition")), _errors(response, "definition")
    assert "<script>alert(1)" not in response.content.decode()
    assert response.context["form"]["definition"].value() == text  # what was typed is kept
    after = _matrix(draft.pk)
    assert (after.checksum, after.version) == (draft.checksum, draft.version)


def test_a_stale_matrix_edit_shows_their_version(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    draft = _matrix(f.matrix.pk)
    text = definition_yaml(draft)
    url = _urls(f)["matrix-edit"]
    assert client.post(url, {"name": "Ours", "definition": text, "version": draft.version}).status_code == 302
    response = client.post(url, {"name": "Theirs", "definition": text, "version": draft.version})
    assert response.status_code == 400
    assert "Their version" in response.content.decode()
    assert _matrix(draft.pk).name == "Ours"


# --- Processes and scenarios --------------------------------------------------------------------


def test_a_double_submit_of_add_a_process_creates_one(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    url = _urls(f)["process-add"]
    key = hidden_value(client.get(url).content.decode(), "idempotency_key")
    values = {"code": "EXA.9", "name": "Remote examination", "parent": f.processes["EXA"].pk,
              "offices": [cast.division.pk], "idempotency_key": key}  # fmt: skip
    first = client.post(url, values)
    second = client.post(url, values)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        made = list(Process.objects.filter(organization=f.organization, code="EXA.9"))
        assert len(made) == 1
        assert made[0].parent_id == f.processes["EXA"].pk
        assert list(made[0].offices.all()) == [cast.division]


@pytest.mark.parametrize(
    ("values", "field_name"),
    [
        ({"code": '=HYPERLINK("http://x")'}, "code"),
        ({"code": "<script>alert(1)</script>"}, "code"),
        ({"code": "EXA"}, "code"),
        ({"name": ""}, "name"),
        ({"parent": "99999999999999999999"}, "parent"),
        ({"offices": ["99999999999999999999999"]}, "offices"),
        ({"systems": "x" * 20_000}, "systems"),
    ],
    ids=[
        "formula-code",
        "script-code",
        "taken-code",
        "no-name",
        "huge-parent",
        "huge-office",
        "huge-systems",
    ],
)
def test_a_process_that_does_not_hold_answers_400_on_its_field(client, cast, values, field_name) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    response = client.post(_urls(f)["process-add"], {"code": "NEW", "name": "New", **values})
    assert response.status_code == 400
    assert _errors(response, field_name)
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "NEW" not in _processes(f)


def test_a_name_with_a_script_tag_is_kept_as_text_and_shown_escaped(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    response = client.post(_urls(f)["process-add"], {"code": "NEW", "name": "<script>alert(1)</script>"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_process_edit_moves_it_and_a_cycle_in_the_tree_is_refused(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    exa = f.processes["EXA"]
    url = _urls(f)["process-edit"]
    looped = {"code": "EXA", "name": exa.name, "parent": f.processes["EXA.2"].pk, "version": exa.version}
    response = client.post(url, looped)
    assert response.status_code == 400
    assert _errors(response, "parent")  # EXA.2 is not even offered as its parent
    moved = {"code": "EXA", "name": "Examination", "parent": f.processes["SEL"].pk, "version": exa.version}
    assert client.post(url, moved).status_code == 302
    assert _processes(f)["EXA"].parent_id == f.processes["SEL"].pk


def test_taking_a_process_out_of_use_and_back(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    urls = _urls(f)
    exa = f.processes["EXA"]
    assert client.post(urls["process-deactivate"], {"version": exa.version}).status_code == 302
    processes = _processes(f)
    assert not processes["EXA"].active and not processes["EXA.3"].active
    assert "Out of use" in client.get(urls["risk-library"]).content.decode()
    # A sub-process out of use is still edited under its parent, out of use too.
    exa2 = processes["EXA.2"]
    edit = reverse("process-edit", args=[f.organization.slug, exa2.pk])
    values = {"code": "EXA.2", "name": "Examination", "parent": exa.pk, "version": exa2.version}
    assert client.post(edit, values).status_code == 302
    assert _processes(f)["EXA.2"].name == "Examination"
    assert client.post(urls["process-activate"], {"version": processes["EXA"].version}).status_code == 302
    assert _processes(f)["EXA"].active


def test_removing_a_process_used_by_a_cycle_is_refused_with_a_message(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    response = client.post(_urls(f)["process-delete"], follow=True)
    assert "sub-processes first" in response.content.decode()
    assert "EXA" in _processes(f)


def test_a_scenario_is_added_and_changed_through_its_pages(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    client.force_login(f.officer)
    urls = _urls(f)
    page = client.get(urls["scenario-add"]).content.decode()
    assert 'value="EXA-S5"' in page  # EXA-S1 to S4 belong to EXA and its sub-processes
    key = hidden_value(page, "idempotency_key")
    added = client.post(
        urls["scenario-add"],
        {"code": "EXA-S9", "title": "A report signed unseen", "what": "Examination report",
         "how": "Signs without looking", "corruption_types": ["abuse"], "factors": ["KF6"],
         "risk_factors": ["supervision"], "idempotency_key": key},
    )  # fmt: skip
    assert added.status_code == 302
    detail = client.get(urls["process-detail"]).content.decode()
    assert "EXA-S9 · A report signed unseen" in detail and "KF6 · Audit and investigation" in detail
    refused = client.post(
        urls["scenario-add"], {"code": "EXA-S10", "title": "x", "what": "y", "factors": ["KF99"]}
    )
    assert refused.status_code == 400 and _errors(refused, "factors")
    exa = _processes(f)["EXA"]
    changed = client.post(
        urls["scenario-edit"],
        {"code": "EXA-S1", "title": "Findings left out", "what": "Report", "version": exa.version},
    )
    assert changed.status_code == 302
    with scopes_disabled():
        assert Scenario.objects.get(process=exa, code="EXA-S1").title == "Findings left out"


def test_a_scenario_of_another_organization_is_not_found(client, cast) -> None:  # type: ignore[no-untyped-def]
    f = field(cast)
    other = core_services.organization_create(
        actor=None, slug="third", name="Third", kind=OrganizationKind.CUSTOMS, country="XC"
    )
    from arusha.risks.services.library import catalogue_install

    catalogue_install(actor=None, organization=other)
    with scopes_disabled():
        foreign = Scenario.objects.filter(process__organization=other).first()
    assert foreign is not None
    client.force_login(f.officer)
    mixed = reverse("scenario-edit", args=[f.organization.slug, f.processes["EXA"].pk, foreign.pk])
    assert client.get(mixed).status_code == 404
    theirs = reverse("process-detail", args=[f.organization.slug, foreign.process_id])
    assert client.get(theirs).status_code == 404
