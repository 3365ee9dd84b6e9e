"""Brute-force reference implementations (plain Python loops over numpy arrays).

Independent of the engine: they compute outputs by visiting every output cell (or, for the
transposed convolution, by scattering every input cell), never from the size formulas.
The output size is simply how many window positions fit. Shapes follow PyTorch: x is
(C, H, W); conv weights (Cout, Cin/groups, kh, kw); transposed weights (Cin, Cout/groups, kh, kw).

This is the one naive reference of the project: the arithmetic (output sizes, receptive
fields), the animation frames and the fast numpy network (:mod:`convviz.nn`, forward and
backward) are all checked against it. The backward loops send each output gradient back to
the inputs (and weights) that made that output, one product at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Pair = tuple[int, int]


def pad2d(x: np.ndarray, top: int, bottom: int, left: int, right: int, value: float = 0.0) -> np.ndarray:
    c, h, w = x.shape
    out = np.full((c, h + top + bottom, w + left + right), value, dtype=float)
    out[:, top : top + h, left : left + w] = x
    return out


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int, int, int] = (0, 0, 0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """Cross-correlation as torch.nn.functional.conv2d; padding = (top, bottom, left, right)."""
    cin, _, _ = x.shape
    cout, cin_g, kh, kw = weight.shape
    xp = pad2d(x, *padding)
    hp, wp = xp.shape[1:]
    out_rows = [i for i in range(hp) if i + dilation[0] * (kh - 1) < hp][:: stride[0]]
    out_cols = [j for j in range(wp) if j + dilation[1] * (kw - 1) < wp][:: stride[1]]
    out = np.zeros((cout, len(out_rows), len(out_cols)))
    cout_g = cout // groups
    for o in range(cout):
        g = o // cout_g
        for a, i in enumerate(out_rows):
            for b, j in enumerate(out_cols):
                total = 0.0
                for c in range(cin_g):
                    for u in range(kh):
                        for v in range(kw):
                            total += weight[o, c, u, v] * xp[g * cin_g + c, i + dilation[0] * u, j + dilation[1] * v]
                out[o, a, b] = total + (bias[o] if bias is not None else 0.0)
    return out


def conv_transpose2d(
    x: np.ndarray,
    weight: np.ndarray,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    output_padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """Transposed convolution by scattering: input cell (i, j) adds x*kernel at
    (i*s + u*d, j*s + v*d) of a full canvas, which is then cropped by the padding
    (and extended by output_padding at the bottom/right)."""
    cin, h, w = x.shape
    _, cout_g, kh, kw = weight.shape
    full_h = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
    full_w = (w - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
    canvas = np.zeros((cout_g * groups, full_h, full_w))
    cin_g = cin // groups
    for c in range(cin):
        g = c // cin_g
        for i in range(h):
            for j in range(w):
                for o in range(cout_g):
                    for u in range(kh):
                        for v in range(kw):
                            canvas[g * cout_g + o, i * stride[0] + u * dilation[0], j * stride[1] + v * dilation[1]] += (
                                x[c, i, j] * weight[c, o, u, v]
                            )
    ph, pw = padding
    return canvas[:, ph : full_h - ph, pw : full_w - pw]


def _pool_positions(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> list[int]:
    """Window starts (in padded coordinates) that PyTorch visits along one axis."""
    span = d * (k - 1) + 1
    starts = []
    start = 0
    while True:
        inside = start + span <= n + 2 * p
        # ceil mode: one more window may overhang the padded input by less than a stride,
        # but it must start inside the input or the left padding
        partial_ok = ceil_mode and start + span - (n + 2 * p) < s and start < n + p
        if inside or partial_ok:
            starts.append(start)
            start += s
        else:
            break
        if not inside:
            break
    return starts


def _pool_windows(shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int] | None,
                  padding: tuple[int, int], dilation: tuple[int, int], ceil_mode: bool):
    """Every window PyTorch visits: (channel, out row, out column, the input cells it covers,
    how many padding cells of the padded input it covers)."""
    stride = stride or kernel
    c, h, w = shape
    rows = _pool_positions(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    cols = _pool_positions(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    for ch in range(c):
        for a, r0 in enumerate(rows):
            for b, c0 in enumerate(cols):
                cells, padded_cells = [], 0
                for u in range(kernel[0]):
                    for v in range(kernel[1]):
                        r = r0 + u * dilation[0] - padding[0]
                        q = c0 + v * dilation[1] - padding[1]
                        if 0 <= r < h and 0 <= q < w:
                            cells.append((r, q))
                        elif r < h + padding[0] and q < w + padding[1]:
                            padded_cells += 1
                yield ch, a, b, cells, padded_cells


def _pool_out_shape(shape, kernel, stride, padding, dilation, ceil_mode) -> tuple[int, int, int]:
    stride = stride or kernel
    return (shape[0], *(len(_pool_positions(shape[1 + i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode))
                        for i in range(2)))


def pool2d(x: np.ndarray, kind: str, kernel: Pair, stride: Pair | None = None, padding: Pair = (0, 0),
           dilation: Pair = (1, 1), ceil_mode: bool = False, count_include_pad: bool = True) -> np.ndarray:
    """Max or average pooling by visiting every window, with PyTorch's conventions:
    max pooling pads with -inf; average pooling divides by the window clipped to the
    padded input (count_include_pad) or by the real cells it covers."""
    geometry = (kernel, stride, padding, dilation, ceil_mode)
    out = np.zeros(_pool_out_shape(x.shape, *geometry))
    for ch, a, b, cells, padded_cells in _pool_windows(x.shape, *geometry):
        values = [x[ch, r, q] for r, q in cells]
        if kind == "max":
            out[ch, a, b] = max(values, default=-np.inf)  # a window of only padding
        else:
            divisor = len(values) + (padded_cells if count_include_pad else 0)
            out[ch, a, b] = sum(values) / divisor if divisor else np.nan
    return out


def adaptive_pool2d(x: np.ndarray, kind: str, out_hw: tuple[int, int]) -> np.ndarray:
    """Adaptive pooling: bin i covers [floor(i*n/out), ceil((i+1)*n/out))."""
    c, h, w = x.shape
    oh, ow = out_hw
    out = np.zeros((c, oh, ow))
    for i in range(oh):
        r0, r1 = math.floor(i * h / oh), math.ceil((i + 1) * h / oh)
        for j in range(ow):
            c0, c1 = math.floor(j * w / ow), math.ceil((j + 1) * w / ow)
            block = x[:, r0:r1, c0:c1].reshape(c, -1)
            out[:, i, j] = block.max(axis=1) if kind == "max" else block.mean(axis=1)
    return out


def conv2d_backward(
    x: np.ndarray,
    weight: np.ndarray,
    dy: np.ndarray,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int, int, int] = (0, 0, 0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dweight, dbias) of :func:`conv2d` for the output gradient ``dy`` (Cout, Ho, Wo):
    every output cell's gradient is multiplied back onto the input cells and weights it read."""
    cin, h, w = x.shape
    cout, cin_g, kh, kw = weight.shape
    top, _, left, _ = padding
    xp = pad2d(x, *padding)
    dxp = np.zeros_like(xp)
    dweight = np.zeros(weight.shape)
    cout_g = cout // groups
    for o in range(cout):
        g = o // cout_g
        for a in range(dy.shape[1]):
            for b in range(dy.shape[2]):
                grad = dy[o, a, b]
                for c in range(cin_g):
                    for u in range(kh):
                        for v in range(kw):
                            r, q = a * stride[0] + dilation[0] * u, b * stride[1] + dilation[1] * v
                            dweight[o, c, u, v] += grad * xp[g * cin_g + c, r, q]
                            dxp[g * cin_g + c, r, q] += grad * weight[o, c, u, v]
    return dxp[:, top : top + h, left : left + w], dweight, dy.sum(axis=(1, 2))


def pool2d_backward(x: np.ndarray, dy: np.ndarray, kind: str, kernel: Pair, stride: Pair | None = None,
                    padding: Pair = (0, 0), dilation: Pair = (1, 1), ceil_mode: bool = False,
                    count_include_pad: bool = True) -> np.ndarray:
    """dx of :func:`pool2d`: max sends each window's gradient to its first (row-major) largest
    input; average spreads it over the window's input cells, divided as the forward pass."""
    dx = np.zeros(x.shape)
    for ch, a, b, cells, padded_cells in _pool_windows(x.shape, kernel, stride, padding, dilation, ceil_mode):
        if not cells:
            continue
        if kind == "max":
            best = cells[0]
            for cell in cells[1:]:
                if x[ch, cell[0], cell[1]] > x[ch, best[0], best[1]]:
                    best = cell
            dx[ch, best[0], best[1]] += dy[ch, a, b]
        else:
            divisor = len(cells) + (padded_cells if count_include_pad else 0)
            for r, q in cells:
                dx[ch, r, q] += dy[ch, a, b] / divisor
    return dx


def shift2d(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """A 2-D map moved ``dy`` rows down and ``dx`` columns right, cell by cell; cells whose
    source lies outside the map are 0."""
    h, w = x.shape
    out = np.zeros((h, w))
    for r in range(h):
        for c in range(w):
            if 0 <= r - dy < h and 0 <= c - dx < w:
                out[r, c] = x[r - dy, c - dx]
    return out


def descend(grad, w0, lr: float, steps: int, method: str, noises=None) -> np.ndarray:  # noqa: ANN001
    """Gradient-descent paths written out from the textbook rules, one weight at a time:
    ``gd``/``sgd`` w -= lr g; ``momentum`` v = 0.9 v + g, w -= lr v; ``adam`` (0.9, 0.999,
    1e-8) with bias correction. ``noises[t]`` is added to the gradient of step t."""
    w = [float(v) for v in w0]
    vel, m, s = [0.0] * len(w), [0.0] * len(w), [0.0] * len(w)
    path = [list(w)]
    for t in range(1, steps + 1):
        g = [float(v) for v in grad(np.array(w))]
        if noises is not None:
            g = [g[i] + float(noises[t - 1][i]) for i in range(len(w))]
        for i in range(len(w)):
            if method == "momentum":
                vel[i] = 0.9 * vel[i] + g[i]
                w[i] -= lr * vel[i]
            elif method == "adam":
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                s[i] = 0.999 * s[i] + 0.001 * g[i] ** 2
                w[i] -= lr * (m[i] / (1 - 0.9**t)) / (math.sqrt(s[i] / (1 - 0.999**t)) + 1e-8)
            else:
                w[i] -= lr * g[i]
        path.append(list(w))
    return np.array(path)


def numeric_grad(
    f: Callable[[], float], arr: np.ndarray, eps: float, n_checks: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of f() with respect to randomly chosen entries of arr (in place)."""
    flat = arr.reshape(-1)
    idx = rng.choice(flat.size, size=min(n_checks, flat.size), replace=False)
    out = []
    for i in idx:
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        out.append((up - down) / (2 * eps))
    return idx, np.array(out)
