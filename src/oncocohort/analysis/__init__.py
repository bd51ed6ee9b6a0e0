"""oncocohort.analysis stage: the statistical analysis plan, executed, and results.json.

Python API (each returns a frozen result object with ``to_dict()`` / ``to_frame()``):

* :func:`analyze` — the whole plan on a ``DerivedStudy`` → :class:`StudyResults`;
* :func:`baseline_table` (Table I), :func:`efficacy_summary` (Table II), :func:`survival_summary`
  (KM, landmarks, log-rank, follow-up, RMST), :func:`cox_models` (Tables III–IV, EPV, PH test,
  Firth), :func:`subgroup_analyses` (forest plot, interaction p), :func:`safety_summary` (Table V),
  :func:`plot_data` (waterfall, swimmer, AFP over time);
* :func:`write_results_json` — results.json (layout: docs/results-schema.md).
"""

from oncocohort.analysis.baseline import BaselineTable, baseline_table
from oncocohort.analysis.cox_models import CoxSummary, cox_models
from oncocohort.analysis.efficacy import EfficacySummary, efficacy_summary
from oncocohort.analysis.plot_data import PlotData, plot_data
from oncocohort.analysis.results import SCHEMA_VERSION, StudyResults, analyze, write_results_json
from oncocohort.analysis.safety import SafetySummary, safety_summary
from oncocohort.analysis.subgroups import SubgroupAnalyses, subgroup_analyses
from oncocohort.analysis.survival import RmstDifference, SurvivalSummary, rmst_difference, survival_summary

__all__ = [
    "SCHEMA_VERSION", "BaselineTable", "CoxSummary", "EfficacySummary", "PlotData", "RmstDifference",
    "SafetySummary", "StudyResults", "SubgroupAnalyses", "SurvivalSummary", "analyze", "baseline_table",
    "cox_models", "efficacy_summary", "plot_data", "rmst_difference", "safety_summary", "subgroup_analyses",
    "survival_summary", "write_results_json",
]
