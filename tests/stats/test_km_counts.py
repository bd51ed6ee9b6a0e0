"""The three counting paths of _survival_counts agree with each other and with a direct count."""

from __future__ import annotations

import numpy as np
import pytest

from oncocohort.stats import _survival_counts as sc


def _direct(time, event, code, k, weights):
    times = np.unique(time)
    w = np.ones_like(time) if weights is None else weights
    ev = np.array([[w[(time == t) & (event == 1) & (code == c)].sum() for c in range(k)] for t in times])
    ex = np.array([[w[(time == t) & (code == c)].sum() for c in range(k)] for t in times])
    return times, ev, ex


CASES = [(p, w) for p in ("bincount", "value_sort", "argsort", "public") for w in (False, True)
         if not (p == "value_sort" and w)]  # the value-sort path serves unweighted data only


@pytest.mark.parametrize(("path", "weighted"), CASES)
def test_paths_agree_with_direct_count(path: str, weighted: bool) -> None:
    rng = np.random.default_rng(3)
    n, k = 400, 3
    time = np.ceil(rng.exponential(15, n)) + 2  # integer times with an offset (min > 0)
    event = (rng.random(n) < 0.6).astype(np.int8)
    code = rng.integers(0, k, n).astype(np.intp)
    weights = rng.uniform(0.2, 2.0, n) if weighted else None
    if path == "bincount":
        offset, t_min = sc._integer_times(time, k)
        table = sc._count_by_bincount(offset, t_min, event, code, k, weights)
    elif path == "value_sort":
        table = sc._count_by_value_sort(time, event, code, k)
    elif path == "argsort":
        table = sc._count_by_argsort(time, event, code, k, np.ones(n) if weights is None else weights)
    else:
        table = sc.count_events(time + 0.5, event, code=code, n_codes=k, weights=weights)
        time = time + 0.5
    times, ev, ex = _direct(time, event, code, k, weights)
    np.testing.assert_array_equal(table.time, times)
    np.testing.assert_allclose(table.n_event, ev, rtol=1e-12)
    np.testing.assert_allclose(table.n_exit, ex, rtol=1e-12)
    np.testing.assert_allclose(table.n_risk[0], ex.sum(axis=0))


def test_large_span_integers_use_sorting() -> None:
    time = np.array([0.0, 1e12, 5.0])
    assert sc._integer_times(time, 1) is None
    table = sc.count_events(time, np.array([1, 0, 1], np.int8))
    assert table.time.tolist() == [0.0, 5.0, 1e12]


def test_negative_zero_is_zero_on_every_path() -> None:
    for time in (np.array([-0.0, 0.0, 1.5]), np.array([-0.0, 0.0, 2.0])):  # value-sort, bincount
        table = sc.count_events(time, np.array([1, 0, 1], np.int8))
        assert table.time.tolist() == [0.0, time[-1]]
        assert table.n_exit[:, 0].tolist() == [2, 1] and table.n_event[:, 0].tolist() == [1, 1]


def test_bincount_only_for_a_span_proportionate_to_n() -> None:
    days = np.array([0.0, 3650.0, 12.0])
    assert sc._integer_times(days, 2) is not None            # small span: counted
    seconds = np.array([0.0, 3.0e8, 12.0])
    assert sc._integer_times(seconds, 1) is None             # span >> n: sorted instead
