"""Refusals from rubric operations, with messages fit to show the person who asked."""

from __future__ import annotations


class RubricError(ValueError):
    """A refused change. ``field`` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RubricImmutableError(RubricError):
    """The version may not change: it is published, or pinned by a checkpoint."""


class PublishError(RubricError):
    """The draft is not ready to publish; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("This version cannot be published yet: " + " ".join(problems))
        self.problems = problems
