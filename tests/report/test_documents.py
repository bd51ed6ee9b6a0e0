"""report.docx opened with python-docx, report.html rendered in headless Chromium, tables' files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from oncocohort.report.tables import build_tables


def _docx_tables(path: Path) -> list[list[list[str]]]:
    doc = Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _find(tables: list[list[list[str]]], first_header: str, second: str) -> list[list[str]]:
    hits = [t for t in tables if t and t[0][0] == first_header and second in t[0][1]]
    assert len(hits) == 1, f"expected one table headed {first_header!r}/{second!r}"
    return hits[0]


def _row(table: list[list[str]], label: str) -> list[str]:
    rows = [r for r in table if r[0] == label]
    assert rows, f"no row {label!r}"
    return rows[0]


def test_docx_has_every_table_with_header_and_cells(report_run: Any, results: dict[str, Any]) -> None:
    tables = _docx_tables(report_run.report_docx)
    arms = {a["id"]: a for a in results["study"]["arms"]}
    # Table I: baseline, n (%) cells
    t1 = _find(tables, "Variables", f"{arms['ici']['label']} (n={arms['ici']['n']})")
    assert t1[0] == ["Variables", "ICIs (n=6)", "ICIs + MWA (n=6)", "P-value"]
    sex = next(r for r in results["baseline"]["rows"] if r["variable"] == "sex")
    male = next(level for level in sex["levels"] if level["level"] == "male")
    assert _row(t1, "Male")[1:3] == [f"{male['by_arm'][a]['n']} ({male['by_arm'][a]['percent']:.1f})"
                                     for a in ("ici", "ici_mwa")]
    # Table II: response counts and ORR with its exact CI
    t2 = _find(tables, "Response", "ICIs (n=6)")
    for code in ("CR", "PR", "SD", "PD"):
        cells = _row(t2, code)
        for j, arm in enumerate(("ici", "ici_mwa"), 1):
            b = results["response"]["by_arm"][arm]
            assert cells[j] == f"{b['counts'][code]} ({b['percent'][code]:.1f})"
    orr = results["response"]["by_arm"]["ici_mwa"]["orr"]
    assert _row(t2, "ORR, % (95% CI)")[2] == (f"{orr['estimate'] * 100:.1f} ({orr['lower'] * 100:.1f}–"
                                              f"{orr['upper'] * 100:.1f})")
    # Tables III-IV: Cox, two header rows with merged group cells
    for ep in results["cox"]:
        cox = [t for t in tables if t[0][0] == "Variables" and t[0][1] == "Univariable analysis"]
        assert len(cox) == len(results["cox"])
        age = next(r for r in results["cox"][ep]["univariable"] if r["term"] == "age")
        assert any(r[0] == "Age, years (per unit)" and r[1].startswith(f"{age['hr']:.3f}") for t in cox for r in t)
    # Table V: safety, grade >= 3 and any grade
    t5 = next(t for t in tables if t[0][0] == "AEs")
    assert t5[0][1] == "Grade ≥3" and "Any grade" in t5[0]
    fatigue = next(t for t in results["safety"]["terms"] if t["term"] == "Fatigue")
    any_ici = fatigue["by_arm"]["ici"]
    expected = "0" if any_ici["any_grade"] == 0 else f"{any_ici['any_grade']} ({any_ici['any_grade_percent']:.1f})"
    assert _row(t5, "Fatigue")[t5[1].index("ICIs (n=6)", 4)] == expected
    # every report table is in the document
    assert len([t for t in tables if t[0][0] in ("Variables", "Response", "AEs", "Endpoint / group", "Window")]) == len(
        build_tables(results))


def test_docx_labels_synthetic_data_on_every_page_and_has_the_sections(report_run: Any) -> None:
    doc = Document(str(report_run.report_docx))
    for section in doc.sections:
        assert "SYNTHETIC DATA" in " ".join(p.text for p in section.header.paragraphs)
        assert "PAGE" in section.footer._element.xml  # page-number field
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in ("Methods", "Results", "Tables", "Figures", "Reproducibility appendix", "Statistical analysis"):
        assert h in headings
    body = "\n".join(p.text for p in doc.paragraphs)
    assert re.search(r"[0-9a-f]{64}", "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells))
    assert "Fisher" in body and "Kaplan–Meier" in body
    assert len(doc.inline_shapes) == len(list((report_run.out_dir / "figures").glob("*.png")))


def test_results_sentences_carry_the_numbers_of_results_json(report_run: Any, results: dict[str, Any]) -> None:
    html = report_run.report_html.read_text(encoding="utf-8")
    flow = results["flow"]
    assert f"Of {flow['screened']} patients screened, {flow['excluded']} were excluded" in html
    orr = results["response"]["by_arm"]["ici_mwa"]["orr"]
    assert f"ORR was {orr['estimate'] * 100:.1f}% ({orr['x']}/{orr['n']}" in html
    med = results["survival"]["os"]["by_arm"]["ici"]["median"]
    assert f"{med:.1f} months" in html


def test_html_is_self_contained_and_labelled(report_run: Any) -> None:
    html = report_run.report_html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no network resource"
    assert "<script" not in html
    assert 'class="synthetic-banner"' in html and "@media print" in html and "@media (max-width" in html
    n_figs = len(list((report_run.out_dir / "figures").glob("*.png")))
    assert html.count('src="data:image/') == n_figs
    assert html.count('<table class="journal">') == len(list((report_run.out_dir / "tables").glob("*.csv")))


def test_table_files_in_csv_markdown_html(report_run: Any, results: dict[str, Any]) -> None:
    folder = report_run.out_dir / "tables"
    stems = sorted(p.stem for p in folder.glob("*.csv"))
    assert stems == sorted(p.stem for p in folder.glob("*.md")) == sorted(p.stem for p in folder.glob("*.html"))
    assert "table_I_baseline" in stems and "table_II_response" in stems
    csv_text = (folder / "table_II_response.csv").read_text(encoding="utf-8")
    b = results["response"]["by_arm"]["ici"]
    assert f"  CR,{b['counts']['CR']} ({b['percent']['CR']:.1f})" in csv_text
    md = (folder / "table_II_response.md").read_text(encoding="utf-8")
    assert md.startswith("**Table II. Short-term efficacy.**") and "Clopper–Pearson" in md


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


CONSOLE_ERROR = re.compile(r":CONSOLE[:(]|Uncaught|Failed to load resource|net::ERR_", re.I)
"""Chromium logs every console message as ``INFO:CONSOLE:<line>] "..."`` (console.error included); the
report has no script, so any console line is a failure."""


def test_html_renders_in_headless_chromium_without_console_errors(report_run: Any, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no chromium on PATH (install the Debian package 'chromium')")
        pytest.skip("chromium not installed")
    shot = tmp_path / "report.png"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
           f"--screenshot={shot}", "--window-size=412,2400", report_run.report_html.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    errors = [line for line in (proc.stderr + proc.stdout).splitlines() if CONSOLE_ERROR.search(line)]
    assert errors == []
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def test_safety_window_table_counts(results: dict[str, Any]) -> None:
    table = next(t for t in build_tables(results) if t.key == "safety_windows")
    windows = results["safety"]["by_window"]
    assert [r.cells[0].lower() for r in table.rows] == [w["window"].lower() for w in windows]
    col = table.columns.index("Any grade – ICIs + MWA (n=6)")
    for row, w in zip(table.rows, windows, strict=True):
        b = w["by_arm"]["ici_mwa"]
        assert row.cells[col] == ("0" if b["any_grade"] == 0 else f"{b['any_grade']} ({b['any_grade_percent']:.1f})")


@pytest.mark.parametrize("text", ["", "12 (23.1)", " leading", "trailing ", "a  b", "≥400 ng/ml <x> & y", "two\nlines",
                                  "tab\there"])
@pytest.mark.parametrize(("bold", "indent", "align"), [(False, 0, None), (True, 2, "left"), (False, 1, "center")])
def test_table_cell_xml_is_what_python_docx_writes(text: str, bold: bool, indent: int, align: str | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from oncocohort.report.docx import _cell_text, _cell_text_docx

    alignment = {None: None, "left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    fast, slow = (Document().add_table(rows=1, cols=1).rows[0].cells[0] for _ in range(2))
    _cell_text(fast, text, bold=bold, indent=indent, align=alignment, size=7.5)
    _cell_text_docx(slow.paragraphs[0], text, bold=bold, indent=indent, align=alignment, size=7.5)
    assert fast._tc.xml == slow._tc.xml
    assert fast.text == text.replace("\r", "")


def test_appendix_shows_input_files_relative_to_the_protocol_not_the_authors_folders(
        report_run: Any, results: dict[str, Any]) -> None:
    """results.json keeps the absolute paths (provenance); the shared documents show each file
    relative to the protocol's folder, with its sha256."""
    prov = results["provenance"]
    protocol_dir = str(Path(prov["protocol"]["path"]).parent)
    html = report_run.report_html.read_text(encoding="utf-8")
    docx_text = "\n".join([p.text for p in Document(str(report_run.report_docx)).paragraphs]
                          + [c.text for t in Document(str(report_run.report_docx)).tables
                             for r in t.rows for c in r.cells])
    assert protocol_dir not in html and protocol_dir not in docx_text
    for info in prov["inputs"].values():
        shown = Path(info["path"]).relative_to(protocol_dir).as_posix()
        assert f"<td>{shown}</td><td>{info['rows']}</td>" in html
        assert shown in docx_text and info["sha256"] in docx_text
    assert f"{Path(prov['protocol']['path']).name} (sha256 {prov['protocol']['sha256']})" in html
