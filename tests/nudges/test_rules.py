"""Each rule at a frozen ``now``: who is due which nudge, with which occurrence (period)."""

from __future__ import annotations

import datetime as dt

from approvals.one_to_ones.operations import Schedule, create_series
from engagement.nudges import rules
from tests.approvals.factories import submitted
from tests.nudges.helpers import at, config, enrol, programme, submission


def _keys(nudges):
    return sorted((n.person_id, n.subject, n.period) for n in nudges)


# ---------------------------------------------------------------- due soon


def test_due_soon_from_n_days_before_until_the_due_day(org, db_session):
    prog = programme(offsets=(14,))  # enrolled 2 March: due Monday 16 March
    enrol(org.learner, prog)
    cp = prog.checkpoints[0]
    cfg = config(due_soon_days=3)
    assert rules.due_soon(at("2026-03-12 10:00"), cfg) == []  # four days before
    for day in ("2026-03-13 10:00", "2026-03-15 23:30", "2026-03-16 07:00"):
        nudges = rules.due_soon(at(day), cfg)
        assert _keys(nudges) == [(org.learner.id, f"checkpoint:{cp.id}", "2026-03-16")], day
    assert "due today" in rules.due_soon(at("2026-03-16 10:00"), cfg)[0].message
    assert "tomorrow" in rules.due_soon(at("2026-03-15 10:00"), cfg)[0].message
    assert rules.due_soon(at("2026-03-17 10:00"), cfg) == []  # overdue now, not "soon"
    assert rules.due_soon(at("2026-03-13 10:00"), config(due_soon_days=0)) == []


def test_local_dates_decide_near_midnight(org, db_session):
    """23:30 UTC on 12 March is still the 12th in London (winter), 00:30 BST in summer is
    the next day: the rule uses the local date."""
    prog = programme(offsets=(100,))  # enrolled 2 March: due 10 June (summer time)
    enrol(org.learner, prog)
    cfg = config(due_soon_days=3)
    assert rules.due_soon(at("2026-06-06 23:30"), cfg)  # already 7 June in London: 3 days
    assert not rules.due_soon(at("2026-06-06 22:30"), cfg)  # 23:30 on 6 June: 4 days


def test_due_soon_skips_work_sent_in_and_people_or_enrolments_that_stopped(org, db_session,
                                                                           make_person):
    prog = programme(checkpoints=("summative", "summative"), offsets=(14, 14))
    enrol(org.learner, prog)
    first, second = prog.checkpoints
    submission(org.learner, first, "submitted")
    submission(org.learner, second, "draft")
    gone = make_person("Gone Person", manager=org.line)
    enrol(gone, prog)
    gone.active = False
    left = make_person("Left Person", manager=org.line)
    enrol(left, prog, status="left")
    nudges = rules.due_soon(at("2026-03-14 10:00"), config(due_soon_days=3))
    assert _keys(nudges) == [(org.learner.id, f"checkpoint:{second.id}", "2026-03-16")]


def test_due_dates_start_at_the_release_date_for_early_enrolments(org, db_session):
    prog = programme(offsets=(7,), release_date=dt.date(2026, 4, 1))
    enrol(org.learner, prog, on=at("2026-03-02 09:00"))
    cfg = config(due_soon_days=3)
    assert rules.due_soon(at("2026-03-06 10:00"), cfg) == []  # not released: nothing due
    assert _keys(rules.due_soon(at("2026-04-05 10:00"), cfg))[0][2] == "2026-04-08"


# ---------------------------------------------------------------- overdue


def test_overdue_the_day_after_then_weekly_four_times(org, db_session):
    prog = programme(offsets=(14,))  # due 16 March
    enrol(org.learner, prog)
    cfg = config()
    assert rules.overdue(at("2026-03-16 18:00"), cfg) == []
    periods = {}
    for day in range(17, 32):
        found = rules.overdue(at(f"2026-03-{day:02d} 10:00"), cfg)
        periods[day] = found[0].period if found else None
    assert periods[17] == periods[23] == "2026-03-16/w0"
    assert periods[24] == periods[30] == "2026-03-16/w1"
    assert periods[31] == "2026-03-16/w2"
    assert rules.overdue(at("2026-04-07 10:00"), cfg)[0].period == "2026-03-16/w3"
    assert rules.overdue(at("2026-04-14 10:00"), cfg) == []  # four reminders were enough
    assert "was due on Monday 16 March 2026" in rules.overdue(at("2026-03-17 10:00"), cfg)[0] \
        .message


def test_overdue_stops_once_the_work_is_sent_in(org, db_session):
    prog = programme(offsets=(14,))
    enrol(org.learner, prog)
    sub = submission(org.learner, prog.checkpoints[0], "draft")
    assert rules.overdue(at("2026-03-18 10:00"), config())
    sub.state = "submitted"
    db_session.flush()
    assert rules.overdue(at("2026-03-18 10:00"), config()) == []


# ---------------------------------------------------------------- changes requested


def test_changes_requested_after_n_days_once_per_round(org, db_session):
    prog = programme()
    enrol(org.learner, prog)
    sub = submission(org.learner, prog.checkpoints[0], "changes_requested",
                     changed=at("2026-03-05 10:00"))
    cfg = config(changes_requested_days=7)
    assert rules.changes_requested(at("2026-03-12 09:59"), cfg) == []
    nudges = rules.changes_requested(at("2026-03-12 10:00"), cfg)
    assert _keys(nudges) == [(org.learner.id, f"submission:{sub.id}", "v1")]
    assert "7 days ago" in nudges[0].message
    sub.version_count, sub.state_changed_at = 2, at("2026-03-20 10:00")  # a second round
    db_session.flush()
    assert rules.changes_requested(at("2026-03-27 10:00"), cfg)[0].period == "v2"
    sub.state = "submitted"
    db_session.flush()
    assert rules.changes_requested(at("2026-04-27 10:00"), cfg) == []


# ---------------------------------------------------------------- theme released


def test_theme_released_reaches_its_audience_once_per_theme_and_month(org, db_session):
    release = dt.date(2026, 4, 1)
    programme("Coaching for managers", theme="Coaching", audience="managers",
              release_date=release)
    programme("Being coached", theme="Coaching", audience="everyone", release_date=release)
    cfg = config()
    assert rules.theme_released(at("2026-03-31 10:00"), cfg) == []  # not released yet
    nudges = rules.theme_released(at("2026-04-01 10:00"), cfg)
    by_person = {n.person_id: n for n in nudges}
    everyone = {o.id for o in (org.md, org.skip, org.line, org.learner, org.unrelated,
                               org.other_learner, org.ld, org.admin)}
    assert set(by_person) == everyone  # one nudge each, however many programmes
    assert {n.subject for n in nudges} == {"theme:coaching"}
    assert {n.period for n in nudges} == {"2026-04"}
    assert by_person[org.line.id].context["titles"] == ["Coaching for managers", "Being coached"]
    assert by_person[org.learner.id].context["titles"] == ["Being coached"]
    assert by_person[org.learner.id].link == "/catalogue?theme=Coaching"
    assert len(rules.theme_released(at("2026-04-07 10:00"), cfg)) == len(everyone)
    assert rules.theme_released(at("2026-04-08 10:00"), cfg) == []  # old news


def test_a_managers_only_theme_is_not_sent_to_everyone(org, db_session):
    programme("Budgets", theme="Finance", audience="managers", release_date=dt.date(2026, 5, 1))
    nudges = rules.theme_released(at("2026-05-01 10:00"), config())
    assert {n.person_id for n in nudges} == {org.md.id, org.skip.id, org.line.id,
                                             org.unrelated.id}


def test_the_same_theme_next_month_is_news_again_and_drafts_are_not(org, db_session):
    programme("April", theme="Coaching", release_date=dt.date(2026, 4, 1))
    programme("May", theme="Coaching", release_date=dt.date(2026, 5, 1))
    programme("Draft", theme="Drafts", release_date=dt.date(2026, 5, 1), status="draft")
    programme("Closed", theme="Closed", release_date=dt.date(2026, 5, 1),
              open_in_catalogue=False)
    may = rules.theme_released(at("2026-05-02 10:00"), config())
    assert {(n.subject, n.period) for n in may} == {("theme:coaching", "2026-05")}


# ---------------------------------------------------------------- approver digest


def test_digest_on_the_working_day_before_the_usual_one_to_one(org, db_session):
    submitted(org.learner)  # pending for Lin, the line manager
    create_series(org.line, org.learner, Schedule(weekday=3, start_time=dt.time(10)),
                  dt.date(2026, 3, 1))  # Thursdays
    cfg = config(digest_weekday=0)
    wednesday, thursday = at("2026-03-04 10:00"), at("2026-03-05 10:00")
    nudges = rules.approver_digest(wednesday, cfg)
    assert _keys(nudges) == [(org.line.id, "queue", "2026-03-04")]
    assert nudges[0].context["count"] == 1
    assert nudges[0].context["groups"][0]["name"] == "Lea Learner"
    assert nudges[0].link == "/approvals"
    assert rules.approver_digest(thursday, cfg) == []
    assert rules.approver_digest(at("2026-03-02 10:00"), cfg) == []  # not the default Monday


def test_monday_one_to_ones_mean_a_friday_digest(org, db_session):
    submitted(org.learner)
    create_series(org.line, org.learner, Schedule(weekday=0, start_time=dt.time(9)),
                  dt.date(2026, 3, 1))
    assert rules.approver_digest(at("2026-03-06 10:00"), config())  # Friday
    assert rules.approver_digest(at("2026-03-08 10:00"), config()) == []  # Sunday


def test_approvers_without_series_get_the_default_weekday(org, db_session):
    submitted(org.learner)
    cfg = config(digest_weekday=1)  # Tuesday
    assert _keys(rules.approver_digest(at("2026-03-03 10:00"), cfg)) == [
        (org.line.id, "queue", "2026-03-03")]
    assert rules.approver_digest(at("2026-03-04 10:00"), cfg) == []


def test_no_digest_without_pending_work(org, db_session):
    create_series(org.line, org.learner, Schedule(weekday=3, start_time=dt.time(10)),
                  dt.date(2026, 3, 1))
    assert rules.approver_digest(at("2026-03-04 10:00"), config()) == []


def test_digest_weekdays_take_the_most_common_series_day(org, db_session, make_person):
    extra = [make_person(f"Report {n}", manager=org.line) for n in range(2)]
    create_series(org.line, org.learner, Schedule(weekday=1, start_time=dt.time(9)),
                  dt.date(2026, 3, 1))
    for person in extra:
        create_series(org.line, person, Schedule(weekday=4, start_time=dt.time(9)),
                      dt.date(2026, 3, 1))
    assert rules.digest_weekdays(config())[org.line.id] == 3  # Fridays: Thursday digest
