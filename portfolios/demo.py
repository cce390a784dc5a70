"""Demo submissions (``flask demo seed``, after the programmes): realistic evidence made on the
fly, every submission state, for Sam Taylor and the people under Tom Williams.

Decisions go through a registered decider when the approvals work provides one (so its steps
and decisions agree with the submission's state); otherwise through the portfolio transitions.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from checkpoints import queries as cq
from checkpoints.models import Checkpoint, Programme
from clearance.extensions import db
from people.hierarchy import everyone_under
from people.models import Person, email_key
from portfolios import operations, samples
from portfolios.models import Submission

LEARNER = "sam.taylor@northfield.example"
MANAGER = "tom.williams@northfield.example"
#: the states Sam's checkpoints go through, in order, so the demo shows every one
SAM_PLAN = ("approved", "changes_requested", "submitted", "draft", "reopened", "withdrawn",
            "resubmitted", "approved", "submitted")
TEAM_PLAN = ("approved", "approved", "submitted", "changes_requested", "draft", "resubmitted",
             "withdrawn", None, None)

Decider = Callable[[Submission, str, Person], None]
_DECIDERS: list[Decider] = []


def register_demo_decider(fn: Decider) -> Decider:
    """``fn(submission, outcome, reviewer)`` records ``outcome`` ("approved" or
    "changes_requested") the way the approvals work does it; used by the demo seed only."""
    if fn not in _DECIDERS:
        _DECIDERS.append(fn)
    return fn


def _decide(submission: Submission, outcome: str, reviewer: Person) -> None:
    if _DECIDERS:
        _DECIDERS[-1](submission, outcome, reviewer)
        return
    if outcome == "approved":
        operations.approve(submission, by=reviewer, reason="demo: approved in a one-to-one")
    else:
        operations.request_changes(submission, by=reviewer,
                                   reason="demo: please add what you will do differently")


REFLECTIONS = [
    "## What I did\n\nI led the **morning handover** for bay C using the SBAR structure and "
    "checked every patient's NEWS2 score with the night nurse.\n\n## What happened\n\n"
    "- Two patients had a rising score that the written notes did not flag.\n"
    "- We escalated one to the outreach team *before* the ward round.\n\n"
    "## What I will do differently\n\nI will ask for the observation chart at the bedside "
    "instead of relying on the summary sheet.",
    "## Context\n\nA relative was upset that her father's discharge had been delayed twice. "
    "I used the *listen, acknowledge, act* approach from the session.\n\n## Reflection\n\n"
    "Listening first calmed the conversation. I was tempted to explain the pharmacy delay "
    "straight away, which would have sounded defensive.\n\n> Next time I will agree a time "
    "to call back and keep to it.",
    "## The task\n\nI audited ten drug charts for missed doses over one week.\n\n"
    "1. Seven charts were complete.\n2. Two had missed time-critical doses.\n"
    "3. One had an unsigned omission code.\n\nI shared the results at the team huddle and we "
    "agreed a double-check at the 14:00 round. See the "
    "[medicines policy](https://intranet.northfield.example/policies/medicines).",
    "## Coaching conversation\n\nI used GROW with a newly qualified nurse who felt "
    "overwhelmed on late shifts.\n\n**Goal:** leave on time three shifts in a row.\n\n"
    "**Options we found:** batch the 18:00 observations, hand over documentation earlier.\n\n"
    "She reached her goal in the second week. I learned to ask more and suggest less.",
]
LINKS = [
    ("https://intranet.northfield.example/learning/sbar-handover", "SBAR handover guide"),
    ("https://intranet.northfield.example/policies/escalation", "Escalation policy"),
    ("https://www.example.org/nursing/reflective-practice", "Reflective practice article"),
]


def _evidence_for(person: Person, checkpoint: Checkpoint, rng: random.Random,
                  round_: int = 1) -> None:
    kinds = checkpoint.allowed_kinds
    needed = max(1, checkpoint.min_evidence or 1)
    added = 0
    if "reflection" in kinds:
        text = rng.choice(REFLECTIONS)
        if round_ > 1:
            text += ("\n\n## After feedback\n\nMy manager asked me to be specific about what "
                     "I would change. I have added a plan with dates and will review it in our "
                     "next one-to-one.")
        operations.save_reflection(person, checkpoint, text)
        added += 1
    while added < needed or ("file" in kinds and added < 2):
        if "file" in kinds:
            choice = rng.randrange(3)
            if choice == 0:
                data = samples.pdf(f"{checkpoint.title} - evidence from {person.name}. "
                                   "Audit summary: 10 charts reviewed, 2 actions agreed.",
                                   title=checkpoint.title)
                name = f"{checkpoint.title[:40]} evidence.pdf"
            elif choice == 1:
                data = samples.png(rgb=(rng.randrange(40, 160), rng.randrange(40, 160), 145))
                name = "ward-board-photo.png"
            else:
                data = (f"Reflective log - {person.name}\n\nWeek 1: observed handover.\n"
                        "Week 2: led handover with support.\nWeek 3: led handover alone.\n"
                        ).encode()
                name = "reflective-log.txt"
            operations.add_file(person, checkpoint, io.BytesIO(data), name,
                                label="Evidence from the ward")
        elif "link" in kinds:
            url, label = rng.choice(LINKS)
            operations.add_link(person, checkpoint, f"{url}?v={added}", label)
        else:
            break
        added += 1
    if "link" in kinds and rng.random() < 0.4:
        url, label = rng.choice(LINKS)
        operations.add_link(person, checkpoint, url, label)


def _play(person: Person, checkpoint: Checkpoint, plan: str, reviewer: Person,
          ld: Person | None, rng: random.Random) -> None:
    _evidence_for(person, checkpoint, rng)
    if plan == "draft":
        return
    submission = operations.find_submission(person, checkpoint)
    assert submission is not None
    operations.submit(submission, person, expected_version=0)
    if plan == "submitted":
        return
    if plan == "withdrawn":
        operations.withdraw(submission, person, reason="demo: wants to add a photo first")
        return
    if plan in ("approved", "reopened"):
        _decide(submission, "approved", reviewer)
        if plan == "reopened" and ld is not None:
            operations.reopen(submission, by=ld,
                              reason="demo: spot-check found the evidence did not show "
                                     "the learner leading the handover")
        return
    _decide(submission, "changes_requested", reviewer)
    if plan == "resubmitted":
        old_file = next((e for e in operations.working_set(submission) if e.kind == "file"),
                        None)
        if old_file is not None:
            operations.remove_evidence(old_file)
        _evidence_for(person, checkpoint, rng, round_=2)
        operations.submit(submission, person, expected_version=submission.version_count)


def _by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email_key == email_key(email)))


def _ensure_enrolled(person: Person, minimum: int) -> None:
    """Sam needs a few programmes for the demo; enrol him in open electives if the programme
    seed did not."""
    if len(cq.my_programmes(person)) >= minimum:
        return
    try:
        from checkpoints.enrolling import self_enrol
    except ImportError:  # older layout: enrolment lived in checkpoints.operations
        from checkpoints.operations import self_enrol  # type: ignore[no-redef]

    for programme in db.session.scalars(
        select(Programme).where(Programme.status == "published",
                                Programme.open_in_catalogue.is_(True),
                                Programme.kind == "elective", cq.released_clause())
        .order_by(Programme.release_date.desc().nulls_last(), Programme.id)
    ):
        if len(cq.my_programmes(person)) >= minimum:
            return
        if programme.checkpoints:
            self_enrol(person, programme)


def seed_submissions(summary: dict[str, Any]) -> None:
    if summary.get("skipped_people"):
        return
    sam, tom = _by_email(LEARNER), _by_email(MANAGER)
    if sam is None or tom is None:
        return
    if db.session.scalar(select(Submission.id).limit(1)) is not None:
        return  # portfolios already hold work: leave them as they are
    rng = random.Random(4004)
    ld = _by_email("helen.brooks@northfield.example")
    _ensure_enrolled(sam, 2)
    count = 0
    people = [(sam, SAM_PLAN)] + [(p, TEAM_PLAN) for p in everyone_under(tom) if p.id != sam.id]
    for person, plan in people:
        steps = iter(plan if person.id == sam.id else rng.sample(plan, len(plan)))
        reviewer = person.manager or tom
        for enrolment in cq.my_programmes(person):
            for checkpoint in enrolment.programme.checkpoints:
                step = next(steps, None)
                if step is None:
                    break
                _play(person, checkpoint, step, reviewer, ld, rng)
                count += 1
    summary["submissions"] = count
    if count:
        summary["report"] = (summary.get("report", "") + f"\nDemo portfolios: {count} "
                             "checkpoint submissions in every state (Sam Taylor, Tom Williams's "
                             "team).").lstrip("\n")
