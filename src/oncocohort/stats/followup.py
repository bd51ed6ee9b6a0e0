"""Median follow-up by the reverse Kaplan–Meier method.

Follow-up is the time a patient would have been observed had the event not happened, so the roles of
event and censoring are swapped: censorings become the "events" and deaths censor follow-up [1]. The
median of that reverse Kaplan–Meier curve, with the Brookmeyer–Crowley CI of its pointwise band, is the
median potential follow-up recommended over the median observed time, which is biased downwards by
early deaths [1, 2].

    S_fu(t) = prod_{t_i <= t} (1 − c_i / n_i),    c_i = censorings at t_i, n_i = at risk at t_i.

Ties between a death and a censoring at the same time follow R: on the reversed data the censoring is
now the event and still precedes the (reversed) censoring. Matching R call:
``quantile(survfit(Surv(time, 1 - event) ~ 1, conf.type = conf_type), 0.5)``.

References
----------
[1] Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time.
    Control Clin Trials 1996;17:343–346.
[2] Shuster JJ. Median follow-up in clinical trials. J Clin Oncol 1991;9:191–192.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oncocohort.stats._validation import as_event_array
from oncocohort.stats.kaplan_meier import ConfType, QuantileEstimate, kaplan_meier, kaplan_meier_by


def median_followup(
    time: Any, event: Any, *, weights: Any = None, conf_type: ConfType = "log", conf_level: float = 0.95
) -> QuantileEstimate:
    """Reverse Kaplan–Meier median follow-up with CI (None = not reached)."""
    reverse = 1 - as_event_array(event, "event")
    return kaplan_meier(time, reverse, weights=weights, conf_type=conf_type, conf_level=conf_level).median()


def median_followup_by(
    time: Any, event: Any, group: Any, *, weights: Any = None, conf_type: ConfType = "log",
    conf_level: float = 0.95,
) -> dict[Any, QuantileEstimate]:
    """Reverse Kaplan–Meier median follow-up per group level (missing groups left out, as R)."""
    reverse = (1 - as_event_array(event, "event")).astype(np.int8)
    fits = kaplan_meier_by(time, reverse, group, weights=weights, conf_type=conf_type, conf_level=conf_level)
    return {level: fit.median() for level, fit in fits.items()}
