"""Builders for suggestion tests: published programmes and suggestions for a month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engagement.suggestions import operations as ops
from engagement.suggestions.models import Suggestion
from engagement.suggestions.queries import today
from tests.checkpoints.helpers import programme


def this_month() -> dt.date:
    return today().replace(day=1)


def elective(title: str = "Clinical handover", **kwargs: Any) -> Any:
    """A published elective open in the catalogue (released unless told otherwise)."""
    return programme(None, title=title, **kwargs)


def suggest(prog: Any, *, month: dt.date | None = None, theme: str = "Compassion",
            audience: str = "everyone", unit: str = "", by: Any = None) -> Suggestion:
    return ops.add(programme=prog, month=month or this_month(), theme=theme,
                   audience=audience, unit=unit, by=by)
