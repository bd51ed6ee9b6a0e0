"""Maintenance script: (re)write the hand-specified example studies (synthetic), one per preset.

Every patient is written out below by hand (arm, start date, day offsets of death and last contact,
baseline values and the tumour-size trajectory per scan); the script only expands scans into lesion
rows, adds treatments, AEs and labs by fixed rules, and copies each preset into ``protocol.yaml``
with ``study.synthetic: true``. It is not imported by the package. Run it after a preset changes::

    python src/oncocohort/protocol/examples/_build.py src/oncocohort/protocol/examples \
        src/oncocohort/protocol/presets

The output is deterministic (no random numbers); README.md files are written by hand.
"""
import csv, datetime as dt, sys
from pathlib import Path

ROOT = Path(sys.argv[1])
CUTOFF = dt.date(2025, 6, 30)

def d(base, days):
    return (base + dt.timedelta(days=days)).isoformat()

def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header); w.writerows(rows)

AE_CYCLE = [("Fatigue", 1), ("Transaminitis", 2), ("Rash maculo-papular", 1), ("Diarrhea", 2), ("Hypothyroidism", 2),
            ("Pruritus", 1), ("Blood bilirubin increased", 3), ("Fever", 1), ("Nausea", 1), ("Pneumonitis", 3),
            ("Hypoalbuminemia", 2), ("Hypertension", 2), ("Palmar-plantar erythrodysesthesia syndrome", 2),
            ("Proteinuria", 1)]

def build(name, cfg):
    out = ROOT / name
    out.mkdir(parents=True, exist_ok=True)
    crit = cfg["criteria"]; interval = cfg["interval"]
    var_names = cfg["variables"]
    pat_header = ["patient_id", "arm", "treatment_start_date", "death_date", "last_contact_date", "progression_date",
                  "best_response", *cfg.get("extra_dates", []), *var_names]
    prow, lrow, arow, trow, labrow = [], [], [], [], []
    for i, p in enumerate(cfg["patients"]):
        pid, arm = p["id"], p.get("arm", "")
        values = dict(zip(var_names, p["vars"]))
        if not arm:
            extra = ["" for _ in cfg.get("extra_dates", [])]
            if "diagnosis_date" in cfg.get("extra_dates", []):
                extra[cfg["extra_dates"].index("diagnosis_date")] = d(dt.date.fromisoformat(p["start"]), -60)
            prow.append([pid, "", "", "", "", "", "", *extra, *[values[v] for v in var_names]])
            continue
        start = dt.date.fromisoformat(p["start"])
        death = d(start, p["death"]) if p.get("death") else ""
        last = d(start, p["last"])
        extra = []
        for col in cfg.get("extra_dates", []):
            extra.append({"diagnosis_date": d(start, -45), "enrollment_date": d(start, -5)}[col])
        prow.append([pid, p.get("arm_as", arm), start.isoformat(), death, last, "", "", *extra,
                     *[values[v] for v in var_names]])
        # lesions: baseline 7 days before start, then every `interval` days
        traj = p["traj"]; t1, t2 = p.get("sizes", (32, 21))
        for k, mult in enumerate(traj):
            vdate = d(start, -7 if k == 0 else interval * k)
            new = p.get("new_at") == k
            for lid, base in (("T1", t1), ("T2", t2)):
                longest = round(base * (1.25 if crit == "mrecist" else 1) * (max(mult, 0.55) if crit == "mrecist" else mult), 1)
                viable = round(base * mult, 1) if crit == "mrecist" else ""
                row = [pid, vdate, lid, "target", "liver", "no", longest, "", viable, "", "yes" if k == 0 else "no", ""]
                lrow.append(row)
            if p.get("node"):
                lrow.append([pid, vdate, "T3", "target", "lymph node", "yes", round(22 * mult, 1),
                             round(16 * mult, 1), "", "", "yes" if k == 0 else "no", ""])
            status = "absent" if mult == 0 else "present"
            lrow.append([pid, vdate, "NT1", "non-target", p.get("nt_site", "lung"), "no", "", "", "", status,
                         "yes" if k == 0 else "no", ""])
            if new:
                lrow.append([pid, vdate, "N1", "new", "liver", "no", 15, "", 15 if crit == "mrecist" else "", "",
                             "no", "yes" if crit == "mrecist" else ""])
        # treatments
        for drug in cfg["drugs"](p):
            dname, dstart, dend, why = drug
            trow.append([pid, "drug", dname, d(start, dstart), d(start, dend) if dend is not None else "", why])
        for proc, day in cfg["procedures"](p):
            trow.append([pid, "procedure", proc, d(start, day), d(start, day), "completed"])
        # adverse events
        n_ae = 1 + i % 3
        for j in range(n_ae):
            term, grade = AE_CYCLE[(i * 3 + j) % len(AE_CYCLE)]
            onset = 10 + 23 * j + 5 * i
            limit = p.get("death") or p["last"]
            if onset >= limit:
                continue
            arow.append([pid, term, grade, d(start, onset), d(start, onset + 12), "treatment", "", "no" if grade < 3 else "yes"])
        for proc, day in cfg["procedures"](p):
            arow.append([pid, "Pain", 1 + (i % 2), d(start, day), d(start, day + 2), "procedure", "16:30", "no"])
            if i % 2 == 0:
                arow.append([pid, "Fever", 1, d(start, day + 1), d(start, day + 3), "procedure", "09:15", "no"])
        # labs: baseline + each imaging visit (AFP); bilirubin and ALT at baseline
        afp0 = float(values.get("afp", 100))
        for k, mult in enumerate(traj):
            labrow.append([pid, d(start, -3 if k == 0 else interval * k - 1), "afp", round(afp0 * max(mult, 0.05), 1), "ng/ml"])
        labrow.append([pid, d(start, -3), "total_bilirubin", values.get("total_bilirubin", 14.2), "µmol/l"])
        labrow.append([pid, d(start, -3), "alt", values.get("alt", 35), "U/l"])
    write(out / "patients.csv", pat_header, prow)
    write(out / "lesions.csv", ["patient_id", "visit_date", "lesion_id", "lesion_type", "site", "is_lymph_node",
                                "longest_diameter_mm", "short_axis_mm", "viable_diameter_mm", "nontarget_status",
                                "is_baseline", "typical_hcc_pattern"], lrow)
    write(out / "adverse_events.csv", ["patient_id", "term", "grade", "onset_date", "resolution_date", "attribution",
                                       "onset_time", "serious"], arow)
    write(out / "treatments.csv", ["patient_id", "kind", "name", "start_date", "end_date", "stop_reason"], trow)
    if cfg.get("labs", False):
        write(out / "labs.csv", ["patient_id", "date", "test", "value", "unit"], labrow)


def drug_course(p, names):
    # stops at progression (first PD visit), at a toxicity day, or is ongoing at last contact
    default = (p["death"] - 14, "death") if p.get("death") else (None, "ongoing")
    end, why = p.get("stop", default)
    return [(n, 0, end, why) for n in names]

# ---------------------------------------------------------------------------------------------------
# ici-mwa-retrospective (seeds 000/001). Variables in preset order.
V1 = ["age", "sex", "ecog", "hbsag", "hcv_ab", "afp", "cnlc_stage", "total_bilirubin", "alt", "active_tumours",
      "n_progressing_lesions", "largest_lesion_cm", "macrovascular_invasion", "ici_class"]
ICI_MWA = {
    "criteria": "mrecist", "interval": 56, "variables": V1, "labs": True,
    "drugs": lambda p: drug_course(p, [p.get("drug", "sintilimab")]),
    "procedures": lambda p: [("MWA", 7)] if p.get("arm") == "ici_mwa" else [],
    "patients": [
        dict(id="P01", arm="ici_mwa", start="2023-02-06", last=540, traj=[1, .6, .5, .5],
             vars=[58, "male", 0, "positive", "negative", 250.4, "IIb", 15.2, 42, 2, 2, 3.2, "no", "PD-1"]),
        dict(id="P02", arm="ici_mwa", arm_as="ICIs + MWA", start="2023-03-13", last=600, traj=[1, 0, 0],
             drug="camrelizumab", vars=[63, "Female", 1, "pos", "negative", 35.0, "IIa", 12.1, 30, 1, 1, 2.4, "no", "PD-1"]),
        dict(id="P03", arm="ici_mwa", start="2023-04-03", death=400, last=395, traj=[1, .9, .95, 1.3],
             stop=(168, "progression"), vars=[71, "male", 1, "positive", "negative", 812.0, "IIIa", 22.5, 61, 3, 3, 4.8, "no", "PD-1"]),
        dict(id="P04", arm="ici_mwa", start="2023-05-15", last=420, traj=[1, .8, .85],
             vars=[55, "M", 0, "negative", "negative", 18.3, "IIb", 9.8, 28, 2, 2, 3.9, "no", "PD-1"]),
        dict(id="P05", arm="ici_mwa", start="2023-06-19", death=300, last=290, traj=[1, .65, .7], new_at=2,
             stop=(112, "progression"), vars=[66, "male", 1, "positive", "positive", 1520.0, "IIIb", 25.0, 75, 3, 2, 4.1, "no", "PD-1"]),
        dict(id="P06", arm="ici", start="2023-02-20", death=250, last=245, traj=[1, 1.1, 1.35],
             stop=(112, "progression"), vars=[69, "male", 1, "positive", "negative", 460.0, "IIIa", 19.9, 52, 2, 2, 3.0, "no", "PD-1"]),
        dict(id="P07", arm="ici", arm_as="ICIs alone", start="2023-04-17", last=500, traj=[1, .95, 1.0, 1.05],
             drug="tislelizumab", vars=[52, "female", 0, "negative", "negative", 9.6, "IIa", 11.0, 33, 1, 1, 2.1, "no", "PD-1"]),
        dict(id="P08", arm="ici", start="2023-07-10", death=150, last=148, traj=[1, 1.25],
             stop=(56, "progression"), vars=[74, "male", 1, "positive", "negative", 3210.5, "IIIb", 31.4, 88, 3, 3, 5.0, "no", "PD-1"]),
        dict(id="P09", arm="ici", start="2023-08-21", death=380, last=370, traj=[1, .6, .55],
             stop=(60, "toxicity"), vars=[60, "male", 0, "positive", "negative", 120.0, "IIb", 16.4, 45, 2, 1, 2.8, "no", "PD-1"]),
        dict(id="P10", arm="ici", start="2023-10-02", death=330, last=325, traj=[1, 1.0, 1.02], new_at=2,
             stop=(112, "progression"), vars=[67, "female", 1, "positive", "negative", 402.0, "IIIa", 21.0, 57, 3, 3, 4.4, "no", "PD-1"]),
        dict(id="P11", arm="ici", start="2024-01-08", last=200, traj=[1, .9],
             vars=[49, "male", 0, "negative", "positive", 55.5, "IIa", 13.3, 39, 1, 1, 1.9, "no", "PD-1"]),
        dict(id="P12", arm="ici_mwa", start="2024-02-05", last=450, traj=[1, .7, .7, .75],
             vars=[61, "male", 0, "positive", "negative", 640.0, "IIb", 17.7, 48, 2, 2, 3.5, "no", "PD-1"]),
        # screened, not eligible (each fails one stated criterion)
        dict(id="P13", arm="ici", start="2023-05-29", death=210, last=205, traj=[1, 1.3], stop=(56, "progression"),
             vars=[72, "male", 1, "positive", "negative", 980.0, "IIIb", 28.0, 70, 3, 3, 4.6, "yes", "PD-1"]),
        dict(id="P14", arm="ici_mwa", start="2023-09-11", last=380, traj=[1, .9, .9],
             vars=[57, "female", 0, "negative", "negative", 44.0, "IIb", 10.5, 31, 2, 2, 6.2, "no", "PD-1"]),
        dict(id="P15", arm="ici", start="2023-11-20", last=300, traj=[1, 1.0], drug="atezolizumab",
             vars=[64, "male", 1, "positive", "negative", 150.0, "IIa", 14.8, 41, 1, 1, 2.7, "no", "PD-L1"]),
        dict(id="P16", arm="", start="2024-03-04",
             vars=[59, "male", 0, "positive", "negative", 300.0, "IIIa", 18.0, 50, 2, 2, 3.3, "no", "PD-1"]),
    ],
}

# tace-ici-realworld (seed 002)
V2 = ["age", "sex", "ecog", "bclc_stage", "child_pugh", "afp"]
TACE = {
    "criteria": "mrecist", "interval": 56, "variables": V2, "labs": False,
    "drugs": lambda p: drug_course(p, [p.get("drug", "camrelizumab")]) if p.get("arm") == "tace_ici" else [],
    "procedures": lambda p: [("TACE", 0), ("TACE", 42)] if p.get("arm") else [],
    "patients": [
        dict(id="T001", arm="tace_ici", start="2023-01-09", last=560, traj=[1, .6, .55, .6], vars=[59, "male", 0, "B", "A5", 350.0]),
        dict(id="T002", arm="tace_ici", arm_as="TACE+ICIs", start="2023-02-13", death=420, last=415, traj=[1, .8, 1.2],
             stop=(112, "progression"), vars=[66, "male", 1, "C", "A6", 1200.0]),
        dict(id="T003", arm="tace_ici", start="2023-03-20", last=500, traj=[1, 0, 0, 0], vars=[54, "female", 0, "B", "A5", 25.0]),
        dict(id="T004", arm="tace_ici", start="2023-05-02", death=380, last=370, traj=[1, .75, .8, .9], drug="sintilimab",
             stop=(90, "toxicity"), vars=[70, "male", 1, "C", "B7", 560.0]),
        dict(id="T005", arm="tace_ici", start="2023-06-12", last=450, traj=[1, .65, .6], vars=[62, "male", 0, "B", "A5", 88.0]),
        dict(id="T006", arm="tace_ici", start="2023-08-07", death=300, last=290, traj=[1, .9, .95], new_at=2,
             stop=(112, "progression"), vars=[68, "female", 2, "C", "A6", 2400.0]),
        dict(id="T007", arm="tace", start="2023-01-23", death=330, last=320, traj=[1, .85, 1.25, 1.4], vars=[65, "male", 1, "B", "A6", 410.0]),
        dict(id="T008", arm="tace", start="2023-03-06", death=260, last=250, traj=[1, 1.3, 1.45], vars=[72, "male", 1, "C", "B7", 3100.0]),
        dict(id="T009", arm="tace", start="2023-04-24", last=480, traj=[1, .7, .65, .7], vars=[57, "female", 0, "B", "A5", 40.0]),
        dict(id="T010", arm="tace", start="2023-07-03", death=350, last=340, traj=[1, .95, 1.0], new_at=2, vars=[69, "male", 1, "C", "A6", 780.0]),
        dict(id="T011", arm="tace", start="2023-09-18", last=400, traj=[1, .9, .9], vars=[61, "male", 0, "B", "A5", 12.0]),
        dict(id="T012", arm="tace", start="2023-11-13", death=200, last=190, traj=[1, 1.22, 1.36], vars=[75, "male", 2, "C", "B7", 5200.0]),
        # screened, not eligible
        dict(id="T013", arm="tace", start="2023-06-26", last=420, traj=[1, .8], vars=[58, "female", 0, "A", "A5", 15.0]),
        dict(id="T014", arm="tace_ici", start="2023-10-16", death=150, last=145, traj=[1, 1.1], stop=(56, "progression"),
             vars=[71, "male", 2, "C", "B8", 900.0]),
        dict(id="T015", arm="tace", start="2024-02-19", last=20, traj=[1], vars=[63, "male", 1, "B", "A6", 230.0]),
        dict(id="T016", arm="", start="2024-03-11", vars=[67, "male", 1, "C", "A5", 610.0]),
    ],
}

# oligomet-ablation-lenvatinib-pd1 (seed 003): RECIST 1.1 with confirmation; origin enrollment.
V3 = ["age", "sex", "ecog", "n_metastases", "afp"]
OLIGO = {
    "criteria": "recist1.1", "interval": 56, "variables": V3, "extra_dates": ["enrollment_date"],
    "drugs": lambda p: drug_course(p, ["lenvatinib", p.get("drug", "sintilimab")]),
    "procedures": lambda p: [("ablation", 14)] if p.get("arm") else [],
    "patients": [
        dict(id="O01", arm="abl_len_pd1", start="2023-01-16", last=600, traj=[1, .6, .55, .5], node=True, vars=[56, "male", 0, 2, 150.0]),
        dict(id="O02", arm="abl_len_pd1", start="2023-02-27", death=450, last=440, traj=[1, .65, .8, 1.1],
             stop=(168, "progression"), vars=[64, "male", 1, 3, 820.0]),
        dict(id="O03", arm="abl_len_pd1", start="2023-04-10", last=540, traj=[1, 0, 0, 0], vars=[51, "female", 0, 1, 8.0]),
        dict(id="O04", arm="abl_len_pd1", start="2023-05-22", last=500, traj=[1, .8, .75, .8], vars=[67, "male", 1, 4, 430.0]),
        dict(id="O05", arm="abl_len_pd1", start="2023-06-26", death=330, last=320, traj=[1, .9, 1.0], new_at=2,
             stop=(112, "progression"), vars=[70, "male", 1, 5, 2600.0]),
        dict(id="O06", arm="abl_len_pd1", start="2023-08-14", last=460, traj=[1, .68, .6, .6], drug="toripalimab",
             vars=[59, "female", 0, 2, 95.0]),
        dict(id="O07", arm="abl_len_pd1", start="2023-09-25", death=280, last=270, traj=[1, 1.3], stop=(56, "progression"),
             vars=[73, "male", 1, 3, 4100.0]),
        dict(id="O08", arm="abl_len_pd1", start="2023-11-06", last=420, traj=[1, .7, .65], node=True, vars=[62, "male", 0, 1, 33.0]),
        dict(id="O09", arm="abl_len_pd1", start="2024-01-15", last=380, traj=[1, .85, .9], stop=(70, "toxicity"),
             vars=[57, "female", 1, 2, 260.0]),
        dict(id="O10", arm="abl_len_pd1", start="2024-02-26", last=350, traj=[1, .6, .58], vars=[65, "male", 0, 4, 510.0]),
        dict(id="O11", arm="abl_len_pd1", start="2024-04-08", death=240, last=230, traj=[1, 1.05, 1.25], stop=(112, "progression"),
             vars=[69, "male", 1, 5, 1900.0]),
        dict(id="O12", arm="abl_len_pd1", start="2024-05-20", last=300, traj=[1, .75, .72], vars=[54, "male", 0, 3, 70.0]),
        # screened, not eligible
        dict(id="O13", arm="abl_len_pd1", start="2023-07-17", last=400, traj=[1, .9], vars=[60, "male", 0, 7, 300.0]),
        dict(id="O14", arm="abl_len_pd1", start="2023-12-04", death=160, last=150, traj=[1, 1.2], stop=(56, "progression"),
             vars=[76, "male", 2, 2, 650.0]),
        dict(id="O15", arm="", start="2024-03-18", vars=[58, "female", 1, 6, 120.0]),
    ],
}

# hepatectomy-lenvatinib-durvalumab (seed 004): RECIST 1.1; OS from diagnosis, PFS from enrollment.
V4 = ["age", "sex", "bclc_stage", "afp", "hepatectomy"]
HEP = {
    "criteria": "recist1.1", "interval": 42, "variables": V4, "extra_dates": ["diagnosis_date", "enrollment_date"],
    "drugs": lambda p: drug_course(p, ["lenvatinib", "durvalumab"]),
    "procedures": lambda p: ([("TACE", 0)] if p.get("arm") else []) + ([("hepatectomy", 98)] if p.get("vars", [0] * 5)[4] == "yes" else []),
    "patients": [
        dict(id="H01", arm="hep_len_durva", start="2023-01-30", last=620, traj=[1, .9, .95, .7, .6], vars=[55, "male", "B", 480.0, "yes"]),
        dict(id="H02", arm="hep_len_durva", start="2023-03-06", last=560, traj=[1, .6, .5, .45], vars=[61, "male", "C", 220.0, "no"]),
        dict(id="H03", arm="hep_len_durva", start="2023-04-17", death=420, last=410, traj=[1, 1.05, 1.1, .8, 1.1],
             stop=(168, "progression"), vars=[66, "female", "C", 1500.0, "yes"]),
        dict(id="H04", arm="hep_len_durva", start="2023-05-29", last=520, traj=[1, .95, .9, .5, .4], vars=[52, "male", "B", 60.0, "yes"]),
        dict(id="H05", arm="hep_len_durva", start="2023-07-10", death=300, last=290, traj=[1, 1.1, 1.3],
             stop=(84, "progression"), vars=[70, "male", "C", 3800.0, "no"]),
        dict(id="H06", arm="hep_len_durva", start="2023-08-21", last=470, traj=[1, .65, .6, .6], vars=[58, "female", "B", 140.0, "no"]),
        dict(id="H07", arm="hep_len_durva", start="2023-10-02", last=430, traj=[1, 1.0, 1.0, .7], vars=[63, "male", "C", 700.0, "yes"]),
        dict(id="H08", arm="hep_len_durva", start="2023-11-13", death=330, last=320, traj=[1, .9, 1.0], new_at=2,
             stop=(84, "progression"), vars=[68, "male", "C", 950.0, "no"]),
        dict(id="H09", arm="hep_len_durva", start="2024-01-08", last=400, traj=[1, .7, .65, .6], stop=(60, "toxicity"),
             vars=[57, "male", "B", 85.0, "no"]),
        dict(id="H10", arm="hep_len_durva", start="2024-02-19", last=360, traj=[1, .95, 1.0, .75], vars=[60, "female", "B", 390.0, "yes"]),
        dict(id="H11", arm="hep_len_durva", start="2024-04-01", death=250, last=240, traj=[1, 1.25], stop=(42, "progression"),
             vars=[72, "male", "C", 6100.0, "no"]),
        dict(id="H12", arm="hep_len_durva", start="2024-05-13", last=300, traj=[1, .8, .78], vars=[54, "male", "B", 45.0, "no"]),
        # screened, not eligible
        dict(id="H13", arm="hep_len_durva", start="2023-06-05", last=450, traj=[1, .9], vars=[59, "male", "A", 20.0, "no"]),
        dict(id="H14", arm="hep_len_durva", start="2023-12-11", death=90, last=85, traj=[1, 1.3], stop=(42, "progression"),
             vars=[74, "male", "D", 2500.0, "no"]),
        dict(id="H15", arm="", start="2024-03-25", vars=[62, "female", "C", 310.0, "no"]),
    ],
}

PRESETS = Path(sys.argv[2])
for name, cfg in (("ici-mwa-retrospective", ICI_MWA), ("tace-ici-realworld", TACE),
                  ("oligomet-ablation-lenvatinib-pd1", OLIGO), ("hepatectomy-lenvatinib-durvalumab", HEP)):
    build(name, cfg)
    text = (PRESETS / f"{name}.yaml").read_text(encoding="utf-8")
    head = ("# SYNTHETIC example study (hand-made, not real patients) for the preset " + name + ".\n"
            "# Data files are the CSVs next to this file; see README.md.\n")
    lines = text.splitlines()
    out = []
    for line in lines:
        out.append(line)
        if line.startswith("  design:"):
            out.append("  synthetic: true")
    (ROOT / name / "protocol.yaml").write_text(head + "\n".join(out) + "\n", encoding="utf-8")
