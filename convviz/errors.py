"""Errors and warnings the engine gives for settings, explained in a student's words.

Messages come from the string catalog (section ``engine``), so a page can show them in
the user's language: ``str(err)`` is English, ``err.localized("es")`` is Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from convviz.i18n import translate


def _in(lang: str, values: dict[str, object]) -> dict[str, object]:
    """Values with nested :class:`Note` values (e.g. the word "height") translated too."""
    return {k: v.text(lang) if isinstance(v, Note) else v for k, v in values.items()}


class SpecError(ValueError):
    """A layer or network that PyTorch (or ConvViz) cannot build.

    ``path`` names the layer in the network (``"layers.3"``, ``"layers.4.body.0"``); the
    message starts with it when it is known. Build it from a catalog key and its values,
    ``SpecError.of("engine.groups_in", in_channels=6, groups=4)``, or from plain text.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        *,
        key: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        self.path = path
        self.reason = message
        self.key = key
        self.values = dict(values or {})
        super().__init__(f"{path}: {message}" if path else message)

    @classmethod
    def of(cls, key: str, path: str | None = None, **values: object) -> SpecError:
        """An error from catalog ``key``; values may be :class:`Note` (translated too)."""
        return cls(translate(key, "en", **_in("en", values)), path, key=key, values=values)

    @property
    def note(self) -> Note:
        """The message (without path) as a :class:`Note`, to nest it in another message."""
        return Note(self.key, self.values) if self.key else Note("engine.plain", {"text": self.reason})

    def at(self, path: str) -> SpecError:
        """The same error located at ``path`` (an existing, deeper path is kept)."""
        if self.path:
            return self
        return SpecError(self.reason, path, key=self.key, values=self.values)

    def localized(self, lang: str) -> str:
        """The message in ``lang`` (with its path)."""
        text = translate(self.key, lang, **_in(lang, self.values)) if self.key else self.reason
        return f"{self.path}: {text}" if self.path else text


@dataclass(frozen=True)
class Note:
    """A warning or remark built from a catalog key; ``str()`` is English."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return translate(self.key, lang, **_in(lang, self.values))

    def __str__(self) -> str:
        return self.text("en")
