"""Series and meeting operations: set up, move, pause, resume, end, org-chart changes, notes
with versions, talking points, actions, holding with carry-forward."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from approvals.one_to_ones import operations as ops
from approvals.one_to_ones import queries, schedule
from approvals.one_to_ones.models import Carry, Meeting, Series
from clearance.audit import AuditEvent
from clearance.notifications import Notification
from people import operations as people_ops
from tests.approvals.factories import submitted
from tests.one_to_ones.helpers import make_series, this_weeks_day


def _events(db_session, action):
    return db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_set_up_with_a_direct_report(org, db_session):
    series = make_series(org.line, org.learner)
    assert series.status == "active" and series.uid.endswith("@clearance")
    assert series.anchor_date.weekday() == series.weekday
    assert _events(db_session, "one_to_one.series_created") == 1
    note = db_session.scalar(select(Notification).where(Notification.person_id == org.learner.id))
    assert "set up a weekly one-to-one" in note.message


@pytest.mark.parametrize("case", ["not_direct", "duplicate", "bad_zone", "inactive"])
def test_set_up_refusals(org, db_session, case):
    plan = ops.Schedule(0, dt.time(9))
    if case == "not_direct":
        with pytest.raises(ops.OneToOneError, match="does not report to you"):
            ops.create_series(org.skip, org.learner, plan, dt.date.today())
    elif case == "duplicate":
        make_series(org.line, org.learner)
        with pytest.raises(ops.OneToOneError, match="already have"):
            ops.create_series(org.line, org.learner, plan, dt.date.today())
    elif case == "bad_zone":
        with pytest.raises(ops.OneToOneError, match="not a time zone"):
            ops.create_series(org.line, org.learner, ops.Schedule(0, dt.time(9), "Mars/Base"),
                              dt.date.today())
    else:
        people_ops.deactivate(org.learner)
        with pytest.raises(ops.OneToOneError, match="active"):
            ops.create_series(org.line, org.learner, plan, dt.date.today())


def test_all_reports_at_once_with_staggered_times(org, make_person, db_session):
    second = make_person("Sec Ond", manager=org.line)
    third = make_person("Thi Rd", manager=org.line)
    make_series(org.line, second)
    created, skipped = ops.create_for_all_reports(
        org.line, ops.Schedule(2, dt.time(10), "Europe/London", 1, 30), dt.date.today(), 45)
    assert [p.id for p in skipped] == [second.id]
    times = sorted(s.start_time for s in created)
    assert times == [dt.time(10), dt.time(10, 45)]
    assert {s.report_id for s in created} == {org.learner.id, third.id}
    with pytest.raises(ops.OneToOneError, match="past midnight"):
        ops.create_for_all_reports(org.skip, ops.Schedule(2, dt.time(23, 30)), dt.date.today(),
                                   30)


def test_move_keeps_uid_bumps_sequence_and_carries_meeting_content(org, db_session):
    series = make_series(org.line, org.learner, start=dt.date.today())
    uid, seq = series.uid, series.sequence
    first = schedule.next_occurrence(series, dt.date.today(), inclusive=True)
    meeting = ops.materialise(series, first)
    ops.add_talking_point(meeting, org.learner, "Rota for December")
    new_day = (series.weekday + 2) % 7
    ops.move_series(series, ops.Schedule(new_day, dt.time(14), "Europe/London", 2, 45),
                    dt.date.today())
    db_session.refresh(meeting)
    assert series.uid == uid and series.sequence == seq + 1
    assert meeting.occurs_on.weekday() == new_day and meeting.duration_minutes == 45
    assert schedule.is_occurrence(series, meeting.occurs_on)
    assert queries.talking_points(meeting)[0].body == "Rota for December"
    local = schedule.local_start(series, meeting.occurs_on)
    assert (local.hour, local.minute) == (14, 0)


def test_pause_then_resume_records_the_skipped_dates_as_cancelled(org, db_session):
    series = make_series(org.line, org.learner, start=dt.date.today() - dt.timedelta(days=21))
    ops.pause_series(series, dt.date.today())
    assert series.status == "paused"
    assert schedule.next_occurrence(series, dt.date.today(), inclusive=True) is None
    # Pretend the pause began three weeks ago.
    series.paused_from = dt.date.today() - dt.timedelta(days=20)
    ops.resume_series(series)
    assert series.status == "active" and series.paused_from is None
    cancelled = db_session.scalars(select(Meeting).where(Meeting.series_id == series.id,
                                                         Meeting.status == "cancelled")).all()
    assert len(cancelled) >= 2 and all(m.cancelled_reason == "series paused" for m in cancelled)
    assert series.sequence == 2


def test_manager_change_ends_the_series_and_invites_the_new_manager(org, db_session):
    series = make_series(org.line, org.learner)
    people_ops.update_person(org.learner, manager=org.unrelated)
    db_session.refresh(series)
    assert series.status == "ended" and "reports to someone else" in series.end_reason
    invite = db_session.scalar(select(Notification).where(
        Notification.person_id == org.unrelated.id, Notification.kind == "one_to_one.invite"))
    assert invite is not None and f"report={org.learner.id}" in invite.link


def test_deactivated_report_ends_the_series(org, db_session):
    series = make_series(org.line, org.learner)
    people_ops.deactivate(org.learner)
    db_session.refresh(series)
    assert series.status == "ended"


def test_shared_notes_versions_double_submission_and_conflict(org, db_session):
    series = make_series(org.line, org.learner)
    meeting = ops.materialise(series, this_weeks_day(series))
    ops.save_shared_notes(meeting, org.line, "Agreed the rota.", 0)
    assert meeting.notes_version == 1
    ops.save_shared_notes(meeting, org.line, "Agreed the rota.", 0)  # the same form again
    assert meeting.notes_version == 1
    with pytest.raises(ops.NotesConflict) as exc:
        ops.save_shared_notes(meeting, org.line, "Something else", 0)
    assert exc.value.current == "Agreed the rota." and exc.value.version == 1
    ops.save_shared_notes(meeting, org.line, "Something else", 1)
    assert meeting.shared_notes == "Something else"


def test_private_notes_are_versioned_too(org, db_session):
    series = make_series(org.line, org.learner)
    meeting = ops.materialise(series, this_weeks_day(series))
    note = ops.save_private_notes(meeting, org.line, "Seems tired.", 0)
    assert note.version == 1
    assert ops.save_private_notes(meeting, org.line, "Seems tired.", 0).version == 1
    with pytest.raises(ops.NotesConflict):
        ops.save_private_notes(meeting, org.line, "Different", 0)


def test_talking_points_and_actions(org, db_session):
    series = make_series(org.line, org.learner)
    meeting = ops.materialise(series, this_weeks_day(series))
    a = ops.add_talking_point(meeting, org.learner, "  Study   leave ")
    b = ops.add_talking_point(meeting, org.learner, "Study leave")
    assert a.id == b.id and a.body == "Study leave"
    with pytest.raises(ops.OneToOneError):
        ops.add_talking_point(meeting, org.learner, "   ")
    item = ops.add_action(meeting, org.line, org.learner, "Book the course")
    with pytest.raises(ops.OneToOneError, match="one of the two"):
        ops.add_action(meeting, org.line, org.unrelated, "Not theirs")
    assert queries.open_actions([series.id]) == [item]
    assert ops.complete_action(item, org.learner) is True
    assert ops.complete_action(item, org.learner) is False
    assert queries.open_actions([series.id]) == []


def test_hold_carries_undecided_decisions_to_the_next_meeting(org, db_session):
    series = make_series(org.line, org.learner)
    step = submitted(org.learner)
    day = this_weeks_day(series)
    meeting = ops.materialise(series, day)
    nxt = ops.mark_held(meeting, org.line, carry=True, undecided_step_ids=[step.id])
    assert meeting.status == "held" and meeting.held_at is not None
    assert nxt is not None and nxt.occurs_on == day + dt.timedelta(days=7)
    carry = db_session.scalar(select(Carry))
    assert (carry.meeting_id, carry.step_id, carry.from_meeting_id) == (nxt.id, step.id,
                                                                        meeting.id)
    assert ops.mark_held(meeting, org.line, carry=True) is None  # sent twice: no change


def test_hold_refuses_meetings_far_ahead(org, db_session):
    series = make_series(org.line, org.learner)
    later = schedule.next_occurrence(series, dt.date.today() + dt.timedelta(days=14))
    meeting = ops.materialise(series, later)
    with pytest.raises(ops.OneToOneError, match="not until"):
        ops.mark_held(meeting, org.line, carry=False)


def test_materialise_only_on_series_dates(org, db_session):
    series = make_series(org.line, org.learner)
    wrong = this_weeks_day(series) + dt.timedelta(days=1)
    with pytest.raises(ops.OneToOneError, match="does not meet"):
        ops.materialise(series, wrong)
    assert db_session.scalar(select(func.count()).select_from(Series)) == 1


def test_end_cancels_future_meetings(org, db_session):
    series = make_series(org.line, org.learner, start=dt.date.today())
    later = schedule.next_occurrence(series, dt.date.today() + dt.timedelta(days=1))
    meeting = ops.materialise(series, later)
    ops.end_series(series, "moving to monthly check-ins", actor=org.line)
    db_session.refresh(meeting)
    assert series.status == "ended" and meeting.status == "cancelled"
    assert ops.end_series(series, "again") is series
