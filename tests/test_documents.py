"""Documents follow the organization's paper size, and turn to landscape where a table needs the width."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from arusha.assessments import services as assessment_services
from arusha.assessments.models import Assessment
from arusha.core import services
from arusha.core.models import Organization
from arusha.documents.rendering import DocxBuilder, html_to_pdf
from tests.documents import A4_POINTS, LETTER_POINTS, docx_pages, docx_rows, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

A4_LANDSCAPE = (A4_POINTS[1], A4_POINTS[0])
LETTER_LANDSCAPE = (LETTER_POINTS[1], LETTER_POINTS[0])


def use_letter(cast) -> None:  # type: ignore[no-untyped-def]
    organization = Organization.objects.get(pk=cast.customs.pk)
    services.organization_update(
        actor=cast.owner,
        organization=organization,
        name=organization.name,
        country=organization.country,
        default_language=organization.default_language,
        paper_size="Letter",
    )


def _settings_form(client, cast) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    url = reverse("organization-edit", args=[cast.customs.slug])
    page = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    return url, version.group(1)


def test_an_administrator_chooses_the_paper_size_in_the_organization_settings(client, cast) -> None:  # type: ignore[no-untyped-def]
    assert Organization.objects.get(pk=cast.customs.pk).paper_size == "A4"  # the default
    client.force_login(cast.owner)
    url, version = _settings_form(client, cast)
    values = {"name": "Test Customs", "country": "XA", "default_language": "en", "version": version}
    assert client.post(url, {**values, "paper_size": "Letter"}).status_code == 302
    assert Organization.objects.get(pk=cast.customs.pk).paper_size == "Letter"
    home = client.get(reverse("organization-home", args=[cast.customs.slug])).content.decode()
    assert "Paper size" in home and "US Letter" in home
    # A form sent without the field (an older page) keeps the paper size.
    url, version = _settings_form(client, cast)
    assert client.post(url, {**values, "version": version, "name": "Customs"}).status_code == 302
    assert Organization.objects.get(pk=cast.customs.pk).paper_size == "Letter"


def test_an_unknown_paper_size_is_refused_on_its_field(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url, version = _settings_form(client, cast)
    response = client.post(
        url,
        {
            "name": "Test Customs",
            "country": "XA",
            "default_language": "en",
            "paper_size": "A3",
            "version": version,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Select a valid choice" in page
    assert re.search(r'name="paper_size"[^>]*aria-invalid="true"', page)
    assert Organization.objects.get(pk=cast.customs.pk).paper_size == "A4"


def test_a_member_who_does_not_manage_the_organization_cannot_change_its_paper(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("organization-edit", args=[cast.customs.slug])
    values = {"name": "Test Customs", "country": "XA", "default_language": "en", "paper_size": "Letter"}
    assert client.post(url, values).status_code == 403
    assert Organization.objects.get(pk=cast.customs.pk).paper_size == "A4"


def test_a_pdf_takes_the_organizations_paper_and_turns_wide_blocks_to_landscape() -> None:
    html = (
        "<html><head><style>@page { size: A4; margin: 2cm }</style></head><body>"
        "<p>Before</p><div class='wide'><table><tr><td>Seven columns</td></tr></table></div><p>After</p>"
        "</body></html>"
    )
    # The paper decides over the size a template still names; the wide block has pages of its own.
    letter = html_to_pdf(html, paper="Letter")
    assert pdf_pages(letter) == [LETTER_POINTS, LETTER_LANDSCAPE, LETTER_POINTS]
    assert pdf_text(letter) == "Before Seven columns After"
    assert pdf_pages(html_to_pdf(html, paper="A4", landscape=True)) == [A4_LANDSCAPE] * 3
    # Without a paper, the template's own page rule stands.
    assert pdf_pages(html_to_pdf(html)) == [A4_POINTS]


def test_a_docx_turns_to_landscape_and_back_on_the_same_paper() -> None:
    builder = DocxBuilder("Report", paper="Letter")
    builder.paragraph("Before")
    builder.orientation(landscape=True)
    builder.table(header=[str(n) for n in range(7)], rows=[[str(n) for n in range(7)]])
    builder.orientation(landscape=True)  # already turned: no new page
    builder.orientation(landscape=False)
    builder.paragraph("After")
    assert docx_pages(builder.to_bytes()) == [(216, 279, False), (279, 216, True), (216, 279, False)]
    assert docx_pages(DocxBuilder("Report").to_bytes()) == [(210, 297, False)]


def test_the_terms_of_reference_and_the_kpi_sheet_follow_the_paper_size(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    terms = reverse("assessment-terms-export", args=[cast.customs.slug, world.assessment.pk, "docx"])
    sheet = reverse("kpi-export", args=[cast.customs.slug, world.kpi.pk, "docx"])
    assert docx_pages(client.get(terms).content) == [(210, 297, False)]
    assert set(pdf_pages(client.get(terms.replace("docx", "pdf")).content)) == {A4_POINTS}
    use_letter(cast)
    assert docx_pages(client.get(terms).content) == [(216, 279, False)]
    assert docx_pages(client.get(sheet).content) == [(216, 279, False)]
    assert ["Code", "INT-1"] in docx_rows(client.get(sheet).content)
    pdf = client.get(terms.replace("docx", "pdf")).content
    assert set(pdf_pages(pdf)) == {LETTER_POINTS} and "Opening plenary" in pdf_text(pdf)
    # The sheet's template names A4 itself: the organization's paper wins.
    pdf = client.get(reverse("kpi-export", args=[cast.customs.slug, world.kpi.pk, "pdf"])).content
    assert set(pdf_pages(pdf)) == {LETTER_POINTS} and "Integrity compliance rate" in pdf_text(pdf)


def test_the_final_report_puts_its_wide_tables_on_landscape_pages(cast, world) -> None:  # type: ignore[no-untyped-def]
    use_letter(cast)
    with scope(organization=cast.customs):
        assessment = Assessment.objects.get(pk=world.assessment.pk)  # as the worker reads it
    version = assessment_services.report_generate(actor=cast.owner, assessment=assessment)
    with scope(organization=cast.customs), version.docx.open("rb") as stored:
        docx = stored.read()
    with scope(organization=cast.customs), version.pdf.open("rb") as stored:
        pdf = stored.read()
    # Methodology; activities (seven columns); results; findings (long texts); challenges.
    portrait, landscape = (216, 279, False), (279, 216, True)
    assert docx_pages(docx) == [portrait, landscape, portrait, landscape, portrait]
    assert any(row[:2] == ["KF1", "Statements are not checked"] for row in docx_rows(docx))
    sizes = pdf_pages(pdf)
    assert sizes[0] == LETTER_POINTS and set(sizes) == {LETTER_POINTS, LETTER_LANDSCAPE}
    assert "Statements are not checked" in pdf_text(pdf)
