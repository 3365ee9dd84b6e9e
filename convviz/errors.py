"""Errors the engine raises for settings that PyTorch (or ConvViz) rejects."""

from __future__ import annotations


class SpecError(ValueError):
    """A layer or network that cannot be built, explained in a student's words.

    ``path`` names the layer in the network (for example ``"layers.3"`` or
    ``"layers.4.body.0"``); the message starts with it when it is known.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)

    def at(self, path: str) -> SpecError:
        """The same error, located at ``path`` (keeps an existing, deeper path)."""
        if self.path:
            return self
        return SpecError(self.reason, path)
