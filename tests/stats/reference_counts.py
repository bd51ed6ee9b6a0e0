"""Print how many R reference leaves are compared / excluded / not covered, per dataset and block.

Run from the repository root: ``.venv/bin/python tests/stats/reference_counts.py`` (or ``-m
tests.stats.reference_counts``). A block whose comparer fails or is missing is shown with the error.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.stats.reference import DATASETS, count_statuses, leaves, load_reference, run_block  # noqa: E402


def main() -> int:
    grand = [0, 0, 0]
    print(f"{'dataset':<10} {'block':<22} {'compared':>8} {'excluded':>8} {'uncovered':>9}  note")
    for dataset in DATASETS:
        results, _ = load_reference(dataset)
        for block_name, block in results.items():
            n_leaves = len(leaves(block, block_name))
            note = ""
            try:
                statuses = run_block(dataset, block_name)
            except Exception as exc:  # report and go on: this is a counting tool, not the test
                statuses, note = {}, f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
            compared, excluded = count_statuses(statuses)
            uncovered = len(set(leaves(block, block_name)) - set(statuses))
            grand = [grand[0] + compared, grand[1] + excluded, grand[2] + uncovered]
            print(f"{dataset:<10} {block_name:<22} {compared:>8} {excluded:>8} {uncovered:>9}  {note}")
            assert compared + excluded + uncovered >= n_leaves
    print(f"{'total':<10} {'':<22} {grand[0]:>8} {grand[1]:>8} {grand[2]:>9}")
    return 0 if grand[2] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
