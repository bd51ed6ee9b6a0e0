"""Response criteria as data: RECIST 1.1, mRECIST and iRECIST as printable, declarative objects.

One engine (:func:`oncocohort.response.evaluate`) reads a :class:`ResponseCriteria`; nothing about a
criteria lives in the engine's code. Each object names the diameter measured, the thresholds, the
baseline selection limits, the new-lesion rule and the overall time-point response table.

References
----------
[1] Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in solid tumours:
    revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228–247. §3.3 (selection), §4.3.1
    (target), §4.3.2 (non-target), §4.3.3 (new lesions), §4.3.4 Tables 1–2 (time-point response).
[2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular carcinoma.
    Semin Liver Dis 2010;30:52–60. Tables 1–3; "Assessment of new lesions".
[3] Seymour L, Bogaerts J, Perrone A, et al. iRECIST: guidelines for response criteria for use in
    trials testing immunotherapeutics. Lancet Oncol 2017;18:e143–e152. Table 2 (time-point response
    after iUPD), "Confirming progression".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from oncocohort.errors import InputError

CriteriaName = Literal["recist1.1", "mrecist", "irecist"]

#: Category of a lesion class at one visit, as used in the combination tables. "none" = the patient
#: had no lesion of that class at baseline.
TARGET_CATEGORIES = ("CR", "PR", "SD", "PD", "NE", "none")
NONTARGET_CATEGORIES = ("CR", "NON-CR/NON-PD", "PD", "NE", "none")

_ANY_TARGET = frozenset(TARGET_CATEGORIES)
_ANY_NONTARGET = frozenset(NONTARGET_CATEGORIES)
_NON_PD_NONTARGET = frozenset({"CR", "NON-CR/NON-PD", "NE", "none"})


@dataclass(frozen=True, slots=True)
class OverallResponseRow:
    """One row of a time-point combination table: the first matching row (in order) decides."""

    target: frozenset[str]
    nontarget: frozenset[str]
    new_lesion: frozenset[bool]
    response: str
    source: str

    def __str__(self) -> str:
        def fmt(s: frozenset) -> str:
            return "any" if s in (_ANY_TARGET, _ANY_NONTARGET, frozenset({True, False})) else "/".join(
                sorted(str(v) for v in s))
        new = fmt(self.new_lesion).replace("True", "yes").replace("False", "no")
        return (f"target {fmt(self.target):<22} non-target {fmt(self.nontarget):<34} new {new:<4}"
                f" -> {self.response:<14} [{self.source}]")


def _row(target, nontarget, new, response, source) -> OverallResponseRow:
    return OverallResponseRow(frozenset(target), frozenset(nontarget), frozenset(new), response, source)


# RECIST 1.1 §4.3.4 Table 1 (target disease present) and Table 2 (non-target disease only) [1];
# mRECIST Table 3 is the same table with "IR/SD" for non-CR/non-PD [2]. The PD rows come first so
# that "any" rows win, as the tables' footnotes require. The last two rows cover a patient with no
# disease at baseline (not evaluable unless new lesions appear).
RECIST_OVERALL_TABLE: tuple[OverallResponseRow, ...] = (
    _row({"PD"}, _ANY_NONTARGET, {True, False}, "PD", "Table 1 row 7: target PD"),
    _row(_ANY_TARGET, {"PD"}, {True, False}, "PD", "Table 1 row 8 / Table 2 row 4: non-target PD"),
    _row(_ANY_TARGET, _ANY_NONTARGET, {True}, "PD", "Table 1 row 9 / Table 2 row 5: new lesion"),
    _row({"CR"}, {"CR", "none"}, {False}, "CR", "Table 1 row 1: CR + CR"),
    _row({"CR"}, {"NON-CR/NON-PD"}, {False}, "PR", "Table 1 row 2: CR + non-CR/non-PD"),
    _row({"CR"}, {"NE"}, {False}, "PR", "Table 1 row 3: CR + not evaluated"),
    _row({"PR"}, _NON_PD_NONTARGET, {False}, "PR", "Table 1 row 4: PR + non-PD or not all evaluated"),
    _row({"SD"}, _NON_PD_NONTARGET, {False}, "SD", "Table 1 row 5: SD + non-PD or not all evaluated"),
    _row({"NE"}, _NON_PD_NONTARGET, {False}, "NE", "Table 1 row 6: not all evaluated + non-PD"),
    _row({"none"}, {"CR"}, {False}, "CR", "Table 2 row 1: non-target CR"),
    _row({"none"}, {"NON-CR/NON-PD"}, {False}, "NON-CR/NON-PD", "Table 2 row 2: non-CR/non-PD"),
    _row({"none"}, {"NE"}, {False}, "NE", "Table 2 row 3: not all evaluated"),
    _row({"none"}, {"none"}, {False}, "NE", "no disease at baseline"),
)


@dataclass(frozen=True, slots=True)
class ResponseCriteria:
    """A response criteria, declaratively.

    Attributes
    ----------
    name : ``"recist1.1"``, ``"mrecist"`` or ``"irecist"``.
    diameter : template column measured for non-nodal target lesions (``longest_diameter_mm`` for
        RECIST 1.1 [1] §4.3.1; ``viable_diameter_mm``, the arterially enhancing part, for mRECIST [2]).
    node_diameter : column measured for lymph nodes (short axis [1] §3.2).
    node_normal_below_mm : nodes below this short axis are normal; target CR needs every node below it.
    pr_decrease_pct : PR needs a decrease of at least this many per cent of the BASELINE sum.
    pd_increase_pct : PD needs an increase of at least this many per cent over the NADIR sum
        (smallest sum on study, baseline included).
    pd_min_increase_mm : PD also needs this absolute increase over the nadir (RECIST 1.1: 5 mm);
        None = no absolute rule (mRECIST's default [2]).
    max_targets, max_targets_per_site : baseline selection limits ([1] §3.3.2: 5 and 2 per organ).
    min_target_mm, min_target_node_mm : smallest measurable target at baseline ([1] §3.1.1).
    intrahepatic_sites : values of ``site`` (lower case) that mean "liver" for mRECIST's new-lesion rule.
    new_intrahepatic_min_mm : a new intrahepatic lesion counts only if at least this size (longest
        diameter) AND typical of HCC, or (if atypical) after an interval growth of at least this
        much [2]; None = every new lesion counts (RECIST 1.1 [1] §4.3.3).
    extrahepatic_diameter : for a non-nodal target outside the liver whose ``diameter`` is empty at
        baseline, the column measured instead at every visit (mRECIST: extrahepatic lesions are
        measured as in RECIST, by the longest diameter [2]); None = always ``diameter``.
    confirm_progression : apply iRECIST's iUPD → iCPD confirmation [3] to this criteria's calls.
    confirmation_min_days : a later assessment can confirm iUPD only this many days after it [3] (4 weeks).
    confirmation_increase_mm : growth of the target sum (or of the new lesions' summed size) since
        iUPD that confirms it [3] (5 mm).
    confirmation_window_days : the protocol's intended confirmation window (4–8 weeks [3]); reported,
        not enforced, because [3] lets an unconfirmed iUPD be confirmed at a later assessment.
    overall_table : the combination table, first matching row wins.
    reference : the citation.
    """

    name: str
    diameter: str
    node_diameter: str = "short_axis_mm"
    node_normal_below_mm: float = 10.0
    pr_decrease_pct: float = 30.0
    pd_increase_pct: float = 20.0
    pd_min_increase_mm: float | None = 5.0
    max_targets: int = 5
    max_targets_per_site: int = 2
    min_target_mm: float = 10.0
    min_target_node_mm: float = 15.0
    intrahepatic_sites: tuple[str, ...] = ("liver",)
    new_intrahepatic_min_mm: float | None = None
    extrahepatic_diameter: str | None = None
    confirm_progression: bool = False
    confirmation_min_days: int = 28
    confirmation_increase_mm: float = 5.0
    confirmation_window_days: tuple[int, int] = (28, 56)
    overall_table: tuple[OverallResponseRow, ...] = RECIST_OVERALL_TABLE
    reference: str = ""

    def __post_init__(self) -> None:
        for f in ("diameter", "extrahepatic_diameter"):
            value = getattr(self, f)
            if value not in ("longest_diameter_mm", "viable_diameter_mm") and not (f != "diameter" and value is None):
                raise InputError(f, f"must be 'longest_diameter_mm' or 'viable_diameter_mm', got {value!r}")
        for f in ("pr_decrease_pct", "pd_increase_pct", "node_normal_below_mm"):
            if not getattr(self, f) > 0:
                raise InputError(f, f"must be positive, got {getattr(self, f)!r}")
        if self.pd_min_increase_mm is not None and self.pd_min_increase_mm < 0:
            raise InputError("pd_min_increase_mm", f"must be non-negative or None, got {self.pd_min_increase_mm!r}")

    def __str__(self) -> str:
        pd_abs = "off" if self.pd_min_increase_mm is None else f">= {self.pd_min_increase_mm:g} mm"
        new = ("any new lesion" if self.new_intrahepatic_min_mm is None else
               f"intrahepatic only if >= {self.new_intrahepatic_min_mm:g} mm with typical HCC pattern "
               f"(or atypical with >= {self.new_intrahepatic_min_mm:g} mm interval growth)")
        lines = [
            f"Response criteria {self.name}: {self.reference}",
            f"  measure: {self.diameter} (nodes: {self.node_diameter}; normal < {self.node_normal_below_mm:g} mm)"
            + ("" if self.extrahepatic_diameter is None else
               f"; extrahepatic targets without it at baseline: {self.extrahepatic_diameter}"),
            f"  PR: >= {self.pr_decrease_pct:g}% decrease from baseline sum",
            f"  PD: >= {self.pd_increase_pct:g}% increase over nadir sum; absolute increase {pd_abs}",
            f"  baseline targets: <= {self.max_targets} in total, <= {self.max_targets_per_site} per site",
            f"  new lesions: {new}",
        ]
        if self.confirm_progression:
            lo, hi = self.confirmation_window_days
            lines.append(f"  progression confirmation (iRECIST): iUPD -> iCPD at a later assessment >= "
                         f"{self.confirmation_min_days} days later (planned {lo}-{hi} days), by a further "
                         f">= {self.confirmation_increase_mm:g} mm or progression in another category")
        lines.append("  time-point table (first matching row wins):")
        lines += [f"    {row}" for row in self.overall_table]
        return "\n".join(lines)


RECIST11 = ResponseCriteria(
    name="recist1.1", diameter="longest_diameter_mm",
    reference="Eisenhauer et al., Eur J Cancer 2009;45:228-247 (RECIST 1.1)")

MRECIST = ResponseCriteria(
    name="mrecist", diameter="viable_diameter_mm", pd_min_increase_mm=None, new_intrahepatic_min_mm=10.0,
    extrahepatic_diameter="longest_diameter_mm",
    reference="Lencioni & Llovet, Semin Liver Dis 2010;30:52-60 (mRECIST)")

IRECIST = dataclasses.replace(
    RECIST11, name="irecist", confirm_progression=True,
    reference="Seymour et al., Lancet Oncol 2017;18:e143-e152 (iRECIST) on RECIST 1.1 measurements")

_BY_NAME: dict[str, ResponseCriteria] = {"recist1.1": RECIST11, "mrecist": MRECIST, "irecist": IRECIST}


def get_criteria(criteria: str | ResponseCriteria, **overrides: object) -> ResponseCriteria:
    """The criteria object for a name (``"recist1.1"``, ``"mrecist"``, ``"irecist"``), with overrides.

    Examples
    --------
    >>> get_criteria("mrecist", pd_min_increase_mm=5.0).pd_min_increase_mm
    5.0
    """
    if isinstance(criteria, ResponseCriteria):
        base = criteria
    else:
        key = str(criteria).strip().lower().replace(" ", "")
        key = {"recist": "recist1.1", "recist11": "recist1.1", "recistv1.1": "recist1.1"}.get(key, key)
        if key not in _BY_NAME:
            raise InputError("criteria", f"must be one of {sorted(_BY_NAME)}, got {criteria!r}")
        base = _BY_NAME[key]
    if not overrides:
        return base
    unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(ResponseCriteria)})
    if unknown:
        raise InputError("criteria", f"unknown setting(s) {unknown}")
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]  # names checked above
