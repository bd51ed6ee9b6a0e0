"""CTCAE term list and synonym map: recorded adverse-event terms checked against CTCAE v5.0.

The term list ``oncocohort/data/ctcae_v5.csv`` is NCI's CTCAE v5.0 (837 terms, one row per term with
the text of grades 1–5; an empty text means the grade does not exist for that term). Protocols on
CTCAE v4.03 use the same list (the terms are mostly the same); the version is recorded on outputs.

Clinical papers often write colloquial names ("Transaminitis", "Hyperbilirubinemia", "Rash"). The
package's documented synonym map ``oncocohort/data/ctcae_synonyms.csv`` (columns ``colloquial_term,
ctcae_term, note``: every row says why) maps them to CTCAE terms; a protocol's ``safety.synonyms``
add to it and win. Matching ignores case, surrounding spaces, repeated spaces and the difference
between "-" and " ". A term that is neither a CTCAE term nor a synonym is kept as recorded with
``term_known = False`` and reported as a warning.

References
----------
[1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0, 2017:
    "Grades" (grade 1–5 definitions; "—" where a grade is not available), term list by SOC.
[2] National Cancer Institute. CTCAE v4.03, 2010 (seed 003).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import pandas as pd

from oncocohort.errors import ValidationProblem

GRADE_COLUMNS = ("grade_1", "grade_2", "grade_3", "grade_4", "grade_5")


def normalise_term(values: pd.Series) -> pd.Series:
    """Matching key: lower case, '-' and '_' as spaces, spaces collapsed and stripped."""
    return (values.astype("string").str.lower().str.replace(r"[-_]", " ", regex=True)
            .str.replace(r"\s+", " ", regex=True).str.strip())


def read_ctcae_terms() -> pd.DataFrame:
    """The CTCAE v5.0 term list shipped with the package (columns as the CSV; "" for absent grades)."""
    with resources.files("oncocohort.data").joinpath("ctcae_v5.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def read_ctcae_synonyms() -> pd.DataFrame:
    """The package's documented synonym map: ``colloquial_term, ctcae_term, note``."""
    with resources.files("oncocohort.data").joinpath("ctcae_synonyms.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def map_ctcae_terms(terms: pd.Series, *, synonyms: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Map recorded terms to CTCAE terms: ``ctcae_term``, ``term_known``, ``term_match``.

    Source: CTCAE v5.0 term list [1]; the package synonym map plus the protocol's ``safety.synonyms``.

    Steps
    -----
    1. Normalise the recorded term (:func:`normalise_term`).
    2. Exact CTCAE term → itself (``term_match = "ctcae"``).
    3. Else protocol synonym, then package synonym → its CTCAE term (``"synonym"``).
    4. Else kept as recorded, ``term_known = False`` (``"unknown"``).
    """
    codes, uniques = pd.factorize(terms.astype("string"), use_na_sentinel=True)
    if len(uniques) < len(terms):  # map each distinct recorded term once, then spread back to the rows
        mapped_unique = map_ctcae_terms(pd.Series(uniques, dtype="string"), synonyms=synonyms)
        spread = mapped_unique.reindex(codes).set_axis(terms.index)
        spread.loc[codes < 0, "ctcae_term"] = pd.NA
        spread.loc[codes < 0, "term_known"] = False
        spread.loc[codes < 0, "term_match"] = "unknown"
        return spread.astype({"term_known": bool})
    ctcae = read_ctcae_terms()["ctcae_term"]
    lookup = dict(zip(normalise_term(ctcae), ctcae))
    package = read_ctcae_synonyms()
    syn = dict(zip(normalise_term(package["colloquial_term"]), package["ctcae_term"]))
    if synonyms:
        syn.update(dict(zip(normalise_term(pd.Series(list(synonyms.keys()), dtype="string")), synonyms.values())))
    key = normalise_term(terms)
    exact = key.map(lookup).astype("string")
    via_synonym = key.map(syn).astype("string")
    # a synonym whose target is itself written loosely ("pyrexia" -> "fever") is normalised too
    via_synonym = normalise_term(via_synonym).map(lookup).astype("string").where(via_synonym.notna())
    mapped = exact.fillna(via_synonym)
    match = pd.Series("unknown", index=terms.index, dtype="string")
    match = match.mask(via_synonym.notna(), "synonym").mask(exact.notna(), "ctcae")
    known = mapped.notna()
    return pd.DataFrame({"ctcae_term": mapped.astype("string").fillna(terms.astype("string").str.strip()),
                         "term_known": known.astype(bool), "term_match": match}, index=terms.index)


def flag_grade_defined(ctcae_term: pd.Series, grade: pd.Series) -> pd.Series:
    """True where the grade exists for the term in CTCAE v5.0 [1] (unknown terms: True, nothing to check).

    A grade with empty text in the term list (e.g. grade 4 of Fatigue) does not exist for that term.
    """
    table = read_ctcae_terms().set_index("ctcae_term")[list(GRADE_COLUMNS)] != ""
    long = table.stack()
    long.index = [f"{t}\t{g[-1]}" for t, g in long.index]
    key = ctcae_term.astype("string") + "\t" + grade.astype("Int64").astype("string")
    defined = key.map(long).astype("boolean")
    return defined.fillna(True).astype(bool)


def check_adverse_event_terms(adae: pd.DataFrame, *, ctcae_version: str) -> tuple[ValidationProblem, ...]:
    """Warnings for unknown terms and for grades that do not exist for their term.

    ``adae`` needs ``patient_id, term, ctcae_term, term_known, grade, onset_date`` and
    ``grade_defined``. Each problem names table, patient, column, value and what was expected.
    """
    problems: list[ValidationProblem] = []
    unknown = adae[~adae["term_known"]]
    for pid, term, onset in unknown[["patient_id", "term", "onset_date"]].itertuples(index=False, name=None):
        problems.append(ValidationProblem(
            "adverse_events", str(pid), "term", str(term),
            f"a CTCAE v{ctcae_version} term or a known synonym (kept as recorded)", severity="warning",
            rule="unknown_ctcae_term", location=f"onset {pd.Timestamp(onset).date() if pd.notna(onset) else '?'}"))
    bad = adae[~adae["grade_defined"]]
    for pid, term, grade in bad[["patient_id", "ctcae_term", "grade"]].itertuples(index=False, name=None):
        problems.append(ValidationProblem(
            "adverse_events", str(pid), "grade", str(int(grade)),
            f"a grade defined for '{term}' in CTCAE v5.0", severity="warning", rule="undefined_ctcae_grade"))
    return tuple(problems)
