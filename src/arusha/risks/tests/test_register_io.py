"""The register out and back in: a 500-risk round trip is identical, an import is all or nothing."""

from __future__ import annotations

import io
import subprocess
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope
from docx import Document
from tests.risks import add_risk, field, person, stays_out, to_identification

from arusha.core.models import AuditEvent
from arusha.core.permissions import PresetRole
from arusha.risks.matrices import Scale
from arusha.risks.models import Control, RatingSnapshot, Risk, Treatment
from arusha.risks.services.register_io import RegisterImportError, register_export, register_import
from arusha.risks.services.treatments import treatment_plan
from arusha.risks.tests.io_support import (
    cells,
    column,
    edited,
    rating_cycle,
    register_book,
    second_cycle,
)
from arusha.risks.tests.register_world import plan_world
from arusha.risks.vocabulary import RiskStatus
from arusha.risks.workbook import COLUMNS, CONTROLS, FIRST_ROW, REGISTER, REGISTER_COLUMNS, TREATMENTS


def _counts(cast):
    with scope(organization=cast.customs):
        return {
            "risks": Risk.objects.count(),
            "snapshots": RatingSnapshot.objects.count(),
            "controls": Control.objects.count(),
            "treatments": Treatment.objects.count(),
            "audit": AuditEvent.objects.count(),
        }


def _risk(cycle, code):
    with scope(organization=cycle.organization):
        return Risk.objects.get(cycle=cycle, code=code)


def test_an_xlsx_round_trip_of_a_500_risk_register_is_identical(cast):
    started = time.perf_counter()
    f = field(cast)
    rating_cycle(f)
    generated = register_book(f, 500)
    register_import(actor=f.officer, cycle=f.cycle, data=generated)
    first = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content

    other = second_cycle(f)  # same matrix and scope, at rating, with one risk of its own
    outcome = register_import(actor=f.officer, cycle=other, data=first)
    second = register_export(actor=f.officer, cycle=other, fmt="xlsx").content

    assert (outcome.created, outcome.updated) == (499, 1)
    for sheet, rows in ((REGISTER, 500), (CONTROLS, 1000), (TREATMENTS, 1000)):
        before, after = cells(first, sheet), cells(second, sheet)
        assert len(before) == rows + 1  # and the header
        assert before == after, f"sheet {sheet} differs"
    # What came in is what went out: every column the import reads, as generated.
    written = {row[0]: row for row in cells(generated, REGISTER)[1:]}
    for row in cells(first, REGISTER)[1:]:
        for index, spec in enumerate(REGISTER_COLUMNS):
            if spec.imported:
                assert (written[row[0]][index] or None) == row[index], (row[0], spec.key)
    print(f"500-risk round trip: {time.perf_counter() - started:.1f} s")  # shown with -s


def test_reimporting_an_export_into_its_cycle_changes_nothing(cast):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 20))
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    before = _counts(cast)
    outcome = register_import(actor=f.officer, cycle=f.cycle, data=exported)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 20)
    # Only the import itself (and the export before it) is in the audit trail: no rating, no change.
    assert _counts(cast) == {**before, "audit": before["audit"] + 1}


def test_an_error_on_row_300_writes_nothing(cast):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 310))
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    # Every risk changes its title, the 300th asks for a likelihood the 5x5 matrix does not have.
    changes: dict[tuple[int, int], object] = {
        (row, column(REGISTER, "title")): f"New title {row}" for row in range(FIRST_ROW, FIRST_ROW + 310)
    }
    changes[(FIRST_ROW + 299, column(REGISTER, "inherent_likelihood"))] = 9
    before = _counts(cast)
    with pytest.raises(RegisterImportError) as refused:
        register_import(actor=f.officer, cycle=f.cycle, data=edited(exported, REGISTER, changes))
    assert refused.value.errors == [
        "Sheet Register, row 302: Inherent likelihood: choose a rank from 1 to 5 (the About sheet lists them)."
    ]
    assert _counts(cast) == before
    assert not _risk(f.cycle, "R-005").title.startswith("New title")


def test_every_problem_is_named_by_sheet_row_and_column_at_once(cast):
    f = field(cast)
    rating_cycle(f)
    book = register_book(f, 4)
    book = edited(
        book,
        REGISTER,
        {
            (3, column(REGISTER, "process")): "XYZ",
            (4, column(REGISTER, "corruption_types")): "bribery; sorcery",
            (5, column(REGISTER, "owner")): "nobody@test.example",
            (6, column(REGISTER, "current_impact")): None,
            (6, column(REGISTER, "review_on")): "next spring",
        },
    )
    book = edited(
        book, CONTROLS, {(3, column(CONTROLS, "kind")): "magic", (4, column(CONTROLS, "risk")): "R-999"}
    )
    book = edited(book, TREATMENTS, {(5, column(TREATMENTS, "status")): "someday"})
    before = _counts(cast)
    with pytest.raises(RegisterImportError) as refused:
        register_import(actor=f.officer, cycle=f.cycle, data=book)
    assert refused.value.errors == [
        "Sheet Register, row 6: Review date: “next spring” is not a date: write it as year-month-day, e.g. 2026-06-30.",
        "Sheet Register, row 3: Process code: no process of the catalogue has the code “XYZ”.",
        "Sheet Register, row 4: Corruption types: unknown corruption types: sorcery (the About sheet lists the codes).",
        "Sheet Register, row 5: Owner (email): “nobody@test.example” is not an active member of the organization.",
        "Sheet Register, row 6: Current impact: give both likelihood and impact, or neither.",
        "Sheet Controls, row 3: Kind: “magic” is not one of: preventive, detective, corrective.",
        "Sheet Controls, row 4: Risk code: no row of the Register sheet has the code “R-999”.",
        "Sheet Treatments, row 5: Status: “someday” is not one of: planned, in_progress, done, cancelled.",
    ]
    assert _counts(cast) == before


def test_a_changed_rating_goes_through_risk_rate_with_a_snapshot_of_its_own(cast):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 3))
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    risk = _risk(f.cycle, "R-002")
    with scope(organization=cast.customs):
        snapshots = RatingSnapshot.objects.filter(risk=risk).count()
    book = edited(exported, REGISTER, {(FIRST_ROW + 1, column(REGISTER, "current_likelihood")): 5})
    outcome = register_import(actor=f.officer, cycle=f.cycle, data=book)
    assert (outcome.updated, outcome.unchanged) == (1, 2)
    risk.refresh_from_db()
    assert risk.current_likelihood == 5
    assert risk.current_level == Scale(f.matrix.definition).level(5, 1)  # read from the grid
    with scope(organization=cast.customs):
        now = list(RatingSnapshot.objects.filter(risk=risk))
        rated = AuditEvent.objects.filter(action="arusha.risks.risk.rated", object_id=str(risk.pk)).count()
    assert len(now) == snapshots + 1
    assert now[-1].reason == "Imported from a workbook" and now[-1].current_likelihood == 5
    assert rated == 1


def test_ratings_change_only_at_the_steps_that_allow_rating(cast):
    f = field(cast)
    to_identification(f)
    add_risk(f)  # R-001, not rated: the cycle is at identification
    book = register_book(f, 2)
    with pytest.raises(RegisterImportError) as refused:
        register_import(actor=f.officer, cycle=f.cycle, data=book)
    assert refused.value.errors[0].startswith(
        "Sheet Register, row 3: Inherent likelihood: ratings change only while the assessment is at rating"
    )
    unrated = {
        (row, column(REGISTER, f"{stage}_{part}")): None
        for row in (3, 4)
        for stage in ("inherent", "current", "target")
        for part in ("likelihood", "impact")
    }
    unrated.update({(row, column(REGISTER, "knowledge")): None for row in (3, 4)})
    outcome = register_import(actor=f.officer, cycle=f.cycle, data=edited(book, REGISTER, unrated))
    assert (outcome.created, outcome.updated) == (1, 1)
    assert _risk(f.cycle, "R-002").status == RiskStatus.IDENTIFIED


def test_controls_and_treatments_are_replaced_but_an_action_plan_activity_stays(cast, small_pack):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 2, controls=3, treatments=2))
    world = plan_world(cast, small_pack)
    risk = _risk(f.cycle, "R-002")
    with scope(organization=cast.customs):
        linked = Treatment.objects.filter(risk=risk).order_by("position").first()
    assert linked is not None
    treatment_plan(actor=world.planner, treatment=linked, plan=world.plan)
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    # R-002's rows: controls on rows 6-8, treatments on rows 5-6. Keep one control, changed;
    # the treatments' rows become one new treatment.
    book = edited(
        exported,
        CONTROLS,
        {(6, column(CONTROLS, "description")): "Four eyes on every release", **_cleared(CONTROLS, 7, 8)},
    )
    book = edited(
        book,
        TREATMENTS,
        {(5, column(TREATMENTS, "title")): "Publish the examination criteria", **_cleared(TREATMENTS, 6)},
    )
    outcome = register_import(actor=f.officer, cycle=f.cycle, data=book)
    assert (outcome.updated, outcome.unchanged) == (1, 1)
    with scope(organization=cast.customs):
        controls = list(Control.objects.filter(risk=risk).values_list("description", flat=True))
        treatments = list(
            Treatment.objects.filter(risk=risk).order_by("position").values_list("title", "activity")
        )
    assert controls == ["Four eyes on every release"]
    # The new row first, then the activity the sheet no longer named: it stays in the plan.
    assert [title for title, _activity in treatments] == ["Publish the examination criteria", linked.title]
    assert treatments[0][1] is None and treatments[1][1] is not None


def _cleared(sheet, *rows):
    return {(row, number): None for row in rows for number in range(1, len(COLUMNS[sheet]) + 1)}


def test_a_member_with_a_conflict_on_a_process_cannot_import_its_risks(cast):
    f = field(cast)
    member = f.group[1]
    stays_out(member, [f.processes["REL"]], "Brother is a broker")
    rating_cycle(f)
    with pytest.raises(RegisterImportError) as refused:
        register_import(actor=member.user, cycle=f.cycle, data=register_book(f, 3))
    assert refused.value.errors == [
        "Sheet Register, row 3: Process code: you declared a conflict of interest on this process."
    ]


def test_a_reader_may_export_but_not_import_and_an_outsider_neither(cast):
    f = field(cast)
    rating_cycle(f)
    book = register_book(f, 2)
    with pytest.raises(PermissionDenied):
        register_import(actor=f.head, cycle=f.cycle, data=book)
    assert register_export(actor=f.head, cycle=f.cycle, fmt="csv").content
    for stranger in (cast.member, cast.foreigner, cast.outsider):
        with pytest.raises(Http404):
            register_export(actor=stranger, cycle=f.cycle, fmt="xlsx")
        with pytest.raises(Http404):
            register_import(actor=stranger, cycle=f.cycle, data=book)


def test_an_export_holds_only_the_risks_the_person_may_see(cast):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 6))
    # A risk owner of no office (risks.risk.own) sees the risks they own, nothing else.
    own = person(cast, "own-only@test.example", "Oda Own", [PresetRole.RISK_OWNER])
    owners = {(row, column(REGISTER, "owner")): own.email for row in (FIRST_ROW + 2, FIRST_ROW + 4)}
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    register_import(actor=f.officer, cycle=f.cycle, data=edited(exported, REGISTER, owners))
    rows = cells(register_export(actor=own, cycle=f.cycle, fmt="xlsx").content, REGISTER)
    assert [row[0] for row in rows[1:]] == ["R-003", "R-005"]
    assert len(cells(register_export(actor=f.head, cycle=f.cycle, fmt="xlsx").content, REGISTER)) == 7


def test_every_export_is_audited_with_its_format(cast):
    f = field(cast)
    rating_cycle(f)
    for fmt in ("xlsx", "csv", "pdf", "docx"):
        register_export(actor=f.head, cycle=f.cycle, fmt=fmt)
    with scope(organization=cast.customs):
        events = list(
            AuditEvent.objects.filter(action="arusha.risks.register.exported", actor=f.head).order_by(
                "sequence"
            )
        )
    assert [e.changes["format"] for e in events] == [
        [None, "xlsx"],
        [None, "csv"],
        [None, "pdf"],
        [None, "docx"],
    ]
    assert all(e.object_id == str(f.cycle.pk) for e in events)


HEAD_WATERMARK = "Confidential — exported by Hugo Head (head-risks@test.example) on "


def test_the_csv_has_a_bom_a_watermark_line_and_no_formula(cast):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 100))
    content = register_export(actor=f.head, cycle=f.cycle, fmt="csv").content
    assert content.startswith(b"\xef\xbb\xbf# Confidential \xe2\x80\x94 exported by Hugo Head")
    text = content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("# " + HEAD_WATERMARK) and lines[0].endswith(" UTC")
    assert lines[1].startswith("Code,Process code,Process,Title,")
    assert "'=HYPERLINK(" in text  # R-097's title
    assert "'-50 examining officers" in text  # R-050's "who"
    assert "\"'@once" in text  # R-040's "how", on two lines, quoted
    assert not [line for line in lines[2:] if line and line[0] in "=+-@"]


def test_pdf_and_docx_carry_the_watermark_on_every_page_and_the_restricted_texts(cast, tmp_path):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 30))
    pdf = register_export(actor=f.head, cycle=f.cycle, fmt="pdf").content
    path = tmp_path / "register.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) > 2
    for page in pages:
        assert (
            page.count("Confidential — exported by Hugo Head (head-risks@test.example)") == 2
        )  # top, bottom
    assert "Officer of team 3" in text and "Reports goods as declared (12)" in text
    assert "EXA Physical examination" in text and "Heat maps" in text
    document = Document(io.BytesIO(register_export(actor=f.head, cycle=f.cycle, fmt="docx").content))
    for section in document.sections:
        assert section.header.paragraphs[0].text.startswith(HEAD_WATERMARK)
        assert section.footer.paragraphs[0].text.startswith(HEAD_WATERMARK)
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Officer of team 3" in body and "R-012 Risk 12: payment to skip a check" in body
