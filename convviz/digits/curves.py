"""Reading training curves: the lecture's patterns, named, with a setting that shows each.

The lecture ("Fíjate en las curvas de entrenamiento") shows what a loss curve reveals:

* ``no_learning``: the loss stays flat where it started: the gradients are not reaching
  the weights (here: a learning rate so small the steps do nothing);
* ``diverging``: the loss shoots up (or becomes inf/NaN): the steps are too big, a
  learning rate that is too high (the lecture's case of "applying the negative of the
  gradients" looks the same: the loss climbs instead of falling);
* ``slow_start``: a long flat start, then the loss drops: weights initialised too small,
  so the signal and its gradient are tiny until they grow;
* ``not_converged``: the loss is still clearly falling when training ends: more epochs;
* ``overfitting``: the training loss keeps falling while the validation loss turns back
  up (the gap between training and validation grows): too little data or too big a model
  for it; early stopping, augmentation, dropout help;
* ``healthy``: the loss fell and flattened, and validation follows training.

:func:`diagnose` works on a (possibly still growing) history: per-iteration losses for the
shape of the curve, per-epoch training/validation losses for overfitting. Thresholds are
relative, so they hold for any loss scale. :data:`PRESETS` holds, for each pattern, lab
settings that reproduce it on the lab's digits (see tests/test_curves.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from convviz.errors import CatalogError, Number
from convviz.i18n import fmt_number, translate

PATTERNS: tuple[str, ...] = (
    "no_learning",
    "diverging",
    "slow_start",
    "not_converged",
    "overfitting",
    "healthy",
)
#: Patterns that are a normal state while a run is still going (judged only once it ends).
LIVE_ONLY_SO_FAR: tuple[str, ...] = ("not_converged", "healthy")
BATCH_MODES: tuple[str, ...] = ("full", "mini", "stochastic")
OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
SIZES: tuple[str, ...] = ("small", "medium", "large")
#: Full-batch gradient descent pushes all N digits through the network at once; above this
#: the activations of one step need gigabytes, so the lab asks for mini-batches instead.
MAX_FULL_BATCH = 1000


# --------------------------------------------------------------------------- lab settings
@dataclass(frozen=True)
class LabSettings:
    """Everything the Training lab lets the student choose.

    Batch modes follow the lecture: ``full`` (batch gradient descent, B = N), ``mini``
    (1 < B < N), ``stochastic`` (B = 1). An epoch is one pass over the N training
    examples; it takes ceil(N / B) iterations (one weight update per batch).
    """

    size: str = "small"
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_mode: str = "mini"
    batch_size: int = 32
    epochs: int = 5
    n_train: int = 1000
    n_val: int = 500
    batchnorm: bool = False
    dropout: float = 0.0
    augment: bool = False
    deskew: bool = False  # straighten every digit first (convviz.digits.deskew)
    early_stopping: bool = False
    patience: int = 3
    seed: int = 0
    init_scale: float = 1.0

    def validate(self) -> None:
        if self.size not in SIZES:
            raise CatalogError("engine.lab_size", value=repr(self.size))
        if self.optimizer not in OPTIMIZERS:
            raise CatalogError("engine.lab_optimizer", value=repr(self.optimizer))
        if self.batch_mode not in BATCH_MODES:
            raise CatalogError("engine.lab_batch_mode", value=repr(self.batch_mode))
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise CatalogError("engine.lab_lr")
        if self.batch_mode == "mini" and not 1 <= self.batch_size:
            raise CatalogError("engine.lab_batch_size")
        if self.batch_mode == "full" and self.n_train > MAX_FULL_BATCH:
            raise CatalogError("engine.lab_full_batch", limit=Number(MAX_FULL_BATCH))
        if self.epochs < 1:
            raise CatalogError("engine.lab_epochs")
        if self.n_train < 1 or self.n_val < 1:
            raise CatalogError("engine.lab_examples")
        if not 0.0 <= self.dropout < 1.0:
            raise CatalogError("engine.lab_dropout")
        if self.early_stopping and self.patience < 1:
            raise CatalogError("engine.lab_patience")
        if not self.init_scale > 0:
            raise CatalogError("engine.lab_init_scale")

    @property
    def batch(self) -> int:
        """The batch size B actually used: N (full), the chosen size capped at N, or 1."""
        if self.batch_mode == "full":
            return self.n_train
        if self.batch_mode == "stochastic":
            return 1
        return max(1, min(int(self.batch_size), self.n_train))

    @property
    def iterations_per_epoch(self) -> int:
        """ceil(N / B): the last batch of an epoch may be smaller."""
        return -(-self.n_train // self.batch)

    @property
    def total_iterations(self) -> int:
        return self.iterations_per_epoch * self.epochs

    def model_kwargs(self) -> dict[str, Any]:
        """Arguments for ``convviz.nn.build_model``."""
        return {
            "size": self.size,
            "batchnorm": self.batchnorm,
            "dropout": float(self.dropout),
            "seed": int(self.seed),
            "init_scale": float(self.init_scale),
            "deskew": bool(self.deskew),
        }

    def train_kwargs(self) -> dict[str, Any]:
        """Arguments for ``convviz.nn.TrainConfig`` (batch_size 0 means full batch)."""
        return {
            "optimizer": self.optimizer,
            "lr": float(self.lr),
            "batch_size": 0 if self.batch_mode == "full" else self.batch,
            "epochs": int(self.epochs),
            "augment": bool(self.augment),
            "early_stopping_patience": int(self.patience) if self.early_stopping else None,
            "seed": int(self.seed),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> LabSettings:
        return replace(self, **changes)


DEFAULT_SETTINGS = LabSettings()

#: For each pattern, the settings (changes from the defaults) that reproduce it on the
#: lab's generated digits: checked by running them in tests/test_curves.py.
PRESETS: dict[str, dict[str, Any]] = {
    "no_learning": {"optimizer": "sgd", "lr": 1e-5, "epochs": 3},
    "diverging": {"optimizer": "sgd", "lr": 3.0, "epochs": 2},
    "slow_start": {"optimizer": "momentum", "lr": 0.02, "init_scale": 0.2, "epochs": 5},
    "not_converged": {"optimizer": "sgd", "lr": 0.003, "epochs": 2},
    "overfitting": {"n_train": 50, "batch_size": 10, "lr": 3e-3, "epochs": 30},
    "healthy": {},
}


def preset(kind: str, base: LabSettings = DEFAULT_SETTINGS) -> LabSettings:
    """The lab settings that reproduce ``kind`` (starting from the defaults, not ``base``'s
    choices, except for the data-independent seed)."""
    if kind not in PRESETS:
        raise CatalogError("engine.lab_pattern", value=repr(kind), choices=", ".join(PATTERNS))
    return replace(DEFAULT_SETTINGS, seed=base.seed, **PRESETS[kind])


# --------------------------------------------------------------------------- detection
#: How each number of a diagnosis is written in its explanation: the number of decimals
#: (None: an exact integer). A divergence ratio of 100 or more is written without decimals
#: (``535,714,286`` / ``535.714.286``), a smaller one with one (``4.0`` / ``4,0``).
_DECIMALS: dict[str, int | None] = {
    "ratio": 1, "start": 3, "end": 3, "rise": 0, "gap": 0, "percent": 0, "drop": 0, "epoch": None,
}


def _format_value(name: str, value: Any, lang: str) -> str:
    """``value`` as the explanation in ``lang`` shows it (``fmt_number`` separators: ``0.532`` in
    English, ``0,532`` in Spanish). Text (e.g. a value already written out) is kept as it is;
    an infinite ratio is ``∞`` and a missing number ``?``."""
    if value is None:
        return "?"
    if isinstance(value, str) or not isinstance(value, (int, float, np.number)):
        return str(value)
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return "∞" if value > 0 else str(value)
    decimals = _DECIMALS.get(name)
    if name == "ratio" and value >= 100:
        decimals = 0
    if decimals is None and isinstance(value, (float, np.floating)):
        decimals = 0 if float(value).is_integer() else None
    return fmt_number(value, lang, decimals)


@dataclass(frozen=True)
class Diagnosis:
    """The pattern a curve shows, with the numbers that gave it away.

    ``values`` holds the numbers themselves (language-free); :meth:`explanation` writes them
    in the user's language with :func:`convviz.i18n.fmt_number`.
    """

    kind: str
    values: dict[str, Any] = field(default_factory=dict)

    def formatted_values(self, lang: str = "en") -> dict[str, str]:
        """``values`` written out for ``lang`` (see ``_DECIMALS``)."""
        return {name: _format_value(name, value, lang) for name, value in self.values.items()}

    def title(self, lang: str = "en") -> str:
        return translate(f"train.pattern_{self.kind}", lang)

    def explanation(self, lang: str = "en", live: bool = False) -> str:
        """Why the curves show this pattern. ``live``: the run is still going, so a loss that
        is still falling (not_converged) or has flattened so far (healthy) is a report on
        the run so far, not a verdict on its settings."""
        key = f"train.pattern_{self.kind}_why"
        if live and self.kind in LIVE_ONLY_SO_FAR:
            key += "_live"
        return translate(key, lang, **self.formatted_values(lang))

    @property
    def preset(self) -> dict[str, Any]:
        return PRESETS[self.kind]


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """Mean of each run of ``window`` consecutive values ('valid' part only)."""
    arr = np.asarray(values, dtype=np.float64)
    window = max(1, min(int(window), arr.size))
    if arr.size == 0:
        return arr
    c = np.cumsum(np.insert(arr, 0, 0.0))
    return (c[window:] - c[:-window]) / window


def envelope(values: Sequence[float], max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points that keep the shape of a long noisy curve.

    Returns ``(index, value)``: unchanged (index 0..n-1) when n <= max_points; otherwise
    the n values are cut into (max_points - 2) // 2 consecutive buckets and each bucket
    keeps its minimum and its maximum, in their original order (plus the first and last
    values), so the band of a noisy
    stochastic curve stays visible (a plain stride or mean would hide the noise).
    Non-finite values are skipped inside a bucket (a bucket of only NaN keeps one NaN).
    """
    arr = np.asarray(values, dtype=np.float64)
    n = arr.size
    if n <= max(2, max_points):
        return np.arange(n), arr
    buckets = max(1, (max_points - 2) // 2)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    index: list[int] = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        part = arr[lo:hi]
        finite = np.isfinite(part)
        if not finite.any():
            index.append(lo)
            continue
        masked_lo = np.where(finite, part, np.inf)
        masked_hi = np.where(finite, part, -np.inf)
        pair = sorted({lo + int(np.argmin(masked_lo)), lo + int(np.argmax(masked_hi))})
        index.extend(pair)
    idx = np.unique(np.asarray([0, *index, n - 1]))  # the first and last points are kept too
    return idx, arr[idx]


def _get(history: Any, name: str) -> list[float]:
    if isinstance(history, Mapping):
        value = history.get(name)
    else:
        value = getattr(history, name, None)
    return [float(v) for v in value] if value else []


MIN_ITERATIONS = 10


def diagnose(history: Any) -> Diagnosis | None:
    """Name the pattern of a training history (``convviz.nn.History`` or a dict with the
    same lists); None while there is too little to judge (under 10 iterations and
    under 2 epochs).

    Rules, in this order (L = per-iteration loss, smoothed over ~1/10 of the run):

    1. diverging: a non-finite loss, or the smoothed loss climbs above 1.5 × the very
       first loss, or ends above 1.1 × it;
    2. no_learning: the smoothed loss never falls below 0.9 × its start and ends above
       0.95 × it;
    3. overfitting (≥ 4 epochs with validation): the validation loss is ≥ 10 % above its
       minimum, reached ≥ 2 epochs before the end, while the training loss kept falling
       (< 0.8 × its value at that epoch); or the training set is memorised: training
       accuracy ≥ 99 %, validation accuracy ≥ 8 points lower and validation loss ≥ 5 ×
       the training loss;
    4. slow_start: L takes ≥ 25 % of the run to fall 10 % below its start, and then
       ends below 0.8 × its start;
    5. not_converged: over the last quarter of the run L still fell by > 10 % of all it
       has fallen, or in the last epoch the validation (else training) loss fell by > 2 %
       of its value and > 5 % of all it has fallen since the first epoch;
    6. healthy otherwise.
    """
    il = _get(history, "iter_loss")
    tl = _get(history, "train_loss")
    vl = _get(history, "val_loss")
    ta = _get(history, "train_acc")
    va = _get(history, "val_acc")
    if len(il) < MIN_ITERATIONS and len(tl) < 2:
        return None
    all_losses = il + tl + vl
    if any(not math.isfinite(v) for v in all_losses):
        return Diagnosis("diverging", {"ratio": math.inf})
    curve = il if len(il) >= MIN_ITERATIONS else tl
    first = curve[0]
    s = moving_average(curve, max(1, len(curve) // 10))
    start, end = float(s[0]), float(s[-1])
    fine = moving_average(curve, max(1, len(curve) // 20))
    peak = float(fine.max())
    ref = max(first, 1e-12)
    if peak > 1.5 * ref or end > 1.1 * ref:
        ratio = max(peak, end) / ref
        return Diagnosis("diverging", {"ratio": ratio})
    if float(s.min()) >= 0.9 * start and end >= 0.95 * start:
        return Diagnosis("no_learning", {"start": start, "end": end})
    if len(vl) >= 4 and len(tl) == len(vl):
        best = int(np.argmin(vl))
        rise = vl[-1] / max(vl[best], 1e-12) - 1
        if rise >= 0.10 and best <= len(vl) - 3 and tl[-1] < 0.8 * tl[best]:
            return Diagnosis(
                "overfitting",
                {"epoch": best + 1, "rise": 100 * rise, "gap": _gap(ta, va)},
            )
        if ta and va and ta[-1] >= 0.99 and ta[-1] - va[-1] >= 0.08 and vl[-1] >= 5 * tl[-1]:
            return Diagnosis(
                "overfitting",
                {"epoch": best + 1, "rise": 100 * max(rise, 0), "gap": _gap(ta, va)},
            )
    below = np.flatnonzero(s <= 0.9 * start)
    if below.size and below[0] >= 0.25 * len(s) and end <= 0.8 * start:
        return Diagnosis("slow_start", {"percent": 100 * float(below[0]) / len(s)})
    span = max(start - float(s.min()), 1e-12)  # how far the loss has come down so far
    q = max(0, len(s) - max(1, len(s) // 4) - 1)
    tail_drop = (float(s[q]) - end) / span
    epoch_curve = vl if len(vl) >= 2 else tl
    epoch_drop = 0.0
    if len(epoch_curve) >= 2:
        last_step = epoch_curve[-2] - epoch_curve[-1]
        epoch_span = max(epoch_curve[0] - min(epoch_curve), 1e-12)
        if last_step > 0.02 * epoch_curve[-2]:
            epoch_drop = last_step / epoch_span
    if tail_drop > 0.10 or epoch_drop > 0.05:
        return Diagnosis("not_converged", {"drop": 100 * (start - end) / max(start, 1e-12)})
    return Diagnosis("healthy", {"end": end})


def _gap(ta: list[float], va: list[float]) -> float | None:
    """Training minus validation accuracy at the end, in percentage points (None: unknown)."""
    if not ta or not va:
        return None
    return 100 * (ta[-1] - va[-1])
