"""The ``oncocohort`` command line: a thin layer over the pipeline stages.

Each command parses its arguments, calls one stage function and renders the outcome; no analysis
logic lives here. Shared helpers (protocol loading, error panels, progress display) come first; each
stage adds its commands in its own delimited block below them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from oncocohort import __version__
from oncocohort.errors import DataValidationError, OncocohortError, ProtocolError, ValidationProblem

app = typer.Typer(
    name="oncocohort",
    help="Oncology cohort study: protocol + raw records -> validated database -> analysis -> report.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
protocol_app = typer.Typer(help="Study protocol files (YAML).", no_args_is_help=True)
app.add_typer(protocol_app, name="protocol")


# --- shared helpers (foundation) -------------------------------------------------------------------
# Messages go to stderr so that a command's own output (paths, JSON) stays clean on stdout.
PROGRESS_DELAY_S = 1.0
"""A step shows a progress spinner only once it has run this long (quick steps stay silent)."""

MAX_PROBLEM_ROWS = 25
"""Problems shown in the terminal panel; the full list is always in the report files."""


def _console() -> Console:
    # Built per call: CliRunner swaps sys.stderr between invocations, a module-level console would not follow.
    return Console(stderr=True, highlight=False, soft_wrap=False, width=120)


def _fail(title: str, body: str | Table, *, hint: str | None = None) -> NoReturn:
    """Render a red error panel and exit with status 1."""
    console = _console()
    console.print(Panel(body, title=f"[bold red]{title}", border_style="red", expand=False))
    if hint:
        console.print(hint)
    raise typer.Exit(code=1)


def _problems_table(problems: tuple[ValidationProblem, ...] | list[ValidationProblem], *, limit: int = MAX_PROBLEM_ROWS) -> Table:
    """A rich table of validation problems: severity, table, patient, where, column, value, expected."""
    table = Table(show_lines=False, header_style="bold")
    for name in ("", "table", "patient", "where", "column", "value", "expected"):
        table.add_column(name, overflow="fold")
    for p in list(problems)[:limit]:
        mark = "[red]error" if p.severity == "error" else "[yellow]warning"
        table.add_row(mark, p.table, p.row or "", p.location, p.column, p.value, p.expected)
    if len(problems) > limit:
        table.caption = f"... and {len(problems) - limit} more (see the report files)"
    return table


def _render_error(exc: Exception, *, report_files: list[Path] | None = None) -> NoReturn:
    """Turn an oncocohort error into a readable panel and exit 1 (other exceptions propagate)."""
    if isinstance(exc, ProtocolError):
        _fail("Invalid study protocol", f"{exc.path}\n\n" + "\n".join(f"• {p}" for p in exc.problems),
              hint="Fix the keys above; `oncocohort protocol new --preset NAME PATH` writes a valid example.")
    if isinstance(exc, DataValidationError):
        n_err = sum(p.severity == "error" for p in exc.problems)
        n_warn = len(exc.problems) - n_err
        files = "".join(f"\nFull report: {f}" for f in report_files or [])
        _fail(f"Data validation failed: {n_err} error(s), {n_warn} warning(s)", _problems_table(exc.problems),
              hint=(files.strip() or None))
    if isinstance(exc, OncocohortError | FileNotFoundError | FileExistsError):
        _fail("Error", str(exc))
    raise exc


def _show_warnings(problems: tuple[ValidationProblem, ...]) -> None:
    """Print warning-level problems (the run goes on)."""
    warnings = [p for p in problems if p.severity == "warning"]
    if warnings:
        _console().print(Panel(_problems_table(warnings), title=f"[bold yellow]{len(warnings)} warning(s)",
                               border_style="yellow", expand=False))


def _load_protocol_or_exit(path: Path):  # noqa: ANN202 - Protocol imported lazily for a fast --help
    """Load a protocol file; on a ProtocolError print the panel and exit 1."""
    from oncocohort.protocol import load_protocol

    try:
        return load_protocol(path)
    except ProtocolError as exc:
        _render_error(exc)


@contextlib.contextmanager
def _progress(description: str) -> Iterator[None]:
    """Show a spinner with elapsed time for a step, but only once it has taken > PROGRESS_DELAY_S.

    The display starts from a timer thread so quick steps print nothing; it is transient (erased
    when the step ends) and disabled automatically when stderr is not a terminal.
    """
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=_console(), transient=True)
    progress.add_task(description, total=None)
    lock = threading.Lock()
    started = False

    def start() -> None:
        nonlocal started
        with lock:
            if not finished:
                progress.start()
                started = True

    finished = False
    timer = threading.Timer(PROGRESS_DELAY_S, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            finished = True
            if started:  # stopping a display that never started would print a blank line
                progress.stop()


def _ok(message: str) -> None:
    _console().print(f"[green]✓[/green] {message}", soft_wrap=True)


@app.command()
def version() -> None:
    """Print the oncocohort version."""
    typer.echo(__version__)


# --- protocol new / validate / import (foundation) -------------------------------------------------
@protocol_app.command("new")
def protocol_new(
    path: Annotated[Path, typer.Argument(help="The protocol YAML file to create, e.g. my-study/protocol.yaml.")],
    preset: Annotated[str, typer.Option("--preset", "-p", help="Preset to start from (see the list below).")] = "ici-mwa-retrospective",
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a preset study protocol to PATH for you to edit.

    Presets: ici-mwa-retrospective, tace-ici-realworld, oligomet-ablation-lenvatinib-pd1,
    hepatectomy-lenvatinib-durvalumab.

    Example:

        oncocohort protocol new --preset tace-ici-realworld my-study/protocol.yaml
    """
    from oncocohort.protocol import write_preset

    try:
        written = write_preset(preset, path, overwrite=force)
    except (ProtocolError, FileExistsError) as exc:
        _render_error(exc)
    _ok(f"wrote preset '{preset}' to {written}")
    _console().print("Next: put your data files next to it (see docs/data-template.md), then "
                     f"`oncocohort validate {written}`.")


def _read_and_validate(protocol_path: Path, out: Path | None):  # noqa: ANN202
    """Shared body of validate/import: load, read, validate, write the report; exit 1 on errors.

    Returns (protocol, validated study, output folder, report files).
    """
    from oncocohort.io import read_study_files
    from oncocohort.io.database import default_output_dir
    from oncocohort.validate import validate_study, write_validation_report

    protocol = _load_protocol_or_exit(protocol_path)
    out_dir = out if out is not None else default_output_dir(protocol)
    try:
        with _progress("Reading data files"):
            raw = read_study_files(protocol)
        with _progress("Validating"):
            sources = {name: info.to_dict() for name, info in raw.sources.items()}
            study = validate_study(protocol, raw.tables, raise_on_error=False, sources=sources)
    except (OncocohortError, FileNotFoundError) as exc:
        _render_error(exc)
    files = write_validation_report(study.problems, out_dir, title=protocol.study.name)
    if not study.is_valid:
        _render_error(DataValidationError(study.problems), report_files=files)
    _show_warnings(study.problems)
    return protocol, study, out_dir, files


@app.command("validate")
def validate_command(
    protocol_path: Annotated[Path, typer.Argument(metavar="PROTOCOL", help="The study protocol YAML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for validation-report.csv/.txt "
                                             "(default: <protocol folder>/out).")] = None,
) -> None:
    """Check the data files a protocol names against the data template; report every problem at once.

    Errors (missing columns or values, duplicate ids, unknown arms or categories, bad or ambiguous
    dates, dates out of order, impossible values) exit with status 1; warnings (e.g. dates after the
    data cutoff) are shown and the exit status is 0. The full report is written to
    OUT/validation-report.csv and OUT/validation-report.txt.

    Example:

        oncocohort validate my-study/protocol.yaml --out my-study/out
    """
    _protocol, study, _out_dir, files = _read_and_validate(protocol_path, out)
    n = {t: len(f) for t, f in study.tables.items() if t in study.sources}
    _ok("data valid: " + ", ".join(f"{t} {k} rows" for t, k in n.items())
        + f"; {len(study.warnings)} warning(s). Report: {files[1]}")


@app.command("import")
def import_command(
    protocol_path: Annotated[Path, typer.Argument(metavar="PROTOCOL", help="The study protocol YAML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for the study database and the "
                                             "validation report (default: the protocol's folder; "
                                             "./out/<study> for a study shipped in the package).")] = None,
) -> None:
    """Validate the data files and store them in the study's DuckDB database.

    The database (<study name>.duckdb) holds the raw tables (schema raw), the validated tables
    (schema validated) and an import_log (source path, sha256, rows, time, tool version).
    Importing unchanged files again adds no rows and is logged as "unchanged". Nothing is stored
    when validation finds an error (exit status 1).

    Example:

        oncocohort import my-study/protocol.yaml
    """
    from oncocohort.io.database import import_study, study_database_path

    protocol, study, out_dir, _files = _read_and_validate(protocol_path, out)
    db_path = study_database_path(protocol, out)
    with _progress("Writing the study database"):
        result = import_study(study, db_path)
    _ok(str(result))


@app.command("template")
def template_command(
    path: Annotated[Path, typer.Argument(help="The Excel workbook to write, e.g. data-template.xlsx.")],
    protocol_path: Annotated[Path | None, typer.Option("--protocol", "-p", help="Add this protocol's variables "
                                                       "and arms to the template.")] = None,
) -> None:
    """Write the Excel data template: one sheet per table plus a data dictionary.

    Example:

        oncocohort template my-study/data.xlsx --protocol my-study/protocol.yaml
    """
    from oncocohort.io.template import write_template

    protocol = _load_protocol_or_exit(protocol_path) if protocol_path is not None else None
    _ok(f"wrote {write_template(path, protocol)}")


# --- derive (endpoints) ----------------------------------------------------------------------------
@app.command("derive")
def derive_command(
    protocol_path: Annotated[Path, typer.Argument(metavar="PROTOCOL", help="The study protocol YAML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for adsl/adtte/adrs/adae and flow.json "
                                             "(default: <protocol folder>/out).")] = None,
    file_format: Annotated[str, typer.Option("--format", "-f", help="csv or parquet.")] = "csv",
) -> None:
    """Derive the analysis tables: eligibility flow, time-to-event endpoints, responses, adverse events.

    Validates the data files, then writes OUT/adsl, adtte, adrs, adae (.csv, or .parquet with
    --format parquet), OUT/flow.json (STROBE/CONSORT counts) and OUT/derive_notes.json (the notes
    and warnings printed here), and stores the four tables in the study database (schema "derived"). Every column and censoring rule is documented in
    docs/derived-data.md.

    Example:

        oncocohort derive my-study/protocol.yaml --out my-study/out --format parquet
    """
    from oncocohort.endpoints import derive_study, store_derived_tables, write_derived_tables

    if file_format not in ("csv", "parquet"):
        _fail("Invalid option", f"--format: value '{file_format}' not allowed; allowed: csv, parquet")
    protocol, study, out_dir, _files = _read_and_validate(protocol_path, out)
    try:
        with _progress("Deriving endpoints"):
            derived = derive_study(study)
    except OncocohortError as exc:
        _render_error(exc)
    paths = write_derived_tables(derived, out_dir, file_format=file_format)  # type: ignore[arg-type]
    from oncocohort.io.database import study_database_path

    with _progress("Writing the study database"):
        stored = store_derived_tables(derived, study_database_path(protocol, out))
    _show_warnings(derived.problems)
    for note in derived.notes:
        _console().print(f"[yellow]note[/yellow] {note}", soft_wrap=True)
    flow = derived.flow
    _ok(f"screened {flow.screened}, excluded {flow.excluded}, analysed "
        + ", ".join(f"{derived.protocol.arm_label(a)} {n}" for a, n in flow.analysed.items())
        + f"; wrote {', '.join(p.name for p in paths)} to {out_dir}"
        + (" and the study database" if stored else ""))


# --- analyze (analysis) ----------------------------------------------------------------------------
@app.command("analyze")
def analyze_command(
    protocol_path: Annotated[Path, typer.Argument(metavar="PROTOCOL", help="The study protocol YAML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for results.json (and the validation "
                                             "report); default: the folder 'out' beside the protocol.")] = None,
) -> None:
    """Run the statistical analysis plan and write OUT/results.json.

    Validates the data files, derives the analysis tables (eligibility, endpoints, adverse events)
    and runs the protocol's plan: baseline table, response rates, Kaplan-Meier / log-rank / RMST,
    Cox models, subgroups and safety. results.json holds every number the report shows; its layout
    is documented in docs/results-schema.md.

    Example:

        oncocohort analyze my-study/protocol.yaml --out my-study/out
    """
    import warnings

    from oncocohort.analysis import analyze, write_results_json
    from oncocohort.endpoints import derive_study

    protocol, study, out_dir, _files = _read_and_validate(protocol_path, out)
    try:
        with _progress("Deriving endpoints"):
            derived = derive_study(study)
        with _progress("Analysing"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # each warning is kept as a note on the results (printed below)
            results = analyze(derived, sources=study.sources, protocol_path=protocol_path)
    except OncocohortError as exc:
        _render_error(exc)
    path = write_results_json(results, Path(out_dir) / "results.json")
    for note in results.notes:
        _console().print(f"[yellow]note[/yellow] {note}")
    _ok(f"analysed {results.study['n_analysed']} patients of {protocol.study.name}: {path}")


# --- run (report) ----------------------------------------------------------------------------------
@app.command("run")
def run_command(
    protocol_path: Annotated[Path, typer.Argument(metavar="PROTOCOL", help="The study protocol YAML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: out/ beside the "
                                             "protocol).")] = None,
    formats: Annotated[str, typer.Option("--formats", "-f", help="Figure formats, comma-separated: png, svg, "
                                         "pdf.")] = "png",
    dpi: Annotated[int, typer.Option("--dpi", help="PNG resolution.", min=50, max=1200)] = 300,
    ci_bands: Annotated[bool, typer.Option("--ci-bands/--no-ci-bands", help="Pointwise confidence bands on the "
                                           "Kaplan-Meier curves.")] = True,
) -> None:
    """Run the whole study: validate -> derive -> analyse -> report, into one folder.

    Writes OUT/report.html (self-contained), OUT/report.docx, OUT/results.json, OUT/tables/
    (CSV, Markdown, HTML per table), OUT/figures/ (km_…, waterfall, swimmer, forest_…, flow,
    afp_…), OUT/derived/ (analysis tables), the validation report and OUT/run.log. The outputs
    are described in docs/report.md.

    Examples:

        oncocohort run my-study/protocol.yaml
        oncocohort run my-study/protocol.yaml --out report --formats png,svg,pdf
    """
    from oncocohort.report import run_study

    chosen = tuple(dict.fromkeys(x.strip().lower() for x in formats.split(",") if x.strip()))
    bad = [x for x in chosen if x not in ("png", "svg", "pdf")]
    if bad or not chosen:
        _fail("Invalid option", f"--formats: value '{formats}' not allowed; allowed: png, svg, pdf (comma-separated)")
    _load_protocol_or_exit(protocol_path)
    try:
        outcome = run_study(protocol_path, out, formats=chosen, progress=_progress, dpi=dpi, show_ci=ci_bands)
    except (OncocohortError, FileNotFoundError) as exc:
        out_dir = out if out is not None else protocol_path.parent / "out"
        _render_error(exc, report_files=[out_dir / "validation-report.txt", out_dir / "run.log"])
    for note in outcome.notes:
        _console().print(f"[yellow]note[/yellow] {note}", soft_wrap=True)
    if outcome.synthetic:
        _console().print("[bold]SYNTHETIC DATA[/bold]: every page and figure is labelled so.")
    _console().print(f"  {outcome.report_html}\n  {outcome.report_docx}\n  {outcome.results_json}\n"
                     f"  {outcome.out_dir / 'tables'}/  {outcome.out_dir / 'figures'}/  {outcome.log}")
    _ok(str(outcome))


# --- demo / synth (demo) ---------------------------------------------------------------------------
@app.command("demo")
def demo_command(
    study: Annotated[str, typer.Option("--study", "-s", help="Bundled demo study (a preset name).")] = "ici-mwa-retrospective",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("oncocohort-demo"),
    export: Annotated[Path | None, typer.Option("--export", help="Write the study folder (protocol.yaml + one CSV "
                                                "per table) to this folder instead of running it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --export: overwrite existing files.")] = False,
) -> None:
    """Run the whole analysis on a bundled SYNTHETIC demo study (or export it with --export).

    The default study imitates the published ICIs ± MWA cohort (seed 001): 60 screened, 31 + 21
    analysed, Tables I, II and V reproduced exactly. Studies: ici-mwa-retrospective,
    tace-ici-realworld, oligomet-ablation-lenvatinib-pd1, hepatectomy-lenvatinib-durvalumab.

    Examples:

        oncocohort demo
        oncocohort demo --study tace-ici-realworld --out tace-demo
        oncocohort demo --export my-study && oncocohort validate my-study/protocol.yaml
    """
    from oncocohort.demo import export_study, run_demo

    try:
        if export is not None:
            path = export_study(export, name=study, overwrite=force)
            _ok(f"wrote the synthetic demo study '{study}' to {path.parent} (protocol.yaml, CSV tables, README.md)")
            return
        with _progress(f"Running the pipeline on the demo study {study}"):
            run = run_demo(out, name=study)
    except (OncocohortError, FileExistsError) as exc:
        _render_error(exc)
    _console().print(f"[bold]SYNTHETIC demo study[/bold] {study}: " + ", ".join(run.done) + f" -> {run.out_dir}")
    if "report" in run.summary:
        _console().print(f"  {run.summary['report']}")
    else:
        for f in run.files:
            _console().print(f"  {f}")
    for step in run.not_done:
        _console().print(f"[yellow]not done yet[/yellow] {step}")
    _ok(f"demo finished ({len(run.files)} file(s) in {run.out_dir})")


@app.command("synth")
def synth_command(
    patients: Annotated[int, typer.Option("--patients", "-n", help="Number of patients.", min=2)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the Parquet files.")],
    seed: Annotated[int, typer.Option("--seed", help="Generator seed.")] = 0,
    lesions: Annotated[bool, typer.Option("--lesions/--no-lesions", help="Also write lesion measurements.")] = False,
) -> None:
    """Write a large SYNTHETIC cohort of the ICIs ± MWA design as Parquet (for benchmarks).

    patients.parquet (with recorded best_response and progression_date), adverse_events.parquet,
    treatments.parquet (and lesions.parquet with --lesions), plus protocol.yaml and README.md.

    Example:

        oncocohort synth --patients 1000000 --out big-cohort --seed 1
    """
    from oncocohort.demo import write_synth

    with _progress(f"Generating {patients} synthetic patients"):
        paths = write_synth(patients, out, seed=seed, with_lesions=lesions)
    _ok(f"wrote {', '.join(p.name for p in paths.values())} (synthetic, seed {seed}) to {out}")


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
