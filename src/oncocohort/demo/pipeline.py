"""``oncocohort demo``: the whole pipeline on a bundled demo study, as far as the pipeline exists.

When the report stage provides ``oncocohort.report.run_study(protocol_path, out_dir)`` it is
called and does everything. Until then the steps run one by one — validate (``load_study``) →
derive (``derive_study``, tables written to ``out_dir``) → analyse (``analyze``, ``results.json``)
— and each step that is not available yet is listed in :attr:`DemoRun.not_done`, so the command
says exactly what it has not done.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from oncocohort.demo.studies import bundled_protocol_path


@dataclass(frozen=True, slots=True)
class DemoRun:
    """What a demo run did: the study, the output folder, the steps done and not done, files written."""

    study: str
    protocol_path: Path
    out_dir: Path
    done: tuple[str, ...]
    not_done: tuple[str, ...]
    files: tuple[Path, ...] = field(default_factory=tuple)
    summary: dict = field(default_factory=dict)


def run_demo(out_dir: str | Path = "oncocohort-demo", *, name: str = "ici-mwa-retrospective") -> DemoRun:
    """Run the pipeline on bundled study ``name`` and write its outputs into ``out_dir``."""
    protocol_path = bundled_protocol_path(name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        from oncocohort.report import run_study
    except ImportError:  # the report stage has not landed: run the steps that exist
        return _run_stepwise(name, protocol_path, out)
    outcome = run_study(protocol_path, out)
    files = tuple(getattr(outcome, "files", ())) or tuple(sorted(p for p in out.rglob("*") if p.is_file()))
    return DemoRun(name, protocol_path, out, ("validate", "derive", "analyse", "report"), (), files,
                   {"report": str(outcome)})


def _run_stepwise(name: str, protocol_path: Path, out: Path) -> DemoRun:
    """validate → derive → analyse, each as far as its stage exists; the rest is listed as not done."""
    done: list[str] = []
    not_done: list[str] = []
    files: list[Path] = []
    summary: dict = {}
    from oncocohort.validate import load_study

    study = load_study(protocol_path)
    done.append("validate")
    summary["problems"] = len(study.problems)
    try:
        from oncocohort.endpoints import derive_study, write_derived_tables
    except ImportError:
        return DemoRun(name, protocol_path, out, tuple(done), ("derive", "analyse", "report"), (), summary)
    derived = derive_study(study)
    files += write_derived_tables(derived, out)
    done.append("derive")
    flow = derived.flow
    summary["flow"] = {"screened": flow.screened, "excluded": flow.excluded, "analysed": dict(flow.analysed)}
    try:
        from oncocohort.analysis import analyze, write_results_json
    except ImportError:
        return DemoRun(name, protocol_path, out, tuple(done), ("analyse", "report"), tuple(files), summary)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = analyze(derived, sources=study.sources, protocol_path=protocol_path)
    files.append(write_results_json(results, out / "results.json"))
    done.append("analyse")
    not_done.append("report (oncocohort.report.run_study is not available yet: no figures, tables or document)")
    return DemoRun(name, protocol_path, out, tuple(done), tuple(not_done), tuple(files), summary)
