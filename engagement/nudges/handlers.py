"""Completion follows the portfolio: after a checkpoint is approved, sent back or reopened, a
formative checkpoint is sent in, or a submission is withdrawn, the learner's programme is
rechecked in the same transaction (see :mod:`engagement.nudges.completion`)."""

from __future__ import annotations

from typing import Any

from engagement.nudges import completion
from portfolios import handoff


def _recheck(submission: Any) -> None:
    completion.recheck(submission.person_id, submission.checkpoint.programme_id)


def on_decided(submission: Any, _action: str) -> None:
    _recheck(submission)


def on_formative_submitted(version: Any) -> None:
    _recheck(version.submission)


def on_withdrawn(version: Any) -> None:
    _recheck(version.submission)


handoff.register_decided_handler(on_decided)
handoff.register_submitted_handler(on_formative_submitted, kinds=("formative",))
handoff.register_withdrawn_handler(on_withdrawn)
