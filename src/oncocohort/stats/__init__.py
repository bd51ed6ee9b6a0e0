"""oncocohort.stats stage: survival estimators and tests that agree with R's survival package.

Public names are re-exported here; the modules hold the formulas, conventions and references.
"""

from oncocohort.stats.binomial import (
    ProportionEstimate,
    binomial_test,
    clopper_pearson_interval,
    proportion_estimate,
)
from oncocohort.stats.concordance import ConcordanceResult, concordance_index
from oncocohort.stats.contingency import (
    ChiSquareResult,
    FisherExactResult,
    RuleBasedTestResult,
    chi_square_test,
    compare_proportions_by_rule,
    fisher_exact,
)
from oncocohort.stats.cox import CoxResult, cox_ph
from oncocohort.stats.descriptive import (
    CategoricalSummary,
    ContinuousSummary,
    quantile_type7,
    summarize_categorical,
    summarize_continuous,
)
from oncocohort.stats.firth import FirthCoxResult, firth_cox
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
from oncocohort.stats.rank_tests import MannWhitneyResult, mann_whitney_u
from oncocohort.stats.rmst import RestrictedMean, restricted_mean

__all__ = [
    "CategoricalSummary",
    "ChiSquareResult",
    "ConcordanceResult",
    "ContinuousSummary",
    "CoxResult",
    "FirthCoxResult",
    "FisherExactResult",
    "MannWhitneyResult",
    "ProportionEstimate",
    "RuleBasedTestResult",
    "binomial_test",
    "chi_square_test",
    "clopper_pearson_interval",
    "compare_proportions_by_rule",
    "concordance_index",
    "cox_ph",
    "firth_cox",
    "fisher_exact",
    "mann_whitney_u",
    "proportion_estimate",
    "quantile_type7",
    "summarize_categorical",
    "summarize_continuous",
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
