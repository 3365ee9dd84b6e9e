"""Errors and warnings the engine gives, explained in a student's words.

Every user error of the engine is a :class:`ConvVizError` (a ``ValueError``): it is built
from a string-catalog key and its values, so a page can show it in the user's language:
``str(err)`` is the text in the language it was made in (English unless said otherwise),
``err.localized("es")`` is Spanish. Values may be :class:`Note` (a nested catalog text, e.g.
the word "height") or :class:`Number` (a number written with the reader's separators; :class:`Numbers` a list);
both are translated with the message. Its kinds:

- :class:`SpecError`: a layer or network that PyTorch (or ConvViz) cannot build (with the
  layer's ``path``);
- :class:`CatalogError`: a tool working on a spec refuses (spec edits, the effective
  receptive field);
- :class:`DataError`: the digits' data cannot be used (a data folder, an IDX file, the MNIST
  download, a busy server); its kinds ``convviz.digits.datasets.DownloadError`` (also an
  ``OSError``) and ``convviz.digits.jobs.BusyError`` (also a ``TimeoutError``);
- ``convviz.images.ImageError`` (an unusable upload) and ``convviz.images.filters.KernelError``
  (a typed kernel that cannot be used).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from convviz.i18n import fmt_number, fmt_numbers, translate


@dataclass(frozen=True)
class Note:
    """A warning or remark built from a catalog key; ``str()`` is English."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return translate(self.key, lang, **_in(lang, self.values))

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Number:
    """A number in a message, written with the separators of the reader's language."""

    value: float
    decimals: int = 0

    def text(self, lang: str = "en") -> str:
        return fmt_number(self.value, lang, self.decimals)


@dataclass(frozen=True)
class Numbers:
    """A list of numbers in a message: ``0, 1`` in English, ``0; 1`` in Spanish (whose comma
    is the decimal mark); ``empty`` when there are none."""

    values: tuple[float, ...]
    decimals: int | None = None
    empty: str = "-"

    def text(self, lang: str = "en") -> str:
        return fmt_numbers(self.values, lang, self.decimals) or self.empty


def _in(lang: str, values: dict[str, object]) -> dict[str, object]:
    """Values with nested :class:`Note` / :class:`Number` / :class:`Numbers` written in ``lang``."""
    return {k: v.text(lang) if isinstance(v, (Note, Number, Numbers)) else v for k, v in values.items()}


class ConvVizError(ValueError):
    """A user error explained from catalog ``key`` and ``values`` (or plain ``message``
    text), optionally located at a layer ``path``; ``lang`` is the language of ``str()``."""

    def __init__(
        self,
        message: str | None = None,
        path: str | None = None,
        *,
        key: str | None = None,
        values: dict[str, object] | None = None,
        lang: str = "en",
    ) -> None:
        self.path = path
        self.key = key
        self.values = dict(values or {})
        self.reason = message if message is not None else self._text(lang)
        super().__init__(f"{path}: {self.reason}" if path else self.reason)

    def _text(self, lang: str) -> str:
        return translate(self.key, lang, **_in(lang, self.values)) if self.key else self.reason

    @property
    def note(self) -> Note:
        """The message (without path) as a :class:`Note`, to nest it in another message."""
        return Note(self.key, self.values) if self.key else Note("engine.plain", {"text": self.reason})

    def localized(self, lang: str) -> str:
        """The message in ``lang`` (with its path when it has one)."""
        text = self._text(lang)
        return f"{self.path}: {text}" if self.path else text


class SpecError(ConvVizError):
    """A layer or network that PyTorch (or ConvViz) cannot build.

    ``path`` names the layer in the network (``"layers.3"``, ``"layers.4.body.0"``); the
    message starts with it when it is known. Build it from a catalog key and its values,
    ``SpecError.of("engine.groups_in", in_channels=6, groups=4)``, or from plain text.
    """

    @classmethod
    def of(cls, key: str, path: str | None = None, **values: object) -> SpecError:
        """An error from catalog ``key``; values may be :class:`Note` (translated too)."""
        return cls(None, path, key=key, values=values)

    def at(self, path: str) -> SpecError:
        """The same error located at ``path`` (an existing, deeper path is kept)."""
        if self.path:
            return self
        return type(self)(self.reason, path, key=self.key, values=self.values)


class CatalogError(ConvVizError):
    """A user error of a tool that works on a spec (an edit, an ERF computation):
    ``CatalogError(key, **values)``. Its kinds are ``convviz.arithmetic.spec_edit.EditError``
    and ``convviz.arithmetic.effective_rf.ERFError``."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key=key, values=values)


class DataError(CatalogError):
    """The digits' data cannot be used (a folder without MNIST files, a corrupt IDX file, a
    failed download): ``DataError(key, **values)``, still a ``ValueError``."""
