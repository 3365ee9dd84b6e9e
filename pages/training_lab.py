"""Training lab: train the digit CNN live and read its curves the way the lecture does."""

from __future__ import annotations

import streamlit as st

from convviz.digits import curves as C
from pages.ui import (
    decimal_slider,
    labels,
    lang,
    num,
    num_format,
    page_link,
    session_alive_probe,
    show_error,
    start_page,
    tr,
    url_state,
)
from pages.ui import train_panels as P
from pages.ui import train_widgets as W
from pages.ui.train_panels import FIELDS, LIVE_KEY, RUN_KEY, apply_preset

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

LR_VALUES = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 2e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCH_SIZES = [2, 4, 8, 10, 16, 32, 64, 128, 256, 512]
N_TRAIN = [50, 100, 150, 200, 300, 500, 1000, 2000, 3000, 5000]
INIT_SCALES = [0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0]
CONCEPTS_PAGE = "pages/concepts.py"  # the Concepts sections this page links to (gradient descent, augmentation)


def _start() -> None:
    """Start button callback: runs before the script (so Stop is enabled at once) and reads
    the widgets' current values from the session state."""
    current = st.session_state.get(RUN_KEY)
    if current is not None and current.running:
        return
    try:
        settings = C.LabSettings(**{name: st.session_state[key] for key, name in FIELDS.items()})
        settings.validate()
    except (KeyError, TypeError, ValueError):
        return  # the page shows the problem with these settings and keeps Start harmless
    source = st.session_state.get("train_source", "generated")
    folder = st.session_state.get("train_folder") if source == "folder" else None  # a label, never a path
    st.session_state[RUN_KEY] = W.TrainingRun(settings, source=source, folder=folder,
                                                  alive=session_alive_probe()).start()
    st.session_state.pop("train_model_bytes", None)


def _stop() -> None:
    run = st.session_state.get(RUN_KEY)
    if run is not None:
        run.stop()


# widget defaults (first visit)
for key, name in FIELDS.items():
    st.session_state.setdefault(key, getattr(C.DEFAULT_SETTINGS, name))
P.init_data_state()

st.title(tr("train.page_title"))
st.write(tr("train.intro"))

# a laptop or projector: the settings on the left, Start and the curves on the right (on the first
# screen); a phone stacks the two columns in this order
left, right = st.columns([1, 1.45], gap="medium")
with left:
    # --- the data ---
    st.subheader(tr("train.data_header"))
    data_ready = P.data_panel()

    # --- network and training settings ----------------------------------------------------
    st.subheader(tr("train.settings_header"))
    size = st.selectbox(tr("train.size_label"), list(C.SIZES), key="train_size",
                        format_func=labels("train.size_"))
    st.radio(tr("train.optimizer_label"), list(C.OPTIMIZERS), key="train_optimizer", horizontal=True,
             format_func=labels("train.optimizer_"), help=tr("train.optimizer_help"))
    st.select_slider(tr("train.lr_label"), LR_VALUES, key="train_lr", format_func=num_format(),
                     help=tr("train.lr_help"))
    mode = st.radio(tr("train.batch_mode_label"), list(C.BATCH_MODES), key="train_batch_mode",
                    format_func=labels("train.batch_mode_"), help=tr("train.batch_mode_help"))
    st.select_slider(tr("train.batch_size_label"), BATCH_SIZES, key="train_batch_size",
                     disabled=mode != "mini")
    st.slider(tr("train.epochs_label"), 1, 50, key="train_epochs")
    page_link(CONCEPTS_PAGE, tr("train.gd_link"), icon="📉",
              query_params=url_state.query_for(CONCEPTS_PAGE, {"concepts_section": "descent"}, lang()))
    st.select_slider(tr("train.n_label"), N_TRAIN, key="train_n", help=tr("train.n_help"))
    st.checkbox(tr("train.batchnorm_label"), key="train_batchnorm", help=tr("train.batchnorm_help"))
    decimal_slider(st, tr("train.dropout_label"), 0.0, 0.8, C.DEFAULT_SETTINGS.dropout, 0.1, "train_dropout",
                   help=tr("train.dropout_help"))
    st.checkbox(tr("train.augment_label"), key="train_augment", help=tr("train.augment_help"))
    st.checkbox(tr("train.deskew_label"), key="train_deskew", help=tr("train.deskew_help"))
    page_link(CONCEPTS_PAGE, tr("train.aug_link"), icon="🔁",
              query_params=url_state.query_for(CONCEPTS_PAGE, {"concepts_section": "augment"}, lang()))
    early = st.checkbox(tr("train.early_label"), key="train_early", help=tr("train.early_help"))
    st.slider(tr("train.patience_label"), 1, 10, key="train_patience", disabled=not early)
    with st.expander(tr("train.advanced")):
        st.number_input(tr("train.seed_label"), 0, 99_999, step=1, key="train_seed")
        st.select_slider(tr("train.init_label"), INIT_SCALES, key="train_init", help=tr("train.init_help"),
                         format_func=num_format())

with right:
    settings = C.LabSettings(**{name: st.session_state[key] for key, name in FIELDS.items()})
    settings_ok = True
    if settings.batch_mode == "full" and settings.n_train > C.MAX_FULL_BATCH:
        st.error(tr("train.full_batch_too_big", limit=num(C.MAX_FULL_BATCH), n=num(settings.n_train)))
        settings_ok = False
    else:
        try:
            settings.validate()
        except ValueError as exc:
            show_error(exc)
            settings_ok = False

    # --- start / stop ---------------------------------------------------------------------
    run: W.TrainingRun | None = st.session_state.get(RUN_KEY)
    running = bool(run is not None and run.running)
    b1, b2 = st.columns(2)
    with b1:
        st.button(tr("train.start"), key="train_start", type="primary", disabled=running or not data_ready or not settings_ok,
                  width="stretch", on_click=_start)
    with b2:
        st.button(tr("train.stop"), key="train_stop", on_click=_stop, disabled=not running, width="stretch")

    # a finished run: its model goes to the Draw-a-digit page
    if run is not None and not run.running and run.model is not None and run.snapshot().iteration > 0:
        if st.session_state.get("trained_model") is not run.model:
            st.session_state["trained_model"] = run.model
            st.session_state.pop("train_model_bytes", None)

    # --- the counts -----------------------------------------------------------------------
    st.markdown(tr("train.counts", n=num(settings.n_train), b=num(settings.batch),
                   ipe=num(settings.iterations_per_epoch), epochs=settings.epochs,
                   total=num(settings.total_iterations)))
    if settings.batch_mode == "mini" and settings.batch_size >= settings.n_train:
        # B capped at N: every step sees the whole set, which is batch gradient descent
        st.caption(tr("train.counts_mini_capped", chosen=num(settings.batch_size), n=num(settings.n_train)))
    else:
        st.caption(tr(f"train.counts_{settings.batch_mode}", n=num(settings.n_train), b=num(settings.batch)))

    st.subheader(tr("train.curves_header"))
    st.session_state[LIVE_KEY] = running
    st.fragment(P.live_panel, run_every=0.5 if running else None)()
    P.network_summary(settings)

    if run is not None and not run.running and run.model is not None and run.history is not None:
        if "train_model_bytes" not in st.session_state:
            st.session_state["train_model_bytes"] = W.model_bytes(run.model)
        st.info(tr("train.model_ready"))
        d1, d2 = st.columns(2)
        with d1:
            st.download_button(tr("train.download_model"), st.session_state["train_model_bytes"],
                               file_name="convviz-digit-cnn.npz", mime="application/octet-stream",
                               key="train_dl_model", width="stretch")
        with d2:
            st.download_button(tr("train.download_history"), W.history_json(run.history),
                               file_name="convviz-training-history.json", mime="application/json",
                               key="train_dl_history", width="stretch")

# --- the lecture's patterns, one click each --------------------------------------------
applied = st.session_state.pop("train_applied", None)
if applied:
    st.toast(tr("train.applied", pattern=tr(f"train.pattern_{applied}")))
with st.expander(tr("train.patterns_header"), expanded=False):
    st.write(tr("train.patterns_intro"))
    for kind in C.PATTERNS:
        st.markdown(f"**{tr(f'train.pattern_{kind}')}**: {tr(f'train.pattern_{kind}_about')}")
        st.button(tr("train.reproduce", pattern=tr(f"train.pattern_{kind}")), key=f"train_repro_{kind}",
                  on_click=apply_preset, args=(kind,))
