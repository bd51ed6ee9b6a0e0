"""``report.docx`` with python-docx: journal-style three-line tables (rules above and below the
header and below the body, no vertical lines), n (%) cells, footnotes under each table, the figures,
the methods and results text and the reproducibility appendix. A study of synthetic data carries
"SYNTHETIC DATA" in the page header, so every page is labelled.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from oncocohort.report.figure_output import FigureOutput
from oncocohort.report.tables import ReportTable
from oncocohort.report.text import Section

SYNTHETIC_HEADER = "SYNTHETIC DATA — generated for demonstration, not real patients"
TEXT_WIDTH_IN = 6.3
RULE_THICK = "12"  # eighths of a point: 1.5 pt
RULE_THIN = "6"


def _border(element: Any, tag: str, **edges: str | None) -> None:
    """Set <w:tblBorders>/<w:tcBorders> edges: value = size in eighths of a point, None = no line."""
    pr = element
    borders = pr.find(qn(f"w:{tag}"))
    if borders is None:
        borders = OxmlElement(f"w:{tag}")
        pr.append(borders)
    for edge, size in edges.items():
        el = OxmlElement(f"w:{edge}")
        if size is None:
            el.set(qn("w:val"), "nil")
        else:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), size)
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)


_JC = {WD_ALIGN_PARAGRAPH.LEFT: "left", WD_ALIGN_PARAGRAPH.CENTER: "center"}


def _cell_text(cell: Any, text: str, *, bold: bool = False, align: Any = None, size: float = 8.5,
               indent: int = 0) -> None:
    """Write ``text`` as one run in the cell's empty first paragraph.

    The XML is built directly (the same elements python-docx's paragraph_format / add_run / font
    setters write, in the same order): a table of several hundred cells took ~0.5 s through the
    python-docx objects. Text with tabs or line breaks, or a paragraph that already has
    properties, goes through python-docx.
    """
    para = cell.paragraphs[0]
    p = para._p
    if p.pPr is not None or len(p) or (align is not None and align not in _JC) or any(c in text for c in "\t\n\r"):
        _cell_text_docx(para, text, bold=bold, align=align, size=size, indent=indent)
        return
    ppr = _sub(p, "w:pPr")
    spacing = _sub(ppr, "w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:before"), "0")
    if indent:
        _sub(ppr, "w:ind").set(qn("w:left"), str(Pt(9 * indent).twips))
    if align is not None:
        _sub(ppr, "w:jc").set(qn("w:val"), _JC[align])
    run = _sub(p, "w:r")
    rpr = _sub(run, "w:rPr")
    b = _sub(rpr, "w:b")
    if not bold:
        b.set(qn("w:val"), "0")
    _sub(rpr, "w:sz").set(qn("w:val"), str(int(round(Pt(size).pt * 2))))
    if text:  # python-docx writes no <w:t> for an empty run
        t = _sub(run, "w:t")
        t.text = text
        if text != text.strip():
            t.set(qn("xml:space"), "preserve")


def _sub(parent: Any, tag: str) -> Any:
    """A new last child ``tag`` (prefixed name, e.g. "w:r") of an oxml element."""
    child = parent.makeelement(qn(tag), {})
    parent.append(child)
    return child


def _cell_text_docx(para: Any, text: str, *, bold: bool, align: Any, size: float, indent: int) -> None:
    para.paragraph_format.space_after = Pt(0)
    para.paragraph_format.space_before = Pt(0)
    if indent:
        para.paragraph_format.left_indent = Pt(9 * indent)
    if align is not None:
        para.alignment = align
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold


def add_table(doc: Any, table: ReportTable) -> Any:
    """Append a journal-style table (caption, merged header cells, three rules, footnotes)."""
    cap = doc.add_paragraph()
    cap.paragraph_format.keep_with_next = True
    cap.add_run(f"Table {table.number}. " if table.number else "").bold = True
    cap.add_run(table.title)
    n_cols = len(table.columns)
    n_head = len(table.header)
    t = doc.add_table(rows=n_head + len(table.rows), cols=n_cols)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = True
    _border(t._tbl.tblPr, "tblBorders", top=RULE_THICK, bottom=RULE_THICK, left=None, right=None,
            insideH=None, insideV=None)
    for r, hrow in enumerate(table.header):
        cells = t.rows[r].cells
        col = 0
        for text, span in hrow:
            cell = cells[col]
            if span > 1:
                cell = cell.merge(cells[col + span - 1])
            _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT if col == 0 else WD_ALIGN_PARAGRAPH.CENTER)
            if r == n_head - 1 or span > 1:
                _border(cell._tc.get_or_add_tcPr(), "tcBorders", bottom=RULE_THIN)
            col += span
    for i, row in enumerate(table.rows):
        cells = t.rows[n_head + i].cells
        for j, text in enumerate(row.cells):
            _cell_text(cells[j], text, bold=row.heading and j == 0, indent=row.indent if j == 0 else 0,
                       align=WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER)
    for note in table.footnotes:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(note)
        run.font.size = Pt(7.5)
    doc.add_paragraph()
    return t


def _page_number_footer(section: Any) -> None:
    """'Page N' centred in the footer (a Word PAGE field, updated by Word when the document opens)."""
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run("Page ").font.size = Pt(8)
    run = para.add_run()
    run.font.size = Pt(8)
    for tag, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if tag == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif tag == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        run._r.append(el)


def _sections(doc: Any, sections: Sequence[Section], level: int = 2) -> None:
    for heading, paragraphs in sections:
        doc.add_heading(heading, level=level)
        for text in paragraphs:
            doc.add_paragraph(text)


def render_docx(path: str | Path, results: dict[str, Any], *, methods: Sequence[Section],
                results_text: Sequence[Section], tables: Sequence[ReportTable], figures: Sequence[FigureOutput],
                appendix: dict[str, Any]) -> Path:
    """Write report.docx and return its path."""
    doc = start_docx(results, methods=methods, results_text=results_text, tables=tables)
    return finish_docx(doc, path, results, figures=figures, appendix=appendix)


def start_docx(results: dict[str, Any], *, methods: Sequence[Section], results_text: Sequence[Section],
               tables: Sequence[ReportTable]) -> Any:
    """The document up to the tables (figures are added by :func:`finish_docx`)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Inches(8.27), Inches(11.69)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(1.0))
    study = results["study"]
    _page_number_footer(section)
    if study.get("synthetic"):
        para = section.header.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(SYNTHETIC_HEADER)
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0xD5, 0x5E, 0x00)
    doc.core_properties.title = study.get("title") or study.get("name") or "Study report"
    doc.core_properties.author = "oncocohort"
    doc.add_heading(study.get("title") or study.get("name"), level=0)
    arms = ", ".join(f"{a['label']} (n={a['n']})" for a in study["arms"])
    doc.add_paragraph(f"{study.get('name')} · {study.get('type')} {study.get('design')} study · {arms} · "
                      f"data cut-off {study.get('data_cutoff')}"
                      + (f" · {study['registration']}" if study.get("registration") else ""))
    doc.add_heading("Methods", level=1)
    _sections(doc, methods)
    doc.add_heading("Results", level=1)
    _sections(doc, results_text)
    doc.add_heading("Tables", level=1)
    for table in tables:
        add_table(doc, table)
    return doc


def finish_docx(doc: Any, path: str | Path, results: dict[str, Any], *, figures: Sequence[FigureOutput],
                appendix: dict[str, Any]) -> Path:
    """Add the figures and the appendix to a :func:`start_docx` document and save it."""
    study = results["study"]
    doc.add_heading("Figures", level=1)
    for i, fig in enumerate(figures, 1):
        width = min(TEXT_WIDTH_IN, fig.meta.get("width_in", TEXT_WIDTH_IN))
        doc.add_picture(io.BytesIO(fig.png), width=Inches(width))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap = doc.add_paragraph()
        cap.add_run(f"Figure {i}. {fig.title}. ").bold = True
        cap.add_run(fig.caption + (" SYNTHETIC DATA." if study.get("synthetic") else ""))
    _appendix(doc, appendix)
    path = Path(path)
    doc.save(str(path))
    return path


def _appendix(doc: Any, items: dict[str, Any]) -> None:
    doc.add_heading("Reproducibility appendix", level=1)
    lines = [("Tool", items.get("tool")), ("results.json schema", items.get("schema_version")),
             ("Analysis run (UTC)", items.get("created_at"))]
    lines += list((items.get("versions") or {}).items())
    proto = items.get("protocol") or {}
    if proto:
        lines.append(("Protocol", f"{proto.get('path')} (sha256 {proto.get('sha256')})"))
    lines.append(("Random seed", "none used by the analysis" if items.get("seed") is None else str(items["seed"])))
    for key, value in lines:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f"{key}: ").bold = True
        p.add_run(str(value))
    if items.get("inputs"):
        doc.add_heading("Input files", level=2)
        t = doc.add_table(rows=1 + len(items["inputs"]), cols=4)
        _border(t._tbl.tblPr, "tblBorders", top=RULE_THICK, bottom=RULE_THICK, insideH=None, insideV=None,
                left=None, right=None)
        for j, h in enumerate(("Table", "File", "Rows", "sha256")):
            _cell_text(t.rows[0].cells[j], h, bold=True, size=7.5)
        for i, item in enumerate(items["inputs"], 1):
            cells = t.rows[i].cells
            for j, key in enumerate(("table", "path", "rows", "sha256")):
                _cell_text(cells[j], str(item.get(key)), size=7)
    if items.get("protocol_text"):
        doc.add_heading("Protocol", level=2)
        p = doc.add_paragraph()
        run = None
        for line in items["protocol_text"].splitlines():
            if run is not None:
                run.add_break()  # one paragraph with line breaks: far quicker than a paragraph per line
            run = p.add_run(line)
            run.font.name = "Consolas"
            run.font.size = Pt(7)
