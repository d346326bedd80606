"""The one exception type that carries a rule violation to the user in Chinese."""

from __future__ import annotations


class DomainError(ValueError):
    """A business rule was broken; ``str(error)`` is the Chinese message shown to the user.

    ``field`` names the offending field (an English attribute name) when there is one,
    so a form can show the message next to it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
