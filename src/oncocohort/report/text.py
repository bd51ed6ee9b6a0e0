"""The report's words: a methods section generated from the protocol and the analysis settings, a
results section whose sentences carry the numbers of results.json, and the reproducibility appendix.

Each function returns plain paragraphs (strings) grouped under headings; ``report.html`` and
``report.docx`` lay them out. Numbers are read from results.json and formatted, never computed.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from oncocohort.report import format as f
from oncocohort.report.tables import CRITERIA

Section = tuple[str, list[str]]

ORIGINS = {"treatment_start": "the start of treatment", "enrollment": "enrolment", "diagnosis": "diagnosis",
           "first_response": "the first documented response"}
CENSOR = {"last_contact": "the date of last contact", "last_adequate_assessment": "the last adequate tumour assessment"}


def variable_label(protocol: Any | None, name: str) -> str:
    """The protocol's label of a variable or of a cut-derived variable ('afp_group' -> 'AFP'); 'arm' -> 'treatment arm'."""
    if name == "arm":
        return "treatment arm"
    for v in getattr(protocol, "variables", None) or []:
        if v.name == name:
            return v.label or name
        if v.cut is not None and v.cut.name == name:
            return v.cut.label or v.label or name
    return name


def _labels(results: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a["label"] for a in results["study"]["arms"]}


def _ref_exp(results: dict[str, Any]) -> tuple[str, str] | None:
    arms = [a["id"] for a in results["study"]["arms"]]
    return (arms[0], arms[1]) if results.get("settings", {}).get("two_arm") and len(arms) == 2 else None


def methods_sections(results: dict[str, Any], protocol: Any | None = None,
                     versions: dict[str, str] | None = None) -> list[Section]:
    """Methods: design, eligibility, response, endpoints, safety, statistics, software."""
    study = results["study"]
    s = results.get("settings") or {}
    m = s.get("methods") or {}
    arms = " and ".join(f"{a['label']}" for a in study["arms"])
    design = (f"{str(study.get('type') or 'retrospective').capitalize()} {study.get('design', '')} cohort study "
              f"({arms}); data cut-off {study.get('data_cutoff')}"
              + (f"; registration {study['registration']}" if study.get("registration") else "") + ".")
    if study.get("synthetic"):
        design += " The data are SYNTHETIC (generated, not real patients); every output is labelled so."
    out: list[Section] = [("Study design", [design])]
    if protocol is not None and protocol.eligibility:
        out.append(("Eligibility", ["Patients were analysed when they met every criterion: "
                                    + "; ".join(c.description for c in protocol.eligibility) + ". "
                                    "Patients failing a criterion are counted under the first criterion not met "
                                    "(patient flow figure)."]))
    paras = []
    crit = s.get("response_criteria")
    if crit:
        text = f"Tumour response was assessed by {CRITERIA.get(crit, crit)}"
        if protocol is not None and protocol.response is not None:
            r = protocol.response
            text += (f" at scheduled scans every {r.assessment_interval_days} days"
                     + (f"; CR/PR required confirmation at least {r.confirm_days} days later" if r.confirm_response
                        else "; responses did not require confirmation")
                     + (f"; stable disease required at least {r.min_sd_days} days from the start of treatment"
                        if r.min_sd_days else ""))
        paras.append(text + f". Response rates were analysed in the {s.get('response_population')} population; "
                     "ORR = CR + PR, DCR = CR + PR + SD.")
    if protocol is not None:
        for ep, rule in protocol.endpoints.items():
            events = " or ".join(rule.events)
            paras.append(f"{rule.label or ep.upper()} ({ep.upper()}) was measured from "
                         f"{ORIGINS.get(rule.origin, rule.origin) if ep != 'dor' else 'the first documented response'} "
                         f"to {events}; patients without an event were censored at "
                         f"{CENSOR.get(rule.censor_at, rule.censor_at)}"
                         + ("; at a new anticancer therapy" if rule.censor_at_new_therapy else "")
                         + (f"; events after {rule.censor_after_missed_assessments} or more missed assessments were "
                            "censored at the last adequate assessment" if rule.censor_after_missed_assessments else "")
                         + ". Times are in months (days / 30.4375).")
    out.append(("Response and endpoints", paras))
    if protocol is not None:
        sa = protocol.safety
        windows = "; ".join(f"{w.name} after {', '.join(sa.procedures) or 'a procedure'}" for w in sa.procedure_windows)
        out.append(("Safety", [f"Adverse events were graded by CTCAE v{sa.ctcae_version} and counted from the first "
                               f"dose to {sa.days_after_last_dose} days after the last dose"
                               + (f", and in the procedure windows {windows}" if windows else "")
                               + "; the worst grade per patient and term is tabulated."]))
    conf = s.get("conf_level", 0.95)
    stats = [f"Categorical variables are presented as n (%) and compared by {m.get('categorical_test')}; continuous "
             f"variables as median (range) and compared by the {m.get('continuous_test')} (quartiles {m.get('quartiles')}).",
             f"Proportions have {conf * 100:g}% {m.get('proportion_ci')} confidence intervals.",
             f"Survival was estimated by the Kaplan–Meier method ({m.get('km_ci')}); median CIs by the "
             f"{m.get('median_ci')}; follow-up by the {m.get('followup')} method; arms were compared by the "
             f"{m.get('survival_test')} test and by the RMST difference ({m.get('rmst_difference')})"
             + (f" up to {s['rmst_tau_months']:g} months" if s.get("rmst_tau_months") else "")
             + (f"; landmark rates at {', '.join(f'{x:g}' for x in s.get('landmarks_months') or [])} months." if s.get("landmarks_months") else "."),
             f"Hazard ratios came from {m.get('cox')}, in univariable models and a multivariable model of the "
             "covariates (" + "; ".join(variable_label(protocol, c) for c in (s.get("cox") or {}).get("covariates") or [])
             + "); the proportional-hazards assumption was "
             f"checked by the {m.get('ph_test')}; {m.get('firth')}.",
             (f"Subgroups ({', '.join(variable_label(protocol, g) for g in s.get('subgroups') or [])}): "
              f"{m.get('interaction')}." if s.get("subgroups") else ""),
             f"Adverse events were compared by {m.get('safety_test')}. Two-sided tests at α = {s.get('alpha', 0.05):g}; "
             f"{m.get('multiplicity')}."]
    out.append(("Statistical analysis", [p for p in stats if p]))
    if versions:
        out.append(("Software", ["Analysis and report by " + ", ".join(f"{k} {v}" for k, v in versions.items())
                                 + ". Every number in this report is read from results.json."]))
    return out


def _arm_rate(block: dict[str, Any], name: str) -> str:
    r = block[name]
    return f"{f.percent(r.get('estimate'))}% ({r.get('x')}/{r.get('n')}; 95% CI {f.percent(r.get('lower'))}–{f.percent(r.get('upper'))})"


def _test_name(method: str | None) -> str:
    return (method or "").replace(" (two-sided)", "").replace(" (no continuity correction)", "")


def results_sections(results: dict[str, Any]) -> list[Section]:
    """Results sentences: flow, baseline, response, survival, Cox, subgroups, safety, notes."""
    labels = _labels(results)
    pair = _ref_exp(results)
    alpha = results.get("settings", {}).get("alpha", 0.05)
    out: list[Section] = []
    flow = results.get("flow")
    study = results["study"]
    if flow:
        arms = ", ".join(f"{n} {labels.get(a, a)}" for a, n in (flow.get("analysed") or {}).items())
        out.append(("Patients", [f"Of {flow.get('screened')} patients screened, {flow.get('excluded')} were excluded "
                                 f"and {flow.get('analysed_total')} were analysed ({arms}) (patient flow figure)."]))
    base = results.get("baseline") or {}
    if pair and base.get("rows"):
        diff = [f"{r['label']} ({f.p_phrase(r['p'])})" for r in base["rows"] if r.get("p") is not None and r["p"] < alpha]
        out.append(("Baseline characteristics", [
            "Baseline characteristics are shown in Table I; "
            + (f"they differed between the arms for {', '.join(diff)}." if diff else
               f"no characteristic differed between the arms at the {alpha:g} level.")]))
    resp = results.get("response")
    if resp:
        crit = CRITERIA.get(resp.get("criteria") or "", resp.get("criteria") or "")
        t = resp.get("tests") or {}
        if pair:
            ref, exp = pair
            a, b = resp["by_arm"][exp], resp["by_arm"][ref]
            text = (f"By {crit}, the ORR was {_arm_rate(a, 'orr')} with {labels[exp]} and {_arm_rate(b, 'orr')} with "
                    f"{labels[ref]} ({f.p_phrase(t.get('orr_p'))}, {_test_name(t.get('orr_method'))}); the DCR was "
                    f"{_arm_rate(a, 'dcr')} and {_arm_rate(b, 'dcr')} ({f.p_phrase(t.get('dcr_p'))}, "
                    f"{_test_name(t.get('dcr_method'))}) (Table II).")
        else:
            o = resp["overall"]
            text = f"By {crit}, the ORR was {_arm_rate(o, 'orr')} and the DCR {_arm_rate(o, 'dcr')} (Table II)."
        out.append(("Tumour response", [text]))
    paras = []
    for ep, block in (results.get("survival") or {}).items():
        label = block.get("label") or ep.upper()
        fu = (block["overall"].get("followup") or {}).get("median")
        if pair:
            ref, exp = pair
            e, r = block["by_arm"][exp], block["by_arm"][ref]
            hr = block.get("hr") or {}
            if hr.get("hr") is None or hr.get("hr_lower") is None or hr.get("hr_upper") is None:
                why = str(hr.get("hr_reason") or "").removeprefix("not estimable").lstrip(": ")
                hr_text = "HR not estimable" + (f": {why}" if why else "")
            else:
                hr_text = f"HR {hr['hr']:.2f}, 95% CI {hr['hr_lower']:.2f}–{hr['hr_upper']:.2f}"
            paras.append(f"Median {label.lower()} was {f.fixed(e.get('median'))} months (95% CI "
                         f"{f.ci(e.get('median_lower'), e.get('median_upper'))}) with {labels[exp]} and "
                         f"{f.fixed(r.get('median'))} months ({f.ci(r.get('median_lower'), r.get('median_upper'))}) with "
                         f"{labels[ref]} ({e.get('events')}/{e.get('n')} and {r.get('events')}/{r.get('n')} events; "
                         f"log-rank {f.p_phrase(block.get('logrank_p'))}; {hr_text})"
                         + (f"; median follow-up {f.fixed(fu)} months" if fu is not None else "") + ".")
        else:
            o = block["overall"]
            paras.append(f"Median {label.lower()} was {f.fixed(o.get('median'))} months (95% CI "
                         f"{f.ci(o.get('median_lower'), o.get('median_upper'))}; {o.get('events')}/{o.get('n')} events)"
                         + (f"; median follow-up {f.fixed(fu)} months" if fu is not None else "") + ".")
    if paras:
        out.append(("Survival", paras + ["Kaplan–Meier curves with numbers at risk are shown in the figures; "
                                         "the survival summary table gives landmark rates and RMST."]))
    cox_paras = []
    for ep, cox in (results.get("cox") or {}).items():
        label = (results.get("survival") or {}).get(ep, {}).get("label") or ep.upper()
        arm_row = next((r for r in cox.get("multivariable") or [] if r.get("covariate") == "arm"), None)
        sig = [f"{r.get('covariate_label')}{' ' + str(r['level_label']) if r.get('level_label') else ''} "
               f"(HR {r['hr']:.2f}, {f.p_phrase(r.get('p'))})" for r in cox.get("multivariable") or []
               if r.get("p") is not None and r["p"] < alpha and r.get("covariate") != "arm" and r.get("hr") is not None]
        if arm_row and arm_row.get("hr") is not None:
            text = (f"In the multivariable Cox model of {label.lower()} (n={cox.get('multivariable_n')}, "
                    f"{cox.get('multivariable_events')} events), the HR of {arm_row.get('level_label')} vs "
                    f"{arm_row.get('reference_label')} was {arm_row['hr']:.2f} (95% CI "
                    f"{f.fixed(arm_row.get('hr_lower'), 2, none='NE')}–{f.fixed(arm_row.get('hr_upper'), 2, none='NE')}; "
                    f"{f.p_phrase(arm_row.get('p'))})")
            text += (f"; other covariates with P<{alpha:g}: {', '.join(sig)}." if sig else ".")
        elif cox.get("multivariable_reason"):
            text = f"The multivariable Cox model of {label.lower()} was not fitted: {cox['multivariable_reason']}."
        else:
            continue
        if cox.get("epv_warning"):
            text += f" With {cox.get('epv'):.1f} events per model term the estimates may be unstable."
        cox_paras.append(text)
    for ep, rows in (results.get("subgroups") or {}).items():
        for r in rows:
            if pair and r.get("interaction_p") is not None and r.get("reference_level") == r.get("level"):
                cox_paras.append(f"{(results.get('survival') or {}).get(ep, {}).get('label') or ep}: arm × "
                                 f"{r.get('variable_label')} interaction {f.p_phrase(r['interaction_p'])} (forest plot).")
    if cox_paras:
        out.append(("Prognostic factors and subgroups", cox_paras))
    safety = results.get("safety")
    if safety and safety.get("any_event"):
        anyev = safety["any_event"]
        if pair:
            ref, exp = pair
            e, r = anyev["by_arm"][exp], anyev["by_arm"][ref]
            text = (f"Adverse events of any grade occurred in {e['any_grade']} ({f.fixed(e['any_grade_percent'])}%) "
                    f"patients with {labels[exp]} and {r['any_grade']} ({f.fixed(r['any_grade_percent'])}%) with "
                    f"{labels[ref]}; grade ≥3 in {e['grade_3_plus']} ({f.fixed(e['grade_3_plus_percent'])}%) and "
                    f"{r['grade_3_plus']} ({f.fixed(r['grade_3_plus_percent'])}%) (Table V).")
            sig = [f"{t['term']} grade ≥3 ({f.p_phrase(t['p_grade3'])})" for t in safety["terms"]
                   if t.get("p_grade3") is not None and t["p_grade3"] < alpha]
            sig += [f"{t['term']} any grade ({f.p_phrase(t['p_any'])})" for t in safety["terms"]
                    if t.get("p_any") is not None and t["p_any"] < alpha]
            if sig:
                text += " Between-arm differences at P<" + f"{alpha:g}: " + ", ".join(sig) + "."
            disc = (safety.get("discontinuation") or {}).get("by_arm") or {}
            if exp in disc and ref in disc:
                text += (f" Treatment was discontinued for toxicity in {disc[exp]['toxicity']}/{disc[exp]['n']} "
                         f"({f.fixed(disc[exp]['toxicity_percent'])}%) vs {disc[ref]['toxicity']}/{disc[ref]['n']} "
                         f"({f.fixed(disc[ref]['toxicity_percent'])}%) patients and for progression in "
                         f"{disc[exp]['progression']}/{disc[exp]['n']} ({f.fixed(disc[exp]['progression_percent'])}%) vs "
                         f"{disc[ref]['progression']}/{disc[ref]['n']} ({f.fixed(disc[ref]['progression_percent'])}%).")
        else:
            o = anyev["overall"]
            text = (f"Adverse events of any grade occurred in {o['any_grade']} ({f.fixed(o['any_grade_percent'])}%) "
                    f"of {study.get('n_analysed')} patients; grade ≥3 in {o['grade_3_plus']} "
                    f"({f.fixed(o['grade_3_plus_percent'])}%) (Table V).")
        out.append(("Safety", [text]))
    notes = [f.sentence(n) for n in results.get("notes") or []]
    if notes:
        out.append(("Data notes", notes))
    return out


def _shown_path(path: str | None, base: PurePath | None) -> str | None:
    """A file as the report shows it: relative to the protocol's folder, else its name only. A report
    is passed around; the absolute path (kept in results.json) would show the author's folders and
    user name, and the sha256 beside it identifies the file anyway."""
    if path is None:
        return None
    pure = PurePath(path)
    if base is not None:
        try:
            return pure.relative_to(base).as_posix()
        except ValueError:
            pass
    return pure.name


def reproducibility_items(results: dict[str, Any], *, protocol_text: str | None = None,
                          versions: dict[str, str] | None = None, seed: int | None = None) -> dict[str, Any]:
    """Appendix content: tool and library versions, protocol path and sha256, input files, seed, protocol text."""
    prov = results.get("provenance") or {}
    lib = {k: prov[k] for k in ("python", "numpy", "scipy", "pandas") if prov.get(k)}
    lib.update(versions or {})
    protocol = dict(prov.get("protocol") or {})
    base = PurePath(protocol["path"]).parent if protocol.get("path") else None
    if protocol.get("path"):
        protocol["path"] = _shown_path(protocol["path"], base)
    return {
        "tool": f"{prov.get('tool', 'oncocohort')} {prov.get('version', '')}".strip(),
        "created_at": prov.get("created_at"),
        "schema_version": results.get("schema_version"),
        "versions": lib,
        "protocol": protocol,
        "inputs": [{"table": k, "path": _shown_path(v.get("path"), base), "sha256": v.get("sha256"),
                    "rows": v.get("rows")} for k, v in (prov.get("inputs") or {}).items()],
        "seed": seed,
        "protocol_text": protocol_text,
    }
