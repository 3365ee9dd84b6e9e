"""Concepts page sections that picture the lecture's training and pooling ideas: pooling's
invariance to small shifts, data augmentation (with the Training lab's own settings),
gradient descent on a 2-D surface, and Adam's per-parameter rate. Each reads its widgets,
calls the engine (convviz.digits.shift, convviz.digits.augment, convviz.nn.descent) and
draws with convviz.figures.invariance / convviz.figures.descent."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from convviz.digits import shift as S
from convviz.digits.augment import AugmentConfig, augmented_copies, rotate_digit
from convviz.figures import descent as FD
from convviz.figures import invariance as FI
from convviz.nn import descent as D
from pages.ui import decimal_slider, labels, lang, num, sig, tr
from pages.ui.concepts_widgets import chart
from pages.ui.tables import arrow

VIEWS = ("pool_shift", "augment", "descent", "adam")
LEARNING_RATES = D.LEARNING_RATES
TRAIN_AUG = AugmentConfig()
"""The augmentation the Training lab trains with (convviz.nn.train calls augment_batch with it)."""
AUG_DEFAULTS = {
    "concepts_aug_shift": TRAIN_AUG.max_shift, "concepts_aug_rot": TRAIN_AUG.max_rotation,
    "concepts_aug_scale_lo": TRAIN_AUG.scale_range[0], "concepts_aug_scale_hi": TRAIN_AUG.scale_range[1],
    "concepts_aug_thick": TRAIN_AUG.thicker_prob, "concepts_aug_thin": TRAIN_AUG.thinner_prob,
}
COPIES = 15
"""Augmented copies drawn beside the original (a grid of 2 x 8)."""
ROTATIONS = (0, 45, 90, 135, 180)


@st.cache_data(show_spinner=False, max_entries=10)
def sample_digit(digit: int) -> np.ndarray:
    """Sample digit ``digit`` (convviz.digits.samples) prepared as the network's 28x28 input."""
    from convviz.digits.canvas import preprocess_canvas
    from convviz.digits.samples import sample_canvas

    image = preprocess_canvas(sample_canvas(int(digit)))
    return np.zeros((28, 28), np.uint8) if image is None else image


def _image_labels() -> dict[str, str]:
    return {"row": tr("concepts.img_row"), "col": tr("concepts.img_col"), "value": tr("concepts.img_value")}


def render_view(section: str) -> None:
    {"pool_shift": _pool_shift, "augment": _augment, "descent": _descent, "adam": _adam}[section]()


# =============================================================================== pooling shift
def _pool_shift() -> None:
    st.header(tr("concepts.shift_header"))
    st.write(tr("concepts.shift_intro"))
    c1, c2, c3 = st.columns(3)
    digit = c1.selectbox(tr("concepts.digit_label"), range(10), index=7, key="concepts_shift_digit")
    k = c2.radio(tr("concepts.shift_pool"), S.POOL_SIZES, key="concepts_shift_pool", horizontal=True,
                 format_func=lambda v: f"{v}×{v}")
    direction = c3.radio(tr("concepts.shift_dir"), list(S.DIRECTIONS), key="concepts_shift_dir",
                         format_func=labels("concepts.shift_dir_"))
    rows = S.pooling_shift_study(sample_digit(digit), int(k), direction)
    names = {**_image_labels(), "input": tr("concepts.shift_input"), "pooled": tr("concepts.shift_pooled"),
             "shift": tr("concepts.shift_d"), "shift_axis": tr("concepts.shift_axis"),
             "change_axis": tr("concepts.shift_change_axis")}
    chart(FI.shift_maps_figure(rows, names, lang=lang()), "concepts_shift_maps")
    st.dataframe(
        arrow([{tr("concepts.shift_axis"): r.shift, tr("concepts.shift_in_change"): num(r.input_change, 2),
          tr("concepts.shift_pool_change"): num(r.pooled_change, 2),
          tr("concepts.shift_in_changed"): num(r.input_changed, spec=".0%"),
          tr("concepts.shift_pool_changed"): num(r.pooled_changed, spec=".0%")} for r in rows]),
        hide_index=True, width="stretch",
    )
    chart(FI.shift_change_figure(rows, names, lang=lang()), "concepts_shift_chart")
    one = rows[1]
    st.markdown(tr("concepts.shift_summary", k=k, a=num(one.input_change, 2), b=num(one.pooled_change, 2),
                   c=num(rows[-1].input_change, 2), d=num(rows[-1].pooled_change, 2)))
    st.latex(r"\text{" + tr("concepts.shift_formula") + r"} = \frac{\lVert a_d - a_0 \rVert}{\lVert a_0 \rVert}")
    st.caption(tr("concepts.shift_note"))
    st.caption(tr("concepts.shift_exception"))


# =============================================================================== augmentation
def _reset_augment() -> None:
    st.session_state.update(AUG_DEFAULTS)


def _classifier():  # noqa: ANN202 - convviz.nn.Sequential or None
    """The shipped classifier, the one Draw a digit loads (None when its file is missing)."""
    from pages.ui.digit_widgets import shipped_model

    try:
        return shipped_model()
    except ValueError:
        return None


def _augment() -> None:
    st.header(tr("concepts.aug_header"))
    st.write(tr("concepts.aug_intro"))
    for key, value in AUG_DEFAULTS.items():
        st.session_state.setdefault(key, value)
    c1, c2 = st.columns(2)
    digit = c1.selectbox(tr("concepts.digit_label"), range(10), index=6, key="concepts_aug_digit")
    seed = c1.number_input(tr("concepts.aug_seed"), 0, 9999, 0, key="concepts_aug_seed")
    shift = decimal_slider(c1, tr("concepts.aug_shift"), 0.0, 6.0, TRAIN_AUG.max_shift, 0.5, "concepts_aug_shift")
    rot = decimal_slider(c1, tr("concepts.aug_rot"), 0.0, 180.0, TRAIN_AUG.max_rotation, 1.0, "concepts_aug_rot")
    lo = decimal_slider(c2, tr("concepts.aug_scale_lo"), 0.5, 1.0, TRAIN_AUG.scale_range[0], 0.05, "concepts_aug_scale_lo")
    hi = decimal_slider(c2, tr("concepts.aug_scale_hi"), 1.0, 1.5, TRAIN_AUG.scale_range[1], 0.05, "concepts_aug_scale_hi")
    thick = decimal_slider(c2, tr("concepts.aug_thick"), 0.0, 1.0, TRAIN_AUG.thicker_prob, 0.05, "concepts_aug_thick")
    thin = decimal_slider(c2, tr("concepts.aug_thin"), 0.0, 1.0, TRAIN_AUG.thinner_prob, 0.05, "concepts_aug_thin")
    st.button(tr("concepts.aug_reset"), key="concepts_aug_reset", on_click=_reset_augment)
    config = replace(TRAIN_AUG, max_shift=float(shift), max_rotation=float(rot), scale_range=(float(lo), float(hi)),
                     thicker_prob=float(thick), thinner_prob=float(thin))
    if config == TRAIN_AUG:
        st.caption(tr("concepts.aug_same"))
    else:
        st.caption(tr("concepts.aug_changed"))
    image = sample_digit(digit)
    copies = augmented_copies(image, COPIES, int(seed), config)
    grid = np.concatenate([image[None], copies])
    titles = [tr("concepts.aug_original")] + [f"#{i + 1}" for i in range(COPIES)]
    chart(FI.digit_grid_figure(grid, titles, 8, _image_labels(), lang=lang()), "concepts_aug_grid")
    st.warning(tr("concepts.aug_warning"))
    six = sample_digit(6)
    turned = np.stack([rotate_digit(six, a) for a in ROTATIONS])
    model = _classifier()
    reads = model.predict_proba(turned) if model is not None else None
    titles = [tr("concepts.aug_turn", a=a) + ("" if reads is None else
              " → " + tr("concepts.aug_reads", d=int(reads[i].argmax()), p=num(100 * reads[i].max(), 0)))
              for i, a in enumerate(ROTATIONS)]
    chart(FI.digit_grid_figure(turned, titles, len(ROTATIONS), _image_labels(), lang=lang()), "concepts_aug_six")
    st.caption(tr("concepts.aug_six_note") if reads is not None else tr("concepts.aug_no_model"))


# =============================================================================== gradient descent
def _method_labels() -> dict[str, str]:
    return {m: tr(f"concepts.gd_{m}") for m in D.METHODS}


@st.cache_data(show_spinner=False, max_entries=32)
def _paths(surface: str, lr: float, steps: int, noise: float, seed: int) -> list[D.DescentPath]:
    return D.all_paths(surface, lr, steps, noise, seed)


def _descent() -> None:
    st.header(tr("concepts.gd_header"))
    st.write(tr("concepts.gd_intro"))
    picture = st.container()
    c1, c2 = st.columns(2)
    surface = c1.radio(tr("concepts.gd_surface"), D.SURFACES, key="concepts_gd_surface", horizontal=True,
                       format_func=labels("concepts.gd_surface_"))
    lr = c1.select_slider(tr("concepts.gd_lr"), LEARNING_RATES, 0.1, key="concepts_gd_lr", format_func=num)
    steps = c1.slider(tr("concepts.gd_steps"), 10, D.MAX_STEPS, 100, 10, key="concepts_gd_steps")
    noise = decimal_slider(c2, tr("concepts.gd_noise"), 0.0, 5.0, 0.3, 0.1, "concepts_gd_noise")
    seed = c2.number_input(tr("concepts.gd_seed"), 0, 9999, 0, key="concepts_gd_seed")
    st.info(tr(f"concepts.gd_surface_{surface}_about"))
    paths = _paths(surface, float(lr), int(steps), float(noise), int(seed))
    names = {**_method_labels(), "loss": tr("concepts.gd_loss"), "start": tr("concepts.gd_start"),
             "w1": "w₁", "w2": "w₂", "step": tr("concepts.gd_step")}
    with picture:
        chart(FD.descent_figure(D.surface(surface), paths, names, lang=lang()), "concepts_gd_fig")
    st.dataframe(
        arrow([{tr("concepts.gd_method"): names[p.method], "w₁": sig(p.points[-1, 0]), "w₂": sig(p.points[-1, 1]),
          tr("concepts.gd_loss"): sig(p.losses[-1]),
          tr("concepts.gd_status"): tr("concepts.gd_diverged", t=p.diverged_at) if p.diverged_at
          else tr("concepts.gd_ran", t=len(p.points) - 1)} for p in paths]),
        hide_index=True, width="stretch",
    )
    if any(p.diverged_at for p in paths):
        st.warning(tr("concepts.gd_diverged_note"))
    chart(FD.loss_curves_figure(paths, names, lang=lang()), "concepts_gd_losses")
    st.latex(r"\text{GD, SGD}:\ w \leftarrow w - \eta\, g \qquad \text{Momentum}:\ v \leftarrow 0{.}9\,v + g,"
             r"\ w \leftarrow w - \eta\, v".replace("{.}", "{,}" if lang() == "es" else "."))
    st.latex(r"\text{Adam}:\ m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ "
             r"w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v}+\epsilon}")
    st.caption(tr("concepts.gd_noise_note"))


# =============================================================================== Adam's rate
def _adam() -> None:
    st.header(tr("concepts.adam_header"))
    st.write(tr("concepts.adam_intro"))
    st.latex(r"E(w) = \tfrac12 \sum_i c_i\, w_i^2,\quad c = ("
             + r",\ ".join(num(c).replace(",", "{,}") for c in D.CURVATURES) + r"),\quad g_i = c_i w_i")
    c1, c2 = st.columns(2)
    lr = c1.select_slider(tr("concepts.gd_lr"), LEARNING_RATES, 0.01, key="concepts_adam_lr", format_func=num)
    t = c2.slider(tr("concepts.adam_t"), 1, D.MAX_ADAM_STEP, 1, key="concepts_adam_t")
    rows = D.adam_vs_sgd(float(lr), int(t))
    st.dataframe(
        arrow([{tr("concepts.adam_weight"): f"w{i + 1}", "c_i": num(D.CURVATURES[i]), "w_i": sig(r.weight),
          "g_i": sig(r.grad), tr("concepts.adam_sgd_step"): sig(r.sgd_step), "m̂_i": sig(r.m_hat),
          "v̂_i": sig(r.v_hat), tr("concepts.adam_rate"): sig(r.rate), tr("concepts.adam_adam_step"): sig(r.adam_step)}
         for i, r in enumerate(rows)]),
        hide_index=True, width="stretch",
    )
    names = {"sgd": tr("concepts.adam_sgd_step"), "adam": tr("concepts.adam_adam_step"),
             "weight": "w{i}", "size": tr("concepts.adam_size")}
    chart(FD.step_sizes_figure(rows, names, lang=lang()), "concepts_adam_fig")
    st.latex(r"\Delta w_i^{\text{SGD}} = -\eta\, g_i \qquad \Delta w_i^{\text{Adam}} = "
             r"-\underbrace{\frac{\eta}{\sqrt{\hat v_i}+\epsilon}}_{\eta_i}\,\hat m_i")
    sgd_sizes, adam_sizes = [abs(r.sgd_step) for r in rows], [abs(r.adam_step) for r in rows]
    st.markdown(tr("concepts.adam_summary", ratio=_ratio(sgd_sizes), aratio=_ratio(adam_sizes),
                   lo=sig(min(adam_sizes)), hi=sig(max(adam_sizes))))
    st.caption(tr("concepts.adam_note"))


def _ratio(sizes: list[float]) -> str:
    """Largest over smallest, written for the page (∞ when the smallest is 0)."""
    return num(float(round(max(sizes) / min(sizes), 2))) if min(sizes) > 0 else "∞"
