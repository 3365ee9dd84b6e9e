"""Which settings of each page go into its link: (URL name, session-state key, check, default).

The keys are the pages' own widget keys; the defaults are the widgets' first values (a page
at its defaults writes only ``?lang=``; tests/test_url_state.py checks that for every page).
The URL names are short and stable: links in slides and bookmarks depend on them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from convviz.arithmetic.presets import get_preset, list_presets
from convviz.arithmetic.share import MAX_TOKEN_CHARS, TokenError, spec_from_token, spec_token
from convviz.digits import curves as C
from convviz.digits.augment import AugmentConfig
from convviz.images import filters as F
from convviz.images.samples import SAMPLES
from convviz.nn import descent as D
from pages.ui.url_state import Bool, Choice, Field, Float, Int, Invalid, Many, State, Text

SPEC_KEY = "arch_spec"  # pages.ui.arch_widgets.SPEC_KEY
DEFAULT_PRESET = "lenet5"  # pages.ui.arch_widgets.DEFAULT_PRESET
SCRATCH = "__scratch__"
CURRENT = "__current__"
_ARCH_DERIVED = ("arch_preset", "arch_in_c", "arch_in_h", "arch_in_w", "arch_layer", "arch_edit_error")


@cache
def _preset_json() -> dict[str, str]:
    return {name: json.dumps(get_preset(name), sort_keys=True) for name in list_presets()}


def preset_of(spec: Any) -> str | None:
    """The preset ``spec`` is, unedited, or None."""
    text = json.dumps(spec, sort_keys=True)
    return next((name for name, known in _preset_json().items() if known == text), None)


def _check_network(spec: dict[str, Any]) -> None:
    import convviz

    try:
        convviz.summarize(spec)
    except Exception as exc:  # noqa: BLE001 - a link's network is untrusted input
        raise Invalid("network the engine rejects") from exc


@dataclass(frozen=True)
class Network(Field):
    """The Architecture page's network: ``?preset=vgg16`` for an unedited preset, ``?net=<token>``
    (:mod:`convviz.arithmetic.share`) for an edited one. With ``rf`` it is the Receptive-field
    page's "current network", written only while that page shows it."""

    param: str = "net"
    key: str = SPEC_KEY
    rf: bool = False

    def params(self) -> tuple[str, ...]:
        return ("preset", "net")

    def load(self, query: Mapping[str, str], state: State) -> list[str]:
        token, name = query.get("net"), query.get("preset")
        if token is None and name is None:
            if not self.rf:
                for key in (SPEC_KEY, *_ARCH_DERIVED):
                    state.pop(key, None)
            return []
        try:
            if token is not None:
                spec = spec_from_token(token)
            else:
                spec = get_preset(Choice("preset", "", options_of=list_presets).parse(name))
            _check_network(spec)
        except (Invalid, TokenError, ValueError):
            return ["net" if token is not None else "preset"]
        for key in _ARCH_DERIVED:
            state.pop(key, None)
        state[SPEC_KEY] = spec
        state["arch_preset"] = preset_of(spec) or SCRATCH
        shape = spec.get("input")
        if isinstance(shape, list) and len(shape) == 3 and all(isinstance(v, int) for v in shape):
            state.update(arch_in_c=shape[0], arch_in_h=shape[1], arch_in_w=shape[2])
        if self.rf:
            state["rf_net"] = CURRENT
        return []

    def dump(self, state: Mapping[str, Any]) -> dict[str, str]:
        spec = state.get(SPEC_KEY)
        if spec is None or (self.rf and state.get("rf_net") != CURRENT):
            return {}
        name = preset_of(spec)
        if name is not None:
            return {} if name == DEFAULT_PRESET and not self.rf else {"preset": name}
        token = spec_token(spec)
        return {"net": token} if len(token) <= MAX_TOKEN_CHARS else {}

    def too_large(self, state: Mapping[str, Any]) -> int:
        """The token's length when the network is too large for a link, else 0."""
        spec = state.get(SPEC_KEY)
        if spec is None or preset_of(spec) is not None or (self.rf and state.get("rf_net") != CURRENT):
            return 0
        size = len(spec_token(spec))
        return size if size > MAX_TOKEN_CHARS else 0


def _pair(name: str, key: str, lo: int, hi: int, default: int) -> list[Field]:
    return [Int(f"{name}h", f"{key}h", default, lo, hi), Int(f"{name}w", f"{key}w", default, lo, hi)]


ARITH: list[Field] = [
    Choice("op", "arith_op", "conv", ("conv", "convt", "maxpool", "avgpool")),
    Int("h", "arith_h", 5, 1, 4096), Int("w", "arith_w", 5, 1, 4096),
    *_pair("k", "arith_k", 1, 64, 3), *_pair("s", "arith_s", 1, 64, 1),
    Choice("pad", "arith_pad_mode", "number", ("number", "same", "valid")),
    *_pair("p", "arith_p", 0, 64, 0), *_pair("d", "arith_d", 1, 16, 1), *_pair("op", "arith_op", 0, 64, 0),
    Int("cin", "arith_cin", 1, 1, 4096), Int("cout", "arith_cout", 1, 1, 4096),
    Int("g", "arith_groups", 1, 1, 4096), Bool("bias", "arith_bias", True),
    Bool("ceil", "arith_ceil", False), Bool("cip", "arith_cip", True),
    # the animation: numbers, flip, view, speed and the picked cell (its step)
    Choice("vals", "anim_values", "lecture", ("lecture", "random")),
    Int("seed", "anim_seed", 0, 0, 1_000_000), Bool("flip", "anim_flip", False),
    Choice("view", "anim_view", "scatter", ("scatter", "direct")),
    Choice("speed", "anim_speed", "normal", ("slow", "normal", "fast")),
    Choice("pick", "anim_pick", "none", ("none", "output", "input")),
    Int("pr", "anim_pick_or", 0, 0, 64), Int("pc", "anim_pick_oc", 0, 0, 64),
    Int("ir", "anim_pick_ir", 0, 0, 64), Int("ic", "anim_pick_ic", 0, 0, 64),
]

_AUG = AugmentConfig()  # the Training lab's augmentation (pages/ui/concepts_views.py starts from it)
CONCEPTS: list[Field] = [
    Choice("sec", "concepts_section", "activations", ("activations", "fc_conv", "norm", "dropout", "softmax",
                                                      "pool_shift", "augment", "descent", "adam")),
    Many("acts", "concepts_act_names", ["sigmoid", "tanh", "relu", "leaky_relu"],
         ("sigmoid", "tanh", "relu", "leaky_relu")),
    Float("alpha", "concepts_act_alpha", 0.1, 0.0, 0.5), Float("z", "concepts_act_z", 2.0, -50.0, 50.0),
    Int("lseed", "concepts_lin_seed", 1, 0, 9999), Bool("relu", "concepts_lin_relu", False),
    Int("h", "concepts_fc_h", 32, 1, 512), Int("w", "concepts_fc_w", 32, 1, 512),
    Int("c", "concepts_fc_c", 3, 1, 512), Int("f", "concepts_fc_filters", 6, 1, 1024),
    Int("k", "concepts_fc_k", 5, 1, 64), Int("s", "concepts_fc_stride", 1, 1, 16),
    Int("p", "concepts_fc_pad", 0, 0, 32),
    Int("sn", "concepts_sparse_n", 5, 3, 9), Int("sk", "concepts_sparse_k", 3, 1, 5),
    Int("ssel", "concepts_sparse_sel", 3, 1, 9),
    Choice("norm", "concepts_norm_kind", "batch", ("batch", "layer", "instance", "group")),
    Int("nn", "concepts_norm_n", 4, 1, 6), Int("nc", "concepts_norm_c", 6, 1, 8),
    Int("nhw", "concepts_norm_hw", 2, 1, 3), Int("ng", "concepts_norm_groups", 3, 1, 8),
    Text("bn", "concepts_bn_values", "1, 2, 3, 6", 120),
    Float("gamma", "concepts_bn_gamma", 1.0, -10.0, 10.0), Float("beta", "concepts_bn_beta", 0.0, -10.0, 10.0),
    Float("drop", "concepts_drop_p", 0.5, 0.0, 0.9), Int("it", "concepts_drop_iter", 1, 1, 50),
    Text("logits", "concepts_soft_logits", "2.0, 1.0, 0.1, -1.0", 120),
    Choice("t", "concepts_soft_t", 1.0, (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0)),
    # pooling and shifts, augmentation, gradient descent, Adam (pages/ui/concepts_views.py)
    Int("shd", "concepts_shift_digit", 7, 0, 9), Choice("shk", "concepts_shift_pool", 2, (2, 3, 4)),
    Choice("shdir", "concepts_shift_dir", "right", ("right", "down", "diagonal")),
    Int("ad", "concepts_aug_digit", 6, 0, 9), Int("aseed", "concepts_aug_seed", 0, 0, 9999),
    Float("ashift", "concepts_aug_shift", _AUG.max_shift, 0.0, 6.0),
    Float("arot", "concepts_aug_rot", _AUG.max_rotation, 0.0, 180.0),
    Float("alo", "concepts_aug_scale_lo", _AUG.scale_range[0], 0.5, 1.0),
    Float("ahi", "concepts_aug_scale_hi", _AUG.scale_range[1], 1.0, 1.5),
    Float("athick", "concepts_aug_thick", _AUG.thicker_prob, 0.0, 1.0),
    Float("athin", "concepts_aug_thin", _AUG.thinner_prob, 0.0, 1.0),
    Choice("gds", "concepts_gd_surface", "bowl", D.SURFACES), Choice("gdlr", "concepts_gd_lr", 0.1, D.LEARNING_RATES),
    Int("gdsteps", "concepts_gd_steps", 100, 10, D.MAX_STEPS), Float("gdnoise", "concepts_gd_noise", 0.3, 0.0, 5.0),
    Int("gdseed", "concepts_gd_seed", 0, 0, 9999),
    Choice("alr", "concepts_adam_lr", 0.01, D.LEARNING_RATES), Int("at", "concepts_adam_t", 1, 1, D.MAX_ADAM_STEP),
]

ARCH: list[Field] = [
    Network(),
    Text("layer", "arch_layer", "layers.0", 80),
    Choice("a", "arch_cmp_a", "lecture_5x5_direct", options_of=lambda: [CURRENT, *list_presets()]),
    Choice("b", "arch_cmp_b", "lecture_1x1_bottleneck", options_of=lambda: [CURRENT, *list_presets()]),
    Bool("log", "arch_log", True),
    Bool("collapse", "arch_diagram_collapse", True),  # the diagram's ×N groups (pages/ui/arch_diagram.py)
]

RF: list[Field] = [
    Choice("model", "rf_net", "lenet5", options_of=list_presets),
    Network(rf=True),
    Text("layer", "rf_layer", "", 80),
    Int("i", "rf_i", -1, 0, 4096), Int("j", "rf_j", -1, 0, 4096),
    Choice("img", "rf_sample", SAMPLES[0], SAMPLES),
    Text("da", "rf_dil_a", "1, 1, 1", 40), Text("db", "rf_dil_b", "1, 2, 4", 40),
    Choice("ew", "rf_erf_w", "random", ("random", "uniform")), Int("es", "rf_erf_seed", 0, 0, 10_000),
    Choice("at", "rf_at", "main", ("main", "dilation")),  # the section shown first (the home page's links)
]

FILTERS: list[Field] = [
    Choice("src", "flt_source", "sample", ("sample",)),
    Choice("img", "flt_sample", SAMPLES[0], SAMPLES),
    Choice("f", "flt_name", F.PRESETS[0], F.PRESETS),
    Choice("color", "flt_color", "channels", ("channels", "gray")),
    Choice("border", "flt_border", "reflect", F.BORDER_MODES),
    Float("sigma", "flt_sigma", 1.5, 0.5, 6.0),
    Text("kernel", "flt_custom", "1 2 1\n0 0 0\n-1 -2 -1", 400),
    Bool("norm", "flt_normalise", False),
    Choice("concept", "flt_concept", "corr", ("corr", "assoc", "sep", "border", "stride", "equiv")),
    Choice("ck", "flt_corr_kernel", "emboss", ("emboss", "sobel_x", "sobel_y")),
    Choice("ka", "flt_assoc_a", "box", ("box", "gaussian_273", "sobel_x", "sobel_y", "sharpen", "laplacian",
                                         "emboss", "identity")),
    Choice("kb", "flt_assoc_b", "sobel_x", ("box", "gaussian_273", "sobel_x", "sobel_y", "sharpen", "laplacian",
                                             "emboss", "identity")),
    Float("ssig", "flt_sep_sigma", 2.0, 1.0, 4.0),
    Choice("sk", "flt_stride_kernel", "box", ("box", "sobel_x", "gaussian_273")),
    Int("stride", "flt_stride", 2, 1, 4), Int("dil", "flt_dilation", 1, 1, 4),
    Int("dy", "flt_equiv_dy", 20, 0, 60), Int("dx", "flt_equiv_dx", 35, 0, 60),
    Choice("at", "flt_at", "main", ("main", "concepts")),  # the section shown first (the home page's links)
]

DIGIT: list[Field] = [
    Choice("model", "digit_model_choice", "shipped", ("shipped", "mine")),
    Choice("src", "digit_source", "draw", ("draw", "upload", "sample")), Int("sample", "digit_sample", 7, 0, 9),
    Int("stroke", "digit_stroke", 20, 5, 40), Choice("tool", "digit_tool", "freedraw", ("freedraw", "line")),
]

_D = C.DEFAULT_SETTINGS
# the option lists of pages/training_lab.py's select sliders (a test checks they match)
TRAIN: list[Field] = [
    Choice("data", "train_source", "generated", ("generated", "download")),
    Choice("size", "train_size", _D.size, C.SIZES), Choice("opt", "train_optimizer", _D.optimizer, C.OPTIMIZERS),
    Choice("lr", "train_lr", _D.lr, (1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 2e-2, 3e-2,
                                     0.1, 0.3, 1.0, 3.0, 10.0)),
    Choice("mode", "train_batch_mode", _D.batch_mode, C.BATCH_MODES),
    Choice("b", "train_batch_size", _D.batch_size, (2, 4, 8, 10, 16, 32, 64, 128, 256, 512)),
    Int("epochs", "train_epochs", _D.epochs, 1, 50),
    Choice("n", "train_n", _D.n_train, (50, 100, 150, 200, 300, 500, 1000, 2000, 3000, 5000)),
    Bool("bn", "train_batchnorm", _D.batchnorm), Float("drop", "train_dropout", _D.dropout, 0.0, 0.8),
    Bool("aug", "train_augment", _D.augment), Bool("deskew", "train_deskew", _D.deskew),
    Bool("early", "train_early", _D.early_stopping),
    Int("patience", "train_patience", _D.patience, 1, 10), Int("seed", "train_seed", _D.seed, 0, 99_999),
    Choice("init", "train_init", _D.init_scale, (0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)),
]

PRACTICE: list[Field] = [
    Int("seed", "practice_seed", 1, 0, 999_999),
    Choice("level", "practice_level", "easy", ("easy", "medium", "hard")),
]

PAGE_FIELDS: dict[str, Sequence[Field]] = {
    "pages/layer_arithmetic.py": ARITH,
    "pages/concepts.py": CONCEPTS,
    "pages/architecture.py": ARCH,
    "pages/receptive_field.py": RF,
    "pages/filter_lab.py": FILTERS,
    "pages/draw_digit.py": DIGIT,
    "pages/training_lab.py": TRAIN,
    "pages/practice.py": PRACTICE,
}


def fields_of(page_file: str | None) -> Sequence[Field]:
    """The link fields of ``page_file`` (none for the home page and unknown pages)."""
    return PAGE_FIELDS.get(page_file or "", ())


def too_large_note(page_file: str | None, state: Mapping[str, Any]) -> int:
    """How long the network's token is when it is too large for this page's link, else 0."""
    return max((f.too_large(state) for f in fields_of(page_file) if isinstance(f, Network)), default=0)
