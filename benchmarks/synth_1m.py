"""Time ``oncocohort synth`` (``oncocohort.demo.write_synth``) at 10⁶ patients; prints a Markdown row.

Usage::

    .venv/bin/python benchmarks/synth_1m.py                 # 1e6 patients, no lesions, 1 run
    .venv/bin/python benchmarks/synth_1m.py --patients 1e5 --lesions --repeats 3

Records wall time, peak RSS (resource.getrusage, the whole process) and rows written. The machine
is shared: the 1-minute load average is printed with the result. Results: docs/demo.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import pyarrow.parquet as pq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", default="1e6")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lesions", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    n = int(float(args.patients))
    from oncocohort.demo import write_synth

    times = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            paths = write_synth(n, tmp, seed=args.seed, with_lesions=args.lesions)
            times.append(time.perf_counter() - t0)
            rows = {k: pq.read_metadata(p).num_rows for k, p in paths.items()}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| patients | lesions | median wall (s) | peak RSS (MiB) | rows written | load avg (1 min) |")
    print("|---|---|---|---|---|---|")
    times.sort()
    print(f"| {n:,} | {'yes' if args.lesions else 'no'} | {times[len(times) // 2]:.1f} | {peak_mb:,.0f} | "
          + ", ".join(f"{k} {v:,}" for k, v in rows.items()) + f" | {os.getloadavg()[0]:.2f} |")


if __name__ == "__main__":
    main()
