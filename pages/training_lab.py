"""Training lab: train the digit CNN live and read its curves the way the lecture does."""

from __future__ import annotations

import math
import os

import streamlit as st

from convviz.digits import curves as C
from convviz.digits import datasets as D
from convviz.figures import training as FT
from convviz.i18n import fmt_number, translate
from pages.ui import lang, number_format, show_error, tr, url_state
from pages.ui import train_widgets as W

url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

RUN_KEY = "train_run"
LIVE_KEY = "_train_live"
LR_VALUES = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 2e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCH_SIZES = [2, 4, 8, 10, 16, 32, 64, 128, 256, 512]
N_TRAIN = [50, 100, 150, 200, 300, 500, 1000, 2000, 3000, 5000]
INIT_SCALES = [0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0]

# widget key -> LabSettings field
FIELDS = {
    "train_size": "size",
    "train_optimizer": "optimizer",
    "train_lr": "lr",
    "train_batch_mode": "batch_mode",
    "train_batch_size": "batch_size",
    "train_epochs": "epochs",
    "train_n": "n_train",
    "train_batchnorm": "batchnorm",
    "train_dropout": "dropout",
    "train_augment": "augment",
    "train_early": "early_stopping",
    "train_patience": "patience",
    "train_seed": "seed",
    "train_init": "init_scale",
}


def _apply_settings(settings: C.LabSettings) -> None:
    for key, name in FIELDS.items():
        st.session_state[key] = getattr(settings, name)


def _apply_preset(kind: str) -> None:
    """Button callback: put the settings that reproduce ``kind`` into the widgets."""
    seed = st.session_state.get("train_seed", C.DEFAULT_SETTINGS.seed)
    _apply_settings(C.preset(kind).with_(seed=int(seed)))
    st.session_state["train_applied"] = kind


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
    folder = D.folder_from_env(st.session_state.get("train_folder")) if source == "folder" else None
    st.session_state[RUN_KEY] = W.TrainingRun(settings, source=source, folder=folder).start()
    st.session_state.pop("train_model_bytes", None)


def _stop() -> None:
    run = st.session_state.get(RUN_KEY)
    if run is not None:
        run.stop()


def _labels_of(prefix: str):
    """Option labels in the language of this run (bound now: AppTest calls it off-script)."""
    language = lang()
    return lambda option: translate(f"{prefix}{option}", language)


def _num(value: float, decimals: int | None = None) -> str:
    """A count or measure with the separators of the user's language (1.000 in Spanish)."""
    return fmt_number(value, lang(), decimals)


def _fmt_lr(v: float) -> str:
    return f"{v:g}"


@st.cache_data(ttl=30, show_spinner=False)
def _cached_download() -> object:
    """The verified download folder or None (hashing 11 MB: not on every rerun)."""
    return D.cached_mnist()


def _folder_stamp(folder: str) -> tuple:
    """Names, sizes and times of the folder's files: a changed file is checked again."""
    path = os.path.expanduser(folder)
    try:
        return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(path) if e.is_file()))
    except OSError:
        return ()


@st.cache_data(max_entries=8, show_spinner=False)
def _check_folder(folder: str, stamp: tuple) -> tuple[str | None, int, str | None]:
    """(split used, number of digits, problem): the files are read once (headers, sizes and
    labels checked), so a broken folder is refused before Start instead of failing the run."""
    try:
        split = D.mnist_folder_split(folder)
    except ValueError:
        return None, 0, None
    try:
        _, labels = D.load_mnist_folder(folder)
    except (OSError, ValueError, EOFError) as exc:
        return split, 0, str(exc)
    return split, int(labels.shape[0]), None


# widget defaults (first visit)
for key, name in FIELDS.items():
    st.session_state.setdefault(key, getattr(C.DEFAULT_SETTINGS, name))
st.session_state.setdefault("train_source", "generated")
st.session_state.setdefault("train_folder", os.environ.get(D.ENV_MNIST_DIR, ""))

st.title(tr("train.page_title"))
st.write(tr("train.intro"))

# --- data -----------------------------------------------------------------------------
st.subheader(tr("train.data_header"))
source = st.radio(tr("train.source_label"), list(D.SOURCES), key="train_source", horizontal=True,
                  format_func=_labels_of("train.source_"))
data_ready = True
folder = None
if source == "generated":
    st.info(tr("train.source_generated_info", fonts=len(D.font_names())))
elif source == "folder":
    folder = st.text_input(tr("train.folder_label"), key="train_folder", help=tr("train.folder_help", env=D.ENV_MNIST_DIR))
    chosen = D.folder_from_env(folder)
    if not chosen:
        st.warning(tr("train.folder_missing", env=D.ENV_MNIST_DIR))
        data_ready = False
    elif not os.path.isdir(os.path.expanduser(chosen)):
        st.warning(tr("train.folder_not_found", folder=chosen))
        data_ready = False
    else:
        split, count, problem = _check_folder(chosen, _folder_stamp(chosen))
        if split is None:
            st.warning(tr("train.folder_bad", folder=chosen))
            data_ready = False
        elif problem:
            st.error(tr("train.folder_unreadable", folder=chosen, error=problem))
            data_ready = False
        elif split == "t10k":
            st.info(tr("train.folder_test_only", folder=chosen, count=_num(count)))
        else:
            st.info(tr("train.folder_ok", folder=chosen, count=_num(count)))
        need = int(st.session_state["train_n"]) + C.DEFAULT_SETTINGS.n_val
        if data_ready and count < need:
            st.warning(tr("train.folder_too_small", count=_num(count), need=_num(need)))
            data_ready = False
    folder = chosen
else:
    cached = _cached_download()
    if cached:
        st.info(tr("train.download_cached", folder=str(cached)))
    else:
        st.info(tr("train.download_info", folder=str(D.mnist_cache_dir())))
        data_ready = False
        if st.button(tr("train.download_button"), key="train_download"):
            with st.spinner(tr("train.downloading")):
                try:
                    D.download_mnist()
                    _cached_download.clear()
                except (OSError, ValueError) as exc:
                    st.error(tr("train.download_failed", error=str(exc)))
                else:
                    st.rerun()

# --- network and training settings ----------------------------------------------------
st.subheader(tr("train.settings_header"))
cols = st.columns(2)
with cols[0]:
    size = st.selectbox(tr("train.size_label"), list(C.SIZES), key="train_size",
                        format_func=_labels_of("train.size_"))
    st.radio(tr("train.optimizer_label"), list(C.OPTIMIZERS), key="train_optimizer", horizontal=True,
             format_func=_labels_of("train.optimizer_"), help=tr("train.optimizer_help"))
    st.select_slider(tr("train.lr_label"), LR_VALUES, key="train_lr", format_func=_fmt_lr,
                     help=tr("train.lr_help"))
    mode = st.radio(tr("train.batch_mode_label"), list(C.BATCH_MODES), key="train_batch_mode",
                    format_func=_labels_of("train.batch_mode_"), help=tr("train.batch_mode_help"))
    st.select_slider(tr("train.batch_size_label"), BATCH_SIZES, key="train_batch_size",
                     disabled=mode != "mini")
    st.slider(tr("train.epochs_label"), 1, 50, key="train_epochs")
with cols[1]:
    st.select_slider(tr("train.n_label"), N_TRAIN, key="train_n", help=tr("train.n_help"))
    st.checkbox(tr("train.batchnorm_label"), key="train_batchnorm", help=tr("train.batchnorm_help"))
    st.slider(tr("train.dropout_label"), 0.0, 0.8, step=0.1, key="train_dropout", help=tr("train.dropout_help"))
    st.checkbox(tr("train.augment_label"), key="train_augment", help=tr("train.augment_help"))
    early = st.checkbox(tr("train.early_label"), key="train_early", help=tr("train.early_help"))
    st.slider(tr("train.patience_label"), 1, 10, key="train_patience", disabled=not early)
    with st.expander(tr("train.advanced")):
        st.number_input(tr("train.seed_label"), 0, 99_999, step=1, key="train_seed")
        st.select_slider(tr("train.init_label"), INIT_SCALES, key="train_init", help=tr("train.init_help"))

settings = C.LabSettings(**{name: st.session_state[key] for key, name in FIELDS.items()})
settings_ok = True
if settings.batch_mode == "full" and settings.n_train > C.MAX_FULL_BATCH:
    st.error(tr("train.full_batch_too_big", limit=_num(C.MAX_FULL_BATCH), n=_num(settings.n_train)))
    settings_ok = False
else:
    try:
        settings.validate()
    except ValueError as exc:
        show_error(exc)
        settings_ok = False


@st.cache_data(show_spinner=False)
def _summary(size: str, batchnorm: bool, dropout: float) -> dict | None:
    try:
        import convviz
        from convviz.nn import build_model

        return convviz.summarize(build_model(size, batchnorm=batchnorm, dropout=dropout).to_spec()).to_dict()
    except Exception:  # noqa: BLE001 (the engine summary may not be there: the page still works)
        return None


summary = _summary(settings.size, settings.batchnorm, settings.dropout)
if summary is None:
    st.info(tr("train.summary_missing"))
else:
    st.caption(tr("train.summary", size=tr(f"train.size_{settings.size}"),
                  params=_num(summary['total_params']), macs=_num(summary['total_macs'] / 1e6, decimals=2)))
    with st.expander(tr("train.layers_header")):
        st.dataframe(
            [{tr("train.col_layer"): f"{layer.get('path', '')} {layer.get('type', '')}",
              tr("train.col_output"): "×".join(str(v) for v in layer.get("output_shape", [])),
              tr("train.col_params"): layer.get("params", 0)} for layer in summary.get("layers", [])],
            hide_index=True, width="stretch",
            column_config={tr("train.col_params"): st.column_config.NumberColumn(format=number_format(lang()))},
        )

# --- the counts -----------------------------------------------------------------------
st.markdown(tr("train.counts", n=_num(settings.n_train), b=_num(settings.batch),
               ipe=_num(settings.iterations_per_epoch), epochs=settings.epochs,
               total=_num(settings.total_iterations)))
if settings.batch_mode == "mini" and settings.batch_size >= settings.n_train:
    # B capped at N: every step sees the whole set, which is batch gradient descent
    st.caption(tr("train.counts_mini_capped", chosen=_num(settings.batch_size), n=_num(settings.n_train)))
else:
    st.caption(tr(f"train.counts_{settings.batch_mode}", n=_num(settings.n_train), b=_num(settings.batch)))

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


def _labels() -> dict[str, str]:
    return {k: tr(f"train.fig_{k}") for k in ("loss", "accuracy", "epoch", "iter_train", "smooth", "train", "val", "best", "stopped")}


def _axis_epochs(snap: W.Snapshot, settings: C.LabSettings, live: bool) -> int | None:
    """How many epochs the x axis spans: while training, the epochs reached so far plus half
    again (so 3 epochs of 50 are not squeezed into the left edge), never beyond the planned
    number; a stopped run spans what it trained; a finished one all its epochs."""
    done = max(len(snap.train_loss), snap.iteration / max(1, settings.iterations_per_epoch))
    if live:
        return min(settings.epochs, max(1, math.ceil(1.5 * done)))
    if snap.status == "done":
        return settings.epochs
    return None


def live_panel() -> None:
    """Progress, curves and the pattern they show; reruns every 0.5 s while training."""
    current: W.TrainingRun | None = st.session_state.get(RUN_KEY)
    if current is None:
        st.info(tr("train.no_run"))
        return
    snap = current.snapshot()
    total = max(1, snap.total_iterations)
    st.progress(min(1.0, snap.iteration / total),
                text=tr(f"train.status_{snap.status}", it=_num(snap.iteration), total=_num(total), epoch=snap.epoch,
                        epochs=current.settings.epochs, seconds=_num(snap.seconds, decimals=1)))
    if snap.data_source:
        detail = snap.data_detail or ""
        st.caption(tr(f"train.using_{snap.data_source}", detail=detail, n=_num(snap.n_train), nv=_num(snap.n_val)))
    if snap.error:
        st.error(tr("train.run_failed", error=snap.error))
    early_on = current.settings.early_stopping
    live = snap.status in ("starting", "running")
    fig = FT.curves_figure(
        snap.iter_loss, snap.iter_acc, snap.train_loss, snap.train_acc, snap.val_loss, snap.val_acc,
        current.settings.iterations_per_epoch, _labels(),
        best_epoch=snap.best_epoch if snap.status in ("done", "stopped") else None,
        stopped_early=snap.stopped_early or early_on, total_epochs=_axis_epochs(snap, current.settings, live),
    )
    st.plotly_chart(fig, width="stretch", key="train_curves", config={"displayModeBar": False})
    if snap.best_epoch is not None and snap.status == "done":
        if snap.stopped_early:
            st.success(tr("train.early_stopped", epoch=snap.best_epoch, last=len(snap.train_loss)))
        elif early_on:
            st.info(tr("train.early_restored", epoch=snap.best_epoch))
    # while training, judge only once there is something to judge (1 epoch or 40 iterations)
    enough = not live or len(snap.train_loss) >= 1 or len(snap.iter_loss) >= 40
    diag = C.diagnose(snap) if enough else None
    if diag is not None:
        so_far = live and diag.kind in C.LIVE_ONLY_SO_FAR  # a normal state mid-run, not a verdict
        box = st.info if so_far else (st.success if diag.kind == "healthy" else st.warning)
        heading = tr("train.pattern_seen_live") if live else tr("train.pattern_seen")
        box(f"**{heading}: {diag.title(lang())}**. {diag.explanation(lang(), live=live)}")
        if diag.kind != "healthy" and not so_far:
            if st.button(tr("train.reproduce", pattern=diag.title(lang())), key=f"train_repro_live_{diag.kind}",
                         on_click=_apply_preset, args=(diag.kind,)):
                st.rerun()
    if st.session_state.get(LIVE_KEY) and not current.running:
        st.session_state[LIVE_KEY] = False
        st.rerun()  # one full rerun: buttons, stored model and downloads catch up


st.subheader(tr("train.curves_header"))
st.session_state[LIVE_KEY] = running
st.fragment(live_panel, run_every=0.5 if running else None)()

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
                  on_click=_apply_preset, args=(kind,))
