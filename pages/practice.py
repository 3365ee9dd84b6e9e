"""Practice: exercises on the lecture's arithmetic, generated from a seed and checked by the engine
(convviz.practice). Type an answer, get the verdict, then the worked solution with the formula
filled in and a link to the page that shows it. The seed is in the URL: one link, one set for
the whole class."""

from __future__ import annotations

import streamlit as st

from convviz.arithmetic.share import spec_token
from convviz.i18n import fmt_numbers, translate
from convviz.practice import LEVELS, Exercise, check, exercise_set
from pages.ui import lang, num, page_link, start_page, tr, url_state

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

RESULTS_KEY = "practice_results"
LANG = lang()
st.session_state.setdefault("practice_level", "easy")
st.session_state.setdefault("practice_seed", 1)


def tex(value: int) -> str:
    """A number inside st.latex, grouped as the language writes it (KaTeX needs {,})."""
    return num(value).replace(",", "{,}")


def _judge(ex: Exercise, ident: str) -> None:
    """The Check button (a callback: the score above the exercises counts this answer)."""
    verdict = check(ex, str(st.session_state.get(f"practice_answer_{ident}", "")))
    st.session_state[f"_practice_unreadable_{ident}"] = verdict is None
    if verdict is not None:
        st.session_state.setdefault(RESULTS_KEY, {}).setdefault(ident, verdict)  # the first answer counts
        st.session_state[f"_practice_last_{ident}"] = verdict


def _new_set() -> None:
    st.session_state["practice_seed"] = int(st.session_state.get("practice_seed", 1)) % 999_999 + 1


st.title(tr("practice.page_title"))
st.caption(tr("practice.intro"))
c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
level = c1.segmented_control(tr("practice.level"), LEVELS, key="practice_level", required=True,
                             format_func=lambda v: translate(f"practice.level_{v}", LANG))
seed = c2.number_input(tr("practice.seed"), 0, 999_999, step=1, key="practice_seed", help=tr("practice.seed_help"))
c3.button(tr("practice.new_set"), key="practice_new", on_click=_new_set, width="stretch")

results: dict[str, bool] = st.session_state.setdefault(RESULTS_KEY, {})
exercises = exercise_set(int(seed), level)
ids = [f"{seed}:{level}:{ex.kind}" for ex in exercises]
right_here = sum(1 for i in ids if results.get(i))
tried_here = sum(1 for i in ids if i in results)
m1, m2 = st.columns(2)
m1.metric(tr("practice.score_set"), f"{right_here} / {tried_here}", help=tr("practice.score_help"))
m2.metric(tr("practice.score_all"), f"{sum(results.values())} / {len(results)}")


def question(ex: Exercise) -> str:
    v = ex.values
    if ex.kind == "receptive_field":
        parts = [tr("practice.rf_layer", f=layer["f"], s=layer["s"], d=layer["d"]) for layer in ex.worked["layers"]]
        return tr("practice.q_receptive_field", layers="; ".join(parts))
    if ex.kind == "pooling" and v["ceil"]:
        return tr("practice.q_pooling_ceil", **v)
    return tr(f"practice.q_{ex.kind}", **v)


def solution(ex: Exercise) -> list[str]:
    """The formula, then the same with the numbers filled in (LaTeX lines)."""
    w = ex.worked
    if ex.kind == "output_size":
        lines = [rf"\left\lfloor \frac{{N + 2P - D(F-1) - 1}}{{S}} \right\rfloor + 1 = \left\lfloor \frac{{{w['n']} + 2\cdot{w['p']}"
                 rf" - {w['d']}\cdot({w['f']}-1) - 1}}{{{w['s']}}} \right\rfloor + 1 = \left\lfloor \frac{{{w['num']}}}{{{w['s']}}}"
                 rf" \right\rfloor + 1 = {w['out']}"]
        if w["d"] == 1:
            lines.append(rf"\frac{{N + 2P - F}}{{S}} + 1 = \frac{{{w['n']} + 2\cdot{w['p']} - {w['f']}}}{{{w['s']}}} + 1"
                         rf" = {w['out']}")
        return lines
    if ex.kind == "same_padding":
        return [rf"P = \frac{{D(F-1)}}{{2}} = \frac{{{w['d']}\cdot({w['f']}-1)}}{{2}} = {w['p']}"]
    if ex.kind == "tiling_strides":
        good = ", ".join(map(str, ex.answer))
        return [rf"N + 2P - F = {w['n']} + 2\cdot{w['p']} - {w['f']} = {w['num']}",
                rf"S \mid {w['num']},\ S \le 4:\ S \in \{{{good}\}}"]
    if ex.kind == "params":
        return [rf"C_{{out}}\,(F\cdot F\cdot C_{{in}} + 1) = {w['cout']}\cdot({w['f']}\cdot{w['f']}\cdot{w['cin']} + 1)"
                rf" = {w['cout']}\cdot{tex(w['per'])} = {tex(ex.answer[0])}"]
    if ex.kind == "mults":
        return [rf"H_{{out}}\,W_{{out}}\,C_{{out}}\,(F\cdot F\cdot C_{{in}}) = {w['ho']}\cdot{w['wo']}\cdot{w['cout']}\cdot"
                rf"({w['f']}\cdot{w['f']}\cdot{w['cin']}) = {tex(ex.answer[0])}"]
    if ex.kind == "receptive_field":
        lines = [r"r_0 = 1,\ j_0 = 1;\quad r_l = r_{l-1} + (F_l - 1)\,D_l\,j_{l-1},\quad j_l = j_{l-1}\,S_l"]
        for n, step in enumerate(w["steps"], start=1):
            lines.append(rf"r_{n} = r_{{{n - 1}}} + ({step['f']}-1)\cdot{step['d']}\cdot{step['j']} = {step['r']}")
        return lines
    if ex.kind == "transposed":
        return [rf"(N-1)S - 2P + (F-1) + OP + 1 = ({w['n']}-1)\cdot{w['s']} - 2\cdot{w['p']} + ({w['f']}-1) + {w['op']}"
                rf" + 1 = {w['out']}"]
    if ex.kind == "pooling":
        bracket = (r"\left\lceil", r"\right\rceil") if w["ceil"] else (r"\left\lfloor", r"\right\rfloor")
        return [rf"{bracket[0]} \frac{{N - F}}{{S}} {bracket[1]} + 1 = {bracket[0]} \frac{{{w['n']} - {w['f']}}}{{{w['s']}}}"
                rf" {bracket[1]} + 1 = {w['out']}"]
    return [rf"N^2\cdot M\cdot C_{{in}} = {w['n']}^2\cdot{w['mid']}\cdot{w['cin']} = {tex(w['a'])}",
            rf"N^2\cdot C_{{out}}\cdot F^2\cdot M = {w['n']}^2\cdot{w['cout']}\cdot{w['f']}^2\cdot{w['mid']} = {tex(w['b'])}",
            rf"{tex(w['a'])} + {tex(w['b'])} = {tex(ex.answer[0])}"]


def link(ex: Exercise) -> tuple[str, dict]:
    """The page that shows the exercise and its settings."""
    if ex.network is not None:
        page = "pages/receptive_field.py" if ex.kind == "receptive_field" else "pages/architecture.py"
        return page, {"net": spec_token(ex.network)}
    x = ex.layer or {}
    settings = {"arith_op": x["op"], "arith_h": x["h"], "arith_w": x["h"], "arith_kh": x["k"], "arith_kw": x["k"],
                "arith_sh": x["s"], "arith_sw": x["s"], "arith_ph": x["p"], "arith_pw": x["p"]}
    if x["op"] != "avgpool":
        settings.update(arith_dh=x["d"], arith_dw=x["d"])
    for key, name in (("cin", "arith_cin"), ("cout", "arith_cout"), ("oph", "arith_oph"), ("ceil", "arith_ceil")):
        if key in x:
            settings[name] = x[key]
    if "oph" in x:
        settings["arith_opw"] = x["oph"]
    return "pages/layer_arithmetic.py", settings


def answer_text(ex: Exercise) -> str:
    return fmt_numbers(ex.answer, LANG) if ex.kind == "tiling_strides" else num(ex.answer[0])  # 1; 3 in Spanish


for n, (ex, ident) in enumerate(zip(exercises, ids, strict=True), start=1):
    with st.container(border=True):
        st.markdown(f"**{n}. {tr('practice.kind_' + ex.kind)}** · {question(ex)}")
        with st.form(f"practice_form_{ident}", border=False):
            st.text_input(tr("practice.your_answer"), key=f"practice_answer_{ident}", max_chars=64,
                                  placeholder=tr("practice.hint_many" if ex.kind == "tiling_strides" else "practice.hint_one"))
            st.form_submit_button(tr("practice.check"), on_click=_judge, args=(ex, ident))
        if st.session_state.get(f"_practice_unreadable_{ident}"):
            st.warning(tr("practice.unreadable_many" if ex.kind == "tiling_strides" else "practice.unreadable"))
        last = st.session_state.get(f"_practice_last_{ident}")
        if last is not None:
            (st.success if last else st.error)(tr("practice.right" if last else "practice.wrong", answer=answer_text(ex)))
            with st.expander(tr("practice.solution"), expanded=not last):
                for line in solution(ex):
                    st.latex(line)
                page, settings = link(ex)
                page_link(page, tr("practice.see_it"), icon=":material/open_in_new:",
                          query_params=url_state.query_for(page, settings, LANG))
