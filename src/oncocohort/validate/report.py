"""The validation report as files: ``validation-report.csv`` (one row per problem) and ``.txt``.

The text file is what a data manager reads: a summary line, then errors and warnings grouped by
table, each with the patient id, where in the file, the column, the value and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from oncocohort.errors import ValidationProblem, problems_to_frame

REPORT_STEM = "validation-report"


def format_report_text(problems: Sequence[ValidationProblem], *, title: str = "") -> str:
    """Human-readable report; deterministic (snapshot-tested)."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    lines = [f"Validation report{': ' + title if title else ''}",
             f"{len(errors)} error(s), {len(warnings)} warning(s)"]
    if not problems:
        lines.append("No problems found.")
    for heading, group in (("ERRORS (the run stops until they are fixed)", errors),
                           ("WARNINGS (the run goes on)", warnings)):
        if not group:
            continue
        lines += ["", heading]
        table = None
        for p in group:
            if p.table != table:
                table = p.table
                lines.append(f"  {table}:")
            who = f"patient {p.row}" if p.row is not None else "(table)"
            where = f" [{p.location}]" if p.location else ""
            lines.append(f"    - {who}{where} column '{p.column}': value {p.value!r}; expected {p.expected}"
                         f" ({p.rule})")
    return "\n".join(lines) + "\n"


def write_validation_report(problems: Sequence[ValidationProblem], out_dir: str | Path, *,
                            title: str = "") -> list[Path]:
    """Write ``validation-report.csv`` and ``validation-report.txt`` into ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"{REPORT_STEM}.csv"
    txt_path = out / f"{REPORT_STEM}.txt"
    problems_to_frame(list(problems)).to_csv(csv_path, index=False)
    txt_path.write_text(format_report_text(problems, title=title), encoding="utf-8")
    return [csv_path, txt_path]
