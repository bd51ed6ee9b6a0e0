"""The self-contained ``report.html``: methods, results, tables, figures and the reproducibility
appendix in one file (figures embedded as base64 data URIs, no script, no network access), with
responsive CSS for phones and print CSS (the synthetic-data banner repeats on every printed page).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

from oncocohort.report.figure_output import FigureOutput
from oncocohort.report.table_writers import table_html
from oncocohort.report.tables import ReportTable
from oncocohort.report.text import Section

SYNTHETIC_BANNER = "SYNTHETIC DATA — generated for demonstration, not real patients"

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #222; --accent: #0072B2; --warn: #D55E00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.55 -apple-system, "Segoe UI", Roboto,
       "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
main, header.doc { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.55rem; line-height: 1.25; margin: 1.2rem 0 .4rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
.meta { color: var(--muted); font-size: .92rem; }
.synthetic-banner { position: sticky; top: 0; z-index: 10; background: var(--warn); color: #fff; text-align: center;
                    font-weight: 700; letter-spacing: .03em; padding: .35rem .5rem; font-size: .9rem; }
nav.toc ol { padding-left: 1.2rem; columns: 2 14rem; font-size: .92rem; }
figure { margin: 1.5rem 0; }
figcaption { font-weight: 600; margin-bottom: .4rem; }
figure.plot figcaption { font-weight: normal; margin-top: .4rem; font-size: .92rem; }
figure.plot img { display: block; width: 100%; height: auto; max-width: 100%; }
.table-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table.journal { border-collapse: collapse; font-size: .86rem; min-width: 100%; border-top: 2px solid var(--rule);
                border-bottom: 2px solid var(--rule); }
table.journal thead tr:last-child th { border-bottom: 1px solid var(--rule); }
table.journal th, table.journal td { padding: .22rem .55rem; text-align: center; vertical-align: top; }
table.journal thead th { font-weight: 600; }
table.journal thead tr:first-child th:first-child { text-align: left; }
table.journal tbody th { text-align: left; font-weight: normal; white-space: normal; min-width: 10rem; }
table.journal tr.heading th { font-weight: 600; }
table.journal tr.indent1 th { padding-left: 1.5rem; }
table.journal tr.indent2 th { padding-left: 2.5rem; }
.table-notes p { font-size: .8rem; color: var(--muted); margin: .2rem 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: .7rem; font-size: .8rem;
      border: 1px solid #ddd; }
table.kv { border-collapse: collapse; font-size: .85rem; }
table.kv td, table.kv th { border-bottom: 1px solid #ddd; padding: .2rem .5rem; text-align: left;
                           vertical-align: top; word-break: break-all; }
footer { color: var(--muted); font-size: .8rem; margin: 3rem auto 1rem; max-width: 62rem; padding: 0 1rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  h1 { font-size: 1.3rem; }
  table.journal { font-size: .78rem; }
  table.journal th, table.journal td { padding: .18rem .35rem; }
}
@media print {
  @page { size: A4; margin: 18mm 14mm 16mm; }
  body { font-size: 10pt; }
  nav.toc { display: none; }
  .synthetic-banner { position: fixed; top: 0; left: 0; right: 0; }
  main, header.doc { max-width: none; padding: 0; }
  header.doc { padding-top: 1.6rem; }
  figure, table.journal, .table-notes { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .table-scroll { overflow: visible; }
}
"""


def _img(fig: FigureOutput) -> str:
    if fig.svg:
        data, mime = base64.b64encode(fig.svg.encode("utf-8")).decode("ascii"), "image/svg+xml"
    else:
        data, mime = base64.b64encode(fig.png).decode("ascii"), "image/png"
    return f'<img src="data:{mime};base64,{data}" alt="{html.escape(fig.title)}">'


def _sections(sections: Sequence[Section], level: int = 3) -> str:
    out = []
    for heading, paragraphs in sections:
        out.append(f"<h{level}>{html.escape(heading)}</h{level}>")
        out += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    return "\n".join(out)


def _appendix(items: dict[str, Any]) -> str:
    esc = html.escape
    rows = [("Tool", items.get("tool")), ("results.json schema", items.get("schema_version")),
            ("Analysis run (UTC)", items.get("created_at"))]
    rows += [(k, v) for k, v in (items.get("versions") or {}).items()]
    proto = items.get("protocol") or {}
    if proto:
        rows.append(("Protocol", f"{proto.get('path')} (sha256 {proto.get('sha256')})"))
    rows.append(("Random seed", "none used by the analysis" if items.get("seed") is None else str(items["seed"])))
    out = ['<table class="kv"><tbody>'] + [f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>" for k, v in rows]
    out.append("</tbody></table>")
    if items.get("inputs"):
        out.append("<h3>Input files</h3><table class=\"kv\"><thead><tr><th>table</th><th>file</th><th>rows</th>"
                   "<th>sha256</th></tr></thead><tbody>")
        out += [f"<tr><td>{esc(str(i['table']))}</td><td>{esc(str(i['path']))}</td><td>{esc(str(i['rows']))}</td>"
                f"<td><code>{esc(str(i['sha256']))}</code></td></tr>" for i in items["inputs"]]
        out.append("</tbody></table>")
    if items.get("protocol_text"):
        out.append(f"<h3>Protocol</h3><pre>{esc(items['protocol_text'])}</pre>")
    return "\n".join(out)


def render_html(results: dict[str, Any], *, methods: Sequence[Section], results_text: Sequence[Section],
                tables: Sequence[ReportTable], figures: Sequence[FigureOutput], appendix: dict[str, Any]) -> str:
    """The whole report as one HTML document (string)."""
    esc = html.escape
    study = results["study"]
    synthetic = bool(study.get("synthetic"))
    title = study.get("title") or study.get("name")
    arms = ", ".join(f"{a['label']} (n={a['n']})" for a in study["arms"])
    toc = ['<nav class="toc" aria-label="Contents"><ol>', '<li><a href="#methods">Methods</a></li>',
           '<li><a href="#results">Results</a></li>']
    toc += [f'<li><a href="#{esc(t.key)}">{esc(t.caption())}</a></li>' for t in tables]
    toc += [f'<li><a href="#fig-{esc(fig.name)}">Figure {i}. {esc(fig.title)}</a></li>' for i, fig in enumerate(figures, 1)]
    toc += ['<li><a href="#appendix">Reproducibility appendix</a></li>', "</ol></nav>"]
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             '<link rel="icon" href="data:,">', f"<title>{esc(title)}</title>",
             '<meta name="generator" content="oncocohort">', f"<style>{CSS}</style>", "</head>", "<body>"]
    if synthetic:
        parts.append(f'<div class="synthetic-banner" role="note">{SYNTHETIC_BANNER}</div>')
    parts += ['<header class="doc">', f"<h1>{esc(title)}</h1>",
              f'<p class="meta">{esc(study.get("name", ""))} · {esc(str(study.get("type", "")))} '
              f'{esc(str(study.get("design", "")))} study · {esc(arms)} · data cut-off {esc(str(study.get("data_cutoff")))}'
              + (f' · {esc(study["registration"])}' if study.get("registration") else "") + "</p>",
              "\n".join(toc), "</header>", "<main>",
              '<section id="methods"><h2>Methods</h2>', _sections(methods), "</section>",
              '<section id="results"><h2>Results</h2>', _sections(results_text), "</section>",
              '<section id="tables"><h2>Tables</h2>']
    parts += [table_html(t) for t in tables]
    parts += ["</section>", '<section id="figures"><h2>Figures</h2>']
    for i, fig in enumerate(figures, 1):
        parts.append(f'<figure class="plot" id="fig-{esc(fig.name)}">{_img(fig)}'
                     f"<figcaption><strong>Figure {i}. {esc(fig.title)}.</strong> {esc(fig.caption)}"
                     + (" SYNTHETIC DATA." if synthetic else "") + "</figcaption></figure>")
    parts += ["</section>", '<section id="appendix"><h2>Reproducibility appendix</h2>', _appendix(appendix),
              "</section>", "</main>",
              f"<footer>Generated by {esc(str(appendix.get('tool')))} from results.json; the report computes no "
              "statistic itself." + (f" {SYNTHETIC_BANNER}." if synthetic else "") + "</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
