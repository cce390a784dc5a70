"""The one refusal type of one-to-ones: a message fit to show, and the form field it is about."""

from __future__ import annotations


class OneToOneError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
