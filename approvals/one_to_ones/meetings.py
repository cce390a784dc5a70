"""Writes to single meetings: materialising an occurrence, shared and private notes (with a
version each, so a double submission or a second tab never overwrites silently), talking points,
action items, cancelling, and marking a meeting held (carrying undecided items on).

Flush, never commit; one audit event per change. Import these through ``operations``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from approvals.one_to_ones import schedule
from approvals.one_to_ones.errors import OneToOneError
from approvals.one_to_ones.models import (
    ActionItem,
    Carry,
    Meeting,
    PrivateNote,
    Series,
    TalkingPoint,
)
from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from clearance.notifications import notify
from clearance.urls import local_path
from people.models import Person

MAX_NOTES_CHARS = 20_000
MAX_POINT_CHARS = 500
#: a meeting may be marked held at most this many days before its date (met early)
HOLD_EARLY_DAYS = 7


class NotesConflict(OneToOneError):
    """Someone saved the notes since this copy was opened; ``current`` is what is stored."""

    def __init__(self, message: str, current: str, version: int) -> None:
        super().__init__(message, "notes")
        self.current = current
        self.version = version


def meeting_link(series: Series, day: dt.date) -> str:
    return local_path("one_to_ones.meeting", series_id=series.id, day=day.isoformat())


def find_meeting(series_id: int, day: dt.date) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.series_id == series_id,
                                                   Meeting.occurs_on == day))


def materialise(series: Series, day: dt.date, *, force: bool = False) -> Meeting:
    """The meeting row for ``day``, created when first needed. ``day`` must be a date of the
    series (``force``: a date on the rule even if paused, to record it as cancelled)."""
    found = find_meeting(series.id, day)
    if found is not None:
        return found
    on_rule = schedule.rule_dates(series, day, day + dt.timedelta(days=1)) == [day]
    if not (schedule.is_occurrence(series, day) or (force and on_rule)):
        raise OneToOneError(f"The series does not meet on {day:%d %B %Y}.")
    meeting = Meeting(series_id=series.id, occurs_on=day,
                      starts_at=schedule.utc_start(series, day),
                      duration_minutes=series.duration_minutes, status="upcoming",
                      shared_notes="", notes_version=0, cancelled_reason="",
                      created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(meeting)
    except IntegrityError:
        found = find_meeting(series.id, day)
        if found is None:
            raise
        return found
    return meeting


def _require_upcoming(meeting: Meeting, what: str) -> None:
    if meeting.status == "cancelled":
        raise OneToOneError(f"This one-to-one was cancelled, so you cannot {what}.")
    if meeting.series.status == "ended" and meeting.status != "held":
        raise OneToOneError(f"This series has ended, so you cannot {what}.")


# ---------------------------------------------------------------- notes


def _clean_notes(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_NOTES_CHARS:
        raise OneToOneError(f"Keep notes under {MAX_NOTES_CHARS:,} characters.", "notes")
    return text


def save_shared_notes(meeting: Meeting, actor: Person, text: str, seen_version: int) -> Meeting:
    """Save the notes both people see, only if nobody saved since ``seen_version``. Sending the
    same text twice (a double click) is not a conflict."""
    if meeting.status == "cancelled":
        raise OneToOneError("This one-to-one was cancelled, so it has no notes.", "notes")
    text = _clean_notes(text)
    result = db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.notes_version == seen_version)
        .values(shared_notes=text, notes_version=Meeting.notes_version + 1)
        .execution_options(synchronize_session=False))
    db.session.refresh(meeting)
    if result.rowcount != 1:
        if meeting.shared_notes == text:
            return meeting
        raise NotesConflict("Someone saved these notes after you opened them, so yours were "
                            "not saved. Compare the two, then save again.",
                            meeting.shared_notes, meeting.notes_version)
    audit.record("one_to_one.notes_saved", obj=meeting,
                 after={"version": meeting.notes_version, "chars": len(text)})
    return meeting


def private_note(meeting: Meeting) -> PrivateNote | None:
    if meeting.id is None:
        return None
    return db.session.get(PrivateNote, meeting.id)


def save_private_notes(meeting: Meeting, actor: Person, text: str, seen_version: int
                       ) -> PrivateNote:
    """The manager's own notes (the caller has checked ``one_to_ones.private_notes``)."""
    text = _clean_notes(text)
    note = private_note(meeting)
    if note is None:
        if seen_version != 0:
            raise NotesConflict("These notes changed after you opened them.", "", 0)
        note = PrivateNote(meeting_id=meeting.id, author_id=actor.id, body=text, version=1,
                           updated_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(note)
        except IntegrityError:
            note = private_note(meeting)
            assert note is not None
            if note.body == text:
                return note
            raise NotesConflict("Your private notes were saved from another window a moment "
                                "ago, so this copy was not saved.", note.body,
                                note.version) from None
    else:
        result = db.session.execute(
            update(PrivateNote).where(PrivateNote.meeting_id == meeting.id,
                                      PrivateNote.version == seen_version)
            .values(body=text, version=PrivateNote.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False))
        db.session.refresh(note)
        if result.rowcount != 1:
            if note.body == text:
                return note
            raise NotesConflict("Your private notes were saved from another window after you "
                                "opened them, so this copy was not saved.", note.body,
                                note.version)
    audit.record("one_to_one.private_notes_saved", obj=meeting,
                 after={"version": note.version, "chars": len(text)})
    return note


# ---------------------------------------------------------------- talking points and actions


def add_talking_point(meeting: Meeting, author: Person, body: str) -> TalkingPoint:
    _require_upcoming(meeting, "add talking points")
    if meeting.status == "held":
        raise OneToOneError("This one-to-one has been held. Add the point to the next one.",
                            "body")
    body = " ".join((body or "").split())
    if not body:
        raise OneToOneError("Write the talking point.", "body")
    if len(body) > MAX_POINT_CHARS:
        raise OneToOneError(f"Keep a talking point under {MAX_POINT_CHARS} characters.", "body")
    same = db.session.scalar(select(TalkingPoint).where(
        TalkingPoint.meeting_id == meeting.id, TalkingPoint.author_id == author.id,
        TalkingPoint.body == body))
    if same is not None:  # sent twice
        return same
    point = TalkingPoint(meeting_id=meeting.id, author_id=author.id, body=body,
                         created_at=utcnow())
    db.session.add(point)
    db.session.flush()
    audit.record("one_to_one.talking_point_added", obj=point,
                 after={"meeting_id": meeting.id, "author_id": author.id})
    return point


def add_action(meeting: Meeting, actor: Person, owner: Person, body: str,
               due_on: dt.date | None = None) -> ActionItem:
    if meeting.status == "cancelled":
        raise OneToOneError("This one-to-one was cancelled.", "body")
    series = meeting.series
    if not series.party(owner.id):
        raise OneToOneError("An action belongs to one of the two of you.", "owner")
    body = " ".join((body or "").split())
    if not body:
        raise OneToOneError("Write the action.", "body")
    if len(body) > MAX_POINT_CHARS:
        raise OneToOneError(f"Keep an action under {MAX_POINT_CHARS} characters.", "body")
    same = db.session.scalar(select(ActionItem).where(
        ActionItem.meeting_id == meeting.id, ActionItem.body == body,
        ActionItem.owner_id == owner.id, ActionItem.done_at.is_(None)))
    if same is not None:
        return same
    item = ActionItem(series_id=series.id, meeting_id=meeting.id, owner_id=owner.id,
                      created_by_id=actor.id, body=body, due_on=due_on, created_at=utcnow())
    db.session.add(item)
    db.session.flush()
    audit.record("one_to_one.action_added", obj=item,
                 after={"meeting_id": meeting.id, "owner_id": owner.id,
                        "due_on": due_on.isoformat() if due_on else None})
    if owner.id != actor.id:
        notify(owner.id, "one_to_one.action",
               f"{actor.name} noted an action for you: {body[:200]}",
               meeting_link(series, meeting.occurs_on))
    return item


def complete_action(item: ActionItem, actor: Person) -> bool:
    """Mark done once; a second click changes nothing. Returns whether it changed."""
    result = db.session.execute(
        update(ActionItem).where(ActionItem.id == item.id, ActionItem.done_at.is_(None))
        .values(done_at=utcnow(), done_by_id=actor.id)
        .execution_options(synchronize_session=False))
    db.session.refresh(item)
    if result.rowcount != 1:
        return False
    audit.record("one_to_one.action_done", obj=item)
    return True


# ---------------------------------------------------------------- cancelling and holding


def cancel_meeting(meeting: Meeting, actor: Person, reason: str = "") -> Meeting:
    if meeting.status != "upcoming":
        raise OneToOneError(f"This one-to-one is {meeting.status_label.lower()}, so it cannot "
                            "be cancelled.")
    meeting.status = "cancelled"
    meeting.cancelled_reason = (reason.strip() or "cancelled")[:200]
    series = meeting.series
    series.sequence = (series.sequence or 0) + 1  # the calendar gains an exception
    series.updated_at = utcnow()
    db.session.flush()
    audit.record("one_to_one.meeting_cancelled", obj=meeting, reason=meeting.cancelled_reason)
    other = series.report_id if actor.id == series.manager_id else series.manager_id
    notify(other, "one_to_one.cancelled",
           f"{actor.name} cancelled the one-to-one of {meeting.occurs_on:%d %B %Y}.",
           meeting_link(series, meeting.occurs_on))
    return meeting


def mark_held(meeting: Meeting, actor: Person, *, carry: bool,
              undecided_step_ids: list[int] | None = None) -> Meeting | None:
    """Mark the meeting held. With ``carry``, the decisions still waiting are put on the next
    meeting's agenda as carried over. Returns the next meeting (materialised) or None."""
    series = meeting.series
    _require_upcoming(meeting, "mark it held")
    today = schedule.local_today(series, utcnow())
    if meeting.occurs_on > today + dt.timedelta(days=HOLD_EARLY_DAYS):
        raise OneToOneError(f"This one-to-one is not until {meeting.occurs_on:%d %B %Y}; "
                            "mark it held once you have met.")
    result = db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.status == "upcoming")
        .values(status="held", held_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.refresh(meeting)
    if result.rowcount != 1:
        if meeting.status == "held":
            return None  # sent twice
        raise OneToOneError("This one-to-one changed a moment ago. Open it again.")
    carried: list[int] = []
    nxt_day = schedule.next_occurrence(series, meeting.occurs_on)
    nxt = materialise(series, nxt_day) if nxt_day is not None else None
    if carry and nxt is not None:
        for step_id in undecided_step_ids or []:
            try:
                with db.session.begin_nested():
                    db.session.add(Carry(meeting_id=nxt.id, step_id=step_id,
                                         from_meeting_id=meeting.id))
            except IntegrityError:
                continue
            carried.append(step_id)
    audit.record("one_to_one.meeting_held", obj=meeting,
                 after={"carried_step_ids": carried,
                        "next_meeting_id": nxt.id if nxt is not None else None,
                        "undecided": len(undecided_step_ids or [])})
    if actor.id != series.report_id:
        notify(series.report_id, "one_to_one.held",
               f"Notes from your one-to-one of {meeting.occurs_on:%d %B %Y} with "
               f"{series.manager.name}.", meeting_link(series, meeting.occurs_on))
    return nxt
