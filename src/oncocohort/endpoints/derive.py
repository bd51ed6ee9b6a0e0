"""``derive_study``: a validated study → ADaM-like derived tables (ADSL, ADTTE, ADRS, ADAE) and the flow.

Contract: docs/architecture.md item 4; every column is documented in docs/derived-data.md. This
module only assembles; each rule is a function of its own module:

* eligibility and flow — :mod:`oncocohort.cohort`;
* responses, progression dates, adequate assessments — :mod:`.response_source`;
* time-to-event rows and censoring — :mod:`.time_to_event`, :mod:`.censoring`;
* adverse events — :mod:`.adae`, :mod:`.safety`, :mod:`.ctcae`.

References
----------
[1] CDISC ADaM Implementation Guide v1.3 §3.2 (ADSL: one record per subject), ADTTE v1.0, OCCDS v1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from oncocohort.cohort import EligibilityFlow, derive_eligibility, derive_flow, type_baseline_variables
from oncocohort.endpoints.adae import derive_adae
from oncocohort.endpoints.response_source import (
    ResponseData,
    derive_adequate_assessments,
    evaluate_study_responses,
    resolve_progression_date,
)
from oncocohort.endpoints.safety import flag_discontinuation
from oncocohort.endpoints.time_to_event import ADTTE_COLUMNS, derive_endpoint
from oncocohort.errors import Note, ValidationProblem
from oncocohort.protocol.schema import Protocol

DATE_COLUMNS = ("treatment_start_date", "diagnosis_date", "enrollment_date", "death_date", "last_contact_date",
                "new_therapy_date", "last_assessment_date")
ADRS_COLUMNS = ("patient_id", "arm", "param", "visit_date", "response", "target_sum_mm", "pct_change_baseline",
                "pct_change_nadir", "source")
# Contract values for adsl.best_response are CR/PR/SD/PD/NE; iRECIST and non-target-only calls are
# reported at that level (the engine's call is kept in best_response_detail).
_BEST_TO_CONTRACT = {"iCR": "CR", "iPR": "PR", "iSD": "SD", "iCPD": "PD", "iUPD": "PD", "NON-CR/NON-PD": "SD"}


@dataclass(frozen=True, slots=True)
class DerivedStudy:
    """Derived tables of one study (docs/architecture.md item 4; columns in docs/derived-data.md).

    Attributes
    ----------
    protocol : the study protocol.
    adsl : one row per screened patient. adtte : one row per analysed patient and endpoint.
    adrs : per-visit (``OVR``) and best (``BOR``) responses of analysed patients.
    adae : every recorded adverse event (``included`` says whether it is counted).
    flow : STROBE/CONSORT counts. response_visits / response_best : response engine output (analysed
        patients). labs, treatments : validated tables of analysed patients.
    response_source : where responses came from. notes : data decisions. problems : warnings found
        while deriving (unknown CTCAE terms, undefined grades, grade-5 without death, engine warnings).
    """

    protocol: Protocol
    adsl: pd.DataFrame
    adtte: pd.DataFrame
    adrs: pd.DataFrame
    adae: pd.DataFrame
    flow: EligibilityFlow
    response_visits: pd.DataFrame
    response_best: pd.DataFrame
    labs: pd.DataFrame
    treatments: pd.DataFrame
    response_source: str
    notes: tuple[Note, ...] = ()
    problems: tuple[ValidationProblem, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four derived tables by name (for files and the study database)."""
        return {"adsl": self.adsl, "adtte": self.adtte, "adrs": self.adrs, "adae": self.adae}


def _table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    frame = tables.get(name)
    return frame if frame is not None else pd.DataFrame({"patient_id": pd.Series(dtype=str)})


def _with_dates(patients: pd.DataFrame) -> pd.DataFrame:
    p = patients.copy()
    p["patient_id"] = p["patient_id"].astype(str)
    for col in (*DATE_COLUMNS, "progression_date"):
        p[col] = p[col].astype("datetime64[ns]") if col in p else pd.Series(pd.NaT, index=p.index,
                                                                          dtype="datetime64[ns]")
    if "best_response" not in p:
        p["best_response"] = pd.NA
    return p


def derive_best_response(patients: pd.DataFrame, responses: ResponseData) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """Best response per patient (index ``patient_id``): engine result first, else the recorded value.

    Columns: ``best_response`` (CR/PR/SD/PD/NE), ``best_response_detail`` (the call as made, e.g.
    iCPD, NON-CR/NON-PD), ``best_response_source``, ``best_pct_change``, ``first_response_date``,
    ``derived_progression_date``.
    """
    pid = patients["patient_id"]
    out = pd.DataFrame(index=pd.Index(pid, name="patient_id"))
    best = responses.best.set_index(responses.best["patient_id"].astype(str)) if len(responses.best) else None
    recorded = pd.Series(patients["best_response"].astype("string").to_numpy(), index=out.index)
    engine = (best["best_response"].astype("string").reindex(out.index) if best is not None
              else pd.Series(pd.NA, index=out.index, dtype="string"))
    detail = engine.fillna(recorded)
    out["best_response"] = detail.replace(_BEST_TO_CONTRACT).astype("string")
    out["best_response_detail"] = detail
    source = pd.Series(pd.NA, index=out.index, dtype="string").mask(recorded.notna(), "recorded")
    out["best_response_source"] = source.mask(engine.notna(), responses.source)
    for col, dtype in (("best_pct_change", "float64"), ("first_response_date", "datetime64[ns]"),
                       ("progression_date", "datetime64[ns]")):
        name = "derived_progression_date" if col == "progression_date" else col
        out[name] = (best[col].reindex(out.index).astype(dtype) if best is not None and col in best
                     else pd.Series(float("nan") if dtype == "float64" else pd.NaT, index=out.index, dtype=dtype))
    notes = []
    differ = engine.notna() & recorded.notna() & (engine != recorded)
    if differ.any():
        notes.append(Note("recorded best response differs from the one derived by the response engine; the "
                          "derived one is used", int(differ.sum()),
                          {"patients": {p: {"recorded": recorded[p], "derived": engine[p]} for p in out.index[differ]}}))
    return out, tuple(notes)


def derive_adsl(protocol: Protocol, patients: pd.DataFrame, responses: ResponseData, treatments: pd.DataFrame
                ) -> tuple[pd.DataFrame, EligibilityFlow, tuple[Note, ...]]:
    """The subject-level table: eligibility, dates, typed variables, responses, progression, discontinuation.

    Steps
    -----
    1. Eligibility per criterion and the flow (:mod:`oncocohort.cohort`).
    2. Protocol variables typed, cut-derived groups added.
    3. Best response (:func:`derive_best_response`) and the first documented progression date
       (:func:`resolve_progression_date`).
    4. Discontinuation due to toxicity / progression from drug ``stop_reason``.
    """
    elig = derive_eligibility(patients, protocol.eligibility)
    labels = {a.id: a.label for a in protocol.arms}
    flow = derive_flow(elig, protocol.arm_ids, arm_labels=labels)
    e = elig.table
    adsl = pd.DataFrame({"patient_id": patients["patient_id"].to_numpy(),
                         "arm": e["arm"].to_numpy()}).astype({"arm": "string"})
    adsl["arm_label"] = adsl["arm"].map(labels).astype("string")
    for col in ("eligible", "exclusion_reason", "exclusion_reasons", "analysed"):
        adsl[col] = e[col].to_numpy()
    adsl = adsl.astype({"eligible": bool, "analysed": bool, "exclusion_reason": "string", "exclusion_reasons": "string"})
    for col in DATE_COLUMNS:
        adsl[col] = patients[col].to_numpy()
    typed = type_baseline_variables(patients, protocol.variables)
    for col in typed.columns:
        adsl[col] = typed[col].to_numpy() if not isinstance(typed[col].dtype, pd.CategoricalDtype) else typed[col].array
    best, notes = derive_best_response(patients, responses)
    notes = tuple(elig.notes) + tuple(notes)
    prog, prog_notes = resolve_progression_date(
        patients.set_index("patient_id")["progression_date"], best["derived_progression_date"].dropna(),
        derived_source=responses.source)
    best = best.join(prog.reindex(best.index))
    for col in ("best_response", "best_response_detail", "best_response_source", "best_pct_change",
                "first_response_date", "progression_date", "progression_source"):
        adsl[col] = best[col].to_numpy()
    disc = flag_discontinuation(treatments, patients["patient_id"])
    adsl["discontinued_toxicity"] = disc["discontinued_toxicity"].to_numpy()
    adsl["discontinued_progression"] = disc["discontinued_progression"].to_numpy()
    for crit in protocol.eligibility:
        adsl[f"pass_{crit.id}"] = e[f"pass_{crit.id}"].to_numpy()
    adsl["synthetic"] = bool(protocol.study.synthetic)
    return adsl, flow, notes + prog_notes


def derive_adtte(protocol: Protocol, adsl: pd.DataFrame, assessments: pd.DataFrame
                 ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """Time-to-event rows of analysed patients for every endpoint of the protocol (OS, PFS, TTP, DoR)."""
    subjects = adsl[adsl["analysed"]].set_index("patient_id")
    interval = protocol.response.assessment_interval_days if protocol.response is not None else None
    frames, notes = [], []
    for name, rule in protocol.endpoints.items():
        subj = subjects
        if name == "dor":  # responders only: best response CR/PR with a first response date
            subj = subjects[subjects["best_response"].isin(["CR", "PR"]).fillna(False).to_numpy(bool)]
            lacking = subj["first_response_date"].isna()
            if lacking.any():
                notes.append(Note("dor: responders without a first response date (recorded best response "
                                  "only) have no duration of response", int(lacking.sum())))
        rows, more = derive_endpoint(subj, assessments, rule, endpoint=name,
                                     data_cutoff=pd.Timestamp(protocol.data_cutoff), assessment_interval_days=interval)
        frames.append(rows)
        notes.extend(more)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ADTTE_COLUMNS}), tuple(notes)
    return pd.concat(frames, ignore_index=True), tuple(notes)


def derive_adrs(adsl: pd.DataFrame, responses: ResponseData) -> pd.DataFrame:
    """Per-visit (``OVR``) and best (``BOR``) responses of analysed patients, with their source."""
    analysed = adsl[adsl["analysed"]]
    arm = pd.Series(analysed["arm"].to_numpy(), index=analysed["patient_id"].astype(str))
    v = responses.visits
    parts = []
    if len(v) and "overall_response" in v:
        v = v[v["patient_id"].astype(str).isin(arm.index)]
        parts.append(pd.DataFrame({
            "patient_id": v["patient_id"].astype(str), "arm": v["patient_id"].astype(str).map(arm),
            "param": "OVR", "visit_date": v["visit_date"], "response": v["overall_response"],
            "target_sum_mm": v.get("target_sum_mm", pd.Series(float("nan"), index=v.index)),
            "pct_change_baseline": v.get("pct_change_baseline", pd.Series(float("nan"), index=v.index)),
            "pct_change_nadir": v.get("pct_change_nadir", pd.Series(float("nan"), index=v.index)),
            "source": responses.source}))
    bor = analysed[analysed["best_response_detail"].notna()]
    parts.append(pd.DataFrame({
        "patient_id": bor["patient_id"].astype(str), "arm": bor["arm"], "param": "BOR", "visit_date": pd.NaT,
        "response": bor["best_response_detail"], "target_sum_mm": float("nan"),
        "pct_change_baseline": bor["best_pct_change"], "pct_change_nadir": float("nan"),
        "source": bor["best_response_source"]}))
    out = pd.concat(parts, ignore_index=True)
    out = out.astype({"patient_id": str, "arm": "string", "param": "string", "response": "string",
                      "source": "string", "visit_date": "datetime64[ns]", "target_sum_mm": "float64",
                      "pct_change_baseline": "float64", "pct_change_nadir": "float64"})
    return out[list(ADRS_COLUMNS)].sort_values(["patient_id", "param", "visit_date"], kind="stable",
                                                na_position="last").reset_index(drop=True)


def derive_study(validated: Any) -> DerivedStudy:
    """All derived tables of a validated study (``ValidatedStudy``: ``protocol``, ``tables``).

    Source: docs/architecture.md item 4; rules in the modules listed above.

    Steps
    -----
    1. Responses from the richest source (lesions → visit responses → recorded).
    2. ADSL with eligibility, flow, typed variables, best response, progression, discontinuation.
    3. Adequate assessments → ADTTE for each protocol endpoint (analysed patients).
    4. ADRS; ADAE with windows and inclusion; engine output, labs and treatments of analysed patients.
    """
    protocol: Protocol = validated.protocol
    tables = dict(validated.tables)
    patients = _with_dates(tables["patients"])
    treatments = _table(tables, "treatments")
    responses = evaluate_study_responses({**tables, "patients": patients}, protocol.response,
                                         data_cutoff=pd.Timestamp(protocol.data_cutoff))
    adsl, flow, notes = derive_adsl(protocol, patients, responses, treatments)
    assessments = derive_adequate_assessments(responses, patients)
    adtte, tte_notes = derive_adtte(protocol, adsl, assessments)
    adrs = derive_adrs(adsl, responses)
    analysed = pd.Series(adsl["analysed"].to_numpy(), index=adsl["patient_id"].astype(str))
    adae, ae_problems, ae_notes = derive_adae(_table(tables, "adverse_events"), treatments, patients, analysed,
                                              protocol.safety, data_cutoff=pd.Timestamp(protocol.data_cutoff))
    keep = set(analysed.index[analysed.to_numpy()])

    def only_analysed(frame: pd.DataFrame) -> pd.DataFrame:
        if not len(frame) or "patient_id" not in frame:
            return frame
        return frame[frame["patient_id"].astype(str).isin(keep)].reset_index(drop=True)

    return DerivedStudy(
        protocol=protocol, adsl=adsl, adtte=adtte, adrs=adrs, adae=adae, flow=flow,
        response_visits=only_analysed(responses.visits), response_best=only_analysed(responses.best),
        labs=only_analysed(_table(tables, "labs")), treatments=only_analysed(treatments),
        response_source=responses.source, notes=tuple(responses.notes) + notes + tte_notes + ae_notes,
        problems=tuple(responses.problems) + ae_problems)
