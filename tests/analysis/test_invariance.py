"""Invariances: the descriptive and survival blocks do not depend on the row order of the inputs."""

from __future__ import annotations

import numpy as np
import pytest

from oncocohort.analysis import baseline_table, efficacy_summary, safety_summary, survival_summary
from tests.analysis.builders import synthetic_study


def test_row_order_does_not_matter(two_arm_protocol):
    study = synthetic_study(two_arm_protocol, n=50, seed=11)
    rng = np.random.default_rng(5)

    def shuffled(frame):
        return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)

    p = two_arm_protocol
    for block, args in ((baseline_table, ("adsl",)), (efficacy_summary, ("adsl",)),
                        (survival_summary, ("adtte",)), (safety_summary, ("adsl", "adae"))):
        original = block(*(getattr(study, a) for a in args), p).to_dict()
        permuted = block(*(shuffled(getattr(study, a)) for a in args), p).to_dict()
        _assert_close(original, permuted, [block.__name__])


def _assert_close(a, b, path):
    """Equal structures; floats equal to 1e-12 relative (a mean or SD sums in row order)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _assert_close(a[k], b[k], [*path, k])
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_close(x, y, [*path, i])
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), path
    else:
        assert a == b, path
