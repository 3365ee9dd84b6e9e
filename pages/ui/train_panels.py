"""Page-side panels of the Training lab: the data source and the live curves (a fragment
that reruns twice a second while training), and the widget keys of the settings."""

from __future__ import annotations

import math
import os

import streamlit as st

from convviz.digits import curves as C
from convviz.digits import datasets as D
from convviz.errors import ConvVizError
from convviz.figures import training as FT
from pages.ui import labels, lang, num, number_format, reason, tr
from pages.ui import train_widgets as W
from pages.ui.charts import frozen
from pages.ui.tables import arrow

RUN_KEY = "train_run"
LIVE_KEY = "_train_live"

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
    "train_deskew": "deskew",
    "train_early": "early_stopping",
    "train_patience": "patience",
    "train_seed": "seed",
    "train_init": "init_scale",
}


def apply_settings(settings: C.LabSettings) -> None:
    for key, name in FIELDS.items():
        st.session_state[key] = getattr(settings, name)


def apply_preset(kind: str) -> None:
    """Button callback: put the settings that reproduce ``kind`` into the widgets."""
    seed = st.session_state.get("train_seed", C.DEFAULT_SETTINGS.seed)
    apply_settings(C.preset(kind).with_(seed=int(seed)))
    st.session_state["train_applied"] = kind


@st.cache_data(ttl=30, max_entries=1, show_spinner=False)
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
def _check_folder(folder: str, stamp: tuple, language: str) -> tuple[str | None, int, str | None]:
    """(split used, number of digits, problem in ``language``): the files are read once (headers,
    sizes and labels checked), so a broken folder is refused before Start instead of failing the run."""
    try:
        split = D.mnist_folder_split(folder)
    except ValueError:
        return None, 0, None
    try:
        _, labels = D.load_mnist_folder(folder)
    except (OSError, EOFError) as exc:  # its text would name server paths
        return split, 0, type(exc).__name__
    except ConvVizError as exc:  # the reader's own words: file names only
        return split, 0, exc.localized(language)
    except ValueError as exc:
        return split, 0, type(exc).__name__
    return split, int(labels.shape[0]), None


def failure_text(exc: Exception) -> str:
    """Why a run failed, in the user's language: an engine error's own words (catalog); for an
    unexpected error a translated sentence and its class name only (its text is English)."""
    if isinstance(exc, ConvVizError):
        return tr("train.run_failed", error=reason(exc))
    return tr("train.run_failed_unexpected", name=type(exc).__name__)


def data_sources() -> list[str]:
    """The data sources this server offers: an MNIST folder only when the server allows data
    folders (a server setting; visitors pick among them by name, never type a path)."""
    return [s for s in D.SOURCES if s != "folder" or D.allowed_data_dirs()]


def init_data_state() -> None:
    """First visit, or a choice the server no longer offers: back to the defaults."""
    if st.session_state.get("train_source") not in data_sources():
        st.session_state["train_source"] = "generated"
    if st.session_state.get("train_folder") not in D.allowed_data_dirs():
        st.session_state.pop("train_folder", None)


def _folder_panel() -> bool:
    """The allowed data folder chosen by its name; whether it holds enough digits."""
    allowed = D.allowed_data_dirs()
    label = st.selectbox(tr("train.folder_label"), list(allowed), key="train_folder",
                         help=tr("train.folder_help", env=D.ENV_DATA_DIRS))
    chosen = str(allowed[label])
    split, count, problem = _check_folder(chosen, _folder_stamp(chosen), lang())
    if split is None:
        st.warning(tr("train.folder_bad", folder=label))
        return False
    if problem:
        st.error(tr("train.folder_unreadable", folder=label, error=problem))
        return False
    st.info(tr("train.folder_test_only" if split == "t10k" else "train.folder_ok", folder=label, count=num(count)))
    need = int(st.session_state["train_n"]) + C.DEFAULT_SETTINGS.n_val
    if count < need:
        st.warning(tr("train.folder_too_small", count=num(count), need=num(need)))
        return False
    return True


def data_panel() -> bool:
    """The data source: generated digits, an allowed MNIST folder or the download; whether
    training can start with it (problems are shown in the page)."""
    source = st.radio(tr("train.source_label"), data_sources(), key="train_source", horizontal=True,
                      format_func=labels("train.source_"))
    data_ready = True
    if source == "generated":
        st.info(tr("train.source_generated_info", fonts=len(D.font_names())))
    elif source == "folder":
        data_ready = _folder_panel()
    else:
        cached = _cached_download()
        if cached:
            st.info(tr("train.download_cached"))
        else:
            st.info(tr("train.download_info"))
            data_ready = False
            if st.button(tr("train.download_button"), key="train_download"):
                with st.spinner(tr("train.downloading")):
                    try:
                        D.download_mnist()
                        _cached_download.clear()
                    except (OSError, ValueError) as exc:
                        st.error(tr("train.download_failed", error=reason(exc)))
                    else:
                        st.rerun()
    return data_ready


@st.cache_data(max_entries=16, show_spinner=False)
def _summary(size: str, batchnorm: bool, dropout: float) -> dict:
    import convviz
    from convviz.nn import build_model

    return convviz.summarize(build_model(size, batchnorm=batchnorm, dropout=dropout).to_spec()).to_dict()


def network_summary(settings: C.LabSettings) -> None:
    """Parameters and multiplications of the network the settings build, and its layers."""
    summary = _summary(settings.size, settings.batchnorm, settings.dropout)
    st.caption(tr("train.summary", size=tr(f"train.size_{settings.size}"),
                  params=num(summary["total_params"]), macs=num(summary["total_macs"] / 1e6, decimals=2)))
    with st.expander(tr("train.layers_header")):
        st.dataframe(
            arrow([{tr("train.col_layer"): f"{layer.get('path', '')} {layer.get('type', '')}",
              tr("train.col_output"): "×".join(str(v) for v in layer.get("output_shape", [])),
              tr("train.col_params"): layer.get("params", 0)} for layer in summary.get("layers", [])]),
            hide_index=True, width="stretch",
            column_config={tr("train.col_params"): st.column_config.NumberColumn(format=number_format(lang()))},
        )


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
                text=tr(f"train.status_{snap.status}", it=num(snap.iteration), total=num(total), epoch=snap.epoch,
                        epochs=current.settings.epochs, seconds=num(snap.seconds, decimals=1)))
    if snap.queue_position is not None:
        st.info(tr("train.queued", pos=snap.queue_position, wait=num(snap.queue_wait or 0, decimals=0)))
    if snap.data_source:
        detail = snap.data_detail or ""
        st.caption(tr(f"train.using_{snap.data_source}", detail=detail, n=num(snap.n_train), nv=num(snap.n_val)))
    if snap.error:
        st.error(failure_text(snap.error))
    early_on = current.settings.early_stopping
    live = snap.status in ("starting", "running")
    fig = FT.curves_figure(
        snap.iter_loss, snap.iter_acc, snap.train_loss, snap.train_acc, snap.val_loss, snap.val_acc,
        current.settings.iterations_per_epoch, _labels(),
        best_epoch=snap.best_epoch if snap.status in ("done", "stopped") else None,
        stopped_early=snap.stopped_early or early_on, total_epochs=_axis_epochs(snap, current.settings, live),
        lang=lang(),
    )
    st.plotly_chart(frozen(fig), width="stretch", key="train_curves", config={"displayModeBar": False})
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
                         on_click=apply_preset, args=(diag.kind,)):
                st.rerun()
    if st.session_state.get(LIVE_KEY) and not current.running:
        st.session_state[LIVE_KEY] = False
        st.rerun()  # one full rerun: buttons, stored model and downloads catch up


