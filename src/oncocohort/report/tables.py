"""Journal-style tables built from results.json (the seed paper's Tables I–V plus a survival summary;
the safety tables are in ``report.tables_safety``).

Each builder returns a :class:`ReportTable`: a title, one or two header rows (cells with column
spans), body rows (label indented under its variable heading) and footnotes naming the tests and
abbreviations. Writers for CSV, Markdown and HTML live in ``report.table_writers``, Word in
``report.docx``. Numbers are formatted, never computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from oncocohort.report import format as f

ABBREVIATIONS = {
    "AE": "adverse event", "AEs": "adverse events", "AFP": "α-fetoprotein", "ALT": "alanine aminotransferase",
    "BCLC": "Barcelona Clinic Liver Cancer", "CI": "confidence interval", "CNLC": "China Liver Cancer",
    "CR": "complete response", "CTCAE": "Common Terminology Criteria for Adverse Events",
    "DCR": "disease control rate", "DoR": "duration of response", "ECOG": "Eastern Cooperative Oncology Group",
    "EPV": "events per variable", "HBsAg": "hepatitis B surface antigen", "HCC": "hepatocellular carcinoma",
    "HR": "hazard ratio", "ICIs": "immune checkpoint inhibitors", "ICI": "immune checkpoint inhibitor",
    "IQR": "interquartile range", "MWA": "microwave ablation", "NE": "not estimable / not assessable",
    "NR": "not reached", "ORR": "objective response rate", "OS": "overall survival", "PD": "progressive disease",
    "PFS": "progression-free survival", "PR": "partial response", "RMST": "restricted mean survival time",
    "SD": "stable disease", "TACE": "transarterial chemoembolization", "TTP": "time to progression",
    "HCV": "hepatitis C virus", "HBV": "hepatitis B virus", "PD-1": "programmed cell death protein 1",
    "PVTT": "portal vein tumour thrombus", "mRECIST": "modified Response Evaluation Criteria in Solid Tumors",
    "RECIST": "Response Evaluation Criteria in Solid Tumors",
}
RESPONSE_ROWS = (("CR", "CR"), ("PR", "PR"), ("SD", "SD"), ("PD", "PD"), ("NE", "Not assessable"))
CRITERIA = {"recist1.1": "RECIST 1.1", "mrecist": "mRECIST", "irecist": "iRECIST"}


@dataclass(frozen=True, slots=True)
class TableRow:
    """One body row: cells (first = label), indent level, and whether it is a variable heading."""

    cells: tuple[str, ...]
    indent: int = 0
    heading: bool = False


@dataclass(frozen=True, slots=True)
class ReportTable:
    """A journal table: ``header`` rows of (text, column span); ``columns`` = flat names (CSV, Markdown)."""

    key: str
    title: str
    header: tuple[tuple[tuple[str, int], ...], ...]
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    footnotes: tuple[str, ...] = ()
    number: str = ""

    def caption(self) -> str:
        return f"Table {self.number}. {self.title}" if self.number else self.title

    def to_records(self) -> list[dict[str, str]]:
        """Rows as dicts keyed by the flat column names (labels indented with two spaces per level)."""
        return [dict(zip(self.columns, ("  " * r.indent + r.cells[0],) + r.cells[1:], strict=True)) for r in self.rows]


@dataclass
class _Notes:
    """Collects footnotes; ``mark(text)`` returns the superscript marker of a (deduplicated) note."""

    marked: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)

    def mark(self, text: str) -> str:
        text = f.sentence(text)
        if text not in self.marked:
            self.marked.append(text)
        return f.marker(self.marked.index(text))

    def add(self, text: str | None) -> None:
        if text:
            self.plain.append(f.sentence(text))

    def done(self, table_text: str) -> tuple[str, ...]:
        abbrev = abbreviations(table_text + " " + " ".join(self.plain + self.marked))
        out = self.plain + [f"{f.marker(i)}{t}" for i, t in enumerate(self.marked)]
        return tuple(out + ([abbrev] if abbrev else []))


def abbreviations(text: str) -> str:
    """'ECOG, Eastern Cooperative Oncology Group; …' for the known abbreviations that ``text`` uses."""
    found = [k for k in ABBREVIATIONS if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]
    return "; ".join(f"{k}, {ABBREVIATIONS[k]}" for k in found) + ("." if found else "")


def _arms(results: dict[str, Any]) -> list[dict[str, Any]]:
    return list(results["study"]["arms"])


def _two_arm(results: dict[str, Any]) -> bool:
    return bool(results.get("settings", {}).get("two_arm"))


def _finish(key: str, title: str, header: list[list[tuple[str, int]]], columns: list[str], rows: list[TableRow],
            notes: _Notes) -> ReportTable:
    text = " ".join(c for r in rows for c in r.cells) + " " + " ".join(columns) + " " + title
    return ReportTable(key, title, tuple(tuple(h) for h in header), tuple(columns), tuple(rows), notes.done(text))


def baseline_table(results: dict[str, Any]) -> ReportTable:
    """Table I: baseline characteristics, n (%) and median (range), P by the paper's test rule."""
    base = results["baseline"]
    two = _two_arm(results)
    arms = _arms(results)
    groups = [(a["id"], f"{a['label']} (n={base['n_by_arm'].get(a['id'], 0)})") for a in arms]
    if not two:
        groups = [("overall", f"All patients (n={base['n_overall']})")]
    columns = ["Variables"] + [g[1] for g in groups] + (["P-value"] if two else [])
    notes = _Notes()
    rows: list[TableRow] = []
    methods: dict[str, list[str]] = {}
    for row in base["rows"]:
        label = row["label"] or row["variable"]
        p = f.p_value(row.get("p"))
        if two and row.get("method"):
            methods.setdefault(row["method"], []).append(label)
        if two and row.get("p") is None and row.get("p_reason"):
            label += notes.mark(f"no P-value: {row['p_reason']}")
        if row["kind"] == "continuous":
            cells = []
            for key, _ in groups:
                s = (row.get("summary") or {}).get(key) or {}
                cells.append(f"{f.number(s.get('median'))} ({f.number(s.get('min'))}–{f.number(s.get('max'))})"
                             if s.get("n") else f.DASH)
            unit = f", {row['unit']}" if row.get("unit") and row["unit"] not in label else ""
            rows.append(TableRow((f"{label}{unit}, median (range)", *cells) + ((p,) if two else ())))
            missing = [((row.get("summary") or {}).get(k) or {}).get("n_missing", 0) for k, _ in groups]
            if any(missing):
                rows.append(TableRow(("Missing", *[str(m) for m in missing]) + (("",) if two else ()), indent=1))
            continue
        rows.append(TableRow((label, *[""] * len(groups)) + ((p,) if two else ()), heading=True))
        for level in row.get("levels") or []:
            cells = [f.n_pct(level["overall"] if k == "overall" else level["by_arm"].get(k)) for k, _ in groups]
            rows.append(TableRow((str(level.get("label") or level["level"]), *cells) + (("",) if two else ()),
                                 indent=1))
        miss = row.get("missing") or {}
        counts = [miss.get("overall") if k == "overall" else (miss.get("by_arm") or {}).get(k) for k, _ in groups]
        if any((c or {}).get("n") for c in counts):
            rows.append(TableRow(("Missing", *[f.n_pct(c) for c in counts]) + (("",) if two else ()), indent=1))
        if row.get("untested_levels"):
            notes.add(f"{label}: level(s) {', '.join(map(str, row['untested_levels']))} seen in no patient and left "
                      "out of the test")
    notes.add("Data are presented as n (%) or median (range)")
    if two:
        rule = results.get("settings", {}).get("methods", {}).get("categorical_test")
        used = "; ".join(f"{m} ({', '.join(v)})" for m, v in methods.items())
        notes.add(f"P-values: {used}" if used else None)
        notes.add(f"Categorical variables: {rule}" if rule else None)
    for n in base.get("notes") or []:
        notes.add(n)
    header = [[(c, 1) for c in columns]]
    return _finish("table1_baseline", "Patient baseline demographic and clinical characteristics.", header,
                   columns, rows, notes)


def response_table(results: dict[str, Any]) -> ReportTable | None:
    """Table II: best overall response, ORR and DCR with exact CIs and the between-arm tests."""
    resp = results.get("response")
    if not resp:
        return None
    two = _two_arm(results)
    keys = [(a["id"], a["label"]) for a in _arms(results)] if two else [("overall", "All patients")]
    blocks = {k: (resp["by_arm"][k] if k != "overall" else resp["overall"]) for k, _ in keys}
    columns = ["Response"] + [f"{lab} (n={blocks[k]['n']})" for k, lab in keys] + (["P-value"] if two else [])
    notes = _Notes()
    tests = resp.get("tests") or {}
    crit = CRITERIA.get(resp.get("criteria") or "", resp.get("criteria") or "")
    conf = results.get("settings", {}).get("conf_level", 0.95)

    def pcell(name: str) -> tuple[str, ...]:
        if not two:
            return ()
        p = tests.get(f"{name}_p")
        if p is None:
            return (f.DASH,)
        return (f.p_value(p) + notes.mark(f"{tests.get(f'{name}_method')}: {tests.get(f'{name}_test_reason')}"),)

    rows = [TableRow((f"Best overall response ({crit})" if crit else "Best overall response",
                      *[""] * len(keys)) + pcell("distribution"), heading=True)]
    for code, label in RESPONSE_ROWS:
        cells = [f.n_pct({"n": blocks[k]["counts"].get(code, 0), "percent": blocks[k]["percent"].get(code)})
                 for k, _ in keys]
        rows.append(TableRow((label, *cells) + (("",) if two else ()), indent=1))
    for name, label in (("orr", "ORR"), ("dcr", "DCR")):
        cells = []
        for k, _ in keys:
            r = blocks[k][name]
            cells.append(f"{f.percent(r.get('estimate'))} ({f.percent(r.get('lower'))}–{f.percent(r.get('upper'))})")
        rows.append(TableRow((f"{label}, % ({conf * 100:g}% CI)", *cells) + pcell(name)))
    pop = resp.get("population")
    if pop == "intention-to-treat":
        notes.add("ORR (CR + PR) and DCR (CR + PR + SD) on an intention-to-treat basis: patients not assessable "
                  "count as non-responders")
    else:
        notes.add(f"ORR and DCR among {pop} patients")
    notes.add(f"Response categories n (%); {conf * 100:g}% CIs by the Clopper–Pearson exact method")
    sens = resp.get("sensitivity")
    if sens and two:
        s_tests = sens.get("tests") or {}
        parts = [f"{name.upper()} {' vs '.join(f.percent(sens['by_arm'][k][name].get('estimate')) + '%' for k, _ in keys)}"
                 f" ({f.p_phrase(s_tests.get(f'{name}_p'))})" for name in ("orr", "dcr")]
        notes.add(f"Sensitivity analysis ({sens.get('population')} patients): " + "; ".join(parts))
    for n in resp.get("notes") or []:
        notes.add(n)
    return _finish("table2_response", "Short-term efficacy.", [[(c, 1) for c in columns]], columns, rows, notes)


def _term_label(row: dict[str, Any]) -> str:
    if row.get("level") is None:
        return f"{row.get('covariate_label') or row['covariate']} (per unit)"
    return f"{row.get('covariate_label') or row['covariate']} ({row.get('level_label')} vs {row.get('reference_label')})"


def cox_table(results: dict[str, Any], endpoint: str) -> ReportTable | None:
    """Tables III–IV: univariable and multivariable Cox HRs (95% CI) and Wald P (+ Firth when fitted)."""
    cox = (results.get("cox") or {}).get(endpoint)
    if not cox:
        return None
    notes = _Notes()
    conf = results.get("settings", {}).get("conf_level", 0.95)
    multi = {r["term"]: r for r in cox.get("multivariable") or []}
    firth_rows = {r["term"]: r for r in ((cox.get("firth") or {}).get("rows") or [])}
    blocks = [("Univariable analysis", None), ("Multivariable analysis", multi)]
    if firth_rows:
        blocks.append(("Firth-penalised multivariable", firth_rows))
    hr_head = f"HR ({conf * 100:g}% CI)"
    header = [[("Variables", 1)] + [(b, 2) for b, _ in blocks], [("", 1)] + [(h, 1) for _ in blocks for h in (hr_head, "P-value")]]
    columns = ["Variables"] + [f"{b} – {h}" for b, _ in blocks for h in (hr_head, "P-value")]
    multi_reason = cox.get("multivariable_reason")
    multi_mark = notes.mark(multi_reason) if not multi and multi_reason else ""

    def cells(row: dict[str, Any] | None, missing_mark: str = "") -> tuple[str, str]:
        if row is None:
            return (f.DASH + missing_mark, f.DASH)
        hr = f.hr_ci(row.get("hr"), row.get("hr_lower"), row.get("hr_upper"))
        if row.get("hr") is None and row.get("hr_reason"):
            hr += notes.mark(row["hr_reason"])
        return hr, f.p_value(row.get("p"))

    rows: list[TableRow] = []
    by_cov: dict[str, list[dict[str, Any]]] = {}
    for r in cox.get("univariable") or []:
        by_cov.setdefault(r["covariate"], []).append(r)
    for cov, terms in by_cov.items():
        grouped = len(terms) > 1
        if grouped:
            t0 = terms[0]
            rows.append(TableRow((f"{t0.get('covariate_label') or cov} (ref. {t0.get('reference_label')})",)
                                 + ("",) * (2 * len(blocks)), heading=True))
        for r in terms:
            label = str(r.get("level_label")) if grouped else _term_label(r)
            line: tuple[str, ...] = cells(r)
            for _, table in blocks[1:]:
                line += cells((table or {}).get(r["term"]), multi_mark if table is multi else "")
            rows.append(TableRow((label, *line), indent=1 if grouped else 0))
    for failed in cox.get("univariable_failed") or []:
        notes.add(f"{failed.get('covariate')}: univariable model not fitted ({failed.get('reason')})")
    ties = results.get("settings", {}).get("cox", {}).get("ties", "efron")
    notes.add(f"Cox proportional hazards models ({ties} ties); HRs with Wald {conf * 100:g}% CIs and Wald P-values; "
              "univariable models use each covariate's complete cases")
    if multi:
        notes.add(f"Multivariable model: n={cox.get('multivariable_n')}, {cox.get('multivariable_events')} events"
                  + (f", {cox['multivariable_n_dropped']} patients with missing covariates left out"
                     if cox.get("multivariable_n_dropped") else ""))
    if cox.get("epv") is not None:
        notes.add(f"Events per model term (EPV) = {cox['epv']:.1f}" + ("; below 10, estimates may be unstable"
                                                                       if cox.get("epv_warning") else ""))
    ph = cox.get("ph_test") or {}
    if ph.get("global"):
        notes.add(f"Proportional-hazards test (Grambsch–Therneau, cox.zph): global {f.p_phrase(ph['global'].get('p'))}")
    if firth_rows:
        notes.add("Firth-penalised Cox: profile penalised-likelihood CIs and penalised likelihood-ratio P (as R coxphf)")
    for w in cox.get("multivariable_warnings") or []:
        notes.add(f"Multivariable model: {w}")
    label = (results.get("survival") or {}).get(endpoint, {}).get("label") or endpoint.upper()
    return _finish(f"cox_{endpoint}", f"Univariable and multivariable Cox analysis of {label.lower()}.", header,
                   columns, rows, notes)


def survival_table(results: dict[str, Any]) -> ReportTable | None:
    """Survival summary: n, events, median (95% CI), landmark rates, RMST per group; log-rank P and HR."""
    surv = results.get("survival") or {}
    if not surv:
        return None
    two = _two_arm(results)
    conf = results.get("settings", {}).get("conf_level", 0.95)
    pct = f"{conf * 100:g}%"
    marks = results.get("settings", {}).get("landmarks_months") or []
    tau = results.get("settings", {}).get("rmst_tau_months")
    columns = (["Endpoint / group", "n", "Events", f"Median, months ({pct} CI)"]
               + [f"{m:g}-month rate, % ({pct} CI)" for m in marks]
               + ([f"RMST to {tau:g} months ({pct} CI)"] if tau else [])
               + (["Log-rank P", f"HR ({pct} CI)"] if two else []))
    labels = {a["id"]: a["label"] for a in _arms(results)}
    notes = _Notes()
    rows: list[TableRow] = []
    for ep, block in surv.items():
        hr = block.get("hr") or {}
        extra = (f.p_value(block.get("logrank_p")), f.hr_ci(hr.get("hr"), hr.get("hr_lower"), hr.get("hr_upper"))) if two else ()
        rows.append(TableRow((block.get("label") or ep, "", "", "") + ("",) * len(marks) + (("",) if tau else ()) + extra,
                             heading=True))
        groups = [("All patients", block["overall"])] + ([(labels[a], block["by_arm"][a]) for a in labels] if two else [])
        for name, g in groups:
            lm = {round(x["time"], 6): x for x in g.get("landmarks") or []}
            cells = [str(g.get("n", 0)), str(g.get("events", 0)), f.estimate_ci(g.get("median"), g.get("median_lower"), g.get("median_upper"))]
            for m in marks:
                x = lm.get(round(m, 6))
                if not x or x.get("surv") is None:
                    cells.append(f.DASH)
                elif x.get("lower") is None and x.get("upper") is None:  # S(t) = 0: R gives no band
                    cells.append(f.percent(x["surv"]))
                else:
                    cells.append(f"{f.percent(x['surv'])} ({f.percent(x.get('lower'))}–{f.percent(x.get('upper'))})")
            if tau:
                r = g.get("rmst") or {}
                cells.append(f.estimate_ci(r.get("estimate"), r.get("lower"), r.get("upper")) if r.get("estimate") is not None else f.DASH)
            rows.append(TableRow((name, *cells) + (("", "") if two else ()), indent=1))
    s = results.get("settings", {}).get("methods", {})
    notes.add(f"Kaplan–Meier estimates; {s.get('km_ci', 'pointwise CIs')}; median CIs: {s.get('median_ci', 'Brookmeyer–Crowley')}; NR, not reached")
    if two:
        notes.add("Log-rank test; HR of the experimental arm vs the reference arm from an unadjusted Cox model (Wald CI)")
    return _finish("survival_summary", "Survival outcomes.", [[(c, 1) for c in columns]], columns, rows, notes)


def build_tables(results: dict[str, Any]) -> list[ReportTable]:
    from oncocohort.report.tables_safety import safety_table, window_table

    """Every table of the report, numbered I, II, … in the seed paper's order."""
    tables = [baseline_table(results), response_table(results)]
    tables += [cox_table(results, ep) for ep in (results.get("cox") or {})]
    tables += [safety_table(results), survival_table(results), window_table(results)]
    present = [t for t in tables if t is not None]
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    return [ReportTable(t.key, t.title, t.header, t.columns, t.rows, t.footnotes, roman[i]) for i, t in enumerate(present)]
