"""The Concepts page's worked steps: a stack of linear layers collapses into one, and batch
normalisation step by step (the page's sections call them below their pictures)."""

from __future__ import annotations

import numpy as np
import streamlit as st

import pages.ui as ui
from convviz import concepts as C
from pages.ui import lang, sig, tr
from pages.ui.concepts_widgets import TEXT_CHARS, chart, figure, parse_numbers, plus, tex, vec
from pages.ui.tables import arrow


def linear_collapse() -> None:
    """W2(W1x + b1) + b2 is one linear layer; a ReLU between them breaks that."""
    st.subheader(tr("concepts.lin_header"))
    st.write(tr("concepts.lin_intro"))
    st.latex(r"W_2(W_1x+b_1)+b_2=\underbrace{(W_2W_1)}_{W}\,x+\underbrace{(W_2b_1+b_2)}_{b}")
    seed = st.number_input(tr("concepts.lin_seed"), 0, 9999, 1, key="concepts_lin_seed")
    relu_between = st.checkbox(tr("concepts.lin_relu"), key="concepts_lin_relu")
    rng = np.random.default_rng(int(seed))
    w1 = rng.integers(-2, 3, size=(3, 2)).astype(float)
    b1 = rng.integers(-1, 2, size=3).astype(float)
    w2 = rng.integers(-2, 3, size=(2, 3)).astype(float)
    b2 = rng.integers(-1, 2, size=2).astype(float)
    col = C.collapse_linear_stack([w1, w2], [b1, b2])
    chart(figure("matrices_figure", [("W₁", w1), ("b₁", b1), ("W₂", w2), ("b₂", b2)], lang=lang()), "concepts_lin_layers")
    chart(figure("matrices_figure", [("W = W₂W₁", col.weight), ("b = W₂b₁ + b₂", col.bias)], lang=lang()), "concepts_lin_single")
    x = rng.integers(-3, 4, size=2).astype(float)
    stacked = col.stack(x, "relu" if relu_between else None)
    single = col.single(x)
    st.markdown(tr("concepts.lin_check", x=vec(x), stack=vec(stacked), single=vec(single)))
    if relu_between:
        if np.allclose(stacked, single):
            st.info(tr("concepts.lin_relu_same"))
        else:
            st.warning(tr("concepts.lin_relu_differs"))
    else:
        st.success(tr("concepts.lin_same"))


def batchnorm_steps() -> None:
    """Batch normalisation of a few typed values: mean, variance, normalised, scaled and shifted."""
    st.subheader(tr("concepts.bn_header"))
    st.write(tr("concepts.bn_intro"))
    text = st.text_input(tr("concepts.bn_values"), "1, 2, 3, 6", key="concepts_bn_values", max_chars=TEXT_CHARS)
    b1, b2, b3 = st.columns(3)
    gamma = ui.decimal_slider(b1, "γ", -10.0, 10.0, 1.0, 0.1, "concepts_bn_gamma")
    beta = ui.decimal_slider(b2, "β", -10.0, 10.0, 0.0, 0.1, "concepts_bn_beta")
    eps = b3.number_input("ε", 1e-8, 1.0, 1e-5, format="%.0e", key="concepts_bn_eps")
    values = parse_numbers(text, 1, 16)
    if values is not None:
        s = C.batchnorm_steps(values, gamma, beta, eps)
        m = values.size
        mu, var = float(s.mean[0]), float(s.variance[0])
        st.markdown(tr("concepts.bn_step1", m=m))
        st.latex(rf"\mu_\mathcal{{B}}=\frac{{1}}{{{m}}}\sum_i x_i=\frac{{{tex(values.sum())}}}{{{m}}}={tex(mu)}")
        st.markdown(tr("concepts.bn_step2"))
        st.latex(rf"\sigma^2_\mathcal{{B}}=\frac{{1}}{{{m}}}\sum_i (x_i-\mu_\mathcal{{B}})^2={tex(var)}")
        st.markdown(tr("concepts.bn_step3"))
        st.latex(rf"\hat x_i=\frac{{x_i {plus(-mu)}}}{{\sqrt{{{tex(var)} {plus(eps)}}}}}")
        st.markdown(tr("concepts.bn_step4"))
        st.latex(rf"y_i={tex(gamma)}\,\hat x_i {plus(beta)}")
        st.dataframe(
            arrow([{"i": i + 1, "x_i": sig(values[i]), "x_i − μ": sig(s.centered[i, 0]),
              "x̂_i": sig(s.x_hat[i, 0]), "y_i": sig(s.y[i, 0])} for i in range(m)]),
            hide_index=True, width="stretch",
        )
        chart(figure("bn_figure", values, s.x_hat[:, 0], s.y[:, 0],
                            {"x": "x", "x_hat": "x̂", "y": "y = γx̂ + β"}, lang=lang()), "concepts_bn_fig")
        if m == 1:
            st.warning(tr("concepts.bn_single"))
