"""The one-way data flow of docs/architecture.md, enforced: a stage imports only from earlier stages,
from ``oncocohort.stats`` and from ``oncocohort.errors``; ``stats`` imports no stage; no stage imports the CLI.

Imports under ``if TYPE_CHECKING:`` are type hints only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "oncocohort"
STAGES = ["protocol", "io", "validate", "cohort", "response", "endpoints", "analysis", "report", "demo"]
ALWAYS_ALLOWED = {"stats", "errors", "data"}


def _runtime_imports(path: Path) -> set[str]:
    """Top-level oncocohort sub-packages imported by a module, outside TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "oncocohort" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize("stage", STAGES)
def test_stage_imports_only_earlier_stages(stage: str) -> None:
    allowed = set(STAGES[: STAGES.index(stage) + 1]) | ALWAYS_ALLOWED
    offenders = {
        str(path.relative_to(SRC)): sorted(_runtime_imports(path) - allowed)
        for path in _modules(stage)
        if _runtime_imports(path) - allowed
    }
    assert offenders == {}


def test_stats_imports_no_stage() -> None:
    offenders = {str(p.relative_to(SRC)): sorted(_runtime_imports(p) - {"stats", "errors"})
                 for p in _modules("stats") if _runtime_imports(p) - {"stats", "errors"}}
    assert offenders == {}


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    # Guard against a checker that can never fail: a module importing a later stage is caught,
    # one importing it only for type hints is not.
    bad = tmp_path / "bad.py"
    bad.write_text("from oncocohort.report import run_study\n")
    hinted = tmp_path / "hinted.py"
    hinted.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from oncocohort.report import x\n")
    assert _runtime_imports(bad) == {"report"}
    assert _runtime_imports(hinted) == set()
