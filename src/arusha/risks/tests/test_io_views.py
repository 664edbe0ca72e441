"""The screens of the register's exports and import: who gets what, and what the page says."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope
from tests.forms import signed_in
from tests.risks import field

from arusha.core.models import BackgroundJob, JobStatus
from arusha.risks.models import Risk
from arusha.risks.services.register_io import register_export, register_import
from arusha.risks.tests.io_support import column, edited, rating_cycle, register_book
from arusha.risks.workbook import REGISTER


@pytest.fixture
def f(cast):
    f = field(cast)
    rating_cycle(f)
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 4))
    return f


def url(f, name, *args):
    return reverse(name, args=[f.organization.slug, f.cycle.pk, *args])


def _upload(content: bytes) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile("register.xlsx", content)}


def test_outsiders_and_members_without_a_risks_right_get_404_everywhere(f, cast):
    urls = [
        *[url(f, "register-export", fmt) for fmt in ("xlsx", "csv", "pdf", "docx", "html")],
        url(f, "register-export-progress", "pdf"),
        url(f, "register-export-file", "pdf", 1),
        url(f, "register-import"),
    ]
    for stranger in (cast.member, cast.foreigner, cast.outsider):
        client = signed_in(stranger)
        for address in urls:
            assert client.get(address).status_code == 404, (stranger, address)
            assert client.post(address, _upload(b"x")).status_code in {404, 405}, (stranger, address)


def test_a_reader_without_the_right_to_rate_gets_403_on_the_import(f):
    client = signed_in(f.head)  # reads every register, rates none
    assert client.get(url(f, "register-import")).status_code == 403
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    assert client.post(url(f, "register-import"), _upload(exported)).status_code == 403
    assert client.get(url(f, "register-export", "xlsx")).status_code == 200


def test_an_unknown_format_is_404(f):
    assert signed_in(f.officer).get(url(f, "register-export", "html")).status_code == 404
    assert signed_in(f.officer).get(url(f, "register-export-progress", "xlsx")).status_code == 404


def test_xlsx_and_csv_are_downloaded_at_once_and_never_cached(f):
    client = signed_in(f.head)
    for fmt, kind in (("xlsx", "spreadsheetml"), ("csv", "text/csv")):
        response = client.get(url(f, "register-export", fmt))
        assert response.status_code == 200
        assert kind in response["Content-Type"]
        assert re.match(
            rf'attachment; filename="risk-register-{f.cycle.pk}-\d{{8}}-\d{{4}}\.{fmt}"',
            response["Content-Disposition"],
        )
        assert response["Cache-Control"] == "no-store"
    assert client.get(url(f, "register-export", "csv")).content.startswith(b"\xef\xbb\xbf# Confidential")


def test_a_pdf_is_written_by_the_worker_kept_encrypted_and_given_to_its_requester_only(f):
    client = signed_in(f.head)
    page = url(f, "register-export", "pdf")
    assert "No file has been written recently" in client.get(page).content.decode()
    # The callbacks run when the block ends, as a worker would run the task after the commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(page).status_code == 302
    text = client.get(page).content.decode()
    link = re.search(rf'href="({url(f, "register-export-file", "pdf", 0)[:-2]}\d+/)"', text)
    assert link is not None, "the page shows no download link"
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with scope(organization=f.organization):
        (job,) = BackgroundJob.objects.all()
    assert job.status == JobStatus.DONE and job.requested_by == f.head
    with job.result.open("rb") as stored:
        assert not stored.read().startswith(b"%PDF")  # encrypted at rest, like the texts it holds
    # Another reader of every register sees neither the job nor its file.
    officer = signed_in(f.officer)
    assert officer.get(link.group(1)).status_code == 404
    assert "No file has been written recently" in officer.get(page).content.decode()
    progress = client.get(url(f, "register-export-progress", "pdf"), headers={"HX-Request": "true"})
    assert progress.status_code == 286 and "The file is ready." in progress.content.decode()


def test_the_import_page_saves_a_workbook_and_says_what_changed(f):
    client = signed_in(f.officer)
    page = client.get(url(f, "register-import"))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    book = edited(exported, REGISTER, {(3, column(REGISTER, "title")): "Cash for a green channel"})
    book = edited(book, REGISTER, {(7, column(REGISTER, "code")): "R-005", (7, column(REGISTER, "process")): "VAL",
                                   (7, column(REGISTER, "title")): "A new one"})  # fmt: skip
    response = client.post(url(f, "register-import"), _upload(book), follow=True)
    assert response.status_code == 200
    assert "The workbook is imported: 1 risk added; 1 changed; 3 unchanged." in response.content.decode()
    with scope(organization=f.organization):
        assert Risk.objects.get(cycle=f.cycle, code="R-001").title == "Cash for a green channel"
        assert Risk.objects.filter(cycle=f.cycle).count() == 5


def test_the_import_page_lists_every_problem_and_saves_nothing(f):
    client = signed_in(f.officer)
    exported = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    book = edited(
        exported,
        REGISTER,
        {(3, column(REGISTER, "title")): "Changed", (5, column(REGISTER, "inherent_impact")): 7,
         (6, column(REGISTER, "owner")): "=B2"},
    )  # fmt: skip
    response = client.post(url(f, "register-import"), _upload(book))
    text = response.content.decode()
    assert response.status_code == 400
    assert "The workbook was not imported: 2 problems to correct." in text
    assert "Sheet Register, row 5: Inherent impact: choose a rank from 1 to 5" in text
    assert "Sheet Register, row 6: Owner (email): a formula is not accepted: type the value itself." in text
    with scope(organization=f.organization):
        assert Risk.objects.get(cycle=f.cycle, code="R-001").title != "Changed"
    wrong = client.post(url(f, "register-import"), _upload(b"plain text"))
    assert wrong.status_code == 400
    assert "This file is not an XLSX workbook, or it is damaged." in wrong.content.decode()


def test_the_register_links_every_export_and_the_import_for_those_who_rate(f):
    page = signed_in(f.officer).get(url(f, "cycle-register")).content.decode()
    for fmt in ("xlsx", "csv", "pdf", "docx"):
        assert url(f, "register-export", fmt) in page
    assert url(f, "register-import") in page
    reader = signed_in(f.head).get(url(f, "cycle-register")).content.decode()
    assert url(f, "register-export", "pdf") in reader and url(f, "register-import") not in reader
