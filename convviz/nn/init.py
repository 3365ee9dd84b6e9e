"""Weight initialisation, seeded through a numpy Generator.

- He (Kaiming) normal: w ~ N(0, 2 / fan_in), keeps the activation variance of ReLU layers.
- Glorot (Xavier) uniform: w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)).

``scale`` multiplies the drawn weights (tiny values reproduce a network that starts slowly).
"""

from __future__ import annotations

import numpy as np


def he_normal(shape: tuple[int, ...], fan_in: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    std = np.sqrt(2.0 / fan_in) * scale
    return (rng.standard_normal(shape) * std).astype(np.float32)


def glorot_uniform(
    shape: tuple[int, ...], fan_in: int, fan_out: int, rng: np.random.Generator, scale: float = 1.0
) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out)) * scale
    return rng.uniform(-limit, limit, shape).astype(np.float32)
