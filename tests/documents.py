"""What tests of documents share: reading a PDF (poppler's tools) and a DOCX (python-docx) back."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument

# Page sizes in PostScript points (1/72 inch), portrait, as pdfinfo prints them.
A4_POINTS = (595, 842)
LETTER_POINTS = (612, 792)


def _run(tool: list[str], data: bytes, *after: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        return subprocess.run([*tool, str(path), *after], capture_output=True, text=True, check=True).stdout


def pdf_text(data: bytes) -> str:
    """The PDF's text, each run of spaces and line breaks made one space."""
    return " ".join(_run(["pdftotext"], data, "-").split())


def pdf_pages(data: bytes) -> list[tuple[int, int]]:
    """Each page's width and height in points, rounded: (595, 842) is A4 portrait."""
    pages = int(re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo"], data), re.MULTILINE).group(1))  # type: ignore[union-attr]
    info = _run(["pdfinfo", "-f", "1", "-l", str(pages)], data)
    return [
        (round(float(width)), round(float(height)))
        for width, height in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
    ]


def docx(data: bytes) -> DocxDocument:
    return Document(io.BytesIO(data))


def docx_rows(data: bytes) -> list[list[str]]:
    """Every row of every table of the DOCX, cell by cell."""
    return [[cell.text for cell in row.cells] for table in docx(data).tables for row in table.rows]


def docx_pages(data: bytes) -> list[tuple[int, int, bool]]:
    """Each section's page width and height in millimetres, rounded, and whether it is landscape."""
    return [
        (round(s.page_width.mm), round(s.page_height.mm), s.orientation == 1)  # type: ignore[union-attr]
        for s in docx(data).sections
    ]
