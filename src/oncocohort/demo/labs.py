"""The long-format ``labs`` table: AFP, total bilirubin and ALT every ~3 weeks (the seed paper's follow-up).

Visits fall every 21 days (± 3) from 2 days before treatment start until death (the day before)
or last contact. The first visit's values are the patient's baseline variables. AFP follows a
log-linear course whose slope depends on the best response (CR −0.45, PR −0.25, SD −0.02, PD and
NE +0.10 per month on the log scale) until progression, then rises by 0.30 per month, with
multiplicative noise (SD 0.12 on the log scale) and a floor of 1 ng/ml — the AFP-over-time
figure shows the responders' decline. Bilirubin and ALT vary around baseline (log-SD 0.10 and
0.15), bilirubin drifting upwards (+0.04 per month) after progression.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.demo.model import MONTH_DAYS

AFP_SLOPE = {"CR": -0.45, "PR": -0.25, "SD": -0.02, "PD": 0.10, "NE": 0.10}


def build_labs(rng: np.random.Generator, patient_id: np.ndarray, start_date: np.ndarray, response: np.ndarray,
               progression_day: np.ndarray, end_day: np.ndarray, afp0: np.ndarray, bilirubin0: np.ndarray,
               alt0: np.ndarray) -> pd.DataFrame:
    """``end_day``: last day with a visit (day before death, or last contact), days from treatment start.

    ``progression_day`` may be the latent (undocumented) progression day: AFP rises biologically.
    """
    n = patient_id.size
    first = -2
    n_visits = np.floor((end_day - first) / 21).astype(np.int64) + 1
    pid = np.repeat(np.arange(n), n_visits)
    k = np.arange(pid.size) - np.repeat(np.cumsum(n_visits) - n_visits, n_visits)
    day = first + 21 * k + np.where(k > 0, rng.integers(-3, 4, pid.size), 0)
    day = np.minimum(day, end_day[pid]).astype(np.int64)
    t = np.maximum(day, 0) / MONTH_DAYS
    prog_m = np.nan_to_num(progression_day, nan=np.inf)[pid] / MONTH_DAYS
    slope = np.vectorize(AFP_SLOPE.get, otypes=[float])(response)[pid]
    log_afp = (np.log(afp0[pid]) + slope * np.minimum(t, prog_m) + 0.30 * np.maximum(t - prog_m, 0)
               + np.where(k > 0, rng.normal(0, 0.12, pid.size), 0.0))
    afp = np.round(np.maximum(np.exp(log_afp), 1.0), 1)
    bili = np.round(bilirubin0[pid] * np.exp(np.where(k > 0, rng.normal(0, 0.10, pid.size), 0.0)
                                                + 0.04 * np.maximum(t - prog_m, 0)), 1)
    alt = np.round(alt0[pid] * np.exp(np.where(k > 0, rng.normal(0, 0.15, pid.size), 0.0)), 0)
    date = start_date[pid] + day.astype("timedelta64[D]")
    parts = [pd.DataFrame({"patient_id": patient_id[pid], "date": date, "test": test, "value": v, "unit": unit})
             for test, v, unit in (("afp", afp, "ng/ml"), ("total_bilirubin", bili, "µmol/l"), ("alt", alt, "U/l"))]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["patient_id", "date", "test"], kind="stable").reset_index(drop=True)
