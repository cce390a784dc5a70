"""What people looked at: the top of the learning funnel.

One row per (kind, person, programme, suggestion, day): a second look on the same day only adds to
``count``. Anonymous looks (the widget seen on an intranet by someone not signed in) share one row
per day and target. Rows are analytics, written after the page's own unit of work has committed
(see :mod:`engagement.events`); they never change what anyone can do.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clearance.database import utcnow
from clearance.extensions import db

#: the kinds of look the funnel counts
WIDGET_VIEW = "widget_view"          # the suggested-learning widget was shown
SUGGESTION_CLICK = "suggestion_click"  # a suggestion was followed through the tracking redirect
CATALOGUE_VIEW = "catalogue_view"    # the catalogue was shown
PROGRAMME_VIEW = "programme_view"    # a programme's page was opened
KINDS = (WIDGET_VIEW, SUGGESTION_CLICK, CATALOGUE_VIEW, PROGRAMME_VIEW)

#: the viewer's audience when the look happened
MANAGERS, EVERYONE, ANONYMOUS = "managers", "everyone", "anonymous"


class EngagementEvent(db.Model):
    __tablename__ = "engagement_event"
    __table_args__ = (
        Index("ix_engagement_event_kind_day", "kind", "day"),
        Index("ix_engagement_event_person_kind", "person_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: kind:person:programme:suggestion:day, unique, so a rerun or a second look adds to count
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: the suggestion followed or shown (engagement.suggestions), when there was one
    suggestion_id: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(20), default=EVERYONE)
    day: Mapped[dt.date] = mapped_column(Date)
    first_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=1)
