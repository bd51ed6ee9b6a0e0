"""Cold `oncocohort demo` with the default outputs (PNG at 300 dpi): wall and CPU seconds per run.

Each run is a fresh interpreter running `oncocohort demo --out TMP` (the typer app, as the console
script does), so imports, the numba cache and the font cache are as a user meets them (one
unrecorded run first warms the on-disk numba and matplotlib caches, the normal state of an installed
package). CPU is user + system time of the whole process tree (the two forked figure workers
included) and of the main process alone; on a loaded machine CPU is the steadier number. The
workers start with the run and import matplotlib while the main process validates, derives and
analyses, then draw every figure while it writes the documents, so on an idle two-core machine the
wall time lies between the main process's CPU and about half the total.

    .venv/bin/python benchmarks/report_cold.py [--repeats 3] [--study NAME] [--against OTHER/src]

``--against`` takes the ``src`` folder of another checkout (e.g. a ``git worktree`` of an older
commit) and alternates runs of that code and this one, so that both meet the same conditions on a
shared machine (series taken minutes apart can differ by more than the change measured).

Prints a Markdown table and the 1-minute load average before and after; record it in
docs/performance-report.md. Not a test: the suite makes no timing assertions.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


CHILD = """
import resource, sys
from oncocohort.cli import app
try:
    app(["demo", "--study", sys.argv[1], "--out", sys.argv[2]], standalone_mode=False)
finally:
    me = resource.getrusage(resource.RUSAGE_SELF)
    print(f"SELF_CPU {me.ru_utime + me.ru_stime:.3f}", file=sys.stderr)
"""
"""`oncocohort demo` in a fresh interpreter that reports its own CPU (without the figure workers')."""


def one_run(study: str, src: str | None = None) -> tuple[float, float, float, int]:
    """(wall s, CPU s of the process tree, CPU s of the main process, files written) of one cold demo
    (of the package under ``src`` when given, else the installed one)."""
    env = dict(os.environ, PYTHONPATH=src) if src else None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        cmd = [sys.executable, "-c", CHILD, study, str(out)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        self_cpu = float(proc.stderr.rsplit("SELF_CPU", 1)[1].split()[0])
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        n = sum(1 for p in out.rglob("*") if p.is_file())
    return wall, cpu, self_cpu, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--study", default="ici-mwa-retrospective")
    parser.add_argument("--against", default=None, help="src folder of another checkout, run in turn with this one")
    args = parser.parse_args()
    codes = {"this": None} if args.against is None else {"other": str(Path(args.against).resolve()), "this": None}
    load0 = os.getloadavg()[0]
    for src in codes.values():  # warm the on-disk caches (numba, fonts) as an installed package has them
        one_run(args.study, src)
    runs: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in codes}
    for _ in range(args.repeats):
        for name, src in codes.items():
            runs[name].append(one_run(args.study, src))
    load1 = os.getloadavg()[0]
    print("| code | study | runs | wall s (median, min–max) | CPU s, all processes (median) | CPU s, main "
          "process (median) | files | load avg (1 min) before → after | cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rows in runs.items():
        walls, cpus, selfs = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        print(f"| {name} | {args.study} | {len(rows)} | {statistics.median(walls):.1f} ({min(walls):.1f}–"
              f"{max(walls):.1f}) | {statistics.median(cpus):.1f} | {statistics.median(selfs):.1f} | {rows[0][3]} | "
              f"{load0:.1f} → {load1:.1f} | {os.cpu_count()} |")


if __name__ == "__main__":
    main()
