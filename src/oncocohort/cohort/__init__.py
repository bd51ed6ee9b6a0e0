"""oncocohort.cohort stage: eligibility per criterion, the STROBE/CONSORT flow, typed baseline variables.

Pure functions over the validated ``patients`` table (docs/architecture.md item 2); the derived
subject-level table (ADSL) is assembled by :func:`oncocohort.endpoints.derive_study`.
"""

from oncocohort.cohort.eligibility import (
    NOT_ALLOCATED,
    EligibilityResult,
    derive_eligibility,
    evaluate_criterion,
)
from oncocohort.cohort.flow import EligibilityFlow, derive_flow, flow_to_frame
from oncocohort.cohort.variables import (
    default_cut_labels,
    derive_cut_variable,
    type_baseline_variables,
    type_categorical_variable,
)

__all__ = [
    "NOT_ALLOCATED", "EligibilityFlow", "EligibilityResult", "default_cut_labels", "derive_cut_variable",
    "derive_eligibility", "derive_flow", "evaluate_criterion", "flow_to_frame", "type_baseline_variables",
    "type_categorical_variable",
]
