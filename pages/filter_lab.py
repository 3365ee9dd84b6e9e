"""Filter lab: upload an image (or pick a sample) and try the lecture's filters and your own.

Thin page: widgets -> pages.ui.filter_widgets (cached engine calls) -> st.image / plotly.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from convviz.figures.filters import diverging_figure, images_grid, kernel_figure
from convviz.images import MAX_FILE_BYTES, MAX_PIXELS, ImageError
from convviz.images import filters as F
from convviz.images.samples import SAMPLES
from pages.ui import (
    decimal_slider,
    image_uploader,
    labels,
    lang,
    num,
    sig,
    start_page,
    tr,
    url_state,
)
from pages.ui import filter_widgets as W
from pages.ui.charts import frozen

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out


def _chart(key: str, build: object, *deps: object) -> None:
    """Show a plotly figure built by ``build()``, cached on ``(key, *deps, language)``."""
    fig = W.cached_figure((key, lang(), *deps), build)
    st.plotly_chart(frozen(fig), width="stretch", key=key, config={"displayModeBar": False})


st.title(tr("filters.page_title"))
st.write(tr("filters.intro"))
# a link with ?at=concepts (the home page's) shows the concepts first; the filter part still runs first
boxes = [st.container(), st.container()]
concepts_box, filter_box = boxes if st.session_state.get("flt_at") == "concepts" else boxes[::-1]

with filter_box:
    # --- the image ------------------------------------------------------------------------
    row = st.columns(2)  # the controls in rows: the pictures start on the first screen
    source = row[0].radio(
        tr("filters.source_label"), ["sample", "upload"], key="flt_source", horizontal=True,
        format_func=labels("filters.source_"),
    )
    sample_name = row[1].selectbox(
        tr("filters.sample_label"), SAMPLES, key="flt_sample",
        format_func=labels("filters.sample_"),
    )
    image_key = f"sample:{sample_name}"
    full, small = W.sample_image(sample_name)
    if source == "upload":
        upload = image_uploader(
            tr("filters.upload_label", mb=MAX_FILE_BYTES // (1024 * 1024), mp=MAX_PIXELS // 1_000_000), "flt_upload")
        sample_title = tr(f"filters.sample_{sample_name}")
        if upload is None:
            st.info(tr("filters.upload_waiting", sample=sample_title))
        else:
            try:
                full, small = W.decode_upload(upload.file_id, upload.getvalue(), lang())
                image_key = f"upload:{upload.file_id}"
            except ImageError as exc:
                st.error(tr("filters.upload_error", msg=exc.localized(lang()), sample=sample_title))
    st.caption(tr("filters.image_info", w=full.shape[1], h=full.shape[0], pw=small.shape[1], ph=small.shape[0]))

    # --- the filter -----------------------------------------------------------------------
    row = st.columns(3)
    name = row[0].selectbox(
        tr("filters.filter_label"), F.PRESETS, key="flt_name", format_func=labels("filters.f_"),
    )
    color = row[1].radio(
        tr("filters.color_label"), ["channels", "gray"], key="flt_color", horizontal=True,
        format_func=labels("filters.color_"), help=tr("filters.color_help"),
    )
    border = row[2].selectbox(
        tr("filters.border_label"), F.BORDER_MODES, index=1, key="flt_border",
        format_func=labels("filters.border_"),
    )
    sigma, custom_text, normalise = 1.0, "", False
    if name == "gaussian":
        sigma = decimal_slider(st, tr("filters.sigma_label"), 0.5, 6.0, 1.5, 0.1, "flt_sigma")
        radius = int(np.ceil(3 * sigma))
        st.caption(tr("filters.sigma_caption", size=2 * radius + 1, radius=radius))
    if name == "custom":
        st.session_state.setdefault("flt_custom", W.DEFAULT_CUSTOM)
        custom_text = st.text_area(tr("filters.custom_label", max=F.MAX_KERNEL_SIZE), key="flt_custom", height=140,
                                   max_chars=F.MAX_KERNEL_CHARS)
        normalise = st.checkbox(tr("filters.normalise_label"), key="flt_normalise")

    settings: F.FilterSettings | None = None
    try:
        settings = W.settings_from_inputs(name, sigma, custom_text, normalise, color == "gray", border, lang())
    except F.KernelError as exc:
        st.error(tr("filters.kernel_error", msg=str(exc)))
        st.caption(tr("filters.kernel_fix"))

    col_orig, col_result, col_kernel = st.columns(3)
    st.info(tr("filters.learned_note"))  # below the pictures: they start on the first screen
    col_orig.image(W.image_png(image_key, small), caption=tr("filters.original"), width="stretch", output_format="PNG")
    if settings is not None:
        kernel = settings.kernel()
        if name == "custom" and normalise and not F.normalise(np.array(settings.custom))[1]:
            st.warning(tr("filters.normalise_zero"))
        result = W.filtered_preview(image_key, small, settings)
        col_result.image(result.png, caption=tr("filters.result"), width="stretch", output_format="PNG")
        with col_kernel:
            title = tr("filters.kernel_title", h=kernel.shape[0], w=kernel.shape[1])
            _chart("flt_kernel_fig", lambda: kernel_figure(kernel, title, lang=lang()), kernel.tobytes(), kernel.shape)
            st.caption(tr("filters.kernel_sum", total=sig(float(kernel.sum()))))
            if name == "sobel_magnitude":
                st.caption(tr("filters.kernel_magnitude"))
        d = result.display
        st.caption(tr(f"filters.scale_{d.kind}", limit=sig(d.limit), pct=num(100 * d.clipped, 2),
                      vmin=sig(d.vmin), vmax=sig(d.vmax)))
        st.caption(tr("filters.method_note", method=tr(f"filters.method_{result.method}"),
                      ms=num(result.ms, 1), w=result.shape[1], h=result.shape[0]))
        image_for_download, settings_for_download = full, settings
        st.download_button(
            tr("filters.download_png"), data=lambda: W.full_resolution_png(image_for_download, settings_for_download),
            file_name=f"convviz-{name}.png", mime="image/png", key="flt_dl_png", on_click="ignore",
        )
        st.download_button(
            tr("filters.download_csv"), data=F.kernel_csv(kernel), file_name=f"kernel-{name}.csv",
            mime="text/csv", key="flt_dl_csv", on_click="ignore",
        )
        sep = F.separate(kernel)
        verdict = tr("filters.sep_yes") if sep.separable else tr("filters.sep_no", rank=sep.rank)
        st.caption(tr("filters.sep_current", rank=sep.rank, verdict=verdict))

# --- the concepts ---------------------------------------------------------------------
gray = W.demo_gray(image_key, small)
h, w = gray.shape

def _corr() -> None:
    st.write(tr("filters.corr_intro"))
    cname = st.selectbox(tr("filters.corr_kernel_label"), W.NON_SYMMETRIC, key="flt_corr_kernel",
                         format_func=labels("filters.f_"))
    demo = W.correlation_demo(image_key, gray, cname)
    c1, c2 = st.columns(2)
    c1.image(demo["corr"], caption=tr("filters.corr_correlation"), width="stretch", output_format="PNG")
    c2.image(demo["conv"], caption=tr("filters.corr_convolution"), width="stretch", output_format="PNG")
    _chart("flt_corr_diff", lambda: diverging_figure(demo["diff"], tr("filters.corr_difference"), lang=lang()),
           image_key, cname)
    st.write(tr("filters.corr_numbers", max=sig(demo["max"]), mean=sig(demo["mean"])))
    _chart("flt_corr_rot", lambda: kernel_figure(demo["rotated"], "K[::-1, ::-1]", lang=lang()), cname)

def _assoc() -> None:
    st.write(tr("filters.assoc_intro"))
    pick = st.columns(2)
    a_name = pick[0].selectbox(tr("filters.assoc_a"), W.COMPOSABLE, index=0, key="flt_assoc_a",
                               format_func=labels("filters.f_"))
    b_name = pick[1].selectbox(tr("filters.assoc_b"), W.COMPOSABLE, index=2, key="flt_assoc_b",
                               format_func=labels("filters.f_"))
    demo = W.associativity_demo(image_key, gray, a_name, b_name)
    c1, c2 = st.columns(2)
    c1.image(demo["two"], caption=tr("filters.assoc_two_steps"), width="stretch", output_format="PNG")
    c2.image(demo["one"], caption=tr("filters.assoc_one_step"), width="stretch", output_format="PNG")
    st.write(tr("filters.assoc_numbers", h=demo["kernel"].shape[0], w=demo["kernel"].shape[1],
                circular=sig(demo["circular"]), zero_all=sig(demo["zero_all"]),
                zero_inner=sig(demo["zero_inner"]), m=demo["margin"]))
    diff_title = tr("filters.assoc_difference") + " (" + tr("filters.border_zero") + ")"
    _chart("flt_assoc_diff", lambda: diverging_figure(demo["diff"], diff_title, lang=lang()), image_key, a_name, b_name)
    _chart("flt_assoc_kernel", lambda: kernel_figure(demo["kernel"], tr("filters.assoc_kernel"), lang=lang()), a_name, b_name)

def _sep() -> None:
    sep_sigma = decimal_slider(st, tr("filters.sep_sigma"), 1.0, 4.0, 2.0, 0.5, "flt_sep_sigma")
    demo = W.separability_demo(image_key, gray, float(sep_sigma))
    st.write(tr("filters.sep_intro", sep=demo["sep_taps"], full=demo["full_taps"]))
    st.write(tr("filters.sep_numbers", size=demo["size"], t2d=num(demo["t2d"], 2), tsep=num(demo["tsep"], 2),
                ratio=num(demo["t2d"] / max(demo["tsep"], 1e-9), 1), w=w, h=h, diff=sig(demo["diff"])))
    c1, c2 = st.columns([1, 3])
    with c1:
        _chart("flt_sep_col", lambda: kernel_figure(demo["column"][:, None], tr("filters.sep_column"), lang=lang()), sep_sigma)
    with c2:
        _chart("flt_sep_row", lambda: kernel_figure(demo["row"][None, :], tr("filters.sep_row"), lang=lang()), sep_sigma)
    st.image(demo["image"], width="content", output_format="PNG")

def _border() -> None:
    st.write(tr("filters.border_intro"))
    demo = W.border_demo(image_key, gray)
    views = [(tr(f"filters.border_{m}"), demo["views"][m]) for m in F.BORDER_MODES]
    _chart("flt_border_grid", lambda: images_grid(views, zoom=3), image_key, lang())
    for m in F.BORDER_MODES:
        st.write(tr("filters.border_numbers", mode=tr(f"filters.border_{m}"), n=8,
                    mean=sig(demo["means"][m]), inner=sig(demo["inner"])))

def _stride() -> None:
    st.write(tr("filters.stride_intro"))
    sname = st.selectbox(tr("filters.stride_kernel_label"), ("box", "sobel_x", "gaussian_273"), key="flt_stride_kernel",
                         format_func=labels("filters.f_"))
    stride = st.slider(tr("filters.stride_label"), 1, 4, 2, key="flt_stride")
    dilation = st.slider(tr("filters.dilation_label"), 1, 4, 1, key="flt_dilation")
    demo = W.stride_demo(image_key, gray, sname, int(stride), int(dilation))
    oh, ow = demo["shape"]
    st.write(tr("filters.stride_numbers", h=h, w=w, oh=oh, ow=ow, kh=demo["k_shape"][0], kw=demo["k_shape"][1],
                d=dilation, eh=demo["d_shape"][0], ew=demo["d_shape"][1], taps=demo["taps"]))
    st.image(demo["png"], caption=tr("filters.stride_output", oh=oh, ow=ow), width=int(ow), output_format="PNG")
    _chart("flt_stride_kernel_fig", lambda: kernel_figure(demo["kernel"], tr("filters.stride_dilated_kernel"), lang=lang()),
           sname, dilation)

def _equiv() -> None:
    st.write(tr("filters.equiv_intro"))
    pick = st.columns(2)
    dy = pick[0].slider(tr("filters.equiv_dy"), 0, 60, 20, key="flt_equiv_dy")
    dx = pick[1].slider(tr("filters.equiv_dx"), 0, 60, 35, key="flt_equiv_dx")
    demo = W.equivariance_demo(image_key, gray, int(dy), int(dx))
    c1, c2 = st.columns(2)
    c1.image(demo["shift_then"], caption=tr("filters.equiv_shift_then"), width="stretch", output_format="PNG")
    c2.image(demo["filter_then"], caption=tr("filters.equiv_filter_then"), width="stretch", output_format="PNG")
    st.write(tr("filters.equiv_shift_numbers", circular=sig(demo["circular"]), zero_all=sig(demo["zero_all"]),
                zero_inner=sig(demo["zero_inner"])))
    diff_title = tr("filters.equiv_difference") + " (" + tr("filters.border_zero") + ")"
    _chart("flt_equiv_diff", lambda: diverging_figure(demo["diff"], diff_title, lang=lang()), image_key, dy, dx)
    c1, c2 = st.columns(2)
    c1.image(demo["rot_then"], caption=tr("filters.equiv_rot_then"), width="stretch", output_format="PNG")
    c2.image(demo["filter_rot"], caption=tr("filters.equiv_filter_rot"), width="stretch", output_format="PNG")
    st.write(tr("filters.equiv_rotation_numbers", rot=sig(demo["rot"]), scale=sig(demo["scale"])))


@st.fragment
def _concepts() -> None:
    """The concept demos run as a fragment: their radio and sliders rerun only this part."""
    concept = st.radio(
        tr("filters.concepts_header"), W.CONCEPTS, key="flt_concept", horizontal=True,
        format_func=labels("filters.tab_"), label_visibility="collapsed",
    )
    DEMOS[concept]()


DEMOS = {"corr": _corr, "assoc": _assoc, "sep": _sep, "border": _border, "stride": _stride, "equiv": _equiv}
with concepts_box:
    st.header(tr("filters.concepts_header"))
    st.caption(tr("filters.demo_note", side=W.DEMO_SIDE))
    _concepts()
