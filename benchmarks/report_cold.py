"""Cold `oncocohort demo` with the default outputs (PNG at 300 dpi): wall and CPU seconds per run.

Each run is a fresh interpreter running `oncocohort demo --out TMP` (the typer app, as the console
script does), so imports, the numba cache and the font cache are as a user meets them (one
unrecorded run first warms the on-disk numba and matplotlib caches, the normal state of an installed
package). CPU is user + system time of the whole process tree (the forked figure worker included)
and of the main process alone; on a loaded machine CPU is the steadier number, and on an idle
two-core machine the wall time is close to the main process's CPU (the worker runs beside it).

    .venv/bin/python benchmarks/report_cold.py [--repeats 3] [--study NAME]

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
"""`oncocohort demo` in a fresh interpreter that reports its own CPU (without the figure worker's)."""


def one_run(study: str) -> tuple[float, float, float, int]:
    """(wall s, CPU s of the process tree, CPU s of the main process, files written) of one cold demo."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        cmd = [sys.executable, "-c", CHILD, study, str(out)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
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
    args = parser.parse_args()
    load0 = os.getloadavg()[0]
    one_run(args.study)  # warm the on-disk caches (numba, fonts) as an installed package has them
    runs = [one_run(args.study) for _ in range(args.repeats)]
    load1 = os.getloadavg()[0]
    walls, cpus, selfs = [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]
    print("| study | runs | wall s (median, min–max) | CPU s, all processes (median) | CPU s, main process "
          "(median) | files | load avg (1 min) before → after | cores |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {args.study} | {len(runs)} | {statistics.median(walls):.1f} ({min(walls):.1f}–{max(walls):.1f}) | "
          f"{statistics.median(cpus):.1f} | {statistics.median(selfs):.1f} | {runs[0][3]} | {load0:.1f} → {load1:.1f} "
          f"| {os.cpu_count()} |")


if __name__ == "__main__":
    main()
