"""Smaller example studies for the other three presets (seeds 002–004), built from the same parts.

They have no published tables to reproduce: sizes, response mixes and hazards are plausible
values for each design, fixed here, and every preset's features are exercised end to end.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncocohort.demo._sampling import append_rows, exact_labels, ids_in_screening_order
from oncocohort.demo.adverse_events import build_adverse_events
from oncocohort.demo.lesions import build_lesions
from oncocohort.demo.model import HazardModel, simulate_timeline
from oncocohort.demo.safety import Course, assign_discontinuation, build_treatments

DEFAULT_SEED = 0
START, END, CUTOFF = np.datetime64("2022-03-01"), np.datetime64("2024-06-30"), np.datetime64("2025-06-30")

TACE_DOC = """tace-ici-realworld (seed 002 design): TACE + ICIs (n = 24) vs TACE alone (n = 20), mRECIST with
iRECIST confirmation of progression. Every documented progression (iUPD) is followed, when the
patient is alive and followed, by a confirmation scan 4–7 weeks later with further growth and an
additional new lesion (iCPD); two TACE + ICIs patients have a pseudoprogression (target sum
+35 % over the nadir at one scan, back at the next: iUPD then iSD). Two TACE-alone patients start
a new anticancer therapy before progression (new_therapy_date; PFS/TTP censoring). Screen
failures: BCLC D, Child-Pugh B8, one never allocated. No labs table (the protocol names none)."""

OLIGOMET_DOC = """oligomet-ablation-lenvatinib-pd1 (seed 003 design): single arm (n = 30), ablation of the
oligometastases on the day of enrollment (treatment start 0–14 days after enrollment) with
lenvatinib and sintilimab; RECIST 1.1 with confirmation of CR/PR; CTCAE 4.03 terms; OS and PFS
from enrollment. Screen failures: 7 metastases, ECOG 2."""

HEPATECTOMY_DOC = """hepatectomy-lenvatinib-durvalumab (seed 004 design): single arm (n = 25) on lenvatinib +
durvalumab; after three months, patients with SD or PD (alive, on study) undergo palliative
hepatectomy (day 95–110; both drugs stopped 7 days before, resumed 21–28 days after;
variable `hepatectomy`); CR/PR patients continue systemic therapy. RECIST 1.1 every 6 weeks; OS
from diagnosis, PFS from enrollment. Screen failures: BCLC A, insufficient follow-up."""


@dataclass(frozen=True, slots=True)
class Spec:
    prefix: str
    arms: tuple[str, ...]
    n: tuple[int, ...]
    responses: tuple[dict[str, int], ...]
    model: HazardModel
    criteria: str
    procedure: str | None
    procedure_arms: tuple[str, ...]
    drugs: dict[str, tuple[str, ...]]                 # arm -> drug names (empty: no drug)
    ae_table: dict[str, dict[str, tuple[int, int]]]   # term -> arm -> (any, grade >= 3)
    discontinuation: dict[str, dict[str, int]] = field(default_factory=dict)


def _simulate(rng: np.random.Generator, spec: Spec, covariates: dict[str, np.ndarray], arm_idx: np.ndarray) -> dict:
    n = arm_idx.size
    start = START + rng.integers(14, int((END - START) / np.timedelta64(1, "D")), n).astype("timedelta64[D]")
    limit = (CUTOFF - start).astype(float)
    counts = {i: spec.responses[i] for i in range(len(spec.arms))}
    tl = simulate_timeline(rng, arm_idx, covariates, counts, limit, spec.model)
    arm = np.asarray(spec.arms, dtype=object)[arm_idx]
    pid = np.arange(n).astype(str).astype(object)
    n_targets = rng.integers(1, 4, n)
    lesions = build_lesions(rng, tl, pid, start, -rng.integers(3, 15, n), n_targets, criteria=spec.criteria)
    has_drug = np.array([bool(spec.drugs[a]) for a in arm])
    proc = np.isin(arm, spec.procedure_arms)
    drug_day = np.where(has_drug, np.where(proc, rng.integers(3, 11, n), 0), np.nan).astype(float)
    course = Course(arm, drug_day, proc, tl.progression_day, tl.death_day, tl.last_contact_day)
    stops = {a: spec.discontinuation.get(a, {"toxicity": 0, "progression": 0}) for a in spec.arms}
    # Toxicity stops are caused by a grade 3 event of the term with the most grade >= 3 events in the arm.
    causes = {a: [(max(spec.ae_table, key=lambda t: spec.ae_table[t][a][1]), 3)] * stops[a]["toxicity"] for a in spec.arms}
    disc = assign_discontinuation(rng, course, stops, causes, (CUTOFF - start).astype(float))
    first_drug = np.array([spec.drugs[a][0] if spec.drugs[a] else "" for a in arm], dtype=object)
    treatments = build_treatments(pid, start, course, disc, first_drug, spec.procedure)
    for a in spec.arms:  # second drug of a combination: same dates as the first
        for name in spec.drugs[a][1:]:
            extra = treatments[(treatments["kind"] == "drug") & treatments["patient_id"].isin(pid[arm == a])]
            treatments = pd.concat([treatments, extra.assign(name=name)], ignore_index=True)
    groups = {t: [t] for t in spec.ae_table}
    aes = build_adverse_events(rng, pid, start, course, disc, spec.ae_table, groups, {})
    patients = pd.DataFrame({
        "patient_id": pid, "arm": arm, "treatment_start_date": start,
        "death_date": _date(start, tl.death_day), "last_contact_date": _date(start, tl.last_contact_day),
        "progression_date": pd.NaT, "best_response": None,
    })
    return {"patients": patients, "lesions": lesions, "adverse_events": aes, "treatments": treatments,
            "tl": tl, "start": start, "arm": arm}


def _date(start: np.ndarray, day: np.ndarray) -> np.ndarray:
    out = start + np.nan_to_num(day).astype("timedelta64[D]")
    return np.where(np.isnan(day), np.datetime64("NaT"), out)


def _common_vars(rng: np.random.Generator, n: int, ecog_levels=("0", "1", "2"), ecog_p=(0.5, 0.4, 0.1)) -> dict:
    return {"age": np.clip(np.round(rng.normal(58, 9, n)), 30, 85), "sex": np.where(rng.random(n) < 0.85, "male", "female"),
            "ecog": rng.choice(np.asarray(ecog_levels, dtype=object), n, p=ecog_p),
            "afp": np.round(np.exp(rng.uniform(np.log(2), np.log(40000), n)), 1)}


def _finish(rng: np.random.Generator, parts: dict, variables: dict, failures: pd.DataFrame, prefix: str) -> dict[str, pd.DataFrame]:
    patients = append_rows(parts["patients"].assign(**variables), failures)
    tables = {k: parts[k] for k in ("lesions", "adverse_events", "treatments")} | {"patients": patients}
    return ids_in_screening_order(rng, tables, unallocated_start=END, prefix=prefix,
                                  order_by=("visit_date", "onset_date", "kind"))


def _failures(rng: np.random.Generator, first: int, rows: list[dict], base: dict) -> pd.DataFrame:
    out = []
    for i, spec in enumerate(rows):  # a handful of fixed records
        start = START + np.timedelta64(int(rng.integers(30, 700)), "D")
        allocated = spec.get("arm", base["arm"]) is not None
        follow = spec.pop("follow_up_days", None)
        last = start + np.timedelta64(follow, "D") if follow else CUTOFF - np.timedelta64(int(rng.integers(0, 30)), "D")
        rec = dict(base) | {"patient_id": str(first + i), "treatment_start_date": start if allocated else pd.NaT,
                            "death_date": pd.NaT, "last_contact_date": last if allocated else start,
                            "progression_date": pd.NaT, "best_response": None} | spec
        out.append(rec)
    df = pd.DataFrame(out)
    for c in ("treatment_start_date", "death_date", "last_contact_date", "progression_date"):
        df[c] = pd.to_datetime(df[c])
    return df


def _model(early: tuple[float, ...], late: tuple[float, ...], os_rate: tuple[float, ...], brk: float = 4.0) -> HazardModel:
    return HazardModel(prog_rate_early=early, prog_rate_late=late, os_rates=tuple((r, r) for r in os_rate),
                       os_breaks_months=((12.0,),) * len(early), prog_break_months=(brk,) * len(early),
                       log_hr_progression={"afp_high": float(np.log(2.0))}, log_hr_death={"afp_high": float(np.log(1.8))})


def generate_tace(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The tace-ici-realworld example (see :data:`TACE_DOC`)."""
    rng = np.random.default_rng(seed)
    spec = Spec("SYN-T", ("tace", "tace_ici"), (20, 24),
                ({"CR": 1, "PR": 5, "SD": 7, "PD": 6, "NE": 1}, {"CR": 2, "PR": 8, "SD": 9, "PD": 4, "NE": 1}),
                _model((0.06, 0.03), (0.15, 0.09), (0.055, 0.04)), "mrecist", "TACE", ("tace", "tace_ici"),
                {"tace": (), "tace_ici": ("camrelizumab",)},
                {"Alanine aminotransferase increased": {"tace": (9, 2), "tace_ici": (12, 3)},
                 "Fever": {"tace": (8, 0), "tace_ici": (10, 0)}, "Abdominal pain": {"tace": (6, 0), "tace_ici": (7, 1)},
                 "Rash maculo-papular": {"tace": (0, 0), "tace_ici": (4, 0)}, "Hypothyroidism": {"tace": (0, 0), "tace_ici": (3, 0)}},
                {"tace_ici": {"toxicity": 2, "progression": 8}})
    arm_idx = exact_labels(rng, spec.n, ["0", "1"]).astype(np.int64)
    v = _common_vars(rng, arm_idx.size)
    v["bclc_stage"] = rng.choice(np.array(["B", "C"], dtype=object), arm_idx.size, p=(0.45, 0.55))
    v["child_pugh"] = rng.choice(np.array(["A5", "A6", "B7"], dtype=object), arm_idx.size, p=(0.5, 0.35, 0.15))
    parts = _simulate(rng, spec, {"afp_high": (v["afp"] >= 400).astype(float)}, arm_idx)
    parts["lesions"] = _irecist_visits(rng, parts, pseudo_arm="tace_ici")
    tl, start = parts["tl"], parts["start"]
    new_therapy = np.full(arm_idx.size, np.nan)
    cand = np.flatnonzero((parts["arm"] == "tace") & tl.progressed & (tl.n_scans >= 2))
    chosen = rng.permutation(cand)[:2]
    last_scan = tl.scan_days[chosen, tl.n_scans[chosen] - 1]
    new_therapy[chosen] = np.floor((last_scan + tl.progression_day[chosen]) / 2)
    parts["patients"]["new_therapy_date"] = _date(start, new_therapy)
    base = {"arm": "tace", "age": 61.0, "sex": "male", "ecog": "1", "afp": 85.0, "bclc_stage": "C", "child_pugh": "A6",
            "new_therapy_date": pd.NaT}
    fails = _failures(rng, arm_idx.size, [{"bclc_stage": "D"}, {"arm": "tace_ici", "child_pugh": "B8"}, {"arm": None}], base)
    return _finish(rng, parts, v, fails, spec.prefix)


def _irecist_visits(rng: np.random.Generator, parts: dict, *, pseudo_arm: str) -> pd.DataFrame:
    """Add iRECIST confirmation scans after each progression and two pseudoprogressions."""
    tl, start, les = parts["tl"], parts["start"], parts["lesions"]
    pid = les["patient_id"].astype(int).to_numpy()
    day = ((les["visit_date"].to_numpy() - start[pid]) / np.timedelta64(1, "D")).astype(int)
    n = start.size
    confirm = tl.progression_day + rng.integers(28, 50, n)
    alive_until = np.where(np.isnan(tl.death_day), tl.last_contact_day, tl.death_day - 1)
    ok = tl.progressed & (confirm <= alive_until)
    at_pd = ok[pid] & (day == np.nan_to_num(tl.progression_day[pid], nan=-1e9))
    conf = les[at_pd].copy()
    grow = conf["lesion_type"] == "target"
    for col in ("viable_diameter_mm", "longest_diameter_mm"):
        conf.loc[grow, col] = np.round(conf.loc[grow, col] * 1.15 + 2.0, 1)
    cp = conf["patient_id"].astype(int).to_numpy()
    conf["visit_date"] = start[cp] + confirm[cp].astype(int).astype("timedelta64[D]")
    extra = conf.drop_duplicates("patient_id").assign(lesion_id="N2", lesion_type="new", site="lung",
                                                      longest_diameter_mm=15.0, viable_diameter_mm=15.0,
                                                      nontarget_status=None, typical_hcc_pattern=None)
    # Pseudoprogression: +35 % at the second follow-up scan of two SD patients, back at the third.
    sd = np.flatnonzero((parts["arm"] == pseudo_arm) & (tl.response == "SD") & (tl.n_scans >= 3))
    pseudo = rng.permutation(sd)[:2]
    second = np.isin(pid, pseudo) & (day == tl.scan_days[pid, 1]) & (les["lesion_type"] == "target").to_numpy()
    les = les.copy()
    les.loc[second, "viable_diameter_mm"] = np.round(les.loc[second, "viable_diameter_mm"] * 1.35, 1)
    les.loc[second, "longest_diameter_mm"] = np.maximum(les.loc[second, "longest_diameter_mm"], les.loc[second, "viable_diameter_mm"])
    out = pd.concat([les, conf, extra], ignore_index=True)
    return out.sort_values(["patient_id", "visit_date"], kind="stable").reset_index(drop=True)


def generate_oligomet(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The oligomet-ablation-lenvatinib-pd1 example (see :data:`OLIGOMET_DOC`)."""
    rng = np.random.default_rng(seed)
    spec = Spec("SYN-O", ("abl_len_pd1",), (30,), ({"CR": 3, "PR": 10, "SD": 11, "PD": 5, "NE": 1},),
                _model((0.05,), (0.08,), (0.035,)), "recist1.1", "ablation", ("abl_len_pd1",),
                {"abl_len_pd1": ("lenvatinib", "sintilimab")},
                {"Hypertension": {"abl_len_pd1": (14, 4)}, "Palmar-plantar erythrodysesthesia syndrome": {"abl_len_pd1": (9, 1)},
                 "Proteinuria": {"abl_len_pd1": (8, 1)}, "Diarrhea": {"abl_len_pd1": (7, 0)}, "Fatigue": {"abl_len_pd1": (11, 1)},
                 "Hypothyroidism": {"abl_len_pd1": (6, 0)}, "Pain": {"abl_len_pd1": (5, 0)}, "Pneumothorax": {"abl_len_pd1": (2, 0)}},
                {"abl_len_pd1": {"toxicity": 3, "progression": 12}})
    arm_idx = np.zeros(30, dtype=np.int64)
    v = _common_vars(rng, 30, ("0", "1"), (0.6, 0.4))
    v["n_metastases"] = rng.integers(1, 6, 30).astype(float)
    parts = _simulate(rng, spec, {"afp_high": (v["afp"] >= 400).astype(float)}, arm_idx)
    parts["patients"]["enrollment_date"] = parts["start"] - rng.integers(0, 15, 30).astype("timedelta64[D]")
    base = {"arm": "abl_len_pd1", "age": 57.0, "sex": "male", "ecog": "1", "afp": 40.0, "n_metastases": 3.0}
    fails = _failures(rng, 30, [{"n_metastases": 7.0}, {"ecog": "2"}], base)
    fails["enrollment_date"] = fails["treatment_start_date"]
    return _finish(rng, parts, v, fails, spec.prefix)


def generate_hepatectomy(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The hepatectomy-lenvatinib-durvalumab example (see :data:`HEPATECTOMY_DOC`)."""
    rng = np.random.default_rng(seed)
    model = _model((0.06,), (0.07,), (0.03,))
    spec = Spec("SYN-H", ("hep_len_durva",), (25,), ({"CR": 1, "PR": 7, "SD": 12, "PD": 4, "NE": 1},),
                dataclasses.replace(model, scan_interval_days=(42, 42)),
                "recist1.1", None, (), {"hep_len_durva": ("lenvatinib", "durvalumab")},
                {"Hypertension": {"hep_len_durva": (10, 3)}, "Fatigue": {"hep_len_durva": (9, 0)},
                 "Alanine aminotransferase increased": {"hep_len_durva": (7, 2)}, "Diarrhea": {"hep_len_durva": (6, 0)}},
                {"hep_len_durva": {"toxicity": 2, "progression": 9}})
    arm_idx = np.zeros(25, dtype=np.int64)
    v = _common_vars(rng, 25)
    v.pop("ecog")
    v["bclc_stage"] = rng.choice(np.array(["B", "C"], dtype=object), 25, p=(0.4, 0.6))
    parts = _simulate(rng, spec, {"afp_high": (v["afp"] >= 400).astype(float)}, arm_idx)
    tl, start = parts["tl"], parts["start"]
    alive_until = np.where(np.isnan(tl.death_day), tl.last_contact_day, tl.death_day)
    surgery = rng.integers(95, 111, 25).astype(float)
    operated = np.isin(tl.response, ["SD", "PD"]) & (alive_until > surgery + 30)
    v["hepatectomy"] = np.where(operated, "yes", "no")
    parts["treatments"] = _split_for_surgery(rng, parts["treatments"], start, surgery, operated)
    p = parts["patients"]
    p["enrollment_date"] = start - rng.integers(0, 10, 25).astype("timedelta64[D]")
    p["diagnosis_date"] = p["enrollment_date"] - pd.to_timedelta(rng.integers(20, 400, 25), unit="D")
    base = {"arm": "hep_len_durva", "age": 60.0, "sex": "male", "afp": 120.0, "bclc_stage": "C", "hepatectomy": "no"}
    fails = _failures(rng, 25, [{"bclc_stage": "A"}, {"follow_up_days": 21}], base)
    fails["enrollment_date"] = fails["treatment_start_date"]
    fails["diagnosis_date"] = fails["treatment_start_date"] - pd.Timedelta(days=60)
    return _finish(rng, parts, v, fails, spec.prefix)


def _split_for_surgery(rng: np.random.Generator, tr: pd.DataFrame, start: np.ndarray, surgery: np.ndarray,
                       operated: np.ndarray) -> pd.DataFrame:
    """Stop both drugs 7 days before the hepatectomy, resume 21–28 days after; add the procedure rows."""
    pid = tr["patient_id"].astype(int).to_numpy()
    cut = operated[pid] & (tr["kind"] == "drug").to_numpy()
    op_day = start[pid] + surgery[pid].astype(int).astype("timedelta64[D]")
    stop = op_day - np.timedelta64(7, "D")
    cut &= (tr["end_date"].isna() | (tr["end_date"].to_numpy() > op_day)).to_numpy()
    before = tr[cut].assign(end_date=stop[cut], stop_reason="surgery")
    resume = op_day[cut] + rng.integers(21, 29, int(cut.sum())).astype("timedelta64[D]")
    after = tr[cut].assign(start_date=resume)
    after = after[after["end_date"].isna() | (after["end_date"].to_numpy() >= resume)]
    ops = np.flatnonzero(operated)
    proc = pd.DataFrame({"patient_id": ops.astype(str).astype(object), "kind": "procedure", "name": "hepatectomy",
                         "start_date": start[ops] + surgery[ops].astype(int).astype("timedelta64[D]"),
                         "stop_reason": None})
    proc["end_date"] = proc["start_date"]
    return pd.concat([tr[~cut], before, after, proc], ignore_index=True)
