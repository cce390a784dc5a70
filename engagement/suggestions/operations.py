"""Every write to curated suggestions: flush, never commit; one audit event per change.

Refusals raise :class:`SuggestionError` with a message fit to show and, where it belongs to one,
the form field it is about (the page puts it on that field and keeps what was typed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, func, select

from checkpoints.models import Programme
from clearance import audit
from clearance.extensions import db
from engagement.models import SUGGESTION_CLICK, EngagementEvent
from engagement.suggestions.models import AUDIENCES, UNIT, Suggestion
from people import queries as people_queries
from people.models import Person

THEME_MAX = 120


class SuggestionError(ValueError):
    """A refused change, with a message fit to show the person who asked."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def may_suggest(programme: Programme | None) -> bool:
    """Only programmes anyone may open and join can be suggested: published, in the catalogue."""
    return (programme is not None and programme.status == "published"
            and programme.open_in_catalogue)


def snapshot(suggestion: Suggestion) -> dict[str, Any]:
    return {"programme_id": suggestion.programme_id,
            "programme": suggestion.programme.title if suggestion.programme else None,
            "month": suggestion.month.isoformat(), "theme": suggestion.theme,
            "audience": suggestion.audience, "unit": suggestion.unit,
            "position": suggestion.position, "active": suggestion.active}


def _fields(programme: Programme | None, month: dt.date | None, theme: str, audience: str,
            unit: str) -> dict[str, Any]:
    if programme is None:
        raise SuggestionError("Choose a programme.", "programme_id")
    if not may_suggest(programme):
        raise SuggestionError("Choose a programme that is published and open in the catalogue.",
                              "programme_id")
    if not isinstance(month, dt.date):
        raise SuggestionError("Enter the month, for example 2026-11.", "month")
    if not 2000 <= month.year <= 2100:
        raise SuggestionError("Enter a month between 2000 and 2100.", "month")
    theme = " ".join((theme or "").split())
    if not theme:
        raise SuggestionError("Enter the month's theme.", "theme")
    if len(theme) > THEME_MAX:
        raise SuggestionError(f"The theme must be {THEME_MAX} characters or fewer.", "theme")
    if audience not in AUDIENCES:
        raise SuggestionError("Choose who the suggestion is for.", "audience")
    unit = (unit or "").strip()
    if audience == UNIT:
        if not unit:
            raise SuggestionError("Choose the unit.", "unit")
        if unit not in people_queries.units():
            raise SuggestionError("Choose a unit that has people in it.", "unit")
    else:
        unit = ""
    return {"programme_id": programme.id, "month": first_of_month(month), "theme": theme,
            "audience": audience, "unit": unit}


def _refuse_duplicate(values: dict[str, Any], suggestion_id: int | None) -> None:
    stmt = select(Suggestion.id).where(
        Suggestion.programme_id == values["programme_id"], Suggestion.month == values["month"],
        Suggestion.audience == values["audience"], Suggestion.unit == values["unit"],
        Suggestion.active.is_(True))
    if suggestion_id is not None:
        stmt = stmt.where(Suggestion.id != suggestion_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise SuggestionError("That programme is already suggested to this audience for that "
                              "month.", "programme_id")


def _group(month: dt.date, audience: str, unit: str) -> list[Suggestion]:
    return list(db.session.scalars(
        select(Suggestion).where(Suggestion.month == month, Suggestion.audience == audience,
                                 Suggestion.unit == unit)
        .order_by(Suggestion.position, Suggestion.id)))


def _next_position(month: dt.date, audience: str, unit: str) -> int:
    top = db.session.scalar(
        select(func.max(Suggestion.position)).where(
            Suggestion.month == month, Suggestion.audience == audience, Suggestion.unit == unit))
    return 0 if top is None else top + 1


def add(*, programme: Programme | None, month: dt.date | None, theme: str, audience: str,
        unit: str = "", by: Person | None) -> Suggestion:
    """Suggest ``programme`` for ``month``; it goes to the end of its audience's list."""
    values = _fields(programme, month, theme, audience, unit)
    _refuse_duplicate(values, None)
    suggestion = Suggestion(**values, created_by_id=by.id if by is not None else None,
                            position=_next_position(values["month"], values["audience"],
                                                    values["unit"]))
    db.session.add(suggestion)
    db.session.flush()
    audit.record("suggestion.added", obj=suggestion, after=snapshot(suggestion))
    return suggestion


def update(suggestion: Suggestion, *, programme: Programme | None, month: dt.date | None,
           theme: str, audience: str, unit: str = "") -> bool:
    """Change what, when or for whom; moving to another list puts it at that list's end.
    Returns False when nothing changed (no audit event then)."""
    values = _fields(programme, month, theme, audience, unit)
    _refuse_duplicate(values, suggestion.id)
    before = snapshot(suggestion)
    if all(getattr(suggestion, name) == value for name, value in values.items()):
        return False
    moved = (values["month"], values["audience"], values["unit"]) != suggestion.group
    if moved:
        values["position"] = _next_position(values["month"], values["audience"],
                                            values["unit"])
    for name, value in values.items():
        setattr(suggestion, name, value)
    db.session.flush()
    db.session.expire(suggestion, ["programme"])
    audit.record("suggestion.updated", obj=suggestion, before=before,
                 after=snapshot(suggestion))
    return True


def move(suggestion: Suggestion, direction: str) -> bool:
    """Swap with the neighbour above ("up") or below ("down") in its list; False at an end."""
    if direction not in ("up", "down"):
        raise SuggestionError("Move a suggestion up or down.")
    ordered = _group(*suggestion.group)
    for index, item in enumerate(ordered):
        item.position = index
    index = ordered.index(suggestion)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    neighbour = ordered[other]
    suggestion.position, neighbour.position = other, index
    db.session.flush()
    audit.record("suggestion.moved", obj=suggestion, before={"position": index},
                 after={"position": other})
    return True


def set_active(suggestion: Suggestion, active: bool) -> bool:
    """Hide a suggestion from the widget (or show it again); False when already so."""
    if suggestion.active == active:
        return False
    if active:
        _refuse_duplicate({"programme_id": suggestion.programme_id, "month": suggestion.month,
                           "audience": suggestion.audience, "unit": suggestion.unit},
                          suggestion.id)
    suggestion.active = active
    db.session.flush()
    audit.record("suggestion.shown" if active else "suggestion.hidden", obj=suggestion,
                 before={"active": not active}, after={"active": active})
    return True


def was_followed(suggestion_ids: list[int]) -> set[int]:
    """The suggestions someone has clicked through (they are hidden, never removed)."""
    if not suggestion_ids:
        return set()
    return set(db.session.scalars(
        select(EngagementEvent.suggestion_id).distinct().where(
            EngagementEvent.kind == SUGGESTION_CLICK,
            EngagementEvent.suggestion_id.in_(suggestion_ids))))


def remove(suggestion: Suggestion) -> None:
    """Delete a suggestion nobody has followed yet (followed ones are hidden instead, so the
    funnel's clicks still point at something)."""
    followed = db.session.scalar(select(exists().where(
        EngagementEvent.kind == SUGGESTION_CLICK,
        EngagementEvent.suggestion_id == suggestion.id)))
    if followed:
        raise SuggestionError("People have followed this suggestion, so it stays in the "
                              "records: hide it instead.")
    before = snapshot(suggestion)
    suggestion_id = suggestion.id
    db.session.delete(suggestion)
    db.session.flush()
    audit.record("suggestion.removed", object_type="suggestion", object_id=suggestion_id,
                 before=before)
