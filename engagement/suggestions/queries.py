"""Read-side queries: what the widget shows whom, and L&D's month-by-month list.

Who sees what: a signed-in manager sees the managers' list, anyone else signed in the general
list (audience ``everyone``); either also sees the suggestions for their own unit. Signed out:
the general list. The month shown is the current one, or the latest earlier month that has
suggestions for that viewer (a month L&D has not curated yet never leaves the widget empty).
Only suggestions of programmes the viewer could open are shown: published, open in the
catalogue and released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager

from checkpoints import queries as checkpoint_queries
from checkpoints.models import Programme
from clearance.extensions import db
from engagement.models import ANONYMOUS
from engagement.suggestions.models import AUDIENCES, EVERYONE, MANAGERS, UNIT, Suggestion

#: the most suggestions the widget lists at once
WIDGET_LIMIT = 6
#: the curation page shows months from this many months back (and every later one)
RECENT_MONTHS = 12


@dataclass(frozen=True)
class Viewer:
    """Whose list to show: ``managers``, ``everyone`` or ``anonymous``, and their unit."""

    audience: str
    unit: str = ""

    @classmethod
    def of(cls, person: Any | None) -> Viewer:
        if person is None or not getattr(person, "is_authenticated", False):
            return cls(ANONYMOUS)
        return cls(MANAGERS if person.is_manager else EVERYONE, person.unit or "")

    @property
    def list_audience(self) -> str:
        """The list this viewer reads: managers' or the general one (signed out: general)."""
        return MANAGERS if self.audience == MANAGERS else EVERYONE


@dataclass
class WidgetList:
    viewer: Viewer
    month: dt.date | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    #: False when the current month has none and an earlier month is shown
    current: bool = True

    @property
    def themes(self) -> list[str]:
        return list(dict.fromkeys(s.theme for s in self.suggestions))


def today() -> dt.date:
    return checkpoint_queries.today()


def _audience_clause(viewer: Viewer) -> Any:
    clause = Suggestion.audience == viewer.list_audience
    if viewer.unit:
        clause = or_(clause, and_(Suggestion.audience == UNIT, Suggestion.unit == viewer.unit))
    return clause


def _shown_clause(viewer: Viewer, on: dt.date) -> list[Any]:
    return [Suggestion.active.is_(True), _audience_clause(viewer),
            Programme.status == "published", Programme.open_in_catalogue.is_(True),
            checkpoint_queries.released_clause(on)]


def widget_list(viewer: Viewer, *, on: dt.date | None = None,
                limit: int = WIDGET_LIMIT) -> WidgetList:
    """The viewer's suggestions for the month of ``on`` (default today), or the latest earlier
    month that has any; their own list first, then their unit's, each in L&D's order."""
    on = on or today()
    this_month = on.replace(day=1)
    shown = _shown_clause(viewer, on)
    month = db.session.scalar(
        select(func.max(Suggestion.month)).join(Programme, Programme.id == Suggestion.programme_id)
        .where(*shown, Suggestion.month <= this_month))
    if month is None:
        return WidgetList(viewer)
    rows = db.session.scalars(
        select(Suggestion).join(Suggestion.programme).options(contains_eager(Suggestion.programme))
        .where(*shown, Suggestion.month == month)
        .order_by(case((Suggestion.audience == UNIT, 1), else_=0), Suggestion.unit,
                  Suggestion.position, Suggestion.id)
        .limit(limit))
    return WidgetList(viewer, month, list(rows), current=month == this_month)


def curated_programmes(person: Any, limit: int) -> list[Programme]:
    """For the home page's suggestions panel: this month's curated programmes for the person
    that they have not joined (empty: the catalogue's own choice is used)."""
    found = widget_list(Viewer.of(person), limit=WIDGET_LIMIT)
    if not found.current:
        return []
    programmes = list(dict.fromkeys(s.programme for s in found.suggestions))
    joined = checkpoint_queries.enrolments_by_programme(person.id, [p.id for p in programmes])
    return [p for p in programmes if p.id not in joined][:limit]


# ---- L&D's list ----


@dataclass
class Group:
    audience: str
    unit: str
    suggestions: list[Suggestion]

    @property
    def label(self) -> str:
        if self.audience == UNIT:
            return f"For {self.unit}"
        return "For managers" if self.audience == MANAGERS else "For everyone"


@dataclass
class Month:
    month: dt.date
    groups: list[Group]

    @property
    def themes(self) -> list[str]:
        return list(dict.fromkeys(s.theme for g in self.groups for s in g.suggestions))


def months(*, since: dt.date | None) -> list[Month]:
    """Every suggestion from ``since`` (a month; None: all), newest month first, grouped by
    audience (managers, everyone, then units by name), each group in widget order."""
    audience_order = case({a: i for i, a in enumerate(AUDIENCES)}, value=Suggestion.audience)
    stmt = (select(Suggestion).join(Suggestion.programme)
            .options(contains_eager(Suggestion.programme))
            .order_by(Suggestion.month.desc(), audience_order, Suggestion.unit,
                      Suggestion.position, Suggestion.id))
    if since is not None:
        stmt = stmt.where(Suggestion.month >= since)
    result: list[Month] = []
    for s in db.session.scalars(stmt):
        if not result or result[-1].month != s.month:
            result.append(Month(s.month, []))
        groups = result[-1].groups
        if not groups or (groups[-1].audience, groups[-1].unit) != (s.audience, s.unit):
            groups.append(Group(s.audience, s.unit, []))
        groups[-1].suggestions.append(s)
    return result


def earlier_count(since: dt.date) -> int:
    return db.session.scalar(select(func.count(Suggestion.id)).where(Suggestion.month < since)) \
        or 0


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def suggestable_programmes() -> list[Programme]:
    """Programmes L&D may suggest: published and open in the catalogue (upcoming ones too:
    the widget shows a suggestion only once its programme is released)."""
    return list(db.session.scalars(
        select(Programme).where(Programme.status == "published",
                                Programme.open_in_catalogue.is_(True))
        .order_by(Programme.release_date.desc().nulls_last(), Programme.title, Programme.id)))


def programmes_by_id(ids: Iterable[int]) -> dict[int, Programme]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {p.id: p for p in db.session.scalars(select(Programme).where(Programme.id.in_(wanted)))}
