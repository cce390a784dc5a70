"""The refusal every checkpoints write raises."""

from __future__ import annotations


class CheckpointsError(ValueError):
    """A refused change, with a message fit to show the person who asked."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
