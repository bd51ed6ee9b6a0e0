"""oncocohort.response: tumour response by RECIST 1.1, mRECIST and iRECIST.

From the ``lesions`` table (or recorded per-visit calls) to per-visit responses, best overall
response, ORR / DCR with exact CIs, and the data of the waterfall and swimmer figures. Criteria are
declarative objects (:mod:`oncocohort.response.criteria`) read by one engine
(:func:`evaluate`); each rule is a function of its own module.

Conventions and limits (each is also stated where it is applied):

* RECIST-style labels CR, PR, SD, NON-CR/NON-PD, PD, NE; with iRECIST confirmation iCR, iPR, iSD,
  iUPD, iCPD, NE (a non-target-only patient keeps NON-CR/NON-PD). Target and non-target calls are
  NA where the patient has no such disease, and at the baseline visit.
* mRECIST measures ``viable_diameter_mm`` (an extrahepatic target without it at baseline: its
  longest diameter); its porta-hepatis node rule and the cytology rule for effusions are not modelled.
* Not modelled: equivocal new lesions (no template column), lesions "too small to measure" (record
  the default 5 mm), split or coalescing lesions (record the resulting diameters).
* Non-target "further increase" for iRECIST confirmation is judged by the number of non-target
  lesions in unequivocal progression (the template records a status, not a size).
"""

from oncocohort.response.best import derive_best_overall_response
from oncocohort.response.check_lesions import check_lesions
from oncocohort.response.criteria import IRECIST, MRECIST, RECIST11, OverallResponseRow, ResponseCriteria, get_criteria
from oncocohort.response.evaluate import ResponseEvaluation, best_overall_response, evaluate
from oncocohort.response.figure_data import SwimmerData, WaterfallData, swimmer_data, waterfall_data
from oncocohort.response.irecist import confirm_irecist_progression
from oncocohort.response.new_lesions import flag_new_lesions
from oncocohort.response.nontarget import derive_nontarget_response
from oncocohort.response.overall import derive_overall_response, flag_reappearance_after_cr
from oncocohort.response.rates import ResponseRates, response_rates
from oncocohort.response.target import derive_target_response, derive_target_sum

__all__ = [
    "IRECIST", "MRECIST", "RECIST11", "OverallResponseRow", "ResponseCriteria", "ResponseEvaluation",
    "ResponseRates", "SwimmerData", "WaterfallData", "best_overall_response", "check_lesions",
    "confirm_irecist_progression", "derive_best_overall_response", "derive_nontarget_response",
    "derive_overall_response", "derive_target_response", "derive_target_sum", "evaluate",
    "flag_new_lesions", "flag_reappearance_after_cr", "get_criteria", "response_rates", "swimmer_data",
    "waterfall_data",
]
