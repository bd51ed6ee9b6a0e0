"""The warm figure pool (forked workers started before the results exist) draws the same files as
one process, keeps ``only`` and the format check, passes a worker's error on, and spares the
calling process matplotlib (and scipy.stats) on a whole run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oncocohort.errors import OncocohortError
from oncocohort.report import figures
from oncocohort.report.figure_pool import FigurePool, pool_available
from oncocohort.report.figures import render_figures
from tests.report.conftest import EXAMPLE

pytestmark = pytest.mark.skipif(not pool_available(), reason="the pool forks (Linux, 2+ cores)")


def test_pool_draws_the_files_of_one_process(results: dict[str, Any], tmp_path: Path) -> None:
    here = render_figures(results, tmp_path / "one", dpi=30, workers=1)
    with FigurePool() as pool:
        pooled = pool.render(results, tmp_path / "pool", dpi=30)
    assert [o.name for o in pooled] == [o.name for o in here] and len(here) >= 10
    for a, b in zip(pooled, here, strict=True):
        assert (a.kind, a.title, a.caption, a.meta, a.svg) == (b.kind, b.title, b.caption, b.meta, "")
        assert a.png == b.png and a.png[:8] == b"\x89PNG\r\n\x1a\n"
        assert [p.name for p in a.paths] == [p.name for p in b.paths] == [f"{a.name}.png"]
        assert a.paths[0].read_bytes() == b.paths[0].read_bytes()


def test_pool_keeps_only_and_checks_formats(results: dict[str, Any], tmp_path: Path) -> None:
    with FigurePool() as pool:
        outs = pool.render(results, tmp_path, dpi=20, only=lambda name: name in ("swimmer", "km_os_by_arm"))
        assert [o.name for o in outs] == ["swimmer", "km_os_by_arm"]  # report order, not drawing order
        assert sorted(p.name for p in tmp_path.iterdir()) == ["km_os_by_arm.png", "swimmer.png"]
        with pytest.raises(ValueError, match="allowed: png, svg, pdf"):
            pool.render(results, tmp_path, formats=("tiff",))


def test_worker_error_reaches_the_caller(results: dict[str, Any], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, index: int) -> Any:
        raise RuntimeError(f"figure {index} failed")

    monkeypatch.setattr(figures._Job, "render", broken)  # inherited by the workers forked below
    ran = []
    with FigurePool() as pool, pytest.raises(RuntimeError, match="figure .* failed"):
        pool.render(results, tmp_path, dpi=20, while_drawing=lambda: ran.append(True))
    assert ran == [True]


def test_a_run_leaves_matplotlib_and_scipy_stats_to_the_workers(tmp_path: Path) -> None:
    code = ("import sys; from oncocohort.report import run_study; "
            f"run = run_study({str(EXAMPLE)!r}, {str(tmp_path / 'out')!r}, dpi=20); "
            "print(len(run.files), 'matplotlib' in sys.modules, 'scipy.stats' in sys.modules, "
            "'scipy.optimize' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n_files, *imported = done.stdout.split()
    assert imported == ["False", "False", "False"]
    assert len(list((tmp_path / "out" / "figures").glob("*.png"))) >= 10 and int(n_files) > 20


def test_an_error_ends_the_workers_without_waiting_for_their_warm_up() -> None:
    with pytest.raises(RuntimeError, match="stage failed"), FigurePool() as pool:
        processes = list(pool._executor._processes.values())
        raise RuntimeError("stage failed")
    assert len(processes) == 2
    assert all(p.exitcode is not None and p.exitcode < 0 for p in processes)  # terminated (signal), not finished


def test_a_failed_run_ends_its_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oncocohort.report import run as run_module

    processes: list[Any] = []

    def start() -> FigurePool:
        pool = FigurePool()
        processes.extend(pool._executor._processes.values())
        return pool

    monkeypatch.setattr(run_module, "start_figure_pool", start)
    with pytest.raises(OncocohortError):  # no protocol file: fails right after the pool started
        run_module.run_study(tmp_path / "missing.yaml", tmp_path / "out")
    assert len(processes) == 2
    assert all(p.exitcode is not None and p.exitcode < 0 for p in processes)


def test_without_a_pool_a_run_draws_the_same_figures(report_run: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Where forking is unavailable run_study draws through render_figures: same files as the pool."""
    from oncocohort.report import run as run_module
    from tests.report.conftest import FIXTURE_DPI

    monkeypatch.setattr(run_module, "start_figure_pool", lambda: None)
    run = run_module.run_study(EXAMPLE, tmp_path / "out", dpi=FIXTURE_DPI)
    pooled = sorted((report_run.out_dir / "figures").glob("*.png"))
    drawn = sorted((run.out_dir / "figures").glob("*.png"))
    assert [p.name for p in drawn] == [p.name for p in pooled] and len(drawn) >= 10
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(drawn, pooled, strict=True))
