"""The nudge rules: given ``now``, who should be told what. Reads only; :mod:`delivery` writes.

Every rule returns :class:`~engagement.nudges.delivery.Nudge` values whose (person, subject,
period) names one occurrence, so the ledger can tell "already sent" from "due": a due date,
a week of being overdue, a round of changes, a theme's month, a digest day. Each rule's window
is wider than one hourly run, so a nudge held back by quiet hours is still due at the next run.
Dates are local dates in ``NUDGE_TIMEZONE``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from approvals import queries as approval_queries
from approvals.models import ApprovalStep
from approvals.one_to_ones.models import Series
from approvals.one_to_ones.schedule import previous_working_day
from checkpoints import queries as checkpoint_queries
from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from clearance.urls import local_path
from engagement.nudges.broadcast import Broadcast
from engagement.nudges.config import NudgeConfig
from engagement.nudges.delivery import Nudge
from engagement.nudges.models import (
    APPROVER_DIGEST,
    CHANGES_REQUESTED,
    DUE_SOON,
    OVERDUE,
    THEME_RELEASED,
)
from people.delegation import Delegation, open_clause
from people.models import Person
from portfolios.models import Submission

#: overdue reminders: the first day after the due date, then weekly, this many in all
OVERDUE_REMINDERS = 4
#: a theme released this many days ago or less is still news (room for quiet hours, outages)
THEME_NEWS_DAYS = 7
#: submission states in which the learner still has to send the checkpoint in
NOT_SENT = ("draft", "withdrawn", "reopened")


def long_date(value: dt.date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


# ---------------------------------------------------------------- due soon and overdue


def open_checkpoints_stmt(today: dt.date) -> Any:
    """Every checkpoint with a due offset that an active learner, in an active enrolment of a
    released, published programme, has not sent in yet: plain columns, for
    :func:`with_due_dates`. Callers narrow it (a horizon, the learners of some managers)."""
    sub = aliased(Submission)
    return (
        select(Enrolment.id, Enrolment.person_id, Enrolment.enrolled_at,
               Programme.id.label("programme_id"), Programme.title.label("programme_title"),
               Programme.release_date, Checkpoint.id.label("checkpoint_id"),
               Checkpoint.title.label("checkpoint_title"), Checkpoint.due_offset_days)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .join(Checkpoint, Checkpoint.programme_id == Programme.id)
        .join(Person, Person.id == Enrolment.person_id)
        .outerjoin(sub, and_(sub.checkpoint_id == Checkpoint.id,
                             sub.person_id == Enrolment.person_id))
        .where(Enrolment.status == "active", Person.active.is_(True),
               Programme.status == "published", Checkpoint.due_offset_days.is_not(None),
               or_(Programme.release_date.is_(None), Programme.release_date <= today),
               or_(sub.id.is_(None), sub.state.in_(NOT_SENT)))
        .order_by(Enrolment.id, Checkpoint.position, Checkpoint.id))


def with_due_dates(rows: list[Any]) -> list[tuple[Any, dt.date]]:
    """(row, due date) for rows of :func:`open_checkpoints_stmt`; due dates come from
    ``checkpoints.queries.due_date`` like everywhere else."""
    out = []
    for row in rows:
        enrolment = SimpleNamespace(enrolled_at=row.enrolled_at,
                                    programme=SimpleNamespace(release_date=row.release_date))
        due = checkpoint_queries.due_date(
            enrolment, SimpleNamespace(due_offset_days=row.due_offset_days))  # type: ignore[arg-type]
        if due is not None:
            out.append((row, due))
    return out


def _open_checkpoints(cfg: NudgeConfig, today: dt.date) -> list[tuple[Any, dt.date]]:
    """(row, due date) for every open checkpoint recent enough to be due soon or within its
    overdue reminders. One query."""
    longest = db.session.scalar(select(func.max(Checkpoint.due_offset_days))) or 0
    horizon = today - dt.timedelta(days=longest + 7 * OVERDUE_REMINDERS + 2)
    since = dt.datetime.combine(horizon, dt.time(), tzinfo=dt.UTC)
    return with_due_dates(_rows(open_checkpoints_stmt(today).where(
        or_(Enrolment.enrolled_at >= since, Programme.release_date >= horizon))))


def _work_link(checkpoint_id: int) -> str:
    return local_path("portfolios.work", checkpoint_id=checkpoint_id)


def due_soon(now: dt.datetime, cfg: NudgeConfig) -> list[Nudge]:
    """A checkpoint due within ``NUDGE_DUE_SOON_DAYS`` (today included) and not sent in:
    once per checkpoint and due date."""
    if cfg.due_soon_days <= 0:
        return []
    today = cfg.today(now)
    out = []
    for row, due in _open_checkpoints(cfg, today):
        days = (due - today).days
        if not 0 <= days <= cfg.due_soon_days:
            continue
        when = "today" if days == 0 else ("tomorrow" if days == 1 else f"on {long_date(due)}")
        out.append(Nudge(
            row.person_id, DUE_SOON, f"checkpoint:{row.checkpoint_id}", due.isoformat(),
            f"“{row.checkpoint_title}” ({row.programme_title}) is due {when}.",
            _work_link(row.checkpoint_id),
            {"checkpoint_title": row.checkpoint_title, "programme_title": row.programme_title,
             "due": long_date(due), "days": days},
            mail_subject=f"Due {when}: “{row.checkpoint_title}”"))
    return out


def overdue(now: dt.datetime, cfg: NudgeConfig) -> list[Nudge]:
    """A checkpoint past its due date and not sent in: the first day after, then once a week,
    ``OVERDUE_REMINDERS`` times in all (the period is the due date and the week number)."""
    today = cfg.today(now)
    out = []
    for row, due in _open_checkpoints(cfg, today):
        late = (today - due).days
        if late < 1:
            continue
        week = (late - 1) // 7
        if week >= OVERDUE_REMINDERS:
            continue
        out.append(Nudge(
            row.person_id, OVERDUE, f"checkpoint:{row.checkpoint_id}",
            f"{due.isoformat()}/w{week}",
            f"“{row.checkpoint_title}” ({row.programme_title}) was due on {long_date(due)}.",
            _work_link(row.checkpoint_id),
            {"checkpoint_title": row.checkpoint_title, "programme_title": row.programme_title,
             "due": long_date(due), "days_late": late, "reminder": week + 1,
             "reminders": OVERDUE_REMINDERS},
            mail_subject=f"Overdue: “{row.checkpoint_title}”"))
    return out


# ---------------------------------------------------------------- changes requested


def changes_requested(now: dt.datetime, cfg: NudgeConfig) -> list[Nudge]:
    """Changes asked for at least ``NUDGE_CHANGES_REQUESTED_DAYS`` ago and not resubmitted:
    once per round (the period is the version that was sent back)."""
    cutoff = now - dt.timedelta(days=cfg.changes_requested_days)
    rows = _rows(
        select(Submission.id, Submission.person_id, Submission.version_count,
               Submission.state_changed_at, Checkpoint.id.label("checkpoint_id"),
               Checkpoint.title.label("checkpoint_title"),
               Programme.title.label("programme_title"))
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .join(Programme, Programme.id == Checkpoint.programme_id)
        .join(Enrolment, and_(Enrolment.programme_id == Programme.id,
                              Enrolment.person_id == Submission.person_id))
        .join(Person, Person.id == Submission.person_id)
        .where(Submission.state == "changes_requested", Submission.state_changed_at <= cutoff,
               Enrolment.status == "active", Person.active.is_(True),
               Programme.status == "published")
        .order_by(Submission.id))
    today = cfg.today(now)
    out = []
    for row in rows:
        asked = cfg.local(row.state_changed_at if row.state_changed_at.tzinfo
                          else row.state_changed_at.replace(tzinfo=dt.UTC)).date()
        out.append(Nudge(
            row.person_id, CHANGES_REQUESTED, f"submission:{row.id}", f"v{row.version_count}",
            f"Changes to “{row.checkpoint_title}” were asked for {(today - asked).days} days "
            "ago and are still waiting for you.",
            _work_link(row.checkpoint_id),
            {"checkpoint_title": row.checkpoint_title, "programme_title": row.programme_title,
             "asked": long_date(asked)},
            mail_subject=f"Changes waiting for you: “{row.checkpoint_title}”"))
    return out


# ---------------------------------------------------------------- monthly theme released


def _theme_subject(programme: Any) -> str:
    theme = (programme.theme or "").strip().lower()
    return f"theme:{theme}"[:120] if theme else f"programme:{programme.id}"


def theme_broadcasts(now: dt.datetime, cfg: NudgeConfig) -> list[Broadcast]:
    """A programme's release date arrived (in the last ``THEME_NEWS_DAYS`` days): tell its
    audience, once per theme and month. Managers hear of the managers' and everyone's
    programmes, everyone else of everyone's: two broadcasts per theme, each one message for
    many people. The audience is read set-based (one query per audience, however many
    people)."""
    today = cfg.today(now)
    programmes = _scalars(
        select(Programme).where(Programme.status == "published",
                                Programme.open_in_catalogue.is_(True),
                                Programme.release_date.is_not(None),
                                Programme.release_date <= today,
                                Programme.release_date > today - dt.timedelta(
                                    days=THEME_NEWS_DAYS))
        .order_by(Programme.release_date, Programme.id))
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for programme in programmes:
        groups[(_theme_subject(programme), f"{programme.release_date:%Y-%m}")].append(programme)
    if not groups:
        return []
    report = aliased(Person)
    managers = set(_scalars(select(Person.id).where(
        Person.active.is_(True),
        select(report.id).where(report.manager_id == Person.id, report.active.is_(True))
        .exists())))
    everyone = list(_scalars(select(Person.id).where(Person.active.is_(True))
                               .order_by(Person.id)))
    audiences = ([pid for pid in everyone if pid in managers],
                 [pid for pid in everyone if pid not in managers])
    out = []
    for (subject, month), progs in groups.items():
        theme = progs[0].theme or progs[0].title
        link = local_path("checkpoints.catalogue", theme=progs[0].theme) if progs[0].theme \
            else local_path("checkpoints.programme", programme_id=progs[0].id)
        for_managers = [p.title for p in progs]
        for_all = [p.title for p in progs if p.audience != "managers"]
        for titles, people in zip((for_managers, for_all), audiences, strict=True):
            if not titles or not people:
                continue
            out.append(Broadcast(
                THEME_RELEASED, subject, month,
                f"New this month: {theme}. " + "; ".join(f"“{t}”" for t in titles[:3])
                + (f" and {len(titles) - 3} more." if len(titles) > 3 else "."),
                link, people, {"theme": theme, "titles": titles},
                mail_subject=f"New this month: {theme}"))
    return out


def theme_released(now: dt.datetime, cfg: NudgeConfig) -> list[Nudge]:
    """:func:`theme_broadcasts` one nudge per person (the hourly run delivers the broadcasts
    set-based, :mod:`engagement.nudges.broadcast`)."""
    return [nudge for broadcast in theme_broadcasts(now, cfg) for nudge in broadcast.nudges()]


# ---------------------------------------------------------------- approver digest


def digest_weekdays(cfg: NudgeConfig) -> dict[int, int]:
    """Approver id -> digest weekday: the working day before their usual one-to-one weekday
    (the weekday most of their active series meet on; the earliest on a tie)."""
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    for manager_id, weekday, n in _rows(
            select(Series.manager_id, Series.weekday, func.count())
            .where(Series.status == "active").group_by(Series.manager_id, Series.weekday)):
        counts[manager_id][weekday] += n
    out = {}
    for manager_id, by_day in counts.items():
        usual = sorted(by_day.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        # any date with that weekday: its previous working day's weekday
        probe = dt.date(2024, 1, 1) + dt.timedelta(days=usual)  # 2024-01-01 was a Monday
        out[manager_id] = previous_working_day(probe).weekday()
    return out


def approver_digest(now: dt.datetime, cfg: NudgeConfig) -> list[Nudge]:
    """Approvers with work waiting for their decision, weekly on their digest day (the day
    before their usual one-to-one day; ``NUDGE_DIGEST_DEFAULT_WEEKDAY`` without series)."""
    today = cfg.today(now)
    pending_for = select(ApprovalStep.approver_id).where(ApprovalStep.status == "pending")
    approvers = set(_scalars(pending_for.distinct()))
    approvers.update(_scalars(select(Delegation.delegate_id).where(
        open_clause(now), Delegation.person_id.in_(pending_for))))
    if not approvers:
        return []
    days = digest_weekdays(cfg)
    wanted = sorted(pid for pid in approvers
                    if days.get(pid, cfg.digest_weekday) == today.weekday())
    active = set(_scalars(select(Person.id).where(Person.id.in_(wanted),
                                                    Person.active.is_(True)))) if wanted else set()
    out = []
    for person_id in wanted:
        if person_id not in active:
            continue
        groups = approval_queries.queue_items(person_id, now)
        count = sum(len(g.steps) for g in groups)
        if not count:
            continue
        out.append(Nudge(
            person_id, APPROVER_DIGEST, "queue", today.isoformat(),
            f"{count} item{'s' if count != 1 else ''} from {len(groups)} "
            f"{'people' if len(groups) != 1 else 'person'} "
            f"{'wait' if count != 1 else 'waits'} for your decision.",
            local_path("approvals.queue"),
            {"groups": [{"name": g.learner_name,
                         "items": [{"title": s.checkpoint_title, "level": s.level,
                                    "since": long_date(cfg.local(_aware(s.created_at)).date())}
                                   for s in g.steps]} for g in groups],
             "count": count}))
    return out


def _rows(stmt: Any) -> list[Any]:
    return list(db.session.execute(stmt))


def _scalars(stmt: Any) -> list[Any]:
    return list(db.session.scalars(stmt))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


RULES = {DUE_SOON: due_soon, OVERDUE: overdue, CHANGES_REQUESTED: changes_requested,
         THEME_RELEASED: theme_released, APPROVER_DIGEST: approver_digest}
