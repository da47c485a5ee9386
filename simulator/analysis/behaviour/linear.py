"""Binary logistic regression, trained by Newton's method in float64 numpy.

Small, exact and deterministic: the same features give the same weights, which are then rounded so
that last-bit differences between BLAS builds cannot change a shipped model.  Used only by the
rebuild script; inference is one matrix product (``BehaviourModel``).
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

WEIGHT_DECIMALS = 6

Floats = npt.NDArray[np.float64]


@overload
def sigmoid(z: float) -> float: ...
@overload
def sigmoid(z: Floats) -> Floats: ...
def sigmoid(z: float | Floats) -> float | Floats:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit_logistic(x: npt.NDArray[np.floating], y: npt.NDArray[np.floating], l2: float, iterations: int = 25,
                 start: tuple[Floats, float] | None = None) -> tuple[Floats, float]:
    """Weights and bias minimising log-loss + ``l2``/2 * |w|^2 (the bias is not penalised).

    ``start`` (a nearby solution, e.g. the fit on all the data when fitting one fold) saves most of
    the iterations.  The curvature is accumulated in float32, which halves the cost and changes
    nothing at the precision the weights are kept to.
    """
    rows, dims = x.shape
    design = np.hstack([x.astype(np.float64), np.ones((rows, 1))])
    design32 = design.astype(np.float32)
    target = y.astype(np.float64)
    penalty = np.full(dims + 1, l2)
    penalty[-1] = 1e-8
    theta = np.zeros(dims + 1) if start is None else np.append(start[0], start[1]).astype(np.float64)
    for _ in range(iterations):
        p = sigmoid(design @ theta)
        gradient = design.T @ (p - target) + penalty * theta
        scaled = design32 * (p * (1 - p)).astype(np.float32)[:, None]
        curvature = (scaled.T @ design32).astype(np.float64) + np.diag(penalty)
        step = np.linalg.solve(curvature, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    theta = np.round(theta, WEIGHT_DECIMALS)
    return theta[:-1], float(theta[-1])


def best_threshold(scores: Floats, y: npt.NDArray[np.int64], floor: float = 0.3, ceiling: float = 0.8,
                   beta: float = 1.0) -> float:
    """The probability cut that maximises F-beta on held-out scores, kept within [floor, ceiling].

    The floor keeps a kind from being called on text unlike anything in the corpus (out-of-fold
    cuts below 0.3 fitted the corpus, and then "The weather has been lovely" closed a call).

    beta < 1 weighs precision more: a wrongly reported forbidden move accuses the trainee.
    """
    if y.sum() == 0:
        return 0.5
    candidates = np.round(np.arange(floor, ceiling + 1e-9, 0.01), 2)
    best, best_score = 0.5, -1.0
    weight = beta * beta
    for cut in candidates:
        predicted = scores >= cut
        tp = float(np.sum(predicted & (y == 1)))
        score = (1 + weight) * tp / max(1.0, weight * y.sum() + predicted.sum())
        if score > best_score + 1e-12:
            best, best_score = float(cut), score
    return best
