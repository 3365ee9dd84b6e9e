"""The table of pages that app.py serves: (file, title key, icon, section key)."""

from __future__ import annotations

PAGES: list[tuple[str, str, str, str]] = [
    ("pages/home.py", "common.home", ":material/home:", "common.nav_learn"),
    ("pages/layer_arithmetic.py", "arith.page_title", ":material/calculate:", "common.nav_learn"),
    ("pages/concepts.py", "concepts.page_title", ":material/lightbulb:", "common.nav_learn"),
    ("pages/architecture.py", "arch.page_title", ":material/account_tree:", "common.nav_build"),
    ("pages/receptive_field.py", "rf.page_title", ":material/center_focus_strong:", "common.nav_build"),
    ("pages/filter_lab.py", "filters.page_title", ":material/filter_b_and_w:", "common.nav_play"),
    ("pages/draw_digit.py", "digit.page_title", ":material/draw:", "common.nav_play"),
    ("pages/training_lab.py", "train.page_title", ":material/monitoring:", "common.nav_play"),
    ("pages/practice.py", "practice.page_title", ":material/quiz:", "common.nav_play"),
]

HOME_FILE = "pages/home.py"
"""The default page, served at "/"."""
HOME_ALIAS = "home"
"""A hidden page at "/home" that switches to the default page (Streamlit serves the default
page only at "/", so "/home" said "Page not found")."""
HOME_INTERNAL_PATH = "start"
"""The default page's own (unused) path name: it must differ from :data:`HOME_ALIAS`."""
HOME_SECTION = "common.nav_learn"
