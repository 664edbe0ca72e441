"""PDF from our own HTML templates (WeasyPrint) and editable DOCX (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Cm, Mm, Pt
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

# Width and height in millimetres, portrait.
PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (210, 297), "Letter": (215.9, 279.4)}
# The class that puts a block of a PDF on pages of its own, turned to landscape.
WIDE = "wide"


def page_css(paper: str, *, landscape: bool = False) -> str:
    """The page rules every PDF shares: the organization's paper, turned if asked, and wide pages.

    A block of class "wide" (a section whose tables need the width) goes on pages of its
    own, the same paper turned to landscape. The sizes are `!important` because they are
    added to the template's own style sheet as a user style sheet: they win over a size a
    template still names.
    """
    width, height = PAPER_SIZES.get(paper, PAPER_SIZES["A4"])
    size = f"{width}mm {height}mm"
    turned = f"{height}mm {width}mm"
    return (
        f"@page {{ size: {turned if landscape else size} !important; }}\n"
        f"@page {WIDE} {{ size: {turned} !important; }}\n"
        f".{WIDE} {{ page: {WIDE}; break-before: page; break-after: page; }}\n"
    )


def html_to_pdf(html: str, *, paper: str | None = None, landscape: bool = False) -> bytes:
    """The PDF of one of our print templates.

    `paper` is the organization's paper size (Organization.paper_size) and `landscape`
    turns every page; both decide over the template's @page size (see `page_css`).
    Without `paper`, the template's own @page rule decides.
    """
    # Reports are rendered on closed networks: only inline (data:) resources are read,
    # nothing is fetched from a server or the file system.
    fetcher = URLFetcher(allowed_protocols={"data"})
    sheets = [CSS(string=page_css(paper, landscape=landscape))] if paper else []
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=sheets))


class DocxBuilder:
    """A plain, editable Word document: headings, paragraphs, tables.

    `paper` is the organization's paper size (Organization.paper_size); `landscape`
    turns the page for documents whose tables need the width.
    """

    def __init__(self, title: str, *, paper: str = "A4", landscape: bool = False) -> None:
        self.document = Document()
        width, height = PAPER_SIZES.get(paper, PAPER_SIZES["A4"])
        self.paper_mm = (width, height)  # portrait, for `orientation`
        if landscape:
            width, height = height, width
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
        self.text_width_cm = width / 10 - 4
        self.landscape = landscape
        style = self.document.styles["Normal"]
        style.font.name = "DejaVu Sans"
        style.font.size = Pt(10)
        self.document.core_properties.title = title
        self.document.add_heading(title, level=0)

    def orientation(self, *, landscape: bool) -> None:
        """Go on, on a new page, in this orientation (the same paper), if it is not the current one.

        For the parts of a document whose tables need the width: they go on landscape
        pages, and the text after them turns back.
        """
        if landscape == self.landscape:
            return
        width, height = self.paper_mm
        if landscape:
            width, height = height, width
        # A new section copies the last one's margins; only its turn changes.
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        self.text_width_cm = width / 10 - 4
        self.landscape = landscape

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(text, level=level)

    def paragraph(self, text: str) -> None:
        for part in (text or "").split("\n\n"):
            self.document.add_paragraph(part.strip())

    def fields(self, rows: Sequence[tuple[str, str]]) -> None:
        """A two-column table of labels and values."""
        self.table(rows=[[label, value] for label, value in rows])

    def table(self, *, rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None) -> None:
        columns = len(header) if header else (len(rows[0]) if rows else 1)
        table = self.document.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        if header:
            cells = table.add_row().cells
            for cell, text in zip(cells, header, strict=True):
                cell.text = str(text)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = "" if value is None else str(value)

    def picture(self, png: bytes, *, caption: str = "", width_cm: float = 16) -> None:
        self.document.add_picture(io.BytesIO(png), width=Cm(width_cm))
        if caption:
            self.document.add_paragraph().add_run(caption).italic = True

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
