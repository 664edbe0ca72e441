"""A report assembled once as sections of paragraphs, tables and charts, written as PDF and DOCX.

Both files therefore say the same thing. The page follows the organization's paper size
(`Report.paper`, Organization.paper_size); a section whose tables need the width goes on
landscape pages of the same paper, in the PDF and in the DOCX alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cairosvg
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from arusha.documents.rendering import WIDE, DocxBuilder, html_to_pdf

# A table of this many columns or more turns its section to landscape.
WIDE_COLUMNS = 6


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    caption: str
    kind: str = "chart"


Block = Paragraph | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    # Set for tables of few columns but long texts, which need the width all the same.
    wide: bool = False

    @property
    def landscape(self) -> bool:
        return self.wide or any(
            isinstance(block, Table) and len(block.header) >= WIDE_COLUMNS for block in self.blocks
        )


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]
    paper: str = "A4"


@dataclass
class _Run:
    """Consecutive sections of the same orientation: they share their pages in the PDF."""

    css_class: str
    sections: list[tuple[int, Section]]


def _runs(report: Report) -> list[_Run]:
    runs: list[_Run] = []
    for number, section in enumerate(report.sections, start=1):
        css_class = WIDE if section.landscape else ""
        if not runs or runs[-1].css_class != css_class:
            runs.append(_Run(css_class, []))
        runs[-1].sections.append((number, section))
    return runs


def to_pdf(report: Report) -> bytes:
    html = render_to_string("documents/report_print.html", {"report": report, "runs": _runs(report)})
    return html_to_pdf(html, paper=report.paper)


def to_docx(report: Report) -> bytes:
    builder = DocxBuilder(report.title, paper=report.paper)
    builder.paragraph(report.subtitle)
    for number, section in enumerate(report.sections, start=1):
        builder.orientation(landscape=section.landscape)
        builder.heading(f"{number}. {section.title}")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                builder.paragraph(block.text)
            elif isinstance(block, Table):
                builder.table(header=block.header, rows=block.rows)
            else:
                png = cairosvg.svg2png(bytestring=str(block.svg).encode(), output_width=1400)
                builder.picture(png, caption=block.caption)
    return builder.to_bytes()
