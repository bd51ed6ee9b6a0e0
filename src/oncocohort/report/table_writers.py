"""Write :class:`~oncocohort.report.tables.ReportTable` objects as CSV, Markdown and HTML.

CSV carries the flat column names and the cells (labels indented by two spaces per level), for
re-use in other tools; Markdown and HTML also carry the title and the footnotes.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from pathlib import Path

from oncocohort.report.tables import ReportTable


def table_csv(table: ReportTable) -> str:
    """CSV text (header = flat column names)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    for record in table.to_records():
        writer.writerow(record.values())
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(table: ReportTable) -> str:
    """A GitHub-flavoured Markdown table with its caption above and footnotes below."""
    lines = [f"**{_md_cell(table.caption())}**", "", "| " + " | ".join(_md_cell(c) for c in table.columns) + " |",
             "|" + "|".join(["---"] + [":---:"] * (len(table.columns) - 1)) + "|"]
    for row in table.rows:
        label = "\u2003" * row.indent + (f"**{_md_cell(row.cells[0])}**" if row.heading else _md_cell(row.cells[0]))
        lines.append("| " + " | ".join([label] + [_md_cell(c) for c in row.cells[1:]]) + " |")
    lines.append("")
    lines += [f"{_md_cell(n)}  " for n in table.footnotes]
    return "\n".join(lines).rstrip() + "\n"


def table_html(table: ReportTable, *, table_id: str | None = None) -> str:
    """An HTML <figure> with a journal-style <table> (multi-row header with spans) and its notes."""
    esc = html.escape
    tid = table_id or table.key
    out = [f'<figure class="table" id="{esc(tid)}">', f"<figcaption>{esc(table.caption())}</figcaption>",
           '<div class="table-scroll"><table class="journal">', "<thead>"]
    for hrow in table.header:
        cells = "".join(f'<th colspan="{span}" scope="col">{esc(text)}</th>' if span > 1 else
                        f'<th scope="col">{esc(text)}</th>' for text, span in hrow)
        out.append(f"<tr>{cells}</tr>")
    out.append("</thead><tbody>")
    for row in table.rows:
        cls = ' class="heading"' if row.heading else (f' class="indent{row.indent}"' if row.indent else "")
        cells = f'<th scope="row">{esc(row.cells[0])}</th>' + "".join(f"<td>{esc(c)}</td>" for c in row.cells[1:])
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table></div>")
    if table.footnotes:
        out.append('<div class="table-notes">' + "".join(f"<p>{esc(n)}</p>" for n in table.footnotes) + "</div>")
    out.append("</figure>")
    return "\n".join(out)


def write_tables(tables: Sequence[ReportTable], out_dir: str | Path) -> list[Path]:
    """Write ``<key>.csv``, ``<key>.md`` and ``<key>.html`` for each table into ``out_dir``."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for t in tables:
        for ext, text in (("csv", table_csv(t)), ("md", table_markdown(t)), ("html", table_html(t))):
            path = folder / f"{_stem(t)}.{ext}"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def _stem(table: ReportTable) -> str:
    """'table_I_baseline' style file stem: the number and the key without a leading 'tableN_'."""
    key = table.key.split("_", 1)[1] if table.key.startswith("table") and "_" in table.key else table.key
    return f"table_{table.number}_{key}" if table.number else key
