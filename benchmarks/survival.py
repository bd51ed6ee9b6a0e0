"""Time oncocohort's survival statistics against lifelines and R's survival package, in one run.

Not a test: run by hand and copy the table into docs/performance.md.

    .venv/bin/python benchmarks/survival.py                # KM + log-rank at 1e6, 1e7; Cox if available
    .venv/bin/python benchmarks/survival.py --quick        # 1e5, 1e6; 1 repeat of R
    .venv/bin/python benchmarks/survival.py --sizes 1000000 --repeats 5 --continuous

Data (seeded ``numpy.random.Generator``): a binary group, exponential event times with a hazard ratio
of 1/1.3 between the groups, rounded up to whole days (so times are heavily tied, as in registries),
administrative censoring at 10 years and ~30 % random censoring. ``--continuous`` adds a variant with
untied float times. Each timing is the median of ``--repeats`` runs of the whole public call
(validation included). lifelines runs in the same process; R (``Rscript``, packages r-base-core and
r-cran-survival) reads the very same arrays from a binary file and times ``survfit`` and
``survdiff`` with ``system.time``, excluding its file reading. Ratios > 1 mean oncocohort is faster.

The Cox timings come from ``benchmarks/cox_benchmark.py`` (``run(sizes) -> list[dict]``) when present.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from oncocohort.stats import kaplan_meier, logrank_test


def generate(n: int, *, seed: int = 20240601, continuous: bool = False) -> dict[str, np.ndarray]:
    """Survival data with tied (whole-day) times, a binary group, ~35 % censoring."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n).astype(np.int8)
    t = rng.exponential(365.0 * np.where(group == 1, 1.3, 1.0))
    if not continuous:
        t = np.ceil(t)
    event = (t < 3650) & (rng.random(n) < 0.7)
    return {"time": np.minimum(t, 3650.0), "event": event.astype(np.int8), "group": group}


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of ``repeats`` calls (CPU time is robust to other load)."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def time_oncocohort(data: dict[str, np.ndarray], repeats: int) -> dict[str, tuple[float, float]]:
    t, e, g = data["time"], data["event"], data["group"]
    return {"km": median_time(lambda: kaplan_meier(t, e), repeats),
            "logrank": median_time(lambda: logrank_test(t, e, g), repeats)}


def time_lifelines(data: dict[str, np.ndarray], repeats: int) -> dict[str, tuple[float, float]] | None:
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test as ll_logrank
    except ImportError:
        return None
    t, e, g = data["time"], data["event"], data["group"]

    def logrank() -> None:
        a = g == 0
        ll_logrank(t[a], t[~a], event_observed_A=e[a], event_observed_B=e[~a])

    return {"km": median_time(lambda: KaplanMeierFitter().fit(t, e), repeats),
            "logrank": median_time(logrank, repeats)}


R_SCRIPT = r"""
suppressMessages(library(survival))
args <- commandArgs(TRUE); n <- as.integer(args[2]); reps <- as.integer(args[3])
rd <- function(name) { con <- file(file.path(args[1], name), "rb"); on.exit(close(con)); readBin(con, "double", n) }
d <- data.frame(time = rd("time.bin"), status = rd("event.bin"), group = rd("group.bin"))
med <- function(expr) {
  st <- replicate(reps, system.time(eval(expr)))
  c(median(st["elapsed", ]), median(st["user.self", ] + st["sys.self", ]))
}
km <- med(quote(survfit(Surv(time, status) ~ 1, data = d)))
lr <- med(quote(survdiff(Surv(time, status) ~ group, data = d)))
fit <- survfit(Surv(time, status) ~ 1, data = d); sd <- survdiff(Surv(time, status) ~ group, data = d)
cat(sprintf("%.6f %.6f %.6f %.6f %.17g %.17g\n", km[1], km[2], lr[1], lr[2], sd$chisq,
            quantile(fit, 0.5, conf.int = FALSE)))
"""


def time_r(data: dict[str, np.ndarray], repeats: int) -> dict[str, Any] | None:
    """R's survfit/survdiff on the same arrays; also returns R's chi-square and median for a cross-check."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("time", "event", "group"):
            data[name].astype(np.float64).tofile(os.path.join(tmp, f"{name}.bin"))
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run([rscript, str(script), tmp, str(data["time"].size), str(repeats)],
                             capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(f"R failed: {out.stderr.strip()[:300]}", file=sys.stderr)
        return None
    km, km_cpu, lr, lr_cpu, chisq, median = (float(x) for x in out.stdout.split())
    return {"km": (km, km_cpu), "logrank": (lr, lr_cpu), "chisq": chisq, "median": median}


def run_cox(sizes: list[int], **options: Any) -> list[dict[str, Any]] | None:
    """Call ``benchmarks/cox_benchmark.py``'s ``run(sizes)`` when it exists.

    ``options`` (use_r, use_lifelines, repeats) are passed on only where ``run`` accepts them.
    """
    import inspect

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        module = importlib.import_module("cox_benchmark")
    except ImportError:
        return None
    accepted = inspect.signature(module.run).parameters
    return list(module.run(sizes, **{k: v for k, v in options.items() if k in accepted}))


def fmt_pair(theirs: tuple[float, float] | None, ours: tuple[float, float]) -> str:
    """'wall / cpu | ratio wall / ratio cpu' cells for one competitor."""
    if theirs is None:
        return "– | –"
    return (f"{theirs[0]:.3f} / {theirs[1]:.3f} | "
            f"{theirs[0] / ours[0]:.1f}× / {theirs[1] / max(ours[1], 1e-9):.1f}×")


def add(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return a[0] + b[0], a[1] + b[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1e5 and 1e6, Cox 1e4 and 1e5")
    parser.add_argument("--sizes", type=lambda s: [int(float(x)) for x in s.split(",")], default=None,
                        help="comma-separated row counts for KM/log-rank (default 1e6,1e7)")
    parser.add_argument("--cox-sizes", type=lambda s: [int(float(x)) for x in s.split(",")], default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--r-repeats", type=int, default=None, help="repeats for R (default: --repeats)")
    parser.add_argument("--continuous", action="store_true", help="also time untied float times")
    parser.add_argument("--no-lifelines", action="store_true")
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--no-cox", action="store_true")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100_000, 1_000_000] if args.quick else [1_000_000, 10_000_000])
    cox_sizes = args.cox_sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    r_repeats = args.r_repeats or (1 if args.quick else args.repeats)

    print(f"# machine: {os.cpu_count()} CPUs; numpy {np.__version__}; medians of {args.repeats} runs "
          f"(R: {r_repeats}); load average at start {os.getloadavg()[0]:.1f} "
          f"(other processes share the CPUs: compare ratios, not seconds, across runs)")
    print("Cells are wall / CPU seconds; ratios are theirs / ours (wall / CPU).\n")
    print("| data | n | step | oncocohort (s) | lifelines (s) | ratio | R survival (s) | ratio |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    variants = [False, True] if args.continuous else [False]
    for continuous in variants:
        for n in sizes:
            data = generate(n, continuous=continuous)
            ours = time_oncocohort(data, args.repeats)
            ll = None if args.no_lifelines else time_lifelines(data, args.repeats)
            r = None if args.no_r else time_r(data, r_repeats)
            label = "float times" if continuous else "whole days"
            for step in ("km", "logrank", "both"):
                name = {"km": "Kaplan–Meier", "logrank": "log-rank", "both": "KM + log-rank"}[step]
                if step == "both":
                    o = add(ours["km"], ours["logrank"])
                    l_ = None if ll is None else add(ll["km"], ll["logrank"])
                    r_ = None if r is None else add(r["km"], r["logrank"])
                else:
                    o, l_, r_ = ours[step], None if ll is None else ll[step], None if r is None else r[step]
                print(f"| {label} | {n:.0e} | {name} | {o[0]:.3f} / {o[1]:.3f} | {fmt_pair(l_, o)} | "
                      f"{fmt_pair(r_, o)} |")
            if r is not None:  # cross-check on identical data (not a test: just a guard against a wrong benchmark)
                lr = logrank_test(data["time"], data["event"], data["group"])
                med = kaplan_meier(data["time"], data["event"]).median().estimate
                print(f"<!-- R cross-check n={n}: chisq R {r['chisq']:.10g} ours {lr.statistic:.10g}; "
                      f"median R {r['median']:g} ours {med} -->")
    print(f"<!-- load average at end {os.getloadavg()[0]:.1f} -->")
    if not args.no_cox:
        rows = run_cox(cox_sizes, use_r=not args.no_r, use_lifelines=not args.no_lifelines,
                       repeats=args.repeats)
        if rows is None:
            print("\n(Cox: benchmarks/cox_benchmark.py not available)")
        else:
            print("\n## Cox")
            keys = list(dict.fromkeys(k for row in rows for k in row))
            print("| " + " | ".join(keys) + " |")
            print("|" + "---|" * len(keys))
            for row in rows:
                print("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
