"""PDF from our own HTML templates (WeasyPrint) and editable DOCX (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Mm, Pt
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def html_to_pdf(html: str) -> bytes:
    # Reports are rendered on closed networks: only inline (data:) resources are read,
    # nothing is fetched from a server or the file system.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())


# Width and height in millimetres, portrait.
PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (210, 297), "Letter": (215.9, 279.4)}


class DocxBuilder:
    """A plain, editable Word document: headings, paragraphs, tables.

    `paper` is the organization's paper size (Organization.paper_size); `landscape`
    turns the page for documents whose tables need the width.
    """

    def __init__(self, title: str, *, paper: str = "A4", landscape: bool = False) -> None:
        self.document = Document()
        width, height = PAPER_SIZES.get(paper, PAPER_SIZES["A4"])
        if landscape:
            width, height = height, width
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
        self.text_width_cm = width / 10 - 4
        style = self.document.styles["Normal"]
        style.font.name = "DejaVu Sans"
        style.font.size = Pt(10)
        self.document.core_properties.title = title
        self.document.add_heading(title, level=0)

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
