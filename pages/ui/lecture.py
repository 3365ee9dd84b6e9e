"""The lecture, click by click: its concepts in its order, each a link to the page that shows it,
already set to the lecture's example (the home page lists them).

An entry is ``(key, page file, settings)``: ``settings`` are the page's session-state keys
and the values of the lecture's example; :func:`pages.ui.url_state.query_for` turns them into
the link's query string (every other setting of that page at its default). Titles are the
catalog keys ``home.sec_<section>`` and ``home.toc_<key>`` (English and the lecture's Spanish).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from convviz.arithmetic.presets import get_preset
from convviz.arithmetic.share import spec_token
from convviz.digits import curves as C

ARITH = "pages/layer_arithmetic.py"
CONCEPTS = "pages/concepts.py"
ARCH = "pages/architecture.py"
RF = "pages/receptive_field.py"
FILTERS = "pages/filter_lab.py"
TRAIN = "pages/training_lab.py"
DIGIT = "pages/draw_digit.py"
PRACTICE = "pages/practice.py"

Entry = tuple[str, str, dict[str, Any]]

_TRAIN_KEYS = {
    "size": "train_size", "optimizer": "train_optimizer", "lr": "train_lr", "batch_mode": "train_batch_mode",
    "batch_size": "train_batch_size", "epochs": "train_epochs", "n_train": "train_n",
    "batchnorm": "train_batchnorm", "dropout": "train_dropout", "augment": "train_augment",
    "early_stopping": "train_early", "patience": "train_patience", "seed": "train_seed",
    "init_scale": "train_init",
}
"""LabSettings field -> the Training lab's widget key (as pages/training_lab.py's FIELDS)."""


def _square(h: int, k: int, s: int = 1, p: int = 0, d: int = 1, **more: Any) -> dict[str, Any]:
    """Layer-arithmetic settings of a square case (both axes the same)."""
    return {"arith_h": h, "arith_w": h, "arith_kh": k, "arith_kw": k, "arith_sh": s, "arith_sw": s,
            "arith_ph": p, "arith_pw": p, "arith_dh": d, "arith_dw": d, **more}


def _pattern(kind: str, **more: Any) -> dict[str, Any]:
    """Training-lab settings that reproduce a training-curve pattern (convviz.digits.curves)."""
    changes = {_TRAIN_KEYS[name]: value for name, value in C.PRESETS[kind].items()}
    return {"train_source": "generated", **changes, **more}


def _variable_input() -> dict[str, Any]:
    """The lecture's six 5x5 filters on a 64x64x3 input: the same 456 parameters."""
    spec = get_preset("lecture_32x32x3")
    spec["input"] = [3, 64, 64]
    spec["name"] = "64x64x3, six 5x5 filters"
    return {"net": spec_token(spec)}


def toc() -> list[tuple[str, list[Entry]]]:
    """The lecture's sections in order, each with its entries."""
    return [
        ("conv", [
            ("lecture_5x5", ARITH, {**_square(5, 3), "anim_values": "lecture"}),
            ("corr_conv", FILTERS, {"flt_at": "concepts", "flt_concept": "corr", "flt_corr_kernel": "sobel_x"}),
            ("assoc", FILTERS, {"flt_at": "concepts", "flt_concept": "assoc", "flt_assoc_a": "gaussian_273", "flt_assoc_b": "sobel_x"}),
            ("gaussian", FILTERS, {"flt_name": "gaussian_273"}),
            ("sobel_x", FILTERS, {"flt_name": "sobel_x"}),
            ("sobel_y", FILTERS, {"flt_name": "sobel_y"}),
        ]),
        ("other", [
            ("dilation", ARITH, _square(7, 3, d=2)),
            ("rf", RF, {"rf_net": "lenet5"}),
            ("dilation_rf", RF, {"rf_at": "dilation", "rf_net": "lenet5", "rf_dil_a": "1, 1, 1", "rf_dil_b": "1, 2, 4"}),
            ("transposed", ARITH, {**_square(3, 3, s=2, p=1), "arith_op": "convt", "arith_oph": 1, "arith_opw": 1}),
        ]),
        ("fc_conv", [
            ("fc_vs_conv", CONCEPTS, {"concepts_section": "fc_conv"}),
            ("six_filters", ARITH, {**_square(32, 5), "arith_cin": 3, "arith_cout": 6}),
            ("equivariance", FILTERS, {"flt_at": "concepts", "flt_concept": "equiv"}),
            ("variable_input", ARCH, _variable_input()),
        ]),
        ("activations", [
            ("activations", CONCEPTS, {"concepts_section": "activations"}),
        ]),
        ("sizes", [
            ("stride1", ARITH, _square(7, 3)),
            ("stride2", ARITH, _square(7, 3, s=2)),
            ("stride3", ARITH, _square(7, 3, s=3)),
            ("padding1", ARITH, _square(7, 3, p=1)),
            ("example_16", ARITH, {**_square(16, 3, p=1), "arith_cin": 3, "arith_cout": 10}),
        ]),
        ("one_by_one", [
            ("bottleneck", ARCH, {"preset": "lecture_1x1_bottleneck", "arch_cmp_a": "lecture_5x5_direct",
                                  "arch_cmp_b": "lecture_1x1_bottleneck"}),
            ("one_by_one_layer", ARITH, {**_square(28, 1), "arith_cin": 192, "arith_cout": 16}),
        ]),
        ("pooling", [
            ("max_pool", ARITH, {**_square(4, 2, s=2), "arith_op": "maxpool"}),
            ("avg_pool", ARITH, {**_square(4, 2, s=2), "arith_op": "avgpool"}),
            ("pool_shift", CONCEPTS, {"concepts_section": "pool_shift"}),
            ("flatten_fc", ARCH, {"preset": "lenet5"}),
            ("softmax", CONCEPTS, {"concepts_section": "softmax"}),
        ]),
        ("training", [
            ("batches", TRAIN, _pattern("healthy")),
            ("sgd", TRAIN, _pattern("healthy", train_optimizer="sgd", train_lr=0.1)),
            ("descent", CONCEPTS, {"concepts_section": "descent"}),
            ("adam", CONCEPTS, {"concepts_section": "adam"}),
        ]),
        ("improve", [
            ("overfitting", TRAIN, _pattern("overfitting")),
            ("no_learning", TRAIN, _pattern("no_learning")),
            ("not_converged", TRAIN, _pattern("not_converged")),
            ("slow_start", TRAIN, _pattern("slow_start")),
            ("diverging", TRAIN, _pattern("diverging")),
            ("early_stopping", TRAIN, _pattern("overfitting", train_early=True)),
            ("augmentation", TRAIN, _pattern("overfitting", train_augment=True)),
            ("augment_grid", CONCEPTS, {"concepts_section": "augment"}),
            ("batch_norm", CONCEPTS, {"concepts_section": "norm", "concepts_norm_kind": "batch"}),
            ("other_norms", CONCEPTS, {"concepts_section": "norm", "concepts_norm_kind": "group"}),
            ("dropout", CONCEPTS, {"concepts_section": "dropout"}),
        ]),
        ("models", [
            ("lenet5", ARCH, {"preset": "lenet5"}),
            ("alexnet", ARCH, {"preset": "alexnet"}),
            ("vgg16", ARCH, {"preset": "vgg16"}),
            ("googlenet", ARCH, {"preset": "googlenet"}),
            ("googlenet_aux", ARCH, {"preset": "googlenet_aux"}),
            ("resnet", ARCH, {"preset": "resnet50"}),
            ("resnext", ARCH, {"preset": "resnext50_32x4d"}),
            ("senet", ARCH, {"preset": "seresnet50"}),
        ]),
        ("practice", [
            ("draw", DIGIT, {"digit_source": "draw"}),
            ("exercises", PRACTICE, {"practice_level": "easy"}),
        ]),
    ]


Link = tuple[str, str, dict[str, str]]
"""An entry as home shows it: (key, page file, the link's query string)."""


@cache
def toc_links(lang: str) -> tuple[tuple[str, tuple[Link, ...]], ...]:
    """:func:`toc` with each entry's query string in ``lang``, built once per language (about
    50 query strings, each checked by its page's link fields: an eighth of Home's rerun)."""
    from pages.ui.url_state import query_for

    return tuple((section, tuple((key, page, query_for(page, settings, lang)) for key, page, settings in entries))
                 for section, entries in toc())
