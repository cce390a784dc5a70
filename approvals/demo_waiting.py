"""Demo: work waiting for a decision was sent in over the past weeks, not all on the seed day
(``flask demo seed``, order 52: after the portfolios, the one-to-ones and the spot-checks).

The earlier seeders submit and decide through the real operations, so every item still waiting
was opened "now": the approver digest would say "waiting since <seed day>" for each. This moves
the history of every submission with a waiting step back in time, keeping it in order:

- a waiting item the seed made was sent in one to three weeks ago, during working hours and
  mostly on working days, but never so long ago that its escalation deadline
  (``ESCALATION_WORKING_DAYS``, 10 working days: two weeks) has already passed: in a real
  organisation an item that old would have been escalated already, so with the default the
  waiting items are one to two weeks old, and a resubmission's first round (sent in, changes
  asked for, sent in again) reaches back to three weeks;
- earlier events the same seed made (the first version, the decision asking for changes, a
  level-1 approval before a level-2 step) are spaced before it: days between a submission and
  its decision, days between changes asked for and the resubmission;
- events other seeders already dated (the one-to-ones decide in their meetings) stay where they
  are, and the waiting step starts when they happened; its deadline, if those dates put it in
  the past, moves to the next working day (the demo never starts with a wave of escalations);
- nothing moves before the learner's enrolment or the programme's release (the enrolment moves
  back with the work when a seeder enrolled the learner "now").

Rows touched: submission, version, step (created, closed, deadline), decision, the spot-check
sampling record and check of each moved decision, the approver's "waiting for your decision"
notification, the enrolment if needed. Evidence keeps its times (submitted evidence is frozen,
and its times are shown nowhere) and so does the audit trail (append-only).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from flask import current_app
from sqlalchemy import select

from approvals.models import ApprovalStep, Decision
from approvals.spot_checks.models import SpotCheck, SpotCheckSampling
from approvals.workdays import add_working_days
from checkpoints.models import Enrolment
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from clearance.notifications import Notification
from clearance.urls import local_path
from portfolios.models import Submission, SubmissionVersion

#: rows newer than this were made by the seed that is running
SEED_WINDOW = dt.timedelta(hours=6)
#: a waiting item the seed made was sent in between these many days ago
NEWEST_DAYS, OLDEST_DAYS = 7, 21
DAY = dt.timedelta(days=1)


def _days(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(days=rng.uniform(low, high))


def _working_hours(at: dt.datetime, rng: random.Random) -> dt.datetime:
    """The same day, at a time between 08:00 and 17:30 UTC."""
    return at.replace(hour=8, minute=0, second=0, microsecond=0) + dt.timedelta(
        minutes=rng.randrange(0, 570))


class _Spreader:
    def __init__(self, now: dt.datetime, rng: random.Random) -> None:
        self.now, self.rng = now, rng
        self.fresh_after = now - SEED_WINDOW
        self.days = int(current_app.config["ESCALATION_WORKING_DAYS"])

    def fresh(self, at: dt.datetime | None) -> bool:
        return at is not None and as_utc(at) >= self.fresh_after

    def deadline(self, start: dt.datetime) -> dt.datetime:
        """The step's escalation deadline; never in the past (the next working day then)."""
        due = add_working_days(start, self.days)
        return due if due > self.now else add_working_days(self.now, 1)

    def waiting_since(self, not_before: dt.datetime) -> dt.datetime:
        """When a waiting item was sent in: NEWEST..OLDEST days ago, after ``not_before``, with
        its escalation deadline at least a day ahead."""
        rng, now = self.rng, self.now
        newest = now - NEWEST_DAYS * DAY
        oldest = max(now - OLDEST_DAYS * DAY, not_before)
        while oldest < newest and add_working_days(oldest, self.days) < now + DAY:
            oldest += dt.timedelta(hours=6)
        if oldest >= newest:  # a short deadline, or a late release: as old as it can be
            return min(max(oldest, not_before), now - dt.timedelta(hours=1))
        for _ in range(20):  # mostly on working days (ward staff send work in at weekends too)
            at = _working_hours(oldest + (newest - oldest) * rng.random(), rng)
            if oldest <= at <= newest and (at.weekday() < 5 or rng.random() < 0.15):
                return at
        return oldest

    # ------------------------------------------------------------ one submission

    def spread(self, submission: Submission, waiting: list[ApprovalStep]) -> bool:
        versions = list(db.session.scalars(
            select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id)
            .order_by(SubmissionVersion.number)))
        decisions: dict[int, list[Decision]] = defaultdict(list)
        for decision in db.session.scalars(
                select(Decision).where(Decision.submission_id == submission.id)
                .order_by(Decision.level, Decision.id)):
            decisions[decision.version_id].append(decision)
        # every event in order: (time, what) with what a version (sent in) or a decision
        events: list[tuple[dt.datetime, Any]] = []
        for version in versions:
            events.append((as_utc(version.submitted_at), version))
            events.extend((as_utc(d.decided_at), d) for d in decisions[version.id])
        if not events or not all(self.fresh(s.created_at) for s in waiting):
            return False
        times = self._times(submission, events)
        for (was, what), at in zip(events, times, strict=True):
            if at != was:
                self._move(what, at)
            elif isinstance(what, Decision):  # dated by another seeder: its step closed then
                step = db.session.get(ApprovalStep, what.step_id)
                if self.fresh(step.closed_at):
                    step.closed_at = at
        since = times[-1]
        for step in waiting:
            step.created_at = since
            step.escalate_at = self.deadline(since)
            self._notice(step)
        self._dates(submission, versions, times)
        return True

    def _times(self, submission: Submission, events: list[tuple[dt.datetime, Any]]
               ) -> list[dt.datetime]:
        """New times for the events the seed made (runs of them between events already
        dated), working back from the next dated event or, for the last run, from when the
        waiting item was sent in."""
        times = [at for at, _ in events]
        last = len(events) - 1
        i = last
        while i >= 0:
            if not self.fresh(times[i]):
                i -= 1
                continue
            end = i
            while i >= 0 and self.fresh(times[i]):
                i -= 1
            floor = times[i] if i >= 0 else self._not_before(submission)
            if end == last:  # the seed made the latest event: the waiting item's start
                times[end] = self.waiting_since(floor + DAY)
                ceiling, movable = times[end], range(i + 1, end)
            else:
                ceiling, movable = times[end + 1], range(i + 1, end + 1)
            for n in reversed(movable):
                gap = _days(self.rng, 1, 5) if isinstance(events[n][1], SubmissionVersion) \
                    else _days(self.rng, 1, 4)  # to its decision; to the next step
                times[n] = _working_hours(times[n + 1] - gap, self.rng)
            if movable and times[movable[0]] <= floor:  # squeezed: spread them evenly
                step = (ceiling - floor) / (len(movable) + 1)
                for k, n in enumerate(movable, start=1):
                    times[n] = floor + step * k
        return times

    def _not_before(self, submission: Submission) -> dt.datetime:
        release = submission.checkpoint.programme.release_date
        if release is None:
            return self.now - 365 * DAY
        return dt.datetime.combine(release, dt.time(9), tzinfo=dt.UTC)

    def _move(self, what: Any, at: dt.datetime) -> None:
        if isinstance(what, SubmissionVersion):
            what.submitted_at = at
            for step in db.session.scalars(select(ApprovalStep).where(
                    ApprovalStep.version_id == what.id, ApprovalStep.level == 1)):
                step.created_at, step.escalate_at = at, self.deadline(at)
            return
        decision: Decision = what
        opened = as_utc(decision.review_started_at)
        if opened is not None:
            decision.review_started_at = at - (as_utc(decision.decided_at) - opened)
        decision.decided_at = at
        step = db.session.get(ApprovalStep, decision.step_id)
        step.closed_at = at
        version = db.session.get(SubmissionVersion, decision.version_id)
        if version.outcome_at is not None and self.fresh(version.outcome_at):
            version.outcome_at = at
        for later in db.session.scalars(select(ApprovalStep).where(
                ApprovalStep.version_id == decision.version_id,
                ApprovalStep.level == decision.level + 1)):
            later.created_at, later.escalate_at = at, self.deadline(at)
        for sampling in db.session.scalars(select(SpotCheckSampling).where(
                SpotCheckSampling.decision_id == decision.id)):
            sampling.decided_at = at
            sampling.hours_to_decision = max(
                0.0, (at - as_utc(step.created_at)).total_seconds() / 3600)
        for check in db.session.scalars(select(SpotCheck).where(
                SpotCheck.decision_id == decision.id)):
            check.decided_at = at
            if self.fresh(check.created_at):
                check.created_at = at

    def _notice(self, step: ApprovalStep) -> None:
        link = local_path("approvals.review", step_id=step.id)
        for note in db.session.scalars(select(Notification).where(
                Notification.kind == "approval.waiting", Notification.link == link)):
            if self.fresh(note.created_at):
                note.created_at = step.created_at

    def _dates(self, submission: Submission, versions: list[SubmissionVersion],
               times: list[dt.datetime]) -> None:
        """The submission's own dates and, if needed, its enrolment."""
        first, last = min(times), max(times)
        submission.submitted_at = as_utc(versions[-1].submitted_at)
        submission.state_changed_at = last
        if self.fresh(submission.created_at) or as_utc(submission.created_at) > first:
            submission.created_at = _working_hours(first - _days(self.rng, 1, 6), self.rng)
        started = as_utc(submission.created_at)
        enrolment = db.session.scalar(select(Enrolment).where(
            Enrolment.person_id == submission.person_id,
            Enrolment.programme_id == submission.checkpoint.programme_id))
        if enrolment is not None and as_utc(enrolment.enrolled_at) > started:
            enrolment.enrolled_at = started - _days(self.rng, 1, 7)


def spread_waiting(summary: dict[str, Any]) -> None:
    if summary.get("skipped_people"):
        return
    spreader = _Spreader(utcnow(), random.Random(2311))
    waiting: dict[int, list[ApprovalStep]] = defaultdict(list)
    for step in db.session.scalars(select(ApprovalStep).where(ApprovalStep.status == "pending")
                                   .order_by(ApprovalStep.id)):
        waiting[step.submission_id].append(step)
    moved = 0
    for submission_id, steps in waiting.items():
        moved += spreader.spread(db.session.get(Submission, submission_id), steps)
    db.session.flush()
    if moved:
        summary["report"] = (summary.get("report", "") + f"\nWaiting for a decision: {moved} "
                             "items, sent in over the last three weeks (each still inside its "
                             "escalation deadline).").lstrip("\n")
