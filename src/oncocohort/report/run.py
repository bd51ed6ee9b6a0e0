"""One call from a protocol to the finished report: ``run_study`` = read + validate → derive →
analyse → report, writing into one output folder:

``report.html``, ``report.docx``, ``results.json``, ``tables/`` (CSV, Markdown, HTML per table),
``figures/`` (``km_…``, ``waterfall…``, ``swimmer…``, ``forest_…``, ``flow…``, ``afp_…`` in the asked
formats), ``derived/`` (adsl, adtte, adrs, adae as CSV and flow.json), the validation report and
``run.log``. ``build_report`` renders the report from an existing results document alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncocohort.errors import DataValidationError
from oncocohort.report.figure_pool import FigurePool, start_figure_pool

Progress = Callable[[str], AbstractContextManager[Any]]


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """Files written by :func:`build_report`."""

    html: Path
    docx: Path
    tables: tuple[Path, ...]
    figures: tuple[Path, ...]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What :func:`run_study` did: the output folder, the main files, every file written, step timings."""

    out_dir: Path
    results_json: Path
    report_html: Path
    report_docx: Path
    log: Path
    files: tuple[Path, ...]
    timings: dict[str, float]
    notes: tuple[str, ...] = ()
    synthetic: bool = False

    def __str__(self) -> str:
        total = sum(self.timings.values())
        return (f"report written to {self.out_dir} ({len(self.files)} files, {total:.1f} s): "
                f"{self.report_html.name}, {self.report_docx.name}, {self.results_json.name}")


class _RunLog:
    """Appends time-stamped lines to run.log as the run goes (so a failed run leaves its log)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")

    def __call__(self, message: str) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {message}\n")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("matplotlib", "python-docx"):
        with contextlib.suppress(PackageNotFoundError):
            out[dist] = version(dist)
    return out


def _seed(protocol_text: str | None) -> int | None:
    """The data generator's seed of a synthetic demo study (its protocol header says 'seed N')."""
    match = re.search(r"generator seed (\d+)", protocol_text or "")
    return int(match.group(1)) if match else None


def build_report(results: dict[str, Any], out_dir: str | Path, *, protocol: Any | None = None,
                 protocol_text: str | None = None, formats: Sequence[str] = ("png",), dpi: int = 300,
                 seed: int | None = None, progress: Progress | None = None,
                 figure_workers: int | None = None, show_ci: bool = True,
                 figure_pool: FigurePool | None = None) -> ReportOutcome:
    """Render tables, figures, report.html and report.docx from a results document (results.json).

    ``figure_workers``: processes drawing figures (see ``render_figures``); the tables, text and Word
    document are prepared while a forked worker draws. ``figure_pool``: warm figure workers started
    earlier (``start_figure_pool``) that draw every figure instead (``figure_workers`` is then
    unused). ``show_ci``: pointwise CI bands on the Kaplan–Meier curves.
    """
    from oncocohort.report.html import render_html
    from oncocohort.report.table_writers import write_tables
    from oncocohort.report.tables import build_tables
    from oncocohort.report.text import methods_sections, reproducibility_items, results_sections

    step = progress or (lambda _name: contextlib.nullcontext())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    parts: dict[str, Any] = {}

    def documents_text() -> None:
        """Tables, text and the Word document up to its figures: run while the figure worker draws."""
        t0 = time.perf_counter()
        from oncocohort.report.docx import start_docx

        tables = build_tables(results)
        parts["tables"] = tables
        parts["table_paths"] = write_tables(tables, out / "tables")
        versions = _versions()
        prov = results.get("provenance") or {}
        software = {"oncocohort": prov.get("version", ""),
                    **{k: prov[k] for k in ("python", "numpy", "scipy", "pandas") if prov.get(k)}, **versions}
        parts["methods"] = methods_sections(results, protocol, software)
        parts["text"] = results_sections(results)
        parts["appendix"] = reproducibility_items(results, protocol_text=protocol_text, versions=versions,
                                                  seed=seed if seed is not None else _seed(protocol_text))
        parts["docx"] = start_docx(results, methods=parts["methods"], results_text=parts["text"], tables=tables)
        timings["text"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with step("Drawing figures and writing the documents"):
        if figure_pool is not None:
            figures = figure_pool.render(results, out / "figures", formats=formats, dpi=dpi, show_ci=show_ci,
                                         while_drawing=documents_text)
        else:
            from oncocohort.report.figures import render_figures

            figures = render_figures(results, out / "figures", formats=formats, dpi=dpi, workers=figure_workers,
                                     show_ci=show_ci, while_drawing=documents_text)
        timings["figures"] = time.perf_counter() - t0 - timings["text"]
        t1 = time.perf_counter()
        from oncocohort.report.docx import finish_docx

        html_path = out / "report.html"
        html_path.write_text(render_html(results, methods=parts["methods"], results_text=parts["text"],
                                         tables=parts["tables"], figures=figures, appendix=parts["appendix"]),
                             encoding="utf-8")
        docx_path = finish_docx(parts["docx"], out / "report.docx", results, figures=figures,
                                appendix=parts["appendix"])
        timings["documents"] = time.perf_counter() - t1 + timings.pop("text")
    return ReportOutcome(html_path, docx_path, tuple(parts["table_paths"]),
                         tuple(p for fig in figures for p in fig.paths), timings)


def run_study(protocol_path: str | Path, out_dir: str | Path | None = None, *, formats: Sequence[str] = ("png",),
              progress: Progress | None = None, dpi: int = 300, show_ci: bool = True) -> RunOutcome:
    """Validate, derive, analyse and report the study of ``protocol_path`` into ``out_dir``.

    Parameters
    ----------
    protocol_path : the study protocol (YAML).
    out_dir : output folder; default ``out/`` beside the protocol.
    formats : figure formats, any of ``png``, ``svg``, ``pdf`` (PNG at ``dpi``).
    progress : called with each step's name, returns a context manager wrapping the step (e.g. a spinner).
    dpi : PNG resolution.
    show_ci : draw the pointwise confidence bands on the Kaplan–Meier curves.

    Raises
    ------
    ProtocolError, DataValidationError (every problem; the validation report is written first),
    OncocohortError from a later stage.
    """
    from oncocohort.analysis import analyze, write_results_json
    from oncocohort.endpoints import derive_study, write_derived_tables
    from oncocohort.io import read_study_files
    from oncocohort.protocol import load_protocol
    from oncocohort.validate import validate_study, write_validation_report

    step = progress or (lambda _name: contextlib.nullcontext())
    protocol_path = Path(protocol_path)
    out = Path(out_dir) if out_dir is not None else protocol_path.parent / "out"
    out.mkdir(parents=True, exist_ok=True)
    log = _RunLog(out / "run.log")
    timings: dict[str, float] = {}
    log(f"oncocohort run {protocol_path} -> {out} (formats {', '.join(formats)}, {dpi} dpi)")
    # forked now, the figure workers import matplotlib while this process validates and analyses
    pool = start_figure_pool()
    failed = True
    try:
        t0 = time.perf_counter()
        with step("Reading and validating the data"):
            protocol = load_protocol(protocol_path)
            raw = read_study_files(protocol)
            sources = {name: info.to_dict() for name, info in raw.sources.items()}
            study = validate_study(protocol, raw.tables, raise_on_error=False, sources=sources)
            files = list(write_validation_report(study.problems, out, title=protocol.study.name))
        timings["validate"] = time.perf_counter() - t0
        log(f"validated: {len(study.problems)} problem(s) ({timings['validate']:.2f} s)")
        for p in study.problems:
            log(f"  {p}")
        if not study.is_valid:
            raise DataValidationError(study.problems)
        t0 = time.perf_counter()
        with step("Deriving endpoints"):
            derived = derive_study(study)
            files += write_derived_tables(derived, out / "derived")
        timings["derive"] = time.perf_counter() - t0
        log(f"derived: screened {derived.flow.screened}, analysed {derived.flow.n_analysed} ({timings['derive']:.2f} s)")
        for note in derived.notes:
            log(f"  note: {note}")
        t0 = time.perf_counter()
        with step("Analysing"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # each warning is kept as a note in results.json
            results = analyze(derived, sources=study.sources, protocol_path=protocol_path)
            results_path = write_results_json(results, out / "results.json")
        timings["analyse"] = time.perf_counter() - t0
        log(f"analysed: {results.study['n_analysed']} patients ({timings['analyse']:.2f} s)")
        for note in results.notes:
            log(f"  note: {note}")
        doc = json.loads(results_path.read_text(encoding="utf-8"))  # render exactly what results.json holds
        text = protocol_path.read_text(encoding="utf-8")
        report = build_report(doc, out, protocol=protocol, protocol_text=text, formats=formats, dpi=dpi,
                              progress=progress, show_ci=show_ci, figure_pool=pool)
        timings["figures"] = report.timings.get("figures", 0.0)
        timings["documents"] = report.timings.get("documents", 0.0)
        log(f"figures: {len(report.figures)} file(s) ({timings['figures']:.2f} s); tables and documents "
            f"({timings['documents']:.2f} s)")
        failed = False
    except Exception as exc:
        log(f"FAILED: {type(exc).__name__}: {exc}")
        raise
    finally:
        if pool is not None:  # after an error (or Ctrl-C) the workers' warm-up is not waited for
            pool.close(abandon=failed)
    written = tuple(sorted([*files, results_path, report.html, report.docx, *report.tables, *report.figures,
                            out / "run.log"]))
    log(f"done: {len(written)} files in {out} ({sum(timings.values()):.2f} s)")
    return RunOutcome(out, results_path, report.html, report.docx, out / "run.log", written, timings,
                      tuple(str(n) for n in results.notes), bool(doc["study"].get("synthetic")))
