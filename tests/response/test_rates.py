"""ORR and DCR per arm: intention-to-treat (NE = non-responder) and evaluable-only, exact CIs."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.errors import InputError
from oncocohort.response import response_rates


def seed_001_like():
    # Seed 001 Table II: ICIs + MWA (n=21): CR 2, PR 4, SD 11, PD 3, NE 1; ICIs alone (n=31):
    # ORR 3/31, DCR 16/31 with 2 not assessable (here PR 3, SD 13, PD 13, NE 2).
    combo = ["CR"] * 2 + ["PR"] * 4 + ["SD"] * 11 + ["PD"] * 3 + ["NE"]
    mono = ["PR"] * 3 + ["SD"] * 13 + ["PD"] * 13 + ["NE"] * 2
    best = pd.DataFrame({"patient_id": [f"C{i}" for i in range(21)] + [f"M{i}" for i in range(31)],
                         "best_response": combo + mono})
    arms = pd.DataFrame({"patient_id": best["patient_id"], "arm": ["ICI+MWA"] * 21 + ["ICI"] * 31})
    return best, arms


def test_itt_and_evaluable_counts_match_the_seed_paper():
    best, arms = seed_001_like()
    t = response_rates(best, arms).table.set_index(["arm", "population", "measure"])
    assert tuple(t.loc[("ICI+MWA", "intention-to-treat", "ORR"), ["x", "n"]]) == (6, 21)   # 28.6 %
    assert tuple(t.loc[("ICI+MWA", "intention-to-treat", "DCR"), ["x", "n"]]) == (17, 21)  # 81.0 %
    assert tuple(t.loc[("ICI", "intention-to-treat", "ORR"), ["x", "n"]]) == (3, 31)       # 9.7 %
    assert tuple(t.loc[("ICI", "intention-to-treat", "DCR"), ["x", "n"]]) == (16, 31)      # 51.6 %
    assert tuple(t.loc[("ICI+MWA", "evaluable", "DCR"), ["x", "n"]]) == (17, 20)
    assert tuple(t.loc[("All patients", "intention-to-treat", "ORR"), ["x", "n"]]) == (9, 52)
    assert t.loc[("ICI+MWA", "intention-to-treat", "ORR"), "estimate"] == pytest.approx(6 / 21)


def test_exact_interval_by_hand_for_zero_responders():
    # 0/5: lower 0, upper = 1 - 0.025 ** (1/5) = 0.52182 (Clopper-Pearson closed form at x = 0)
    best = pd.DataFrame({"patient_id": list("abcde"), "best_response": ["SD", "PD", "NE", "SD", "iUPD"]})
    t = response_rates(best).table.set_index(["population", "measure"])
    row = t.loc[("intention-to-treat", "ORR")]
    assert (row["x"], row["n"], row["lower"]) == (0, 5, 0.0)
    assert row["upper"] == pytest.approx(1 - 0.025 ** 0.2, rel=1e-9)
    assert tuple(t.loc[("intention-to-treat", "DCR"), ["x", "n"]]) == (2, 5)  # iUPD is not control
    assert tuple(t.loc[("evaluable", "DCR"), ["x", "n"]]) == (2, 4)


def test_allocated_patients_without_best_response_count_as_ne_and_unallocated_are_left_out():
    best = pd.DataFrame({"patient_id": ["a", "b"], "best_response": ["iPR", "NON-CR/NON-PD"]})
    arms = pd.DataFrame({"patient_id": ["a", "b", "c", "s"], "arm": ["A", "A", "A", None]})
    res = response_rates(best, arms)
    t = res.table.set_index(["population", "measure"])
    assert tuple(t.loc[("intention-to-treat", "ORR"), ["x", "n"]]) == (1, 3)
    assert tuple(t.loc[("intention-to-treat", "DCR"), ["x", "n"]]) == (2, 3)
    assert tuple(t.loc[("evaluable", "ORR"), ["x", "n"]]) == (1, 2)
    assert [n.message for n in res.notes] == [
        "patients without an arm (screened, never allocated) are not counted",
        "allocated patients without a best response counted as NE (non-responders in ITT)"]
    assert res.summary().loc[0, "ORR"] == "1/3 (33.3%, 95% CI 0.8–90.6)"


def test_unknown_best_response_is_refused():
    with pytest.raises(InputError, match="unknown best_response value"):
        response_rates(pd.DataFrame({"patient_id": ["a"], "best_response": ["Partial"]}))
