"""oncocohort.report stage: the publication-ready report, rendered from results.json.

* :func:`run_study` — protocol → validate → derive → analyse → report (``oncocohort run``,
  ``oncocohort demo``) → :class:`RunOutcome`;
* :func:`build_report` — tables, figures, report.html and report.docx from a results document;
* :func:`~oncocohort.report.figures.render_figures`, :func:`~oncocohort.report.tables.build_tables`
  for the pieces.

The report computes no statistic: every number comes from results.json (docs/results-schema.md).
Layout of the outputs: docs/report.md.
"""

from oncocohort.report.run import ReportOutcome, RunOutcome, build_report, run_study

__all__ = ["ReportOutcome", "RunOutcome", "build_report", "run_study"]
