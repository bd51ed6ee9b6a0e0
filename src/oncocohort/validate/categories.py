"""The category map: raw spellings -> canonical values, case- and space-insensitively.

Matching works on a key (see :func:`oncocohort.io.columns.category_key`: lower case, ``_``/``-`` as
spaces, spaces collapsed, ``1.0`` read as ``1``). A lookup maps keys to canonical values; it is built
from the canonical values themselves plus explicit aliases, never by fuzzy guessing, so an
unknown spelling is reported instead of silently matched. Sources of the maps:

- template categories: :mod:`oncocohort.io.columns` (``RESPONSE_ALIASES``, ...);
- arms: each arm's ``id``, ``label`` and ``aliases`` in the protocol;
- protocol variables: ``levels``, ``level_labels`` (label -> level) and ``aliases``; a binary
  variable with levels ``no``/``yes`` also accepts the boolean words (``y``, ``true``, ``1``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from oncocohort.io.columns import BOOLEAN_WORDS, LAB_TEST_ALIASES, key_of
from oncocohort.protocol import Protocol, Variable


def build_lookup(canonical: Iterable[str], aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Key -> canonical value, from the canonical values and ``aliases`` (spelling -> canonical)."""
    lookup = {key_of(str(value)): str(value) for value in canonical}
    for spelling, value in (aliases or {}).items():
        lookup.setdefault(key_of(str(spelling)), str(value))
    return lookup


def _map_distinct(values: pd.Series, table: Mapping[str, object]) -> tuple[np.ndarray, np.ndarray]:
    """Map each distinct value's key through ``table``; return (mapped per row, unknown per row).

    Works on the distinct values only (``pd.factorize``), then spreads the result back by code.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    keys = [key_of(str(u)) for u in uniques]
    mapped = np.array([table.get(k) if k else None for k in keys] + [None], dtype=object)
    unknown = np.array([bool(k) and table.get(k) is None for k in keys] + [False], dtype=bool)
    return mapped[codes], unknown[codes]


def map_categories(values: pd.Series, lookup: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """Map raw values through ``lookup``.

    Returns the mapped values (pandas ``string``; <NA> where empty or unknown) and a boolean mask of
    the non-empty values that matched nothing (to be reported).
    """
    mapped, unknown = _map_distinct(values, lookup)
    return (pd.Series(mapped, index=values.index, dtype="string"),
            pd.Series(unknown, index=values.index))


def map_booleans(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """yes/y/true/t/1 -> True, no/n/false/f/0 -> False (pandas ``boolean``); mask of unknown spellings."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), pd.Series(False, index=values.index)
    mapped, unknown = _map_distinct(values, BOOLEAN_WORDS)
    return (pd.Series(mapped, index=values.index, dtype="boolean"),
            pd.Series(unknown, index=values.index))


def normalise_lab_tests(values: pd.Series) -> pd.Series:
    """Lab test names to lower_snake_case, known spellings to their usual name ("AFP" -> ``afp``,
    "Alpha-fetoprotein" -> ``afp``, "TBIL" -> ``total_bilirubin``; see ``LAB_TEST_ALIASES``).

    Test names are free text: an unknown name is kept (normalised), not reported.
    """
    aliases = {key_of(k): v for k, v in LAB_TEST_ALIASES.items()}
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = [aliases.get(key_of(str(u)), key_of(str(u)).replace(" ", "_")) or None for u in uniques]
    return pd.Series(np.array([*names, None], dtype=object)[codes], index=values.index, dtype="string")


def arm_lookup(protocol: Protocol) -> dict[str, str]:
    """Arm id, label and aliases -> arm id."""
    lookup: dict[str, str] = {}
    for arm in protocol.arms:
        for spelling in (arm.id, arm.label, *arm.aliases):
            lookup.setdefault(key_of(spelling), arm.id)
    return lookup


def variable_lookup(variable: Variable) -> dict[str, str]:
    """Levels, level labels and aliases of a categorical/binary protocol variable -> level."""
    levels = [str(level) for level in variable.levels or []]
    aliases = {label: level for level, label in variable.level_labels.items()}
    aliases.update(variable.aliases)
    lookup = build_lookup(levels, aliases)
    if variable.type == "binary" and [key_of(x) for x in levels] == ["no", "yes"]:
        for word, flag in BOOLEAN_WORDS.items():
            lookup.setdefault(key_of(word), levels[1] if flag else levels[0])
    return lookup


def describe_allowed(values: Iterable[str], *, limit: int = 12) -> str:
    """'one of A, B or C' for messages."""
    values = [str(v) for v in values]
    if len(values) > limit:
        values = values[:limit] + ["..."]
    if len(values) == 1:
        return values[0]
    return "one of " + ", ".join(values[:-1]) + " or " + values[-1]
