"""Pure computations behind the Concepts page (numpy only, no streamlit, no plotly).

Each function states the formula the lecture uses:

* activations and their derivatives: sigmoid σ(z) = 1/(1+e^-z), σ' = σ(1-σ);
  tanh, tanh' = 1 - tanh²; ReLU max(0, z), ReLU' = [z > 0]; leaky ReLU
  max(αz, z), derivative 1 or α;
* a stack of linear layers y = W_L(...(W_1 x + b_1)...) + b_L is one linear layer
  y = W x + b with W = W_L···W_1 and b = Σ_k W_L···W_{k+1} b_k;
* parameters of a fully connected layer vs a convolutional layer producing the same
  output volume (the lecture's 32x32x3 image, six 5x5 filters -> 28x28x6, 456 parameters);
* batch / layer / instance / group normalisation on an N×C×H×W block: which values share
  a mean and a variance; the batch-norm transform step by step (Ioffe & Szegedy, Alg. 1);
* inverted dropout: keep a unit with probability 1-p and divide by 1-p during training
  so that the expected activation is unchanged and nothing is rescaled at test time;
* softmax with temperature: softmax(z / T)_i = e^{z_i/T} / Σ_j e^{z_j/T}.

:func:`format_vector` writes a vector for the page's text in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.arithmetic.sizes import conv_out
from convviz.errors import ConvVizError, Number
from convviz.i18n import LIST_SEPARATORS, fmt_number

ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu")
NORMS: tuple[str, ...] = ("batch", "layer", "instance", "group")


# --------------------------------------------------------------------------- activations
def activation(name: str, z: np.ndarray | float, alpha: float = 0.01) -> np.ndarray:
    """The activation ``name`` applied element-wise to ``z``.

    sigmoid: 1/(1+e^-z); tanh: (e^z-e^-z)/(e^z+e^-z); relu: max(0, z);
    leaky_relu: z if z > 0 else alpha*z.
    """
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        # numerically stable on both tails
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
        return out
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, alpha * z)
    raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")


def activation_derivative(name: str, z: np.ndarray | float, alpha: float = 0.01) -> np.ndarray:
    """d activation / dz at ``z``.

    sigmoid: σ(z)(1-σ(z)) (at most 0.25, at z = 0); tanh: 1 - tanh(z)² (at most 1);
    relu: 1 for z > 0 else 0 (0 chosen at z = 0, as PyTorch does); leaky_relu: 1 or alpha.
    """
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        s = activation("sigmoid", z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, alpha)
    raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")


@dataclass(frozen=True)
class LinearCollapse:
    """A stack of linear layers and the single layer it equals.

    ``weights[k]`` has shape (n_{k+1}, n_k); ``weight`` = W_L···W_1 and
    ``bias`` = Σ_k W_L···W_{k+1} b_k, so that the stack maps x to weight @ x + bias.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    weight: np.ndarray
    bias: np.ndarray

    def stack(self, x: np.ndarray, activation_name: str | None = None) -> np.ndarray:
        """Apply the layers one after the other (optionally with a non-linearity between)."""
        h = np.asarray(x, dtype=np.float64)
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = w @ h + b
            if activation_name is not None and k < last:
                h = activation(activation_name, h)
        return h

    def single(self, x: np.ndarray) -> np.ndarray:
        """The collapsed layer: weight @ x + bias."""
        return self.weight @ np.asarray(x, dtype=np.float64) + self.bias


def collapse_linear_stack(
    weights: list[np.ndarray], biases: list[np.ndarray] | None = None
) -> LinearCollapse:
    """Multiply out a stack of linear layers into one: W = W_L···W_1, b accumulated."""
    if not weights:
        raise ValueError("the stack needs at least one layer")
    ws = [np.asarray(w, dtype=np.float64) for w in weights]
    bs = (
        [np.zeros(w.shape[0]) for w in ws]
        if biases is None
        else [np.asarray(b, dtype=np.float64).reshape(-1) for b in biases]
    )
    if len(bs) != len(ws):
        raise ValueError("one bias per layer")
    for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
        if w.ndim != 2 or b.shape[0] != w.shape[0]:
            raise ValueError(f"layer {k + 1}: weight must be 2-D and bias match its rows")
        if k and ws[k - 1].shape[0] != w.shape[1]:
            raise ValueError(
                f"layer {k + 1} expects {w.shape[1]} inputs but layer {k} gives {ws[k - 1].shape[0]}"
            )
    weight = ws[0]
    bias = bs[0]
    for w, b in zip(ws[1:], bs[1:], strict=True):
        weight = w @ weight
        bias = w @ bias + b
    return LinearCollapse(tuple(ws), tuple(bs), weight, bias)


# --------------------------------------------------------------------------- FC vs conv
@dataclass(frozen=True)
class FcVsConv:
    """Parameter and connection counts of a conv layer and an FC layer with the same output.

    Conv: ``filters`` filters of k×k×C_in, one bias each -> (k·k·C_in + 1)·filters
    parameters; output (H_out, W_out, filters) with H_out = (H + 2P - k)/S + 1.
    FC: every output unit sees every input value -> (H·W·C_in + 1)·(H_out·W_out·filters).
    """

    input_shape: tuple[int, int, int]  # H, W, C
    output_shape: tuple[int, int, int]  # H_out, W_out, filters
    kernel: int
    conv_params: int
    conv_weights: int
    fc_params: int
    fc_weights: int
    conv_inputs_per_output: int  # sparse connectivity: k*k*C inputs per output
    fc_inputs_per_output: int  # H*W*C inputs per output
    conv_mults: int  # multiplications for the whole output
    fc_mults: int

    @property
    def ratio(self) -> float:
        """How many times more parameters the FC layer needs."""
        return self.fc_params / self.conv_params


def fc_vs_conv(
    height: int = 32,
    width: int = 32,
    channels: int = 3,
    filters: int = 6,
    kernel: int = 5,
    stride: int = 1,
    padding: int = 0,
) -> FcVsConv:
    """Counts for a conv layer and the FC layer producing the same output volume.

    The lecture's example (defaults): 32x32x3 with six 5x5 filters -> 28x28x6,
    (5·5·3 + 1)·6 = 456 parameters vs (32·32·3 + 1)·(28·28·6) = 14,455,392.
    """
    for name, value in (("height", height), ("width", width), ("channels", channels),
                        ("filters", filters), ("kernel", kernel), ("stride", stride)):
        if int(value) < 1:
            raise ConvVizError(key="concepts.fc_too_small", values={"what": name})
    if padding < 0:
        raise ConvVizError(key="concepts.fc_negative_padding")
    span_h = height + 2 * padding - kernel
    span_w = width + 2 * padding - kernel
    if span_h < 0 or span_w < 0:
        raise ConvVizError(key="concepts.fc_no_fit", values={"k": kernel, "h": height, "w": width, "p": padding})
    if span_h % stride or span_w % stride:
        n = height if span_h % stride else width
        raise ConvVizError(key="concepts.fc_not_whole", values={
            "h": n, "p": padding, "k": kernel, "s": stride, "ratio": Number((n + 2 * padding - kernel) / stride, 2)})
    h_out, w_out = conv_out(height, kernel, stride, padding), conv_out(width, kernel, stride, padding)
    n_in = height * width * channels
    n_out = h_out * w_out * filters
    per_filter = kernel * kernel * channels
    return FcVsConv(
        input_shape=(height, width, channels),
        output_shape=(h_out, w_out, filters),
        kernel=kernel,
        conv_params=(per_filter + 1) * filters,
        conv_weights=per_filter * filters,
        fc_params=(n_in + 1) * n_out,
        fc_weights=n_in * n_out,
        conv_inputs_per_output=per_filter,
        fc_inputs_per_output=n_in,
        conv_mults=per_filter * n_out,
        fc_mults=n_in * n_out,
    )


def conv1d_connectivity(n_inputs: int = 5, kernel: int = 3, padding: int = 0) -> np.ndarray:
    """Connection matrix of a 1-D convolution, stride 1 (outputs × inputs).

    Entry [i, j] is the index (0..kernel-1) of the shared weight that links input j to
    output i, or -1 when they are not connected. With zero padding P there are
    n + 2P - kernel + 1 outputs and output i reads inputs i-P .. i-P+kernel-1 (those that
    exist): sparse connectivity. Every row uses the same ``kernel`` weights: parameter
    sharing. A fully connected layer would connect every pair with its own weight.
    """
    if kernel < 1 or padding < 0 or n_inputs + 2 * padding < kernel:
        raise ValueError("need at least as many (padded) inputs as the kernel size")
    n_out = conv_out(n_inputs, kernel, 1, padding)
    conn = -np.ones((n_out, n_inputs), dtype=int)
    for i in range(n_out):
        for k in range(kernel):
            j = i - padding + k
            if 0 <= j < n_inputs:
                conn[i, j] = k
    return conn


# --------------------------------------------------------------------------- normalisation
def norm_groups(kind: str, shape: tuple[int, int, int, int], groups: int = 2) -> np.ndarray:
    """For every element of an N×C×H×W block, the id of the set it is normalised with.

    batch: one set per channel c (over N, H, W); layer: one set per example n (over C, H, W);
    instance: one per (n, c) (over H, W); group: one per (n, g) where channel c belongs to
    group g = c // (C / groups) (over C/groups channels and H, W).
    """
    n, c, h, w = (int(v) for v in shape)
    if min(n, c, h, w) < 1:
        raise ValueError("every dimension of N×C×H×W must be at least 1")
    nn_, cc, _, _ = np.meshgrid(np.arange(n), np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    if kind == "batch":
        ids = cc
    elif kind == "layer":
        ids = nn_
    elif kind == "instance":
        ids = nn_ * c + cc
    elif kind == "group":
        if groups < 1 or c % groups:
            raise ValueError(f"C = {c} channels cannot be split into {groups} equal groups")
        ids = nn_ * groups + cc // (c // groups)
    else:
        raise ValueError(f"unknown normalisation {kind!r}; choose one of {', '.join(NORMS)}")
    return ids.astype(int)


@dataclass(frozen=True)
class BatchNormSteps:
    """Algorithm 1 of Ioffe & Szegedy on a mini-batch x (m examples × features)."""

    x: np.ndarray
    mean: np.ndarray  # μ_B = 1/m Σ x_i
    variance: np.ndarray  # σ²_B = 1/m Σ (x_i - μ_B)²
    centered: np.ndarray  # x_i - μ_B
    x_hat: np.ndarray  # (x_i - μ_B) / sqrt(σ²_B + ε)
    y: np.ndarray  # γ x̂_i + β
    gamma: np.ndarray
    beta: np.ndarray
    eps: float


def batchnorm_steps(
    x: np.ndarray, gamma: float | np.ndarray = 1.0, beta: float | np.ndarray = 0.0, eps: float = 1e-5
) -> BatchNormSteps:
    """The batch-norm transform step by step over axis 0 (the mini-batch)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError("the mini-batch must be m examples × features, m ≥ 1")
    if eps <= 0:
        raise ValueError("ε must be positive")
    g = np.broadcast_to(np.asarray(gamma, dtype=np.float64), (x.shape[1],)).copy()
    b = np.broadcast_to(np.asarray(beta, dtype=np.float64), (x.shape[1],)).copy()
    mean = x.mean(axis=0)
    centered = x - mean
    variance = (centered**2).mean(axis=0)
    x_hat = centered / np.sqrt(variance + eps)
    return BatchNormSteps(x, mean, variance, centered, x_hat, g * x_hat + b, g, b, eps)


# --------------------------------------------------------------------------- dropout
def dropout_masks(
    layer_sizes: list[int] | tuple[int, ...], p: float, iterations: int = 1, seed: int = 0
) -> list[list[np.ndarray]]:
    """Keep-masks for the hidden layers of a small network, one set per iteration.

    Input and output layers are never dropped (the lecture applies dropout to hidden
    units); each hidden unit is kept independently with probability 1 - p.
    Returns masks[iteration][layer] (bool arrays; all True for input/output layers).
    """
    if not 0.0 <= p < 1.0:
        raise ValueError("the dropout rate p must be in [0, 1)")
    rng = np.random.default_rng(seed)
    out: list[list[np.ndarray]] = []
    last = len(layer_sizes) - 1
    for _ in range(max(1, int(iterations))):
        masks = []
        for k, size in enumerate(layer_sizes):
            if k in (0, last):
                masks.append(np.ones(int(size), dtype=bool))
            else:
                masks.append(rng.random(int(size)) >= p)
        out.append(masks)
    return out


def inverted_dropout(
    x: np.ndarray, p: float, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Training-time inverted dropout: y = x · mask / (1 - p), mask_i ~ Bernoulli(1 - p).

    E[y_i] = x_i, so at test time the layer is the identity (no rescaling needed).
    Returns (y, mask).
    """
    if not 0.0 <= p < 1.0:
        raise ValueError("the dropout rate p must be in [0, 1)")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    x = np.asarray(x, dtype=np.float64)
    mask = gen.random(x.shape) >= p
    return x * mask / (1.0 - p), mask


# --------------------------------------------------------------------------- softmax
def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(z / T)_i = e^{z_i/T} / Σ_j e^{z_j/T}, computed stably (max subtracted).

    T = 1 is the lecture's softmax; T → 0 puts all mass on the largest logit, T → ∞
    tends to the uniform distribution 1/K.
    """
    if not temperature > 0:
        raise ValueError("the temperature must be positive")
    z = np.asarray(z, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def entropy(p: np.ndarray) -> float:
    """Shannon entropy -Σ p log p (nats) of a probability vector."""
    p = np.asarray(p, dtype=np.float64)
    nz = p[p > 0]
    return float(-(nz * np.log(nz)).sum())


# --------------------------------------------------------------------------- text
#: Between the entries of a written vector: ``[0.5, 1.2, −3]`` in English; in Spanish the
#: comma is the decimal mark, so the entries are separated by ``;``: ``[0,5; 1,2; −3]``.
VECTOR_SEPARATORS = LIST_SEPARATORS  # the one list separator of each language (convviz.i18n)


def format_vector(values: np.ndarray | list[float], lang: str = "en", spec: str = ".4g") -> str:
    """A vector as the lecture writes it, in ``lang``'s number format: ``[0.5, 1.2, −3]``
    (English) or ``[0,5; 1,2; −3]`` (Spanish); numpy would print ``[ 0.5  1.2 -3. ]``.
    Each entry is ``format(v, spec)`` with the language's separators and a true minus sign."""
    sep = VECTOR_SEPARATORS.get(lang, VECTOR_SEPARATORS["en"])
    entries = (fmt_number(float(v), lang, spec=spec).replace("-", "−") for v in np.ravel(values))
    return "[" + sep.join(entries) + "]"
