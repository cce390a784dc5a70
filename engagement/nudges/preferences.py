"""Each person's choices: which nudges they get in the app and by e-mail, and their quiet hours.

Only changed choices are stored, so "everyone with defaults" costs no rows and the hourly run
reads the few rows that differ. Writes flush, never commit; each change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from engagement.nudges.config import NudgeConfig, in_window
from engagement.nudges.models import KINDS, NudgePreference, NudgeQuietHours


@dataclass(frozen=True)
class Channels:
    in_app: bool = True
    email: bool = True

    @property
    def any(self) -> bool:
        return self.in_app or self.email


DEFAULT = Channels()


def channels_by_person(kind: str, person_ids: Iterable[int] | None = None) -> dict[int, Channels]:
    """People who changed their choice for ``kind`` (everyone else: both channels on)."""
    stmt = select(NudgePreference.person_id, NudgePreference.in_app, NudgePreference.email) \
        .where(NudgePreference.kind == kind)
    if person_ids is not None:
        ids = list(person_ids)
        if not ids:
            return {}
        stmt = stmt.where(NudgePreference.person_id.in_(ids))
    return {pid: Channels(bool(a), bool(e)) for pid, a, e in db.session.execute(stmt)}


def channels_of(person_id: int) -> dict[str, Channels]:
    """One person's choices for every kind (for the preferences page)."""
    rows = db.session.scalars(select(NudgePreference)
                              .where(NudgePreference.person_id == person_id))
    chosen = {r.kind: Channels(r.in_app, r.email) for r in rows}
    return {kind: chosen.get(kind, DEFAULT) for kind in KINDS}


def quiet_hours_of(person_id: int) -> NudgeQuietHours | None:
    return db.session.get(NudgeQuietHours, person_id)


class QuietPlan:
    """Who is in their quiet hours at a given moment: the organisation's window for everyone,
    except the people who chose their own window or none."""

    def __init__(self, cfg: NudgeConfig) -> None:
        self.cfg = cfg
        self.own: dict[int, tuple[dt.time, dt.time] | None] = {}
        for row in db.session.scalars(select(NudgeQuietHours)
                                      .where(NudgeQuietHours.mode != "default")):
            if row.mode == "off" or row.start is None or row.end is None:
                self.own[row.person_id] = None
            else:
                self.own[row.person_id] = (row.start, row.end)

    def window(self, person_id: int) -> tuple[dt.time, dt.time] | None:
        if person_id in self.own:
            return self.own[person_id]
        return (self.cfg.quiet_start, self.cfg.quiet_end)

    def is_quiet(self, person_id: int, now: dt.datetime) -> bool:
        window = self.window(person_id)
        if window is None:
            return False
        local = self.cfg.local(now).time().replace(second=0, microsecond=0)
        return in_window(local, *window)


# ---------------------------------------------------------------- writes


def set_channels(person_id: int, kind: str, channels: Channels, *,
                 reason: str | None = None) -> bool:
    """Store ``person_id``'s choice for ``kind``; returns True when it changed."""
    if kind not in KINDS:
        raise ValueError(f"unknown nudge kind {kind!r}")
    row = db.session.get(NudgePreference, (person_id, kind))
    before = Channels(row.in_app, row.email) if row is not None else DEFAULT
    if before == channels:
        return False
    if row is None:
        row = NudgePreference(person_id=person_id, kind=kind)
        db.session.add(row)
    row.in_app, row.email, row.updated_at = channels.in_app, channels.email, utcnow()
    db.session.flush()
    audit.record("nudges.preference_changed", object_type="person", object_id=person_id,
                 before={"kind": kind, "in_app": before.in_app, "email": before.email},
                 after={"kind": kind, "in_app": channels.in_app, "email": channels.email},
                 reason=reason)
    return True


def set_quiet_hours(person_id: int, mode: str, start: dt.time | None = None,
                    end: dt.time | None = None) -> bool:
    """``default`` (the organisation's hours), ``custom`` (start-end) or ``off``."""
    if mode not in ("default", "custom", "off"):
        raise ValueError(f"unknown quiet hours mode {mode!r}")
    if mode == "custom" and (start is None or end is None):
        raise ValueError("custom quiet hours need a start and an end")
    if mode != "custom":
        start = end = None
    row = quiet_hours_of(person_id)
    before = (row.mode, row.start, row.end) if row is not None else ("default", None, None)
    if before == (mode, start, end):
        return False
    if row is None:
        row = NudgeQuietHours(person_id=person_id)
        db.session.add(row)
    row.mode, row.start, row.end, row.updated_at = mode, start, end, utcnow()
    db.session.flush()
    audit.record("nudges.quiet_hours_changed", object_type="person", object_id=person_id,
                 before={"mode": before[0], "start": _hhmm(before[1]), "end": _hhmm(before[2])},
                 after={"mode": mode, "start": _hhmm(start), "end": _hhmm(end)})
    return True


def unsubscribe(person_id: int, kind: str) -> bool:
    """The one-click unsubscribe: e-mails of ``kind`` stop (in-app notices stay as chosen)."""
    current = channels_of(person_id)[kind]
    return set_channels(person_id, kind, Channels(in_app=current.in_app, email=False),
                        reason="unsubscribe link")


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
