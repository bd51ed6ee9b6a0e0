"""Time oncocohort's Cox model (Efron) against lifelines and R's survival, in one run.

Not a test: run by hand and copy the table into docs/performance-cox.md.

    .venv/bin/python benchmarks/cox_benchmark.py                    # n = 1e4, 1e5, 1e6
    .venv/bin/python benchmarks/cox_benchmark.py --sizes 1e4,1e5 --repeats 3 --no-r

``run(sizes)`` returns one dict per size (``benchmarks/survival.py`` prints them).

Data (seeded ``numpy.random.Generator``): 10 standard-normal covariates and a binary group,
exponential event times with log-hazard x·linspace(−0.3, 0.3, 10) + 0.5·group, independent
exponential censoring (~50 % events), times rounded up to whole days (heavy ties: ~2 000
distinct times at n = 10⁶). The timed call is the whole public call with Efron ties:

* oncocohort: ``cox_ph(df, "time", "status", covariates)`` (validation, fit, Wald / LR / score
  tests, Harrell's C with its SE); the compiled kernels are warmed up once beforehand (their
  one-off JIT compilation, cached on disk afterwards, is reported as ``cold_s``);
* lifelines: ``CoxPHFitter().fit(df, "time", "status")`` (Efron; its fit computes the
  concordance too), same process, same DataFrame;
* R: ``coxph(Surv(time, status) ~ ., ties = "efron")`` inside ``system.time`` (coxph computes
  the concordance and its SE as part of the fit), reading the same numbers from a binary file
  first (not timed); only when ``Rscript`` with the survival package is installed.

Each timing is the median of ``repeats`` runs (wall clock, ``time.perf_counter``); CPU seconds
(``time.process_time``) are reported too because other processes may share the machine.
Ratios > 1 mean oncocohort is faster. A coefficient cross-check against lifelines guards
against timing a wrong computation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.stats.cox import cox_ph

COVARIATES = [f"x{i}" for i in range(10)] + ["group"]


def generate(n: int, *, seed: int = 20240601) -> pd.DataFrame:
    """10 normal covariates + a binary group, Efron-relevant ties (whole days), ~50 % censored."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10))
    group = rng.integers(0, 2, n)
    lp = x @ np.linspace(-0.3, 0.3, 10) + 0.5 * group
    event_time = rng.exponential(np.exp(-lp)) * 365.0
    censor_time = rng.exponential(1.0, n) * 365.0
    df = pd.DataFrame(x, columns=COVARIATES[:10])
    df["group"] = group
    df["time"] = np.ceil(np.minimum(event_time, censor_time))
    df["status"] = (event_time <= censor_time).astype(int)
    return df


def _timed(fn: Any, repeats: int) -> tuple[float, float, Any]:
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def _cold_start() -> float:
    """JIT compile time of the kernels in a fresh process with an empty cache is not measured here;
    this is the first large call in this process (loads or compiles the cached kernels)."""
    df = generate(60_000, seed=1)
    w0 = time.perf_counter()
    cox_ph(df, "time", "status", COVARIATES)
    return time.perf_counter() - w0


R_SCRIPT = r"""
suppressMessages(library(survival))
args <- commandArgs(TRUE); n <- as.integer(args[2]); reps <- as.integer(args[3])
con <- file(args[1], "rb"); m <- readBin(con, "double", n * 13); close(con)
d <- as.data.frame(matrix(m, nrow = n)); names(d) <- c(paste0("x", 0:9), "group", "time", "status")
el <- numeric(0); core <- numeric(0)
for (i in seq_len(reps)) {
  el <- c(el, system.time(fit <- coxph(Surv(time, status) ~ ., data = d, ties = "efron"))[["elapsed"]])
  X <- as.matrix(d[, 1:11]); Y <- Surv(d$time, d$status)
  core <- c(core, system.time(coxph.fit(X, Y, NULL, NULL, NULL, coxph.control(), NULL, "efron", NULL))[["elapsed"]])
}
cat(median(el), median(core), coef(fit)[["group"]], "\n")
"""


def time_r(df: pd.DataFrame, repeats: int) -> dict[str, float] | None:
    """R's coxph on the same numbers (None when Rscript or survival is missing)."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cox.bin"
        np.asfortranarray(df[COVARIATES + ["time", "status"]].to_numpy(np.float64)).T.tofile(path)
        script = Path(tmp) / "cox.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(path), str(len(df)), str(repeats)],
                             capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(f"R failed: {out.stderr.strip()[:300]}", file=sys.stderr)
        return None
    whole, core, coef_group = (float(v) for v in out.stdout.split())
    return {"whole": whole, "core": core, "coef_group": coef_group}


def run(sizes: list[int], *, repeats: int = 3, large_repeats: int = 1, use_r: bool = True,
        use_lifelines: bool = True) -> list[dict[str, Any]]:
    """One row per n: seconds (median wall), CPU seconds, ratios lifelines/ours and R/ours."""
    cold = _cold_start()
    rows = []
    for n in sizes:
        df = generate(int(n))
        reps = repeats if n < 1_000_000 else large_repeats
        wall, cpu, fit = _timed(lambda: cox_ph(df, "time", "status", COVARIATES), reps)
        row: dict[str, Any] = {"n": int(n), "oncocohort_s": round(wall, 3), "oncocohort_cpu_s": round(cpu, 3),
                               "iterations": fit.iterations, "cold_s": round(cold, 2)}
        if use_lifelines:
            from lifelines import CoxPHFitter
            ll_wall, ll_cpu, ll = _timed(lambda: CoxPHFitter().fit(df, "time", "status"), reps)
            diff = float(np.max(np.abs(ll.params_[COVARIATES].to_numpy() - fit.params["coef"].to_numpy())))
            row.update({"lifelines_s": round(ll_wall, 3), "lifelines_cpu_s": round(ll_cpu, 3),
                        "ratio_lifelines": round(ll_wall / wall, 1),
                        "ratio_lifelines_cpu": round(ll_cpu / cpu, 1), "max_coef_diff_lifelines": f"{diff:.1e}"})
        r = time_r(df, reps) if use_r else None
        if r is not None:
            row.update({"r_s": round(r["whole"], 3), "r_core_fit_s": round(r["core"], 3),
                        "ratio_r": round(r["whole"] / wall, 1),
                        "coef_diff_r_group": f"{abs(r['coef_group'] - fit.params.loc['group', 'coef']):.1e}"})
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(float(x)) for x in s.split(",")],
                        default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="repeats below n = 1e6 (median)")
    parser.add_argument("--large-repeats", type=int, default=1, help="repeats at n >= 1e6")
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--no-lifelines", action="store_true")
    args = parser.parse_args(argv)
    print(f"# {os.cpu_count()} CPUs; numpy {np.__version__}; load average at start {os.getloadavg()[0]:.1f}")
    rows = run(args.sizes, repeats=args.repeats, large_repeats=args.large_repeats, use_r=not args.no_r,
               use_lifelines=not args.no_lifelines)
    keys = list(dict.fromkeys(k for row in rows for k in row))
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")
    print(f"# load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
