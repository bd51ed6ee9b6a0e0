"""The category map: explicit spellings, case- and space-insensitive, never fuzzy."""

from __future__ import annotations

import pandas as pd

from oncocohort.io.columns import RESPONSE_ALIASES, RESPONSE_VALUES
from oncocohort.protocol import load_preset
from oncocohort.validate.categories import arm_lookup, build_lookup, map_booleans, map_categories, variable_lookup


def test_response_spellings_map_to_canonical_codes() -> None:
    lookup = build_lookup(RESPONSE_VALUES, RESPONSE_ALIASES)
    raw = pd.Series(["Partial response", "pr", " PR ", "partial_response", "Stable  disease", "non-CR/non-PD",
                     "iUPD", "icpd", None, "excellent"])
    mapped, unknown = map_categories(raw, lookup)
    assert list(mapped.fillna("<NA>")) == ["PR", "PR", "PR", "PR", "SD", "NON-CR/NON-PD", "iUPD", "iCPD", "<NA>",
                                           "<NA>"]
    assert list(unknown) == [False] * 9 + [True]


def test_booleans() -> None:
    mapped, unknown = map_booleans(pd.Series(["Yes", "y", "TRUE", "1", 1.0, "no", "N", "false", "0", None, "maybe"]))
    assert list(mapped.fillna(pd.NA).astype(object)) == [True] * 5 + [False] * 4 + [pd.NA, pd.NA]
    assert list(unknown) == [False] * 10 + [True]


def test_arm_ids_labels_and_aliases() -> None:
    lookup = arm_lookup(load_preset("ici-mwa-retrospective"))
    mapped, unknown = map_categories(pd.Series(["ICIs + MWA", "ici_mwa", "ICI monotherapy", "icis+mwa", "MWA"]),
                                     lookup)
    assert list(mapped.fillna("?")) == ["ici_mwa", "ici_mwa", "ici", "ici_mwa", "?"]
    assert list(unknown) == [False, False, False, False, True]


def test_variable_levels_labels_aliases_and_numeric_codes() -> None:
    protocol = load_preset("ici-mwa-retrospective")
    sex = variable_lookup(protocol.variable("sex"))
    assert list(map_categories(pd.Series(["Male", "F", "female"]), sex)[0]) == ["male", "female", "female"]
    ecog = variable_lookup(protocol.variable("ecog"))
    assert list(map_categories(pd.Series([0.0, 1, "1"]), ecog)[0]) == ["0", "1", "1"]
    mvi = variable_lookup(protocol.variable("macrovascular_invasion"))
    assert list(map_categories(pd.Series(["Yes", "n", "TRUE"]), mvi)[0]) == ["yes", "no", "yes"]


def test_the_map_runs_once_per_distinct_value_not_per_row(monkeypatch) -> None:
    from oncocohort.validate import categories

    lookup = build_lookup(RESPONSE_VALUES, RESPONSE_ALIASES)
    calls: list[str] = []
    original = categories.key_of
    monkeypatch.setattr(categories, "key_of", lambda text: calls.append(text) or original(text))
    raw = pd.Series(["PR", "Partial response", "sd", None] * 25_000)
    mapped, unknown = map_categories(raw, lookup)
    assert len(calls) == 3  # distinct non-missing spellings
    assert mapped.value_counts().to_dict() == {"PR": 50_000, "SD": 25_000} and not unknown.any()
