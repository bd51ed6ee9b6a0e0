"""oncocohort.endpoints stage: time-to-event endpoints with censoring rules, safety, derived ADaM-like tables.

Entry point: :func:`derive_study` (docs/architecture.md item 4). Columns and rules: docs/derived-data.md.
"""

from oncocohort.endpoints.adae import ADAE_COLUMNS, derive_adae
from oncocohort.endpoints.censoring import (
    DAYS_PER_MONTH,
    censor_after_missed_assessments,
    censor_at_data_cutoff,
    censor_at_max_follow_up,
    censor_at_new_therapy,
    find_last_assessment,
)
from oncocohort.endpoints.ctcae import flag_grade_defined, map_ctcae_terms, read_ctcae_synonyms, read_ctcae_terms
from oncocohort.endpoints.derive import DerivedStudy, derive_adrs, derive_adsl, derive_adtte, derive_study
from oncocohort.endpoints.response_source import (
    ResponseData,
    derive_adequate_assessments,
    evaluate_study_responses,
    resolve_progression_date,
)
from oncocohort.endpoints.safety import (
    assign_procedure_window,
    assign_reporting_group,
    derive_treatment_exposure,
    derive_worst_grade,
    flag_discontinuation,
    flag_treatment_emergent_ae,
    summarise_adverse_events,
)
from oncocohort.endpoints.store import store_derived_tables, write_derived_tables
from oncocohort.endpoints.time_to_event import (
    ADTTE_COLUMNS,
    derive_duration_of_response,
    derive_endpoint,
    derive_overall_survival,
    derive_progression_free_survival,
    derive_time_to_progression,
)

__all__ = [
    "ADAE_COLUMNS", "ADTTE_COLUMNS", "DAYS_PER_MONTH", "DerivedStudy", "ResponseData", "assign_procedure_window",
    "assign_reporting_group", "censor_after_missed_assessments", "censor_at_data_cutoff", "censor_at_max_follow_up",
    "censor_at_new_therapy", "derive_adae", "derive_adequate_assessments", "derive_adrs", "derive_adsl",
    "derive_adtte", "derive_duration_of_response", "derive_endpoint", "derive_overall_survival",
    "derive_progression_free_survival", "derive_study", "derive_time_to_progression", "derive_treatment_exposure",
    "derive_worst_grade", "evaluate_study_responses", "find_last_assessment", "flag_discontinuation",
    "flag_grade_defined", "flag_treatment_emergent_ae", "map_ctcae_terms", "read_ctcae_synonyms",
    "read_ctcae_terms", "resolve_progression_date", "store_derived_tables", "summarise_adverse_events",
    "write_derived_tables",
]
