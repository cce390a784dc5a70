"""Record that someone looked at something (widget, suggestion, catalogue, programme).

``track(...)`` is safe to call from a GET view: it only remembers the look; the rows are written
by a background job after the request's own unit of work has committed, in a write transaction of
their own, and a failure there never reaches the page. A rolled-back request records nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import g, has_request_context
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clearance.database import after_commit, utcnow
from clearance.extensions import db
from clearance.jobs import job
from engagement.models import ANONYMOUS, KINDS, EngagementEvent

log = logging.getLogger(__name__)
_PENDING = "engagement_pending_events"


def audience_of(person: Any | None) -> str:
    """``managers`` for someone with reports, ``everyone`` for others, ``anonymous`` signed out."""
    if person is None or not getattr(person, "is_authenticated", True):
        return ANONYMOUS
    return "managers" if getattr(person, "is_manager", False) else "everyone"


def _row(kind: str, person_id: int | None, programme_id: int | None,
         suggestion_id: int | None, audience: str, at: dt.datetime) -> dict[str, Any]:
    day = at.date()
    key = f"{kind}:{person_id or '-'}:{programme_id or '-'}:{suggestion_id or '-'}:{day}"
    return {"dedupe_key": key, "kind": kind, "person_id": person_id,
            "programme_id": programme_id, "suggestion_id": suggestion_id,
            "audience": audience, "day": day, "first_at": at, "count": 1}


def track(kind: str, *, person: Any | None = None, programme_id: int | None = None,
          suggestion_id: int | None = None, at: dt.datetime | None = None) -> None:
    """Remember one look by ``person`` (None or anonymous: not signed in)."""
    if kind not in KINDS:
        raise ValueError(f"unknown engagement event kind {kind!r}")
    audience = audience_of(person)
    person_id = None if audience == ANONYMOUS else person.id
    row = _row(kind, person_id, programme_id, suggestion_id, audience, at or utcnow())
    if not has_request_context():
        write_events([row])
        return
    pending = g.get(_PENDING)
    if pending is None:
        pending = []
        setattr(g, _PENDING, pending)
        after_commit(lambda: _enqueue(pending))
    pending.append(row)


def _enqueue(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    try:
        record_events([{**r, "day": r["day"].isoformat(), "first_at": r["first_at"].isoformat()}
                       for r in rows])
    except Exception:  # analytics never break the page that was looked at
        log.exception("could not queue %d engagement events", len(rows))


@job()
def record_events(rows: list[dict[str, Any]]) -> None:
    """The job: write rows queued by :func:`track` (dates travel as ISO strings)."""
    write_events([{**r, "day": dt.date.fromisoformat(r["day"]),
                   "first_at": dt.datetime.fromisoformat(r["first_at"])} for r in rows])


def write_events(rows: list[dict[str, Any]]) -> None:
    """Insert looks; a look already recorded for the same key adds to its count. Flushes only."""
    if not rows:
        return
    merged: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["dedupe_key"] in merged:
            merged[r["dedupe_key"]]["count"] += r["count"]
        else:
            merged[r["dedupe_key"]] = dict(r)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = EngagementEvent.__table__
    for r in merged.values():
        stmt = insert(table).values(**r)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.dedupe_key],
            set_={"count": table.c.count + stmt.excluded.count})
        db.session.execute(stmt)
    db.session.flush()
