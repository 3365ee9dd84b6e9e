"""Human-readable numbers and the table / CSV / Markdown / JSON views of a summary
(shared by the CLI and the Architecture page).

- :func:`human`: 3 significant digits with an SI prefix: ``61100840 -> "61.1 M"``.
- :func:`giga`: billions with 2 decimals, torchvision's GFLOPS style: ``714188480 -> "0.71 G"``.
- :func:`human_bytes`: bytes in kB / MB / GB (powers of 1000).

Each takes ``lang`` for the separators (:func:`convviz.i18n.fmt_number`): ``"61.1 M"`` in
English is ``"61,1 M"`` in Spanish. The text table and Markdown renderers write numbers the
way ``number_lang`` does (English, ``61,706``, unless a page asks otherwise); CSV and JSON
always hold plain digits.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from convviz.arithmetic.summary import LayerRow, Summary
from convviz.i18n import fmt_number, translate

_UNITS = ((10**3, "k"), (10**6, "M"), (10**9, "G"), (10**12, "T"))


def human(n: float, digits: int = 3, lang: str = "en") -> str:
    """``n`` with 3 significant digits and an SI prefix (k, M, G, T): ``61.1 M``, ``280``
    (``61,1 M`` in Spanish)."""
    if abs(n) < 1000:
        return fmt_number(n, lang, spec=f".{digits}g") if isinstance(n, float) else str(n)
    for scale, prefix in _UNITS:
        value = n / scale
        decimals = max(0, digits - len(str(int(abs(value)))))
        text = f"{value:.{decimals}f}"
        if abs(float(text)) < 1000 or prefix == "T":
            break
    return f"{fmt_number(float(text), lang, spec=f'.{decimals}f')} {prefix}"


def giga(n: float, decimals: int = 2, lang: str = "en") -> str:
    """``n / 10^9`` with 2 decimals, as torchvision prints GFLOPS: ``0.71 G`` (``0,71 G``)."""
    return f"{fmt_number(n / 1e9, lang, decimals)} G"


def human_bytes(n: int, lang: str = "en") -> str:
    """Bytes with a unit (powers of 1000): ``602112 -> "602 kB"``."""
    if n < 1000:
        return f"{n} B"
    text = human(n, lang=lang)
    return text + "B"


def shape_text(shape: Any, sep: str = "x") -> str:
    """``(64, 56, 56) -> "64x56x56"`` (``sep="×"`` for pages: ``"64×56×56"``)."""
    return sep.join(str(v) for v in shape)


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def rf_text(row: LayerRow, sep: str = "x") -> str:
    """A row's receptive field as ``"size /jump"``: size 11x11 with jump 4x4 is ``"11x11 /4"``
    (the jump written once when both axes agree, ``"/4x2"`` otherwise); "-" when unknown."""
    rf = row.receptive_field
    if rf is None:
        return "-"
    size = sep.join(map(_num, rf.size))
    jump = sep.join(map(_num, rf.jump)) if rf.jump[0] != rf.jump[1] else _num(rf.jump[0])
    return f"{size} /{jump}"


RECORD_COLUMNS = ("path", "type", "output", "params", "macs", "memory", "rf", "warnings")


INT64_MAX = 2**63 - 1


def table_int(n: int) -> int | float:
    """``n`` for a table column: as is when it fits a 64-bit integer (what a data frame and
    Arrow can hold), else as a float (``1.8e19``); the exact value stays in the summary and
    in the CSV / Markdown / JSON exports."""
    return n if -INT64_MAX <= n <= INT64_MAX else float(n)


def records(summary: Summary, lang: str = "en", section: str = "engine", sep: str = "×",
            indent: str = "\u2003") -> list[dict[str, Any]]:
    """One dict per row of the summary (for a data frame): the keys are the localized column
    names ``{section}.col_<column>`` of :data:`RECORD_COLUMNS`; params and MACs stay plain
    integers (so a table sorts them as numbers; floats beyond 64 bits, :func:`table_int`),
    memory is text in ``lang``'s number format
    ("18,8 kB"), the path is indented by the row's depth."""
    labels = [translate(f"{section}.col_{c}", lang) for c in RECORD_COLUMNS]
    return [
        dict(zip(labels, (
            indent * row.depth + row.path,
            row.type,
            shape_text(row.output_shape, sep),
            table_int(row.params),
            table_int(row.macs),
            human_bytes(row.memory_bytes, lang),
            rf_text(row, sep),
            " | ".join(note.text(lang) for note in row.warnings),
        ), strict=True))
        for row in summary.layers
    ]


def _columns(lang: str) -> list[str]:
    return [translate(f"engine.col_{c}", lang)
            for c in ("layer", "output", "params", "macs", "memory", "rf")]


def _cells(row: LayerRow, number_lang: str = "en") -> list[str]:
    indent = "  " * row.depth
    label = f" ({row.label})" if row.label else ""
    return [
        f"{indent}{row.path} {row.type}{label}",
        shape_text(row.output_shape),
        fmt_number(row.params, number_lang),
        fmt_number(row.macs, number_lang),
        human_bytes(row.memory_bytes, number_lang),
        rf_text(row),
    ]


def _totals(summary: Summary, lang: str, number_lang: str = "en") -> list[str]:
    def num(n: int) -> str:
        return fmt_number(n, number_lang)

    sides = [translate("engine.total_side", lang, path=path, out=shape_text(shape))
             for path, shape in summary.side_outputs]
    return [
        translate("engine.total_input", lang, shape=shape_text(summary.input_shape),
                  out=shape_text(summary.output_shape)),
        *sides,
        translate("engine.total_params", lang, n=num(summary.total_params),
                  human=human(summary.total_params, lang=number_lang), trainable=num(summary.trainable_params)),
        translate("engine.total_buffers", lang, n=num(summary.total_buffers)),
        translate("engine.total_macs", lang, n=num(summary.total_macs), giga=giga(summary.total_macs, lang=number_lang)),
        translate("engine.total_memory", lang, human=human_bytes(summary.total_memory_bytes, number_lang)),
    ]


def render_table(summary: Summary, lang: str = "en", number_lang: str = "en") -> str:
    """A fixed-width text table (numbers right-aligned), then totals and warnings; labels in
    ``lang``, numbers with the separators of ``number_lang`` (English for the CLI)."""
    head = _columns(lang)
    body = [_cells(row, number_lang) for row in summary.layers]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        parts = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
        parts += [c.rjust(w) for c, w in zip(cells[2:5], widths[2:5], strict=True)]
        parts.append(cells[5].ljust(widths[5]))
        return "  ".join(parts).rstrip()

    rule = "-" * len(line(head))
    out = [summary.name, rule, line(head), rule, *map(line, body), rule, *_totals(summary, lang, number_lang)]
    warnings = summary.warnings_text(lang)
    if warnings:
        out += ["", translate("engine.warnings_title", lang), *(f"- {w}" for w in warnings)]
    return "\n".join(out) + "\n"


def render_markdown(summary: Summary, lang: str = "en", number_lang: str = "en") -> str:
    """A GitHub-flavoured Markdown table, then totals and warnings as lists; labels in
    ``lang``, numbers with the separators of ``number_lang``."""
    head = _columns(lang)
    out = [f"### {summary.name}", "", "| " + " | ".join(head) + " |",
           "|" + "|".join(["---", "---", "---:", "---:", "---:", "---"]) + "|"]
    for row in summary.layers:
        cells = _cells(row, number_lang)
        cells[0] = ("&nbsp;" * 2 * row.depth) + f"`{row.path}` {row.type}" + (f" ({row.label})" if row.label else "")
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    out += ["", *(f"- {t}" for t in _totals(summary, lang, number_lang))]
    warnings = summary.warnings_text(lang)
    if warnings:
        out += ["", f"**{translate('engine.warnings_title', lang)}**", "", *(f"- {w}" for w in warnings)]
    return "\n".join(out) + "\n"


CSV_COLUMNS = ("path", "depth", "type", "input_shape", "output_shape", "params", "buffers",
               "macs", "memory_elems", "memory_bytes", "rf_size_h", "rf_size_w", "rf_jump_h",
               "rf_jump_w", "rf_start_h", "rf_start_w", "warnings")


def render_csv(summary: Summary, lang: str = "en", totals: bool = False) -> str:
    """One CSV row per layer/block with stable machine-readable column names; with ``totals``
    a last row whose path is ``total`` holds the network's input/output shapes and totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in summary.layers:
        rf = row.receptive_field
        field = ["", "", "", "", "", ""] if rf is None else [
            *map(_num, rf.size), *map(_num, rf.jump), *map(_num, rf.start)]
        writer.writerow([
            row.path, row.depth, row.type, shape_text(row.input_shape), shape_text(row.output_shape),
            row.params, row.buffers, row.macs, row.memory_elems, row.memory_bytes, *field,
            " | ".join(n.text(lang) for n in row.warnings),
        ])
    if totals:
        writer.writerow([
            "total", "", "", shape_text(summary.input_shape), shape_text(summary.output_shape),
            summary.total_params, summary.total_buffers, summary.total_macs,
            summary.total_memory_elems, summary.total_memory_bytes, "", "", "", "", "", "", "",
        ])
    return buffer.getvalue()


def render_json(summary: Summary, lang: str = "en") -> str:
    """``summary.to_dict()`` as indented JSON (the stable format other tools read)."""
    return json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv, "markdown": render_markdown}


def render(summary: Summary, fmt: str = "table", lang: str = "en") -> str:
    """The summary in ``fmt`` (table, json, csv or markdown)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(RENDERERS)}")
    return RENDERERS[fmt](summary, lang)
