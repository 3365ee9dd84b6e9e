"""The output size written as the lecture writes it, next to PyTorch's form.

The lecture gives ``(N - F)/stride + 1`` and, with zero padding, ``(N + 2P - F)/stride + 1``,
and reads the value as it comes: ``(7 - 3)/3 + 1 = 2.33`` ("it does not fit"). PyTorch
floors the same quotient and, with dilation, uses the kernel's span ``D(F - 1) + 1`` for F:
``floor((N + 2P - D(F-1) - 1)/S) + 1`` (:func:`convviz.arithmetic.sizes.conv_formula`). The
two agree exactly when the windows tile the padded input.
"""

from __future__ import annotations

from fractions import Fraction

from convviz.i18n import fmt_number


def lecture_value(n: int, k: int, s: int, p: int = 0, d: int = 1) -> Fraction:
    """``(N + 2P - F)/S + 1`` as an exact fraction, F being the dilated span ``D(F-1) + 1``."""
    return Fraction(n + 2 * p - (d * (k - 1) + 1), s) + 1


def lecture_form(n: int, k: int, s: int, p: int = 0, d: int = 1, lang: str = "en") -> str:
    """The lecture's form with the numbers filled in, as LaTeX: ``(N - F)/S + 1`` when there
    is no padding, ``(N + 2P - F)/S + 1`` otherwise; a value that is not whole is written
    with two decimals in the language's format (``2.33`` / ``2{,}33``)."""
    value = lecture_value(n, k, s, p, d)
    span = d * (k - 1) + 1
    shown = fmt_number(int(value), lang) if value.denominator == 1 else fmt_number(float(value), lang, 2)
    shown = shown.replace(",", "{,}")
    f_name = "F" if d == 1 else "F'"
    if p == 0:
        return rf"\frac{{N - {f_name}}}{{S}} + 1 = \frac{{{n} - {span}}}{{{s}}} + 1 = {shown}"
    return rf"\frac{{N + 2P - {f_name}}}{{S}} + 1 = \frac{{{n} + 2\cdot{p} - {span}}}{{{s}}} + 1 = {shown}"


def params_value(kh: int, kw: int, cin: int, cout: int, groups: int = 1, bias: bool = True) -> int:
    """The lecture's parameter rule: every one of the ``Cout`` filters has ``F·F·Cin/g``
    weights and, with a bias, one more: ``(F·F·Cin/g + 1)·Cout``."""
    per_filter = kh * kw * (cin // groups) + (1 if bias else 0)
    return per_filter * cout


def lecture_params_form(kh: int, kw: int, cin: int, cout: int, groups: int = 1, bias: bool = True,
                        lang: str = "en") -> str:
    """The lecture's ``(F·F·C_in + 1)·C_out`` as LaTeX with the numbers filled in, as it writes
    the 16x16x3 example: each filter has ``3·3·3 + 1 = 28`` parameters, times 10 filters = 280.
    With groups every filter sees ``C_in/g`` channels; without a bias the ``+ 1`` goes. A
    transposed convolution has the same count (PyTorch's ``C_in·(C_out/g)·F·F + C_out``)."""
    def n(v: int) -> str:
        return fmt_number(v, lang).replace(",", "{,}")

    f = r"F \cdot F" if kh == kw else r"F_h \cdot F_w"
    c_in = r"C_{in}" if groups == 1 else r"\frac{C_{in}}{g}"
    c_val = n(cin) if groups == 1 else rf"\frac{{{n(cin)}}}{{{n(groups)}}}"
    one, one_val = (" + 1", " + 1") if bias else ("", "")
    per = params_value(kh, kw, cin, 1, groups, bias)
    symbols = rf"({f} \cdot {c_in}{one}) \cdot C_{{out}}"
    numbers = rf"({n(kh)} \cdot {n(kw)} \cdot {c_val}{one_val}) \cdot {n(cout)}"
    return rf"{symbols} = {numbers} = {n(per)} \cdot {n(cout)} = {n(per * cout)}"
