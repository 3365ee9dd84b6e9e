"""Every `convviz ...` command the README shows is one the command line accepts: its options
are parsed by the real parser (nothing is run), so a renamed or mistyped flag in the README
fails here instead of in a reader's terminal."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.cli import build_parser  # noqa: E402


def readme_commands() -> list[str]:
    """The README's `convviz` command lines, with backslash continuations joined and
    trailing comments dropped."""
    commands, current = [], ""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if current:
            current += " " + text
        elif text.startswith("convviz "):
            current = text
        else:
            continue
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        commands.append(current)
        current = ""
    return commands


def test_the_readme_shows_the_training_commands() -> None:
    commands = readme_commands()
    train = [c for c in commands if c.startswith("convviz train-digits")]
    assert len(commands) >= 10 and len(train) >= 5
    assert any("--train 5000:10000,0:5000:2" in c for c in train)  # the seen-writer run


@pytest.mark.parametrize("command", readme_commands())
def test_each_readme_command_parses(command: str) -> None:
    words = shlex.split(command, comments=True)
    args = build_parser().parse_args(words[1:])
    assert args.command == words[1] and getattr(args, "func", None) is not None
