"""Every leaf of every R reference JSON is compared or excluded with a reason (protocol: reference.py).

One test per (dataset, block): it runs the block's comparer (whose asserts check the numbers against
R to relative 1e-6) and then checks that the returned statuses cover exactly the block's leaves. A
block whose comparer module is missing fails here; it is never skipped. The last test prints the
compared/excluded counts per dataset (run with ``-s`` to see them, or run
``python tests/stats/reference_counts.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.stats.reference import (
    BLOCK_COMPARERS,
    DATASETS,
    count_statuses,
    coverage_problems,
    get_comparer,
    leaves,
    load_reference,
    run_block,
)

CASES = [(ds, block) for ds in DATASETS for block in load_reference(ds)[0]]


@pytest.fixture(scope="module")
def statuses_seen() -> dict[tuple[str, str], dict[str, str]]:
    """Statuses of the blocks checked so far in this module, reused by the counting test."""
    return {}


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_block_has_a_registered_comparer(dataset: str) -> None:
    results, _ = load_reference(dataset)
    unknown = sorted(set(results) - set(BLOCK_COMPARERS))
    assert not unknown, f"{dataset}: blocks without a comparer entry in BLOCK_COMPARERS: {unknown}"


@pytest.mark.parametrize(("dataset", "block_name"), CASES, ids=[f"{d}-{b}" for d, b in CASES])
def test_block_is_fully_covered(
    dataset: str, block_name: str, statuses_seen: dict[tuple[str, str], dict[str, str]]
) -> None:
    results, data = load_reference(dataset)
    n_leaves = len(leaves(results[block_name], block_name))
    missing: Exception | None = None
    try:
        comparer = get_comparer(block_name)
    except (ModuleNotFoundError, AttributeError) as exc:
        comparer, missing = None, exc
    if comparer is None:
        module, function = BLOCK_COMPARERS[block_name]
        pytest.fail(f"{dataset}/{block_name}: comparer {module}.{function} is not available ({missing}); "
                    f"its {n_leaves} leaves are neither compared nor excluded", pytrace=False)
    statuses = comparer(dataset, results[block_name], data)
    statuses_seen[(dataset, block_name)] = statuses
    problems = coverage_problems(block_name, results[block_name], statuses)
    assert not problems, f"{dataset}/{block_name}: {len(problems)} uncovered leaves:\n" + "\n".join(problems[:40])


def test_leaf_walk_follows_the_protocol() -> None:
    block: dict[str, Any] = {"a": {"b": [1, None, 2.5], "c": [[1, 2], [3, 4]], "d": [], "e": None}}
    assert leaves(block, "x") == {"x/a/b": [1, None, 2.5], "x/a/c/0": [1, 2], "x/a/c/1": [3, 4],
                                  "x/a/d": [], "x/a/e": None}


def test_report_counts(
    statuses_seen: dict[tuple[str, str], dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Print compared / excluded / unavailable leaf counts per dataset (the lead's closing-note totals)."""
    lines = ["reference leaves: dataset  compared  excluded  not-covered"]
    totals = [0, 0, 0]
    for dataset in DATASETS:
        results, _ = load_reference(dataset)
        row = [0, 0, 0]
        for block_name, block in results.items():
            statuses = statuses_seen.get((dataset, block_name))
            if statuses is None:  # module run partially (-k) or the comparer is missing
                try:
                    statuses = run_block(dataset, block_name)
                except Exception:  # counted as not covered; the block's own test reports why
                    statuses = {}
            compared, excluded = count_statuses(statuses)
            row[0] += compared
            row[1] += excluded
            row[2] += len(set(leaves(block, block_name)) - set(statuses))
        totals = [a + b for a, b in zip(totals, row)]
        lines.append(f"  {dataset:<10} {row[0]:>8} {row[1]:>9} {row[2]:>12}")
    lines.append(f"  {'total':<10} {totals[0]:>8} {totals[1]:>9} {totals[2]:>12}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert totals[0] > 0
