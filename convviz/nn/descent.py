"""Gradient descent, pictured: 2-D loss surfaces, their gradients, and the paths that batch
gradient descent, SGD, momentum and Adam take on them with the same learning rate.

The lecture's update is ``w(t+1) = w(t) - eta * grad E(w(t))``. The optimisers are the ones the
Training lab trains with (:mod:`convviz.nn.optim`), run here on one 2-vector of weights:

- ``gd``: batch gradient descent, the exact gradient (all the examples);
- ``sgd``: the same rule on a noisy gradient ``g + sigma * z``, ``z ~ N(0, I)`` (a mini-batch's
  gradient is the full one plus noise; ``sigma = 0`` gives batch GD);
- ``momentum``: ``v <- 0.9 v + g ; w <- w - eta v`` on the noisy gradient;
- ``adam``: ``m <- b1 m + (1-b1) g ; v <- b2 v + (1-b2) g^2 ;
  w <- w - eta m_hat / (sqrt(v_hat) + eps)`` on the noisy gradient.

The three noisy methods see the same noise (one generator seeded with ``seed`` each).
Surfaces:

- ``bowl``: ``E = 0.1 x^2 + 2 y^2``, an elongated bowl (curvatures 0.2 and 4, ratio 20);
- ``saddle``: ``E = x^2/2 - y^2/2 + y^4/4``, a saddle point at (0, 0) between two minima
  at (0, +-1) (E = -1/4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from convviz.nn.optim import Adam, make_optimizer

METHODS = ("gd", "sgd", "momentum", "adam")
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 1.0)
"""The learning rates offered on the Concepts page (within :data:`LR_RANGE`)."""
SURFACES = ("bowl", "saddle")
MAX_STEPS = 300
"""Most steps of one path. The four paths of 300 steps took 0.14-0.19 s (median) on the
2-core machine at load average 25; the page caches them per setting."""
LR_RANGE = (1e-4, 2.0)
"""Learning rates accepted (beyond 2 every method leaves the picture at once)."""
MAX_NOISE = 10.0
"""Largest standard deviation of the gradient noise."""
ESCAPE = 1e6
"""A path whose weights grow past this is stopped and marked as diverged."""


@dataclass(frozen=True)
class Surface:
    """A loss ``E(w)`` on two weights, its gradient, where paths start and the part drawn."""

    name: str
    loss: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def _bowl(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    return 0.1 * w[..., 0] ** 2 + 2.0 * w[..., 1] ** 2


def _bowl_grad(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    return np.stack([0.2 * w[..., 0], 4.0 * w[..., 1]], axis=-1)


def _saddle(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    x, y = w[..., 0], w[..., 1]
    return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4


def _saddle_grad(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    x, y = w[..., 0], w[..., 1]
    return np.stack([x, y**3 - y], axis=-1)


SURFACE_DEFS = {
    "bowl": Surface("bowl", _bowl, _bowl_grad, (-4.5, 1.5), (-5.0, 5.0), (-2.5, 2.5)),
    "saddle": Surface("saddle", _saddle, _saddle_grad, (-2.5, 0.01), (-3.0, 3.0), (-2.0, 2.0)),
}


def surface(name: str) -> Surface:
    if name not in SURFACE_DEFS:
        raise ValueError(f"surface must be one of {SURFACES}")
    return SURFACE_DEFS[name]


@dataclass(frozen=True)
class DescentPath:
    """Weights after each step (``points[0]`` is the start), the loss there, and the step at
    which the path left every bound (None when it did not)."""

    method: str
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None


def check_settings(lr: float, steps: int, noise: float) -> None:
    """Raise ValueError for settings outside the bounds (:data:`LR_RANGE`, ...)."""
    if not (LR_RANGE[0] <= lr <= LR_RANGE[1]) or not 1 <= steps <= MAX_STEPS or not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"lr in {LR_RANGE}, steps 1..{MAX_STEPS}, noise 0..{MAX_NOISE}")


def descent_path(surf: Surface, method: str, lr: float, steps: int, noise: float = 0.0, seed: int = 0,
                 start: tuple[float, float] | None = None) -> DescentPath:
    """The path of ``method`` (one of :data:`METHODS`) on ``surf``: ``steps`` updates of the
    optimiser of :mod:`convviz.nn.optim` on the 2-vector of weights."""
    check_settings(lr, steps, noise)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    w = np.array(start if start is not None else surf.start, dtype=np.float64)
    opt = make_optimizer("sgd" if method == "gd" else method, {"w": w}, lr)
    rng = np.random.default_rng(seed)
    points = [w.copy()]
    diverged = None
    for t in range(1, steps + 1):
        g = surf.grad(w)
        if method != "gd" and noise > 0:
            g = g + noise * rng.standard_normal(2)
        with np.errstate(all="ignore"):
            opt.step({"w": g})
        if not np.isfinite(w).all() or np.abs(w).max() > ESCAPE:
            diverged = t
            break
        points.append(w.copy())
    pts = np.array(points)
    return DescentPath(method, pts, surf.loss(pts), diverged)


def all_paths(surface_name: str, lr: float, steps: int, noise: float, seed: int) -> list[DescentPath]:
    """The four methods' paths on one surface, same learning rate, same noise."""
    surf = surface(surface_name)
    return [descent_path(surf, m, lr, steps, noise, seed) for m in METHODS]


# --------------------------------------------------------------------------- Adam's own rates
CURVATURES = (100.0, 10.0, 1.0, 0.1)
"""Four weights of ``E = sum_i c_i w_i^2 / 2``: their gradients ``c_i w_i`` differ 1000-fold."""
MAX_ADAM_STEP = 100


@dataclass(frozen=True)
class StepRow:
    """One weight at Adam's step ``t``: its gradient, SGD's step from the same point and
    gradient, Adam's moments (bias-corrected), its own rate ``eta / (sqrt(v_hat) + eps)`` and
    step ``-rate * m_hat``."""

    weight: float
    grad: float
    sgd_step: float
    m_hat: float
    v_hat: float
    rate: float
    adam_step: float


def adam_vs_sgd(lr: float, t: int, curvatures: tuple[float, ...] = CURVATURES,
                start: float = 1.0) -> list[StepRow]:
    """Adam's step ``t`` on ``E = sum c_i w_i^2 / 2`` from ``w_i = start`` (after ``t - 1``
    Adam steps), next to the step SGD with the same ``eta`` would take from the same weights."""
    if not (LR_RANGE[0] <= lr <= LR_RANGE[1]) or not 1 <= t <= MAX_ADAM_STEP:
        raise ValueError(f"lr in {LR_RANGE}, t 1..{MAX_ADAM_STEP}")
    c = np.asarray(curvatures, dtype=np.float64)
    w = np.full(c.shape, float(start))
    opt = Adam({"w": w}, lr)
    for _ in range(t - 1):
        opt.step({"w": c * w})
    before = w.copy()
    g = c * before
    opt.step({"w": g})
    m_hat = opt.m["w"] / (1 - opt.b1**opt.t)
    v_hat = opt.v["w"] / (1 - opt.b2**opt.t)
    rate = lr / (np.sqrt(v_hat) + opt.eps)
    return [StepRow(float(before[i]), float(g[i]), float(-lr * g[i]), float(m_hat[i]), float(v_hat[i]),
                    float(rate[i]), float(w[i] - before[i])) for i in range(c.size)]
