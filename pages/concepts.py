"""Concepts: activations, FC vs convolution, normalisation, dropout and softmax, with numbers; pooling's
shift invariance, augmentation, gradient descent and Adam (pages/ui/concepts_views.py)."""

from __future__ import annotations

import numpy as np
import streamlit as st

import pages.ui as ui
from convviz import concepts as C
from pages.ui import labels, lang, message, num, num_format, sig, start_page, tr, url_state
from pages.ui.concepts_steps import batchnorm_steps, linear_collapse
from pages.ui.concepts_views import VIEWS, render_view
from pages.ui.concepts_widgets import TEXT_CHARS, chart, figure, parse_numbers, vec
from pages.ui.tables import arrow

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

SECTIONS = ("activations", "fc_conv", "norm", "dropout", "softmax", *VIEWS)
TEMPERATURES = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0]

st.title(tr("concepts.page_title"))
st.write(tr("concepts.intro"))
section = st.radio(tr("concepts.section_label"), SECTIONS, key="concepts_section", horizontal=True,
                   format_func=labels("concepts.section_"))

if section in VIEWS:  # pooling's shift invariance, augmentation, descent, Adam: pages/ui/concepts_views.py
    render_view(section)
# =============================================================================== activations
elif section == "activations":
    st.header(tr("concepts.act_header"))
    st.write(tr("concepts.act_intro"))
    picture = st.container()  # the curves first (on the first screen), formulas and choices below
    st.latex(r"\sigma(z)=\frac{1}{1+e^{-z}},\ \sigma'=\sigma(1-\sigma) \qquad "
             r"\tanh(z)=\frac{e^{z}-e^{-z}}{e^{z}+e^{-z}},\ \tanh'=1-\tanh^2")
    st.latex(r"\mathrm{ReLU}(z)=\max(0,z),\ \mathrm{ReLU}'=[z>0] \qquad "
             r"\mathrm{leaky}(z)=\max(\alpha z,z),\ \mathrm{leaky}'\in\{\alpha,1\}")
    chosen = st.multiselect(tr("concepts.act_choose"), list(C.ACTIVATIONS), default=list(C.ACTIVATIONS),
                            key="concepts_act_names", format_func=labels("concepts.act_"))
    alpha = ui.decimal_slider(st, tr("concepts.act_alpha"), 0.0, 0.5, 0.1, 0.01, "concepts_act_alpha")
    if not chosen:
        st.warning(tr("concepts.act_none"))
    else:
        labels = {"value": tr("concepts.act_value"), "derivative": tr("concepts.act_derivative"), "z": "z"}
        labels.update({n: tr(f"concepts.act_{n}") for n in C.ACTIVATIONS})
        with picture:
            chart(figure("activation_figure", chosen, labels, alpha, lang=lang()), "concepts_act_fig")
        z0 = ui.decimal_slider(st, tr("concepts.act_at"), -50.0, 50.0, 2.0, 0.5, "concepts_act_z")
        st.dataframe(
            arrow([{tr("concepts.col_function"): tr(f"concepts.act_{n}"),
              "f(z)": sig(float(C.activation(n, z0, alpha))),
              "f'(z)": sig(float(C.activation_derivative(n, z0, alpha)))} for n in chosen]),
            hide_index=True, width="stretch",
        )
        st.info(tr("concepts.act_gradients"))

    linear_collapse()  # one layer after another without an activation is one layer

# =============================================================================== FC vs conv
elif section == "fc_conv":
    st.header(tr("concepts.fc_header"))
    st.write(tr("concepts.fc_intro"))
    controls, picture = st.columns([1, 1.3], gap="medium")  # the chart beside its numbers: on the first screen
    c1, c2 = controls.columns(2)
    with c1:
        h = st.number_input(tr("concepts.fc_h"), 1, 512, 32, key="concepts_fc_h")
        w = st.number_input(tr("concepts.fc_w"), 1, 512, 32, key="concepts_fc_w")
        ch = st.number_input(tr("concepts.fc_c"), 1, 512, 3, key="concepts_fc_c")
    with c2:
        filters = st.number_input(tr("concepts.fc_filters"), 1, 1024, 6, key="concepts_fc_filters")
        k = st.number_input(tr("concepts.fc_k"), 1, 64, 5, key="concepts_fc_k")
        stride = st.number_input(tr("concepts.fc_stride"), 1, 16, 1, key="concepts_fc_stride")
        pad = st.number_input(tr("concepts.fc_pad"), 0, 32, 0, key="concepts_fc_pad")
    try:
        r = C.fc_vs_conv(int(h), int(w), int(ch), int(filters), int(k), int(stride), int(pad))
    except ValueError as exc:
        st.error(tr("concepts.fc_invalid", error=message(exc)))
    else:
        ho, wo, fo = r.output_shape
        st.markdown(tr("concepts.fc_output", h=h, w=w, c=ch, f=filters, k=k, ho=ho, wo=wo, fo=fo))
        st.markdown(tr("concepts.fc_conv_count", k=k, c=ch, f=filters, per=num(r.conv_inputs_per_output),
                       params=num(r.conv_params)))
        st.markdown(tr("concepts.fc_fc_count", nin=num(r.fc_inputs_per_output), nout=num(ho * wo * fo),
                       params=num(r.fc_params)))
        controls.metric(tr("concepts.fc_ratio"), f"{num(r.ratio, decimals=0)}×")
        st.markdown(tr("concepts.fc_mults", conv=num(r.conv_mults), fc=num(r.fc_mults)))
        with picture:
            chart(figure("params_figure", r.conv_params, r.fc_params,
                         {"conv": tr("concepts.fc_conv_name"), "fc": tr("concepts.fc_fc_name"),
                          "params": tr("concepts.fc_params_axis")}, lang=lang()), "concepts_fc_bar")
    st.subheader(tr("concepts.sparse_header"))
    st.write(tr("concepts.sparse_intro"))
    n_in = st.slider(tr("concepts.sparse_inputs"), 3, 9, 5, key="concepts_sparse_n")
    kernel = st.slider(tr("concepts.sparse_kernel"), 1, 5, 3, key="concepts_sparse_k")
    if kernel > n_in:
        st.warning(tr("concepts.sparse_too_big"))
    else:
        padding = (kernel - 1) // 2
        n_out = n_in + 2 * padding - kernel + 1
        if st.session_state.get("concepts_sparse_sel", 1) > n_out:
            st.session_state["concepts_sparse_sel"] = n_out
        sel = st.slider(tr("concepts.sparse_selected"), 1, n_out, min(3, n_out), key="concepts_sparse_sel")
        conn = C.conv1d_connectivity(n_in, kernel, padding)
        seen = ", ".join(f"x{j + 1}" for j in np.flatnonzero(conn[sel - 1] >= 0))
        chart(figure("connectivity_figure", n_in, kernel, padding, sel - 1,
                                      {"fc": tr("concepts.sparse_fc"), "conv": tr("concepts.sparse_conv")}, lang=lang()),
               "concepts_sparse_fig")
        st.markdown(tr("concepts.sparse_counts", i=sel, seen=seen, fc_w=n_in * n_out, conv_w=kernel, n=n_in))
        st.caption(tr("concepts.sparse_sharing"))

# =============================================================================== normalisation
elif section == "norm":
    st.header(tr("concepts.norm_header"))
    st.write(tr("concepts.norm_intro"))
    controls, picture = st.columns([1, 1.5], gap="medium")  # the cube beside its sliders: on the first screen
    kind = controls.radio(tr("concepts.norm_kind"), list(C.NORMS), key="concepts_norm_kind", horizontal=True,
                          format_func=labels("concepts.norm_"))
    c1, c2 = controls.columns(2)
    with c1:
        n = st.slider("N", 1, 6, 4, key="concepts_norm_n")
        c = st.slider("C", 1, 8, 6, key="concepts_norm_c")
        hw = st.slider("H = W", 1, 3, 2, key="concepts_norm_hw")
    with c2:
        divisors = [g for g in range(1, c + 1) if c % g == 0]
        if st.session_state.get("concepts_norm_groups") not in divisors:
            st.session_state["concepts_norm_groups"] = divisors[len(divisors) // 2]
        groups = st.select_slider(tr("concepts.norm_groups"), divisors, key="concepts_norm_groups",
                                  disabled=kind != "group")
        for key, top in (("concepts_norm_sel_n", n), ("concepts_norm_sel_c", c)):
            if st.session_state.get(key, 1) > top:
                st.session_state[key] = top
        sel_n = st.slider(tr("concepts.norm_sel_n"), 1, n, 1, key="concepts_norm_sel_n") if n > 1 else 1
        sel_c = st.slider(tr("concepts.norm_sel_c"), 1, c, 1, key="concepts_norm_sel_c") if c > 1 else 1
    shape = (n, c, hw, hw)
    ids = C.norm_groups(kind, shape, groups)
    target = ids[sel_n - 1, sel_c - 1, 0, 0]
    size = int((ids == target).sum())
    with picture:
        chart(figure("norm_cube_figure", kind, shape, groups, (sel_n - 1, sel_c - 1),
                     {"shared": tr("concepts.norm_shared"), "other": tr("concepts.norm_other")}, lang=lang()),
              "concepts_norm_cube")
    controls.markdown(tr("concepts.norm_counts", sets=int(ids.max()) + 1, size=size, total=ids.size))
    st.info(tr(f"concepts.norm_{kind}_about"))

    batchnorm_steps()  # batch normalisation step by step

# =============================================================================== dropout
elif section == "dropout":
    st.header(tr("concepts.drop_header"))
    st.write(tr("concepts.drop_intro"))
    controls, picture = st.columns([1, 2], gap="medium")  # the network beside its controls: on the first screen
    p = ui.decimal_slider(controls, tr("concepts.drop_p"), 0.0, 0.9, 0.5, 0.1, "concepts_drop_p")
    st.session_state.setdefault("concepts_drop_iter", 1)

    def _next_iteration() -> None:
        st.session_state["concepts_drop_iter"] = st.session_state.get("concepts_drop_iter", 1) % 50 + 1

    it = controls.number_input(tr("concepts.drop_iteration"), 1, 50, key="concepts_drop_iter")
    controls.button(tr("concepts.drop_next"), key="concepts_drop_next", on_click=_next_iteration)
    sizes = [4, 6, 6, 2]
    masks = C.dropout_masks(sizes, p, iterations=int(it), seed=0)[int(it) - 1]
    dropped = int(sum((~m).sum() for m in masks))
    with picture:
        chart(figure("network_figure", sizes, masks, {k: tr(f"concepts.drop_{k}") for k in
                                                ("kept", "dropped", "input", "hidden", "output")}, lang=lang()),
              "concepts_drop_net")
    controls.markdown(tr("concepts.drop_count", it=it, dropped=dropped, hidden=sum(sizes[1:-1])))

    st.subheader(tr("concepts.inv_header"))
    st.write(tr("concepts.inv_intro"))
    st.latex(r"y_i=\frac{m_i\,x_i}{1-p},\quad m_i\sim\mathrm{Bernoulli}(1-p)\ \Rightarrow\ "
             r"\mathbb{E}[y_i]=\frac{(1-p)\,x_i}{1-p}=x_i")
    h = np.array([0.5, 1.2, 0.8, 2.0, 0.3, 1.5])
    y, mask = C.inverted_dropout(h, p, rng=int(it))
    st.dataframe(
        arrow([{tr("concepts.inv_unit"): i + 1, "x": sig(h[i]), "m": int(mask[i]), "m·x": sig(h[i] * mask[i]),
          "y = m·x/(1−p)": sig(y[i])} for i in range(h.size)]),
        hide_index=True, width="stretch",
    )
    many, _ = C.inverted_dropout(np.tile(h, (2000, 1)), p, rng=int(it) + 1)  # 2,000 iterations at once
    st.markdown(tr("concepts.inv_means", scale=sig(1 / (1 - p)), x=vec(h, "g"), mean=vec(many.mean(axis=0), ".2f")))
    st.caption(tr("concepts.inv_test_time"))

# =============================================================================== softmax
elif section == "softmax":
    st.header(tr("concepts.soft_header"))
    st.write(tr("concepts.soft_intro"))
    controls, picture = st.columns([1, 1.6], gap="medium")  # the bars beside their inputs: on the first screen
    controls.latex(r"\sigma(\vec z)_i=\frac{e^{z_i/T}}{\sum_{j=1}^{K} e^{z_j/T}}")
    text = controls.text_input(tr("concepts.soft_logits"), "2.0, 1.0, 0.1, -1.0", key="concepts_soft_logits", max_chars=TEXT_CHARS)
    t = controls.select_slider(tr("concepts.soft_t"), TEMPERATURES, 1.0, key="concepts_soft_t", format_func=num_format())
    z = parse_numbers(text, 2, 10)
    if z is not None:
        probs = C.softmax(z, t)
        with picture:
            chart(figure("softmax_figure", z, t, {"t1": tr("concepts.soft_t1"), "t": tr("concepts.soft_tt", t=num(t)),
                                            "prob": tr("concepts.soft_prob"), "class": tr("concepts.soft_class")},
                         lang=lang()), "concepts_soft_fig")
        e = np.exp(z / t - (z / t).max())
        st.dataframe(
            arrow([{tr("concepts.soft_class"): i + 1, "z_i": sig(z[i]), "z_i / T": sig(z[i] / t),
              "e^(z_i/T − max)": sig(e[i]), "p_i": num(probs[i], decimals=4)} for i in range(z.size)]),
            hide_index=True, width="stretch",
        )
        st.markdown(tr("concepts.soft_summary", top=int(np.argmax(probs)) + 1, p=num(probs.max(), decimals=3),
                       total=num(probs.sum(), decimals=4),
                       h=num(C.entropy(probs), decimals=3), hmax=num(np.log(z.size), decimals=3)))
        st.caption(tr("concepts.soft_note"))
