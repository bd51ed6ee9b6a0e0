"""A large synthetic cohort of the seed-001 design, as Parquet, for benchmarks (``oncocohort synth``).

Same generator parts as the bundled study, scaled: arms in the 31 : 21 ratio, each Table I row and
Table II best response in its published proportions per arm (largest-remainder rounding, so the
proportions are exact up to one patient), the calibrated outcome model, the discontinuation and
Table V proportions. Everything is vectorised over patients (10⁶ patients in well under a minute;
see ``benchmarks/synth_1m.py``). The patients table records ``best_response`` and
``progression_date`` (a benchmark need not run the response engine); lesions are optional
(``with_lesions``), labs are not generated. Every Parquet file carries the key-value metadata
``synthetic: true`` and the folder a ``README.md`` and a ``protocol.yaml`` pointing at the files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from oncocohort.demo._sampling import counts_from_proportions, exact_labels, synthetic_ids
from oncocohort.demo.baseline import ALT_INTERVALS, AFP_INTERVALS, BILIRUBIN_INTERVALS, _draw_in_group, model_covariates
from oncocohort.demo.design import (ARMS, DATA_CUTOFF, DISCONTINUATION, N_PER_ARM, SCREENING_END, SCREENING_START,
                                    TABLE_I, TABLE_II, TABLE_V)
from oncocohort.demo.ici_mwa import CALIBRATED_MODEL, PD1_INHIBITORS, PROCEDURE_SHARE
from oncocohort.demo.model import simulate_timeline
from oncocohort.demo.studies import SYNTHETIC_NOTE, synthetic_protocol_text


_CATEGORICAL = frozenset({"arm", "sex", "ecog", "hbsag", "hcv_ab", "cnlc_stage", "best_response", "macrovascular_invasion",
                          "ici_class", "term", "attribution", "kind", "name", "stop_reason", "lesion_type", "site",
                          "nontarget_status", "lesion_id"})


def _scaled(counts: dict[str, int], n: int, total: int) -> dict[str, int]:
    """Counts of a partition of ``total`` patients rescaled to ``n`` (summing to ``n``)."""
    return dict(zip(counts, counts_from_proportions(n, [c / total for c in counts.values()]).tolist(), strict=True))


def _rescale(count: int, n: int, total: int) -> int:
    """One count out of ``total`` rescaled to ``n`` patients (rounded)."""
    return int(round(count * n / total))


def synth_tables(n_patients: int, *, seed: int = 0, with_lesions: bool = False) -> dict[str, pd.DataFrame]:
    """patients, adverse_events, treatments (and lesions) of ``n_patients`` analysed patients."""
    from oncocohort.demo.adverse_events import build_adverse_events
    from oncocohort.demo.lesions import build_lesions
    from oncocohort.demo.safety import Course, assign_discontinuation, build_treatments
    from oncocohort.protocol import load_preset

    if n_patients < 2:
        raise ValueError(f"n_patients must be at least 2, got {n_patients}")
    rng = np.random.default_rng(seed)
    total = sum(N_PER_ARM.values())
    n_arm = counts_from_proportions(n_patients, [N_PER_ARM[a] / total for a in ARMS])
    arm_idx = np.repeat(np.arange(2), n_arm)
    cols: dict[str, np.ndarray] = {}
    for var, levels in TABLE_I.items():
        parts = [exact_labels(rng, counts_from_proportions(int(n_arm[i]), [c[i] for c in levels.values()]), list(levels))
                 for i in range(2)]
        cols[var] = np.concatenate(parts)
    df = pd.DataFrame(cols)
    df["arm"] = np.asarray(ARMS, dtype=object)[arm_idx]
    df["age"] = np.clip(np.round(rng.normal(np.where(arm_idx == 0, 59.0, 58.0), 6.0)), 40, 80)
    df["afp"] = _draw_in_group(rng, df["afp_group"].to_numpy(), AFP_INTERVALS, log=True)
    df["total_bilirubin"] = _draw_in_group(rng, df["bilirubin_group"].to_numpy(), BILIRUBIN_INTERVALS)
    df["alt"] = _draw_in_group(rng, df["alt_group"].to_numpy(), ALT_INTERVALS, decimals=0)
    df["active_tumours"] = np.where(df["tumour_count_group"].to_numpy() == "2–3", rng.integers(2, 4, n_patients), 1).astype(float)

    window = (SCREENING_END - SCREENING_START).days
    start_off = rng.integers(14, window + 1, n_patients)
    start = np.datetime64(SCREENING_START, "D") + start_off.astype("timedelta64[D]")
    limit = float((DATA_CUTOFF - SCREENING_START).days) - start_off
    counts = {i: _scaled(TABLE_II[a], int(n_arm[i]), N_PER_ARM[a]) for i, a in enumerate(ARMS)}
    tl = simulate_timeline(rng, arm_idx, model_covariates(df), counts, limit, CALIBRATED_MODEL)

    pid = synthetic_ids("SYN-L", n_patients, 7)
    mwa = arm_idx == 1
    arm = df["arm"].to_numpy()
    course = Course(arm, np.where(mwa, rng.integers(3, 8, n_patients), 0).astype(float), mwa, tl.progression_day,
                    tl.death_day, tl.last_contact_day)
    disc_counts = {a: {k: _rescale(v, int(n_arm[i]), N_PER_ARM[a]) for k, v in DISCONTINUATION[a].items()}
                   for i, a in enumerate(ARMS)}
    causes = {"ici": [("Hyperbilirubinemia", 3), ("Pneumonitis", 2)], "ici_mwa": [("Hyperbilirubinemia", 3)]}
    causes = {a: [c for c in causes[a] for _ in range(disc_counts[a]["toxicity"])][:disc_counts[a]["toxicity"]] for a in ARMS}
    disc = assign_discontinuation(rng, course, disc_counts, causes, (np.datetime64(DATA_CUTOFF, "D") - start).astype(float))
    treatments = build_treatments(pid, start, course, disc, PD1_INHIBITORS[rng.integers(0, 5, n_patients)], "MWA")
    table_v = {g: {a: (_rescale(per_arm[a][0], int(n_arm[i]), N_PER_ARM[a]),
                       _rescale(per_arm[a][1], int(n_arm[i]), N_PER_ARM[a])) for i, a in enumerate(ARMS)}
               for g, per_arm in TABLE_V.items()}
    groups = load_preset("ici-mwa-retrospective").safety.reporting_groups
    aes = build_adverse_events(rng, pid, start, course, disc, table_v, groups, PROCEDURE_SHARE)

    death = np.where(np.isnan(tl.death_day), np.datetime64("NaT"), start + np.nan_to_num(tl.death_day).astype("timedelta64[D]"))
    prog = np.where(tl.progressed, start + np.nan_to_num(tl.progression_day).astype("timedelta64[D]"), np.datetime64("NaT"))
    patients = pd.DataFrame({
        "patient_id": pid, "arm": arm, "treatment_start_date": start, "death_date": death,
        "last_contact_date": start + tl.last_contact_day.astype("timedelta64[D]"), "progression_date": prog,
        "best_response": tl.response, "age": df["age"], "sex": df["sex"], "ecog": df["ecog"], "hbsag": df["hbsag"],
        "hcv_ab": df["hcv_ab"], "afp": df["afp"], "cnlc_stage": df["cnlc_stage"], "total_bilirubin": df["total_bilirubin"],
        "alt": df["alt"], "active_tumours": df["active_tumours"], "n_progressing_lesions": df["active_tumours"],
        "largest_lesion_cm": np.round(rng.uniform(1.5, 5.0, n_patients), 1), "macrovascular_invasion": "no",
        "ici_class": "PD-1",
    })
    tables = {"patients": patients, "adverse_events": aes, "treatments": treatments}
    if with_lesions:
        baseline_day = np.where(mwa, -rng.integers(10, 15, n_patients), -rng.integers(3, 15, n_patients))
        tables["lesions"] = build_lesions(rng, tl, pid, start, baseline_day,
                                          df["active_tumours"].to_numpy().astype(np.int64), criteria="mrecist")
    return tables


def write_synth(n_patients: int, out_dir: str | Path, *, seed: int = 0, with_lesions: bool = False) -> dict[str, Path]:
    """Write the synthetic cohort as Parquet (+ protocol.yaml and README.md) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = synth_tables(n_patients, seed=seed, with_lesions=with_lesions)
    meta = {b"synthetic": b"true", b"generator": b"oncocohort.demo.synth", b"seed": str(seed).encode(),
            b"note": SYNTHETIC_NOTE.encode()}
    paths = {}
    for name, frame in tables.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        paths[name] = out / f"{name}.parquet"
        # dictionary-encode the low-cardinality text columns only (ids and dates gain nothing from it)
        pq.write_table(table, paths[name], use_dictionary=[c for c in table.column_names if c in _CATEGORICAL])
    text = synthetic_protocol_text("ici-mwa-retrospective", seed)
    for name in ("patients", "lesions", "adverse_events", "treatments", "labs"):
        line = f"  {name}: {name}.csv\n"
        text = text.replace(line, f"  {name}: {name}.parquet\n" if name in tables else "")
    (out / "protocol.yaml").write_text(text, encoding="utf-8")
    (out / "README.md").write_text(
        f"# Synthetic benchmark cohort — SYNTHETIC DATA\n\n**{SYNTHETIC_NOTE}**\n\n{n_patients} patients of the "
        f"seed-001 design (ICIs ± MWA), seed {seed}, written by `oncocohort synth`. Tables: "
        + ", ".join(f"`{p.name}` ({len(tables[k])} rows)" for k, p in paths.items())
        + ". Each Parquet file carries the metadata `synthetic: true`.\n", encoding="utf-8")
    return paths
