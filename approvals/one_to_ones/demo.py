"""Demo one-to-ones (``flask demo seed``, after the portfolios): every demo manager meets each
direct report weekly. Past weeks are held, with shared notes, talking points and actions, and
the checkpoints decided in them (through ``approvals.operations.decide``, so they are real
decisions); this week's meeting is still to come, with talking points and pending items."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from approvals import operations as approval_ops
from approvals import routing
from approvals.models import ApprovalStep
from approvals.one_to_ones import operations as ops
from approvals.one_to_ones import queries, schedule
from approvals.one_to_ones.models import Series
from checkpoints.models import Checkpoint, Programme
from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person
from rubrics.scoring import Answer, Assessment

HISTORY_WEEKS = 2
#: the demo team whose checkpoints are decided in their one-to-ones (portfolios seeds them)
WARD_MANAGER = "tom.williams@northfield.example"
NOTES = [
    "Went through the week on the ward. {first} is settling into the new rota; we agreed to "
    "look at the handover time again next week.",
    "Talked about the falls audit results and how {first} could present them at the huddle.",
    "Caught up on training: {first} has the study day booked and will share the slides.",
    "Reviewed workload after two short-staffed nights. Agreed {first} takes the next "
    "teaching session, not the roster.",
]
POINTS_REPORT = ["Study leave for the mentorship course", "Rota swap in December",
                 "Feedback on my last checkpoint", "Shadowing the discharge coordinator"]
POINTS_MANAGER = ["Recognition for the audit work", "Next checkpoint and its due date",
                  "How the new starters are getting on", "Appraisal preparation"]
ACTIONS = ["Book the study day", "Send the audit summary to the team", "Update the rota request",
           "Read the escalation policy changes"]
FEEDBACK = ("Discussed in our one-to-one: a clear account of what you did and why, and an "
            "honest reflection on what you would change next time. Well done.")


def _assessment(step: ApprovalStep) -> Assessment:
    version = approval_ops.rubric_version_of(step)
    if version is None:
        return Assessment({}, FEEDBACK)
    answers = {}
    for criterion in version.criteria:
        levels = version.levels_for(criterion)
        level = levels[-1]
        answers[criterion.id] = Answer(level.id, f"{level.name}: seen in the evidence and "
                                                 "talked through together.")
    return Assessment(answers, FEEDBACK)


def _decide_in(meeting: Any, series: Series) -> int:
    """Decide the report's oldest waiting checkpoint in ``meeting`` (if two or more wait, so
    that something is left for this week's agenda); dated as in the meeting."""
    steps = queries.pending_for(series.manager_id, series.report_id)
    if len(steps) < 2:
        return 0
    step = steps[0]
    if not routing.may_decide(series.manager, step.learner, step.approver):
        return 0
    when = meeting.starts_at + dt.timedelta(minutes=15)
    before = meeting.starts_at - dt.timedelta(days=3)
    # The demo's submissions were all made today: move this one to before the meeting.
    step.version.submitted_at = before
    step.submission.submitted_at = before
    step.created_at = before
    db.session.flush()
    decision = approval_ops.decide(
        step, series.manager, approval_ops.DecisionInput(
            "approved", _assessment(step), meeting_id=meeting.id,
            review_started_at=when - dt.timedelta(minutes=10)),
        seen_lock=step.lock_version, seen_version_id=step.version_id)
    decision.decided_at = when
    step.submission.state_changed_at = when
    db.session.flush()
    return 1


REFLECTION = ("## What I did\n\nI put the session into practice on the ward this week and "
              "asked a colleague to watch and give feedback.\n\n## What I learned\n\nSlowing "
              "down at the start saved time later. Next time I will agree the plan with the "
              "patient first.")


def _open_checkpoints(person: Person) -> Iterator[Checkpoint]:
    """Summative checkpoints ``person`` has not started: in their programmes first, then in
    open electives they join for the demo."""
    from checkpoints import queries as checkpoint_queries
    from checkpoints.enrolling import self_enrol
    from portfolios.operations import find_submission

    def fresh(programme: Programme) -> Iterator[Checkpoint]:
        for checkpoint in programme.checkpoints:
            if checkpoint.is_summative and find_submission(person, checkpoint) is None:
                yield checkpoint

    joined = set()
    for enrolment in checkpoint_queries.my_programmes(person):
        joined.add(enrolment.programme_id)
        if enrolment.status == "active":
            yield from fresh(enrolment.programme)
    for programme in db.session.scalars(
            select(Programme).where(Programme.status == "published",
                                    Programme.open_in_catalogue.is_(True),
                                    Programme.kind == "elective",
                                    checkpoint_queries.released_clause())
            .order_by(Programme.id)):
        if programme.id in joined or not any(c.is_summative for c in programme.checkpoints):
            continue
        self_enrol(person, programme)
        yield from fresh(programme)


def _top_up(person: Person, want: int) -> int:
    """Submit summative checkpoints until ``want`` of ``person``'s wait for a decision (the
    portfolios demo leaves most people one or none)."""
    from portfolios import operations as portfolio_ops
    from portfolios import samples

    waiting = db.session.scalar(select(func.count()).select_from(ApprovalStep).where(
        ApprovalStep.learner_id == person.id, ApprovalStep.status == "pending")) or 0
    added = 0
    for checkpoint in _open_checkpoints(person):
        if waiting + added >= want:
            break
        kinds = checkpoint.allowed_kinds
        submission = portfolio_ops.start_submission(person, checkpoint)
        if "reflection" in kinds:
            portfolio_ops.save_reflection(person, checkpoint, REFLECTION)
        for n in range(max(1, checkpoint.min_evidence or 1)):
            if len(portfolio_ops.working_set(submission)) >= max(1, checkpoint.min_evidence):
                break
            if "link" in kinds:
                portfolio_ops.add_link(person, checkpoint,
                                       f"https://intranet.northfield.example/learning/{n}",
                                       "Guidance I followed")
            elif "file" in kinds:
                portfolio_ops.add_file(person, checkpoint, io.BytesIO(samples.pdf(
                    f"{checkpoint.title}: evidence", title=checkpoint.title)),
                    f"evidence-{n}.pdf", label="Evidence from the ward")
        if portfolio_ops.requirements_problems(submission):
            continue
        portfolio_ops.submit(submission, person, expected_version=submission.version_count)
        added += 1
    return added


def _history(series: Series, rng: random.Random, this_monday: dt.date) -> tuple[int, int]:
    first = series.report.name.split()[0]
    days = schedule.occurrences(series, this_monday - dt.timedelta(weeks=HISTORY_WEEKS),
                                this_monday)
    held = decided = 0
    for day in days:
        meeting = ops.materialise(series, day)
        ops.add_talking_point(meeting, series.report, rng.choice(POINTS_REPORT))
        decided += _decide_in(meeting, series)
        ops.save_shared_notes(meeting, series.manager, rng.choice(NOTES).format(first=first), 0)
        if rng.random() < 0.6:
            ops.add_action(meeting, series.manager, rng.choice([series.report, series.manager]),
                           rng.choice(ACTIONS), day + dt.timedelta(days=14))
        ops.mark_held(meeting, series.manager, carry=False)
        meeting.held_at = meeting.starts_at + dt.timedelta(minutes=series.duration_minutes)
        held += 1
    return held, decided


def seed_one_to_ones(summary: dict[str, Any]) -> None:
    if summary.get("skipped_people") or db.session.scalar(select(Series.id).limit(1)):
        return
    rng = random.Random(1101)
    today = utcnow().astimezone(schedule.zone("Europe/London")).date()
    this_monday = schedule.week_of(today)[0]
    start = this_monday - dt.timedelta(weeks=HISTORY_WEEKS)
    managers = list(db.session.scalars(
        select(Person).where(Person.active.is_(True), Person.id.in_(
            select(Person.manager_id).where(Person.active.is_(True),
                                            Person.manager_id.is_not(None))))
        .order_by(Person.depth, Person.name)))
    ward_manager = db.session.scalar(select(Person).where(Person.email_key == WARD_MANAGER))
    if ward_manager is not None:
        from people.hierarchy import everyone_under

        for person in everyone_under(ward_manager):
            _top_up(person, 2 + HISTORY_WEEKS)
    series_count = held = decided = 0
    for n, manager in enumerate(managers):
        weekday = n % 5
        created, _skipped = ops.create_for_all_reports(
            manager, ops.Schedule(weekday, dt.time(9, 0), "Europe/London", 1, 30), start,
            30) if _fits(manager) else ops.create_for_all_reports(
            manager, ops.Schedule(weekday, dt.time(8, 0), "Europe/London", 1, 15), start, 15)
        for series in created:
            series_count += 1
            h, d = _history(series, rng, this_monday)
            held, decided = held + h, decided + d
            current = schedule.next_occurrence(series, this_monday, inclusive=True)
            if current is not None:
                meeting = ops.materialise(series, current)
                ops.add_talking_point(meeting, series.report, rng.choice(POINTS_REPORT))
                ops.add_talking_point(meeting, series.manager, rng.choice(POINTS_MANAGER))
    summary["one_to_ones"] = series_count
    summary["report"] = (summary.get("report", "") + f"\nDemo one-to-ones: {series_count} "
                         f"weekly series, {held} held meetings with notes, {decided} decisions "
                         "made in them; this week's agendas are ready.").lstrip("\n")


def _fits(manager: Person) -> bool:
    """Thirty-minute slots from 09:00 fit in the day for up to 28 reports."""
    from people.queries import report_counts

    return report_counts([manager.id]).get(manager.id, 0) <= 28
