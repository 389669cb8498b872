"""The committee report as a Word document: the same `Report` the page shows, written with
python-docx so committee services can drop it into their papers as an appendix.

What the accessibility regulations ask of a committee paper, done here: real headings (Heading 1
for a section, Heading 2 below it), tables with a header row that repeats on every page and a
bordered table style, every chart with alt text (`descr` on its drawing), and the document's
title and language (en-GB) set. A chart not drawn yet is left out with a sentence saying so; the
table with the same numbers is always there. Pure: the model in, the file's bytes out.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Row

from assess.programme.committee_report import Figure, Report, Section, Table

LANGUAGE = "en-GB"
TABLE_STYLE = "Table Grid"  # single borders on every cell: it reads as a table in print and Word
CHART_WIDTH = Cm(13)
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2)
# Characters XML 1.0 cannot hold (control characters, lone surrogates): a name typed with one
# would stop the document being written, so they are left out.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _set_language(document: DocumentType) -> None:
    """en-GB as the language of the document's default run properties and its Normal style, so
    spelling is checked and screen readers speak it as British English."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    for element in (properties, document.styles["Normal"].element.get_or_add_rPr()):
        lang = element.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            element.append(lang)
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attribute), LANGUAGE)


def _repeat_header(row: _Row) -> None:
    """Mark a table's first row as its header row, repeated at the top of every page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document: DocumentType, table: Table) -> None:
    caption = document.add_paragraph(_text(table.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True
    written = document.add_table(rows=1, cols=len(table.header))
    written.style = document.styles[TABLE_STYLE]
    written.alignment = WD_TABLE_ALIGNMENT.LEFT
    _repeat_header(written.rows[0])
    for column, (cell, text) in enumerate(zip(written.rows[0].cells, table.header, strict=True)):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(_text(text)).bold = True
        if table.is_numeric(column):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        cells = written.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = _text(text)
            if table.is_numeric(column):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def _figure(document: DocumentType, figure: Figure) -> None:
    if figure.png is None:
        document.add_paragraph(
            "The chart was being prepared when this document was generated: the table below "
            "gives the same numbers. Download the report again in a minute to include it."
        )
        return
    document.add_picture(io.BytesIO(figure.png), width=CHART_WIDTH)
    drawing = document.paragraphs[-1].runs[-1]._r
    for properties in drawing.iter(qn("wp:docPr")):
        properties.set("descr", _text(figure.alt))
    document.add_paragraph(_text(figure.caption), style="Caption")


def _section(document: DocumentType, section: Section, level: int, new_page: bool) -> None:
    heading = document.add_heading(_text(section.heading), level=level)
    heading.paragraph_format.page_break_before = new_page
    for text in section.paragraphs:
        document.add_paragraph(_text(text))
    for figure in section.figures:
        _figure(document, figure)
    for table in section.tables:
        _table(document, table)
    for subsection in section.subsections:
        _section(document, subsection, level + 1, new_page=False)


def to_docx(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    document = Document()
    properties = document.core_properties
    properties.title = _text(report.title)
    properties.language = LANGUAGE
    properties.subject = _text(f"Committee report, {report.round_name}")
    properties.author = properties.last_modified_by = _text(report.author)
    properties.comments = ""
    if report.created is not None:
        properties.created = properties.modified = report.created
    for page in document.sections:  # the template is US Letter; council papers are A4
        page.page_width, page.page_height = A4
        page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = MARGIN
    _set_language(document)
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(_text(report.title), level=0)
    for label, value in report.provenance:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(_text(value))
    for number, section in enumerate(report.sections):
        _section(document, section, level=1, new_page=number > 0)
    written = io.BytesIO()
    document.save(written)
    return written.getvalue()
