"""Optimisers that update a model's parameter arrays in place.

- SGD:      v <- mu v + g ;  w <- w - lr v           (mu = 0: plain gradient descent)
- Adam:     m <- b1 m + (1 - b1) g ; v <- b2 v + (1 - b2) g^2 ;
            w <- w - lr * m_hat / (sqrt(v_hat) + eps), with bias-corrected m_hat, v_hat.

``weight_decay`` adds ``weight_decay * w`` to every gradient (L2 regularisation).
"""

from __future__ import annotations

import numpy as np


class Optimizer:
    def __init__(self, params: dict[str, np.ndarray], lr: float, weight_decay: float = 0.0) -> None:
        if lr <= 0:
            raise ValueError("the learning rate must be positive")
        self.params = params
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)

    def _grad(self, name: str, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            return grad + self.weight_decay * self.params[name]
        return grad

    def step(self, grads: dict[str, np.ndarray]) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    def __init__(
        self, params: dict[str, np.ndarray], lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = float(momentum)
        self.velocity = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads: dict[str, np.ndarray]) -> None:
        for name, w in self.params.items():
            g = self._grad(name, grads[name])
            if self.momentum:
                v = self.velocity[name]
                v *= self.momentum
                v += g
                g = v
            w -= (self.lr * g).astype(w.dtype, copy=False)


class Adam(Optimizer):
    def __init__(
        self,
        params: dict[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.b1, self.b2 = betas
        self.eps = eps
        self.t = 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        c1 = 1.0 - self.b1**self.t
        c2 = 1.0 - self.b2**self.t
        for name, w in self.params.items():
            g = self._grad(name, grads[name])
            m, v = self.m[name], self.v[name]
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * (g * g)
            w -= (self.lr / c1 * m / (np.sqrt(v / c2) + self.eps)).astype(w.dtype, copy=False)


def make_optimizer(
    name: str, params: dict[str, np.ndarray], lr: float, weight_decay: float = 0.0
) -> Optimizer:
    """``"sgd"``, ``"momentum"`` (SGD with momentum 0.9) or ``"adam"``."""
    if name == "sgd":
        return SGD(params, lr, 0.0, weight_decay)
    if name == "momentum":
        return SGD(params, lr, 0.9, weight_decay)
    if name == "adam":
        return Adam(params, lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose sgd, momentum or adam")
