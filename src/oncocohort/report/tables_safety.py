"""Safety tables: Table V (adverse events by term, grade ≥ 3 / any grade, per arm, Fisher's P) and the
adverse events per counting window (on treatment, each procedure window). Rendered from results.json
``safety``; nothing is counted here.
"""

from __future__ import annotations

from typing import Any

from oncocohort.report import format as f
from oncocohort.report.tables import ReportTable, TableRow, _finish, _Notes, _two_arm

Grade = tuple[str, str, str]


def _keys(results: dict[str, Any], safety: dict[str, Any], two: bool) -> list[tuple[str, str]]:
    if two:
        return [(a["id"], f"{a['label']} (n={safety['n_by_arm'].get(a['id'], 0)})") for a in results["study"]["arms"]]
    return [("overall", f"All patients (n={sum(safety['n_by_arm'].values())})")]


def _grades(terms: list[dict[str, Any]]) -> list[Grade]:
    """Grade ≥ 3 and any grade; grade 5 in between when any patient had a grade-5 event."""
    grades = [("grade_3_plus", "Grade ≥3", "p_grade3"), ("any_grade", "Any grade", "p_any")]
    if any((t.get("overall") or {}).get("grade_5") for t in terms):
        grades.insert(1, ("grade_5", "Grade 5", "p_grade5"))
    return grades


def _header(first: str, keys: list[tuple[str, str]], grades: list[Grade], two: bool) -> tuple[list, list[str]]:
    per = len(keys) + (1 if two else 0)
    sub = [k[1] for k in keys] + (["P-value"] if two else [])
    header = [[(first, 1)] + [(g[1], per) for g in grades], [("", 1)] + [(h, 1) for _ in grades for h in sub]]
    return header, [first] + [f"{g[1]} – {h}" for g in grades for h in sub]


def _rows(terms: list[dict[str, Any]], keys: list[tuple[str, str]], grades: list[Grade], two: bool,
          label: str = "term") -> list[TableRow]:
    """n (%) per arm and grade band ('0' for none, as the seed paper), Fisher P ('–' without events)."""
    rows = []
    for term in terms:
        line: list[str] = []
        for field_, _, p_key in grades:
            for k, _ in keys:
                b = term["overall"] if k == "overall" else term["by_arm"].get(k, {})
                line.append(f.n_pct({"n": b.get(field_, 0), "percent": b.get(f"{field_}_percent")}, zero_plain=True))
            if two:
                line.append(f.p_value(term.get(p_key)))
        name = str(term.get(label) or term.get("term"))
        rows.append(TableRow((name[:1].upper() + name[1:], *line), heading=term.get("kind") == "any"))
    return rows


def safety_table(results: dict[str, Any]) -> ReportTable | None:
    """Table V: adverse events, grade ≥ 3 and any grade, n (%) per arm, Fisher's exact P."""
    safety = results.get("safety")
    if not safety:
        return None
    two = _two_arm(results)
    keys = _keys(results, safety, two)
    grades = _grades([safety.get("any_event") or {}] + safety["terms"])
    header, columns = _header("AEs", keys, grades, two)
    notes = _Notes()
    terms = ([safety["any_event"]] if safety.get("any_event") else []) + list(safety["terms"])
    rows = _rows(terms, keys, grades, two)
    notes.add(f"Data are presented as n (%) of patients (worst grade per patient); AEs graded by CTCAE v{safety.get('ctcae_version')}")
    notes.add("Grade ≥3 includes grade 5")
    if two:
        notes.add(f"Between-arm comparisons: {safety.get('test')}; – no patient with the event in either arm")
    windows = [w.get("window") or w.get("term") for w in safety.get("by_window") or []]
    if windows:
        notes.add("Events counted within the safety windows: " + ", ".join(windows))
    for n in safety.get("notes") or []:
        notes.add(n)
    return _finish("table5_safety", "Adverse events by arm.", header, columns, rows, notes)



def window_table(results: dict[str, Any]) -> ReportTable | None:
    """Patients with any adverse event per counting window (on treatment, each procedure window)."""
    safety: dict[str, Any] = results.get("safety") or {}
    windows = safety.get("by_window") or []
    if not windows:
        return None
    two = _two_arm(results)
    keys = _keys(results, safety, two)
    grades = _grades(windows)
    header, columns = _header("Window", keys, grades, two)
    notes = _Notes()
    notes.add("Patients with at least one adverse event counted in the window, n (%); worst grade per patient")
    if two:
        notes.add(f"Between-arm comparisons: {safety.get('test')}")
    return _finish("safety_windows", "Adverse events by counting window.", header, columns,
                   _rows(windows, keys, grades, two, label="window"), notes)
