"""Page-side helpers of "Draw a digit": cached model loading, analysis and the log.

The arithmetic is in ``convviz.digits`` / ``convviz.nn``; this module adds Streamlit caching.
Cached analyses are keyed by a short model key and the 28x28 image bytes, never by arrays.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from convviz.digits import MODEL_PATH

LOG_PATH = MODEL_PATH.with_name("digit_cnn.log.json")


@st.cache_resource(max_entries=2, show_spinner=False)
def shipped_model(path: str = str(MODEL_PATH)):  # -> Sequential
    """The shipped classifier, loaded once per server (raises ValueError when missing)."""
    from convviz.digits import load_classifier

    return load_classifier(path)


@st.cache_data(max_entries=2, show_spinner=False)
def training_log(path: str = str(LOG_PATH)) -> dict[str, Any] | None:
    p = Path(path)
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@st.cache_data(max_entries=4, show_spinner=False)
def architecture_rows(spec_json: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows and totals of the engine's summary of the model's spec (raises if unavailable)."""
    import convviz

    summary = convviz.summarize(json.loads(spec_json))
    data = summary.to_dict()
    rows = []
    for row in data["layers"]:
        rf = row.get("receptive_field") or {}
        rows.append(
            {
                "layer": row["path"],
                "type": row["type"],
                "output": "×".join(str(v) for v in row["output_shape"]),
                "params": row["params"],
                "macs": row["macs"],
                "rf": _rf_text(rf),
            }
        )
    totals = {"params": data["total_params"], "macs": data["total_macs"]}
    return rows, totals


def _rf_text(rf: Any) -> str:
    size = rf.get("size", rf.get("rf")) if isinstance(rf, dict) else rf
    if isinstance(size, (list, tuple)):
        return "×".join(str(v) for v in size)
    return "" if size is None else str(size)


@dataclass
class Analysis:
    probs: np.ndarray  # (10,)
    activations: list[tuple[str, np.ndarray]]
    target: int
    saliency: np.ndarray  # (28, 28)


def analyse(model: Any, image: np.ndarray) -> Analysis:
    """Prediction, every layer's activations and the input gradient of the top class."""
    probs = model.predict_proba(image[None])[0]
    acts = model.activations(image)
    target, grad = model.input_gradient(image)
    return Analysis(probs, acts, target, grad)


@st.cache_data(show_spinner=False, max_entries=64)
def analyse_cached(model_key: str, image_bytes: bytes, _model: Any) -> Analysis:
    image = np.frombuffer(image_bytes, np.uint8).reshape(28, 28)
    return analyse(_model, image)


def model_key(model: Any) -> str:
    """A content key of a (trained) model: SHA-256 of its architecture (layers and whether it
    deskews its input) and of every weight and running statistic. Not ``id(model)``: ids are
    reused once a model is freed, so another session's later model could have found this
    one's cached analysis."""
    digest = hashlib.sha256(json.dumps(model.architecture(), sort_keys=True, default=str).encode())
    for name, array in sorted({**model.params(), **model.buffers()}.items()):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def is_digit_model(model: Any) -> bool:
    try:
        return tuple(model.input_shape) == (1, 28, 28) and tuple(model.output_shapes()[-1]) == (10,)
    except Exception:  # noqa: BLE001 - anything else in session state is not usable
        return False


@st.cache_data(show_spinner=False, max_entries=16)
def photo_to_gray(data: bytes, lang: str) -> np.ndarray:
    """Decode an uploaded photo (ImageError with a message in ``lang``) -> white-on-black gray."""
    from convviz.digits import photo_to_canvas
    from convviz.images import load_image

    return photo_to_canvas(load_image(data, lang, max_side=560))  # decoded near the working size


@st.cache_resource(show_spinner=False, max_entries=32)
def figures(model_key: str, image_bytes: bytes, lang: str, _model: Any, _analysis: Analysis) -> dict[str, Any]:
    """Every plotly figure of one analysis, built once per (model, digit, language).

    The figures are shared read-only between reruns and sessions (st.plotly_chart only
    serialises them).
    """
    from convviz.figures import digits as FD
    from convviz.i18n import translate

    def tr(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    a = _analysis
    image = _model.prepare(np.frombuffer(image_bytes, np.uint8).reshape(28, 28))  # what the gradient is about
    out: dict[str, Any] = {
        "probs": FD.probabilities_figure(a.probs, tr("digit.probs_title"), tr("digit.probs_x"), tr("digit.probs_y"),
                                          lang),
        "saliency": FD.saliency_figure(
            image, a.saliency,
            (tr("digit.saliency_title", d=a.target), tr("digit.saliency_input"), tr("digit.saliency_grad")), lang,
        ),
    }
    for i, (name, act) in enumerate(a.activations):
        layer_type = name.split(" ", 1)[1]
        shape = "×".join(str(v) for v in act.shape)
        out[f"maps_{i}"] = FD.feature_maps_figure(act, tr("digit.maps_title", i=i, layer=layer_type, shape=shape), lang=lang)
    first = _model.layers[0]
    if "weight" in first.params and first.params["weight"].ndim == 4:
        w = first.params["weight"]
        out["filters"] = FD.filters_figure(w, tr("digit.filters_title", n=w.shape[0]), lang)
    return out


@st.cache_resource(show_spinner=False, max_entries=4)
def curves_figure(lang: str, labels_key: str) -> Any:
    """The training curves of the shipped model (labels as JSON text, one figure per language)."""
    from convviz.figures import digits as FD

    return FD.training_curves_figure(training_log() or {}, json.loads(labels_key), lang)


@st.cache_data(show_spinner=False, max_entries=10)
def sample_canvas(digit: int) -> np.ndarray:
    """One of the built-in sample digits as a canvas drawing (convviz.digits.samples)."""
    from convviz.digits.samples import sample_canvas as draw

    return draw(int(digit))
