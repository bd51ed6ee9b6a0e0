"""oncocohort.stats stage: survival estimators and tests that agree with R's survival package.

Public names are re-exported here; the modules hold the formulas, conventions and references.
"""

from oncocohort.stats.followup import median_followup, median_followup_by
from oncocohort.stats.kaplan_meier import (
    KaplanMeierGroups,
    KaplanMeierResult,
    QuantileEstimate,
    SurvivalAtTimes,
    kaplan_meier,
    kaplan_meier_by,
)
from oncocohort.stats.logrank import LogRankResult, logrank_test
from oncocohort.stats.rmst import RestrictedMean, restricted_mean

__all__ = [
    "KaplanMeierGroups",
    "KaplanMeierResult",
    "LogRankResult",
    "QuantileEstimate",
    "RestrictedMean",
    "SurvivalAtTimes",
    "kaplan_meier",
    "kaplan_meier_by",
    "logrank_test",
    "median_followup",
    "median_followup_by",
    "restricted_mean",
]
