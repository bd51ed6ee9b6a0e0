"""The outcome model of the demo cohorts: response, progression, death and follow-up, vectorised.

Model (all times from treatment start, in months; one row per analysed patient)
------------------------------------------------------------------------------
* Imaging every 6–8 weeks: scan k is at the sum of k intervals drawn uniformly from 42–56 days.
* Latent time to progression ``T`` with a piecewise-exponential hazard: ``h(t | x) = λ_a1 exp(βᵀx)``
  for ``t < b_a`` and ``λ_a2 exp(βᵀx)`` after, with arm-specific baseline rates ``λ_a·``, break
  ``b_a`` and covariate effects ``β`` (AFP ≥ 400 ng/ml, ECOG 1, 2–3 tumours).
* Best response with exact counts per arm (Table II). NE patients are a uniform random subset
  (their follow-up scan is not assessable). The PD patients are a weighted sample without
  replacement, weights ``P(T < s1 | x) = 1 − exp(−H(s1 | x))`` (s1: first scan): they progress at
  the first scan. For everyone else ``T`` is drawn from its conditional law given ``T > s1``
  (``H(T) = H(s1) + E``, ``E ~ Exp(1)``), and CR / PR / SD are assigned by a noisy rank of ``T``
  (the longest residual times are likeliest to respond).
* Documented progression = the first scan at or after ``T``: the next scheduled scan, or, with
  probability ``q`` (symptoms or a rising AFP on the 3-weekly labs prompt imaging), an unscheduled
  scan 7–28 days after ``T`` when that comes first. It is the scan at which the response engine
  calls PD: the lesion generator makes that scan PD and no earlier one. Unscheduled scans make
  PFS continuous rather than a lattice of the 6–8-weekly visits.
* Death: an overall-survival time with its own piecewise-exponential hazard (arm-specific rates
  ``μ_a1 … μ_a3`` on pieces cut at ``c_a1 < c_a2``; covariate effects ``γ``: AFP ≥ 400, ECOG 1), coupled to the
  progression time by ranks: within an arm, the stratified OS uniforms are handed out in the order
  of a score ``ρ·z + √(1−ρ²)·ε`` where ``z`` is the standardised log cumulative hazard at ``T``
  (Iman–Conover-style rank coupling, ρ = 0.7: the marginal OS law is untouched, early progressors
  die earlier on average). Everyone is alive at the first scan (death ≥ first scan + 1–6 weeks)
  and a PD patient dies at least a week after the PD scan; a death before the scan that would
  have documented progression leaves the progression undocumented (PFS event = death).
* Censoring: loss to follow-up at ``s1 + L``, ``L ~ Exp(ℓ)``, and the data cutoff. Everyone is
  alive and followed at the first scan (so every best response is documented).

Uniforms for ``T`` and ``P`` are stratified within arm × (PD at the first scan or not)
(:func:`stratified_uniform`), which keeps each stratum's empirical distribution close to the
model's for every seed (the medians of 21–31 patients otherwise swing by months between seeds). The baseline rates and
breaks of both hazards are the calibrated parameters (see :mod:`oncocohort.demo.calibration`); β,
γ, ρ and ℓ are fixed from the seed paper's univariable HRs and plausible clinical values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oncocohort.demo._sampling import FloatArray, IntArray, pick_within_groups, stratified_uniform

MONTH_DAYS = 30.4375
RESPONSES = ("CR", "PR", "SD", "PD", "NE")


@dataclass(frozen=True, slots=True)
class HazardModel:
    """Parameters of the outcome model; rates per month, one entry per arm (arm index order)."""

    prog_rate_early: tuple[float, ...]
    prog_rate_late: tuple[float, ...]
    os_rates: tuple[tuple[float, ...], ...]
    os_breaks_months: tuple[tuple[float, ...], ...]
    prog_break_months: tuple[float, ...] = (6.0, 6.0)
    os_rank_correlation: float = 0.7
    loss_to_follow_up_rate: float = 0.004
    log_hr_progression: Mapping[str, float] = field(default_factory=dict)
    log_hr_death: Mapping[str, float] = field(default_factory=dict)
    response_rank_noise: float = 0.6
    scan_interval_days: tuple[int, int] = (42, 56)
    unscheduled_scan_probability: float = 0.5
    unscheduled_delay_days: tuple[int, int] = (7, 28)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Simulated course of each patient (days from treatment start; NaN = did not happen)."""

    response: npt.NDArray[np.object_]
    scan_days: npt.NDArray[np.integer]  # (n, K) scheduled scan days
    n_scans: IntArray             # scheduled scans performed after baseline (the first n_scans columns)
    progressed: npt.NDArray[np.bool_]  # progression documented at ``progression_day``
    progression_day: FloatArray   # day of the PD scan (scheduled, or an unscheduled extra visit)
    latent_progression_day: FloatArray
    death_day: FloatArray
    last_contact_day: FloatArray


def _cumhaz(t: FloatArray, r1: FloatArray, r2: FloatArray, b: FloatArray) -> FloatArray:
    return np.where(t <= b, r1 * t, r1 * b + r2 * (t - b))


def _inverse_cumhaz(h: FloatArray, r1: FloatArray, r2: FloatArray, b: FloatArray) -> FloatArray:
    hb = r1 * b
    return np.where(h <= hb, h / r1, b + (h - hb) / r2)


def inverse_piecewise_cumhaz(h: FloatArray, rates: FloatArray, breaks: FloatArray) -> FloatArray:
    """Solve H(t) = h for a piecewise-constant hazard: ``rates`` (n × P) on the pieces cut at
    ``breaks`` (n × (P − 1), increasing)."""
    widths = np.diff(np.concatenate([np.zeros((h.size, 1)), breaks], axis=1), axis=1)
    h_at = np.cumsum(rates[:, :-1] * widths, axis=1)              # H at each break
    piece = (h[:, None] > h_at).sum(axis=1)
    rows = np.arange(h.size)
    t0 = np.concatenate([np.zeros((h.size, 1)), breaks], axis=1)[rows, piece]
    h0 = np.concatenate([np.zeros((h.size, 1)), h_at], axis=1)[rows, piece]
    return t0 + (h - h0) / rates[rows, piece]


def rank_couple(values: FloatArray, score: FloatArray, group: IntArray) -> FloatArray:
    """Within each group, give the k-th smallest ``values`` to the element with the k-th smallest score."""
    by_score = np.lexsort((score, group))
    by_value = np.lexsort((values, group))
    out = np.empty_like(values)
    out[by_score] = values[by_value]
    return out


def linear_predictor(covariates: Mapping[str, FloatArray], log_hr: Mapping[str, float], n: int) -> FloatArray:
    lp = np.zeros(n)
    for name, beta in log_hr.items():
        lp += beta * np.asarray(covariates[name], dtype=float)
    return lp


def simulate_timeline(rng: np.random.Generator, arm: IntArray, covariates: Mapping[str, FloatArray],
                      response_counts: Mapping[int, Mapping[str, int]], follow_up_limit_days: npt.NDArray[np.floating],
                      model: HazardModel) -> Timeline:
    """Draw scans, best responses (exact counts per arm), progression, death and last contact.

    ``follow_up_limit_days`` is the data cutoff minus each patient's treatment start. The draws are
    made in a fixed order so that the result depends only on the generator's state.
    """
    n = arm.size
    b = np.asarray(model.prog_break_months, dtype=float)[arm]
    lo, hi = model.scan_interval_days
    horizon = float(np.max(follow_up_limit_days)) if n else 0.0
    k_max = int(np.ceil(horizon / lo)) + 2
    scan_days = np.cumsum(rng.integers(lo, hi + 1, size=(n, k_max)), axis=1, dtype=np.int32)
    s1 = scan_days[:, 0] / MONTH_DAYS

    lp = linear_predictor(covariates, model.log_hr_progression, n)
    r1 = np.asarray(model.prog_rate_early)[arm] * np.exp(lp)
    r2 = np.asarray(model.prog_rate_late)[arm] * np.exp(lp)
    h_s1 = _cumhaz(s1, r1, r2, b)

    # Best response: NE uniform, PD weighted by P(T < s1 | x), then CR/PR/SD by noisy rank of T.
    everyone = np.ones(n, dtype=bool)
    ne = pick_within_groups(rng, arm, {a: c["NE"] for a, c in response_counts.items()}, everyone)
    pd_ = pick_within_groups(rng, arm, {a: c["PD"] for a, c in response_counts.items()}, ~ne,
                             weights=1.0 - np.exp(-h_s1))
    u = stratified_uniform(rng, 2 * arm + pd_)  # strata: arm x (PD at first scan or not)
    t_prog = np.where(pd_, _inverse_cumhaz(-np.log1p(-u * (1.0 - np.exp(-h_s1))), r1, r2, b),
                      _inverse_cumhaz(h_s1 - np.log1p(-u), r1, r2, b))
    response = np.where(ne, "NE", np.where(pd_, "PD", "SD")).astype(object)
    score = np.log(np.maximum(t_prog - s1, 1e-6)) + model.response_rank_noise * rng.standard_normal(n)
    rest = ~ne & ~pd_
    for a, counts in response_counts.items():  # two arms: a loop over groups, not patients
        idx = np.flatnonzero(rest & (arm == a))
        ranked = idx[np.argsort(-score[idx], kind="stable")]
        response[ranked[:counts["CR"]]] = "CR"
        response[ranked[counts["CR"]:counts["CR"] + counts["PR"]]] = "PR"

    # Progression scan: PD at scan 1; otherwise the first scan at or after T; or an unscheduled one.
    # first scan at or after T (compared in days: no n x K float matrix for 10^6 patients)
    prog_col = np.where(pd_, 0, (scan_days < (t_prog * MONTH_DAYS)[:, None]).sum(axis=1))
    first_after = scan_days[np.arange(n), np.clip(prog_col, 0, k_max - 1)] / MONTH_DAYS
    prog_m = np.where(ne | (prog_col >= k_max), np.inf, first_after)
    d_lo, d_hi = model.unscheduled_delay_days
    unscheduled = t_prog + rng.integers(d_lo, d_hi + 1, n) / MONTH_DAYS
    use = (rng.random(n) < model.unscheduled_scan_probability) & (unscheduled < prog_m) & ~ne
    prog_m = np.where(use, np.ceil(unscheduled * MONTH_DAYS) / MONTH_DAYS, prog_m)

    # Death: a piecewise-exponential OS time whose stratified uniforms are handed out in the order
    # of a score correlated with the progression quantile (rank coupling: the marginal draw is
    # untouched, earlier progression means earlier death on average).
    lp_d = linear_predictor(covariates, model.log_hr_death, n)
    z_prog = np.log(_cumhaz(t_prog, r1, r2, b))  # log cumulative hazard: monotone in the quantile of T
    rho = model.os_rank_correlation
    score = rho * (z_prog - z_prog.mean()) / max(z_prog.std(), 1e-12) + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    u_os = rank_couple(stratified_uniform(rng, arm), score, arm)
    t_os = inverse_piecewise_cumhaz(-np.log1p(-u_os), np.asarray(model.os_rates)[arm] * np.exp(lp_d)[:, None],
                                    np.asarray(model.os_breaks_months, dtype=float)[arm])
    # Everyone is alive at the first scan; PD patients die at least a week after their PD scan.
    death_m = np.where(pd_, np.maximum(t_os, prog_m + rng.integers(7, 61, n) / MONTH_DAYS),
                       np.maximum(t_os, s1 + rng.integers(7, 41, n) / MONTH_DAYS))
    ltfu_m = s1 + rng.exponential(1.0, n) / model.loss_to_follow_up_rate
    gap_days = rng.integers(0, 22, n)  # last visit before the cutoff
    limit_m = np.minimum((follow_up_limit_days - gap_days) / MONTH_DAYS, ltfu_m)

    death_day = np.ceil(death_m * MONTH_DAYS)
    alive = death_day > limit_m * MONTH_DAYS
    death_day = np.where(alive, np.nan, death_day)
    last_contact = np.where(alive, np.floor(limit_m * MONTH_DAYS), death_day)
    prog_day = np.round(prog_m * MONTH_DAYS)
    documented = np.isfinite(prog_day) & (prog_day <= last_contact) & (alive | (prog_day < death_day))
    prog_day = np.where(documented, prog_day, np.nan)

    # Scheduled scans performed: those before the PD scan, else up to last contact / the day before death.
    stop = np.where(documented, prog_day - 1, np.where(alive, last_contact, death_day - 1))
    n_scans = (scan_days <= stop[:, None]).sum(axis=1)
    n_scans = np.where(ne, 1, n_scans)
    return Timeline(response, scan_days, n_scans.astype(np.int64), documented, prog_day,
                    t_prog * MONTH_DAYS, death_day, last_contact)


@dataclass(frozen=True, slots=True)
class ObservedEndpoints:
    """OS and PFS as the pipeline derives them from the generated records (days)."""

    os_days: FloatArray
    os_event: IntArray
    pfs_days: FloatArray
    pfs_event: IntArray


def observed_endpoints(tl: Timeline) -> ObservedEndpoints:
    """OS: death or last contact. PFS: documented PD scan or death, else the last adequate scan
    (day 0 when no follow-up scan was assessable), as the protocol's censoring rules define them."""
    dead = ~np.isnan(tl.death_day)
    os_days = np.where(dead, tl.death_day, tl.last_contact_day)
    prog = tl.progressed
    n = tl.n_scans.size
    last_col = np.clip(tl.n_scans - 1, 0, None)
    last_scan = np.where(tl.n_scans > 0, tl.scan_days[np.arange(n), last_col], 0.0)
    last_scan = np.where(tl.response == "NE", 0.0, last_scan)
    pfs_days = np.where(prog, tl.progression_day, np.where(dead, tl.death_day, last_scan))
    pfs_event = (prog | dead).astype(np.int64)
    return ObservedEndpoints(os_days, dead.astype(np.int64), pfs_days, pfs_event)
