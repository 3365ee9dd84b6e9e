"""Naive loop implementations of convolution and pooling (slow, obviously correct).

They follow the definitions literally, one output element at a time, and serve as the
independent reference that the fast im2col / strided layers are tested against.
"""

from __future__ import annotations

import numpy as np


def _pad(x: np.ndarray, p: int, value: float = 0.0) -> np.ndarray:
    return np.pad(x.astype(np.float64), ((0, 0), (0, 0), (p, p), (p, p)), constant_values=value)


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """y[n,f,i,j] = b[f] + sum_{c,u,v} w[f,c,u,v] * xpad[n,c,i*s+u,j*s+v]."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = _pad(x, padding)
    ho = (h + 2 * padding - k) // stride + 1
    wo = (wd + 2 * padding - k) // stride + 1
    y = np.zeros((n, f, ho, wo))
    for a in range(n):
        for o in range(f):
            for i in range(ho):
                for j in range(wo):
                    total = float(b[o])
                    for ch in range(c):
                        for u in range(k):
                            for v in range(k):
                                total += w[o, ch, u, v] * xp[a, ch, i * stride + u, j * stride + v]
                    y[a, o, i, j] = total
    return y


def conv2d_backward(
    x: np.ndarray, w: np.ndarray, dy: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dw, db) by distributing each output gradient over the inputs that made it."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    ho, wo = dy.shape[2], dy.shape[3]
    for a in range(n):
        for o in range(f):
            for i in range(ho):
                for j in range(wo):
                    g = dy[a, o, i, j]
                    for ch in range(c):
                        for u in range(k):
                            for v in range(k):
                                dw[o, ch, u, v] += g * xp[a, ch, i * stride + u, j * stride + v]
                                dxp[a, ch, i * stride + u, j * stride + v] += g * w[o, ch, u, v]
    db = dy.sum(axis=(0, 2, 3))
    return dxp[:, :, padding : padding + h, padding : padding + wd], dw, db


def pool2d(x: np.ndarray, k: int, stride: int, padding: int = 0, mode: str = "max") -> np.ndarray:
    """Max or average (zero padding counted) over every k x k window."""
    n, c, h, w = x.shape
    xp = _pad(x, padding, -np.inf if mode == "max" else 0.0)
    ho = (h + 2 * padding - k) // stride + 1
    wo = (w + 2 * padding - k) // stride + 1
    y = np.zeros((n, c, ho, wo))
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = xp[a, ch, i * stride : i * stride + k, j * stride : j * stride + k]
                    y[a, ch, i, j] = window.max() if mode == "max" else window.sum() / (k * k)
    return y


def pool2d_backward(
    x: np.ndarray, dy: np.ndarray, k: int, stride: int, padding: int = 0, mode: str = "max"
) -> np.ndarray:
    """Max: the gradient goes to the first (row-major) maximum of each window; avg: spread evenly."""
    n, c, h, w = x.shape
    xp = _pad(x, padding, -np.inf if mode == "max" else 0.0)
    dxp = np.zeros_like(xp)
    ho, wo = dy.shape[2], dy.shape[3]
    for a in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    r, s = i * stride, j * stride
                    if mode == "max":
                        window = xp[a, ch, r : r + k, s : s + k]
                        u, v = np.unravel_index(int(np.argmax(window)), window.shape)
                        dxp[a, ch, r + u, s + v] += dy[a, ch, i, j]
                    else:
                        dxp[a, ch, r : r + k, s : s + k] += dy[a, ch, i, j] / (k * k)
    return dxp[:, :, padding : padding + h, padding : padding + w]
