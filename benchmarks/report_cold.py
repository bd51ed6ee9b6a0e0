"""Cold `oncocohort demo` with the default outputs (PNG at 300 dpi): wall and CPU seconds per run.

Each run is a fresh process (`python -m oncocohort.cli demo --out TMP`), so imports, the numba
cache and the font cache are as a user meets them (after the first run the numba and matplotlib
caches on disk are warm, which is the normal state of an installed package). CPU is the process's
user + system time (children included: the forked figure worker); on a loaded machine CPU is the
steadier number and the wall time on an idle machine is close to the CPU of the critical path.

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


def one_run(study: str) -> tuple[float, float, int]:
    """(wall s, CPU s, files written) of one cold demo process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        cmd = [sys.executable, "-m", "oncocohort.cli", "demo", "--study", study, "--out", str(out)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        n = sum(1 for p in out.rglob("*") if p.is_file())
    return wall, cpu, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--study", default="ici-mwa-retrospective")
    args = parser.parse_args()
    load0 = os.getloadavg()[0]
    one_run(args.study)  # warm the on-disk caches (numba, fonts) as an installed package has them
    runs = [one_run(args.study) for _ in range(args.repeats)]
    load1 = os.getloadavg()[0]
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    print(f"| study | runs | wall s (median, min–max) | CPU s (median) | files | load avg (1 min) before → after | cores |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.study} | {len(runs)} | {statistics.median(walls):.1f} ({min(walls):.1f}–{max(walls):.1f}) | "
          f"{statistics.median(cpus):.1f} | {runs[0][2]} | {load0:.1f} → {load1:.1f} | {os.cpu_count()} |")


if __name__ == "__main__":
    main()
