"""Benchmark: validate and import a 10⁶-patient Parquet patients table (seeded synthetic data).

Run:  .venv/bin/python benchmarks/import_1m.py [--patients N] [--text-dates] [--keep DIR]

Generates a patients table for the ``ici-mwa-retrospective`` preset (every protocol variable, arms
spelt as ids, labels and aliases, a few hundred deliberately late dates so the warning path runs),
writes it as Parquet, then times, separately:

1. read (Parquet -> DataFrame, header mapping, sha256 of the file),
2. validate (typing, category map, every patients rule),
3. import (DuckDB: raw + validated tables and the import log),
4. a second import of the same file (logged "unchanged", no table rewritten),

and reports the peak resident memory of the process (``resource.getrusage``; Linux reports KiB).
No per-row Python runs anywhere on this path; the numbers go to docs/performance-import.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from oncocohort.io import read_study_files
from oncocohort.io.database import import_study
from oncocohort.protocol import load_protocol, preset_text
from oncocohort.validate import validate_study


def make_patients(n: int, rng: np.random.Generator, *, text_dates: bool) -> pd.DataFrame:
    """A synthetic patients table of ``n`` rows (no Python loop over rows)."""
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    follow = rng.integers(31, 900, n)
    dead = rng.random(n) < 0.55
    death = (start + pd.to_timedelta(follow, unit="D")).where(dead)
    last = start + pd.to_timedelta(np.where(dead, follow - rng.integers(0, 30, n), follow), unit="D")
    last = last.where(~dead | (last <= death), death)
    progressed = rng.random(n) < 0.7
    progression = (start + pd.to_timedelta((follow * rng.uniform(0.2, 1.0, n)).astype(int), unit="D")).where(progressed)
    # keep every date before the cutoff except ~300 deliberately late last contacts (warnings)
    cutoff = pd.Timestamp("2025-06-30")
    late = np.zeros(n, dtype=bool)
    late[rng.choice(n, size=min(300, n), replace=False)] = True
    last = last.where(~late | dead, cutoff + pd.Timedelta(days=10))
    arms = np.array(["ici", "ici_mwa", "ICIs + MWA", "ICI monotherapy", ""], dtype=object)
    frame = pd.DataFrame({
        "patient_id": pd.Series(np.arange(1, n + 1)).map("{:07d}".format).radd("P"),
        "arm": arms[rng.choice(5, n, p=[0.4, 0.3, 0.1, 0.15, 0.05])],
        "treatment_start_date": start, "death_date": death, "last_contact_date": last,
        "progression_date": progression,
        "best_response": np.array(["CR", "PR", "SD", "PD", "Partial response", "stable disease"],
                                  dtype=object)[rng.integers(0, 6, n)],
        "age": rng.normal(60, 10, n).round(0).clip(20, 95),
        "sex": np.array(["male", "female", "M", "F"], dtype=object)[rng.integers(0, 4, n)],
        "ecog": rng.integers(0, 2, n).astype(str),
        "hbsag": np.array(["positive", "negative", "pos"], dtype=object)[rng.integers(0, 3, n)],
        "hcv_ab": np.array(["positive", "negative"], dtype=object)[rng.integers(0, 2, n)],
        "afp": rng.lognormal(4, 2, n).round(1),
        "cnlc_stage": np.array(["IIa", "IIb", "IIIa", "IIIb"], dtype=object)[rng.integers(0, 4, n)],
        "total_bilirubin": rng.lognormal(2.8, 0.4, n).round(1),
        "alt": rng.lognormal(3.6, 0.5, n).round(0),
        "active_tumours": rng.integers(1, 4, n).astype(float),
        "n_progressing_lesions": rng.integers(1, 5, n).astype(float),
        "largest_lesion_cm": rng.uniform(0.8, 6.5, n).round(1),
        "macrovascular_invasion": np.array(["no", "yes"], dtype=object)[(rng.random(n) < 0.1).astype(int)],
        "ici_class": np.array(["PD-1", "PD-L1"], dtype=object)[(rng.random(n) < 0.08).astype(int)],
    })
    unallocated = frame["arm"] == ""
    for column in ("treatment_start_date", "death_date", "last_contact_date", "progression_date"):
        frame[column] = frame[column].mask(unallocated)
        if text_dates:
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20250630)
    parser.add_argument("--text-dates", action="store_true", help="Dates as ISO text instead of Parquet dates.")
    parser.add_argument("--keep", type=Path, default=None, help="Folder to keep the files in (default: temporary).")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(args.seed)
        t0 = time.perf_counter()
        make_patients(args.patients, rng, text_dates=args.text_dates).to_parquet(folder / "patients.parquet")
        generate_s = time.perf_counter() - t0
        raw = yaml.safe_load(preset_text("ici-mwa-retrospective"))
        raw["data"] = {"patients": "patients.parquet"}
        (folder / "protocol.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        protocol = load_protocol(folder / "protocol.yaml")
        rss_before = peak_rss_mib()

        timings: list[tuple[str, float]] = []
        t0 = time.perf_counter()
        files = read_study_files(protocol)
        timings.append(("read Parquet + sha256", time.perf_counter() - t0))
        t0 = time.perf_counter()
        sources = {name: info.to_dict() for name, info in files.sources.items()}
        study = validate_study(protocol, files.tables, sources=sources)
        timings.append(("validate", time.perf_counter() - t0))
        db = folder / "study.duckdb"
        t0 = time.perf_counter()
        first = import_study(study, db)
        timings.append(("import (DuckDB)", time.perf_counter() - t0))
        t0 = time.perf_counter()
        second = import_study(study, db)
        timings.append(("second import (unchanged)", time.perf_counter() - t0))

        total = sum(s for name, s in timings if not name.startswith("second"))
        print(f"patients: {args.patients:,}  dates: {'ISO text' if args.text_dates else 'Parquet dates'}  "
              f"python {sys.version.split()[0]}  pandas {pd.__version__}")
        print(f"(generating the file took {generate_s:.1f} s; not counted)")
        print(f"{'step':<28}{'seconds':>10}")
        for name, seconds in timings:
            print(f"{name:<28}{seconds:>10.2f}")
        print(f"{'read + validate + import':<28}{total:>10.2f}")
        print(f"peak RSS: {peak_rss_mib():,.0f} MiB (before reading: {rss_before:,.0f} MiB)")
        print(f"problems: {len(study.problems)} ({len(study.warnings)} warnings); "
              f"imports: {first.status}, {second.status}; db {db.stat().st_size / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
