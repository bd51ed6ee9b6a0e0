"""Small dense linear algebra for the Cox engine: a tolerant LDLᵀ (Cholesky) factorisation.

The information matrix of a Cox model is symmetric non-negative definite but can be singular
(a constant covariate, two collinear columns). R's ``coxph`` factors it with ``cholesky2`` [1]:
C = F D Fᵀ with F unit lower triangular, pivoting in column order, and declares column i
*redundant* when its Schur-complement pivot is below ``toler × max_j C_jj`` (or not finite).
Redundant columns get D_ii = 0; solves return 0 for them and the inverse has zero rows and
columns there (R then reports the coefficient as NA). The same rule is used here so that the
same columns are declared singular as in R, with tolerance ``toler_chol = ε^0.75`` [2].

The matrices are p × p with p the number of coefficients, so the loops below run over p, never
over patients.

References
----------
[1] Therneau T. survival package source, ``src/cholesky2.c``, ``chsolve2.c``, ``chinv2.c``.
[2] R ``survival::coxph.control`` (``toler.chol = .Machine$double.eps^0.75``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: R's coxph.control(toler.chol = .Machine$double.eps ^ 0.75).
TOLER_CHOL: float = float(np.finfo(np.float64).eps ** 0.75)


@dataclass(frozen=True, slots=True)
class Factorisation:
    """LDLᵀ factors of a symmetric matrix; ``redundant[i]`` marks a column deemed singular."""

    lower: FloatArray  # unit lower triangular F
    diag: FloatArray  # D, with 0 for redundant columns
    redundant: npt.NDArray[np.bool_]

    @property
    def rank(self) -> int:
        return int((~self.redundant).sum())


def factorise(matrix: FloatArray, toler: float = TOLER_CHOL) -> Factorisation:
    """Tolerant LDLᵀ as R's ``cholesky2``: pivot i is redundant if not finite or < toler·max diag [1]."""
    a = np.array(matrix, dtype=np.float64, copy=True)
    p = a.shape[0]
    diag_max = np.max(np.diag(a), initial=0.0) if p else 0.0
    eps = toler if not (diag_max > 0) else diag_max * toler  # no positive diagonal: absolute toler
    lower = np.eye(p)
    d = np.zeros(p)
    redundant = np.zeros(p, dtype=bool)
    for i in range(p):
        pivot = a[i, i]
        if not np.isfinite(pivot) or pivot < eps:
            redundant[i] = True  # [1]: column not used to eliminate the others
            continue
        d[i] = pivot
        col = a[i + 1:, i] / pivot
        lower[i + 1:, i] = col
        # Schur complement update of the trailing block (rank-one, vectorised over the block)
        a[i + 1:, i + 1:] -= np.outer(col, a[i, i + 1:])
    return Factorisation(lower, d, redundant)


def solve(fact: Factorisation, rhs: FloatArray) -> FloatArray:
    """x with C x = rhs on the non-redundant columns and x_i = 0 on redundant ones (``chsolve2``)."""
    keep = ~fact.redundant
    x = np.zeros_like(np.asarray(rhs, dtype=np.float64))
    if not keep.any():
        return x
    lk = fact.lower[np.ix_(keep, keep)]
    y = np.linalg.solve(lk, np.asarray(rhs, dtype=np.float64)[keep])  # F y = b
    z = y / fact.diag[keep]  # D z = y
    x[keep] = np.linalg.solve(lk.T, z)  # Fᵀ x = z
    return x


def inverse(fact: Factorisation) -> FloatArray:
    """Generalised inverse: inverse on the non-redundant block, zero rows/columns elsewhere (``chinv2``)."""
    p = fact.diag.shape[0]
    keep = ~fact.redundant
    out = np.zeros((p, p))
    if keep.any():
        lk = fact.lower[np.ix_(keep, keep)]
        linv = np.linalg.inv(lk)
        sub = linv.T @ (linv / fact.diag[keep][:, None])
        out[np.ix_(keep, keep)] = (sub + sub.T) / 2.0  # exact symmetry, as chinv2 copies one triangle
    return out


def quadratic_form_test(variance: FloatArray, b: FloatArray, toler: float = TOLER_CHOL) -> tuple[float, int]:
    """bᵀ V⁻¹ b and its df (rank of V), as R's ``coxph.wtest`` (Wald and robust score tests) [1]."""
    fact = factorise(variance, toler)
    return float(b @ solve(fact, b)), fact.rank
