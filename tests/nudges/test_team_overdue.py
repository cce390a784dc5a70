"""The weekly "your team's overdue checkpoints" nudge for line managers, at frozen times.

``programme()`` + ``enrol()`` (2 March 2026, 14 days): the checkpoint is due Monday 16 March,
so it is overdue from Tuesday 17 March, ISO week 2026-W12 (16-22 March)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from approvals.one_to_ones.operations import Schedule, create_series
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from engagement.nudges import preferences, runner, team, tokens
from engagement.nudges.models import TEAM_OVERDUE, NudgeDelivery
from tests.nudges.helpers import at, config, enrol, programme, submission

TUESDAY = "2026-03-17 10:00"


def _keys(nudges):
    return sorted((n.person_id, n.subject, n.period) for n in nudges)


def _run(now, **kw):
    cfg = kw.pop("cfg", None) or config()
    return runner.run(at(now), kinds=[TEAM_OVERDUE], cfg=cfg, **kw)[0]


def _count(db_session, model, **where):
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db_session.scalar(stmt)


def _overdue_for(*people, title="Leading a ward"):
    prog = programme(title, offsets=(14,))
    for person in people:
        enrol(person, prog)
    return prog


# ---------------------------------------------------------------- who, when


def test_the_line_manager_hears_once_the_due_date_has_passed(org, db_session):
    prog = _overdue_for(org.learner)
    cfg = config(digest_weekday=0)  # Monday
    assert team.team_overdue(at("2026-03-16 18:00"), cfg) == []  # due today: not overdue
    nudges = team.team_overdue(at(TUESDAY), cfg)
    assert _keys(nudges) == [(org.line.id, "team", "2026-W12")]  # the line manager only
    nudge = nudges[0]
    assert nudge.message == "1 checkpoint of 1 person in your team is overdue."
    assert nudge.link == "/approvals/team"
    assert nudge.context["reports"] == [{"name": "Lea Learner", "items": [{
        "title": prog.checkpoints[0].title, "programme": "Leading a ward",
        "due": "Monday 16 March 2026", "days_late": 1}]}]


def test_not_before_the_managers_digest_day(org, db_session):
    _overdue_for(org.learner)
    cfg = config(digest_weekday=3)  # Thursdays for managers without one-to-one series
    assert team.team_overdue(at(TUESDAY), cfg) == []
    assert team.team_overdue(at("2026-03-18 10:00"), cfg) == []
    assert _keys(team.team_overdue(at("2026-03-19 10:00"), cfg)) == [
        (org.line.id, "team", "2026-W12")]
    # missed on the day (worker down): still due later that week
    assert team.team_overdue(at("2026-03-22 10:00"), cfg)


def test_the_digest_day_follows_the_managers_one_to_ones(org, db_session):
    _overdue_for(org.learner)
    create_series(org.line, org.learner, Schedule(weekday=4, start_time=dt.time(10)),
                  dt.date(2026, 3, 1))  # Fridays: Thursday is the digest day
    cfg = config(digest_weekday=0)
    assert team.team_overdue(at("2026-03-18 10:00"), cfg) == []
    assert team.team_overdue(at("2026-03-19 10:00"), cfg)


def test_each_report_and_checkpoint_with_days_overdue(org, db_session, make_person):
    second = make_person("Abe Second", manager=org.line)
    _overdue_for(org.learner, second)
    later = programme("Safe handover", offsets=(10,))  # due 12 March
    enrol(org.learner, later)
    _overdue_for(org.other_learner)  # Una's report: Una's own nudge
    nudges = {n.person_id: n for n in team.team_overdue(at(TUESDAY), config())}
    assert set(nudges) == {org.line.id, org.unrelated.id}
    line = nudges[org.line.id]
    assert line.message == "3 checkpoints of 2 people in your team are overdue."
    assert line.mail_subject == "Your team: 3 overdue checkpoints"
    reports = line.context["reports"]
    assert [r["name"] for r in reports] == ["Abe Second", "Lea Learner"]
    assert [(i["programme"], i["days_late"]) for i in reports[1]["items"]] == [
        ("Safe handover", 5), ("Leading a ward", 1)]


def test_weekly_while_it_stays_overdue_beyond_the_learners_four_reminders(org, db_session):
    _overdue_for(org.learner)
    assert _run(TUESDAY).sent == 1
    assert _run("2026-03-20 10:00").sent == 0  # the same week
    assert _run("2026-03-22 23:00", cfg=config(quiet_start=dt.time(0),
                                                quiet_end=dt.time(0))).sent == 0
    assert _run("2026-03-23 10:00").sent == 1  # Monday of W13
    assert _run("2026-04-28 10:00").sent == 1  # six weeks late: the learner heard 4 times
    periods = sorted(db_session.scalars(select(NudgeDelivery.period).where(
        NudgeDelivery.person_id == org.line.id, NudgeDelivery.kind == TEAM_OVERDUE)))
    assert periods == ["2026-W12", "2026-W13", "2026-W18"]
    fortnight = team.team_overdue(at("2026-03-30 10:00"), config())[0]
    assert fortnight.context["reports"][0]["items"][0]["days_late"] == 14


def test_nothing_once_the_report_sent_it_in(org, db_session):
    prog = _overdue_for(org.learner)
    assert _run(TUESDAY).sent == 1
    submission(org.learner, prog.checkpoints[0], "submitted")
    assert team.team_overdue(at("2026-03-23 10:00"), config()) == []
    assert _run("2026-03-23 10:00").due == 0


def test_a_draft_or_withdrawn_submission_is_still_overdue(org, db_session):
    prog = _overdue_for(org.learner)
    submission(org.learner, prog.checkpoints[0], "withdrawn")
    assert team.team_overdue(at(TUESDAY), config())


def test_inactive_reports_ended_enrolments_and_inactive_managers_do_not_count(
        org, db_session, make_person):
    gone = make_person("Gone Report", manager=org.line)
    left = make_person("Left Enrolment", manager=org.line)
    prog = _overdue_for(gone)
    enrol(left, prog, status="left")
    gone.active = False
    db_session.flush()
    assert team.team_overdue(at(TUESDAY), config()) == []
    _overdue_for(org.other_learner)
    org.unrelated.active = False
    db_session.flush()
    assert team.team_overdue(at(TUESDAY), config()) == []


def test_a_report_whose_manager_has_a_manager_reaches_only_the_line_manager(org, db_session):
    _overdue_for(org.learner)
    assert {n.person_id for n in team.team_overdue(at(TUESDAY), config())} == {org.line.id}


# ---------------------------------------------------------------- delivery


def test_a_rerun_sends_nothing_twice(org, db_session):
    _overdue_for(org.learner)
    assert (_run(TUESDAY).sent, _run(TUESDAY).sent, _run("2026-03-17 15:00").sent) == (1, 0, 0)
    assert _count(db_session, NudgeDelivery, person_id=org.line.id) == 1
    assert _count(db_session, Notification, person_id=org.line.id,
                  kind="nudge.team_overdue") == 1
    assert _count(db_session, OutboxMessage, to_address=org.line.email) == 1


def test_the_email_lists_the_team_links_the_team_page_and_unsubscribes_this_kind(
        org, db_session, make_person):
    odd = make_person("Ana <b>Bold</b>", manager=org.line)
    _overdue_for(org.learner, odd)
    _run(TUESDAY)
    row = db_session.scalar(select(NudgeDelivery).where(NudgeDelivery.kind == TEAM_OVERDUE))
    mail = db_session.get(OutboxMessage, row.outbox_message_id)
    assert mail.to_address == org.line.email
    assert mail.subject == "Your team: 2 overdue checkpoints"
    assert "Lea Learner:\n- Leading a ward step 1 (Leading a ward): due Monday 16 March " \
           "2026, 1 day overdue" in mail.body_text
    assert "http://clearance.test/approvals/team" in mail.body_text
    assert "Ana &lt;b&gt;Bold&lt;/b&gt;" in mail.body_html and "<b>Bold" not in mail.body_html
    url = re.fullmatch(r"<(.+)>", mail.headers["List-Unsubscribe"]).group(1)
    assert tokens.read_unsubscribe_token(url.rsplit("/", 1)[1]) == (org.line.id, TEAM_OVERDUE)
    note = db_session.scalar(select(Notification).where(Notification.person_id == org.line.id))
    assert note.link == "/approvals/team" and note.message.startswith("2 checkpoints of 2")


def test_switched_off_sends_nothing_and_email_off_only_notifies(org, db_session):
    _overdue_for(org.learner, org.other_learner)
    preferences.set_channels(org.line.id, TEAM_OVERDUE, preferences.Channels(False, False))
    preferences.set_channels(org.unrelated.id, TEAM_OVERDUE, preferences.Channels(True, False))
    result = _run(TUESDAY)
    assert (result.due, result.sent, result.opted_out) == (2, 1, 1)
    assert _count(db_session, NudgeDelivery, person_id=org.line.id) == 0
    assert _count(db_session, Notification, person_id=org.unrelated.id) == 1
    assert _count(db_session, OutboxMessage, to_address=org.unrelated.email) == 0


def test_quiet_hours_defer_to_the_morning(org, db_session):
    _overdue_for(org.learner)
    cfg = config(quiet_start=dt.time(20), quiet_end=dt.time(8))
    evening = _run("2026-03-17 21:00", cfg=cfg)
    assert (evening.deferred, evening.sent) == (1, 0)
    assert _count(db_session, NudgeDelivery) == 0
    assert _run("2026-03-18 08:00", cfg=cfg).sent == 1
    preferences.set_quiet_hours(org.line.id, "custom", dt.time(6), dt.time(12))
    assert _run("2026-03-23 09:00", cfg=cfg).deferred == 1  # the manager's own hours
    assert _run("2026-03-23 12:00", cfg=cfg).sent == 1


def test_the_whole_run_includes_the_team_nudge(org, db_session):
    _overdue_for(org.learner)
    results = {r.kind: r for r in runner.run(at(TUESDAY), cfg=config())}
    assert results[TEAM_OVERDUE].sent == 1 and results["overdue"].sent == 1
