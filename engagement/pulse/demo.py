"""Demo pulse responses (``flask demo seed``, order 64: after the year of activity at 58).

About two in five learners answered the pulse after a decision on their work in the last
twelve months: enough for several programmes to pass ``PULSE_MIN_RESPONSES`` and a few small
ones to stay hidden. Answers lean by programme (some are more useful than others) and by
outcome (feedback asking for changes helps less often). Sam Taylor's decisions are left
unanswered so the browser test can answer one.

Set-based: one read of the decisions, two bulk inserts (who answered which decision, and the
answers without any person link, in shuffled order), one audit event for them all.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert, select

from approvals.models import Decision
from checkpoints.models import Checkpoint
from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from engagement.pulse.models import ACTIVITIES, PulseAnswered, PulseResponse
from people.models import Person, email_key
from portfolios.models import Submission

LEARNER = "sam.taylor@northfield.example"
ANSWER_RATE = 0.4


def _scale(rng: random.Random, centre: float) -> int:
    return max(1, min(5, round(rng.gauss(centre, 0.9))))


def seed_pulse(summary: dict[str, Any]) -> None:
    if summary.get("skipped_people"):
        return
    if db.session.scalar(select(PulseResponse.id).limit(1)):
        return  # seeded before
    rng = random.Random(6565)
    now = utcnow()
    since = now - dt.timedelta(days=365)
    sam = db.session.scalar(select(Person.id).where(Person.email_key == email_key(LEARNER)))
    answered = set(db.session.scalars(select(PulseAnswered.decision_id)))
    rows = db.session.execute(
        select(Decision.id, Decision.learner_id, Decision.level, Decision.outcome,
               Decision.decided_at, Checkpoint.programme_id, Checkpoint.kind)
        .join(Submission, Submission.id == Decision.submission_id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Decision.decided_at >= since).order_by(Decision.id)).all()
    lean = {pid: rng.choice((3.2, 3.6, 3.9, 4.2, 4.5)) for pid in sorted({r[5] for r in rows})}
    who: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for decision_id, learner_id, level, outcome, decided_at, programme_id, kind in rows:
        if learner_id == sam or decision_id in answered or rng.random() > ANSWER_RATE:
            continue
        when = min((as_utc(decided_at) or now) + dt.timedelta(days=rng.randint(0, 9)), now)
        centre = lean[programme_id] - (0.6 if outcome == "changes_requested" else 0)
        chosen = {a for a in ACTIVITIES if rng.random() < {"activities": 0.45,
                                                              "formative": 0.25,
                                                              "summative": 0.35,
                                                              "feedback": 0.55}[a]}
        chosen = chosen or {rng.choice(ACTIVITIES)}
        who.append({"decision_id": decision_id, "person_id": learner_id})
        answers.append({"id": f"{rng.getrandbits(128):032x}", "programme_id": programme_id,
                        "checkpoint_kind": kind, "approver_level": level,
                        "month": when.date().replace(day=1),
                        **{f"chose_{a}": a in chosen for a in ACTIVITIES},
                        "usefulness": _scale(rng, centre),
                        "feedback_helped": _scale(rng, centre - 0.2)})
    rng.shuffle(answers)  # nothing about the order links an answer to the decision list
    if who:
        db.session.execute(insert(PulseAnswered), who)
        db.session.execute(insert(PulseResponse), answers)
        db.session.flush()
    audit.record("demo.pulse_seeded", object_type="pulse_response",
                 after={"responses": len(answers)},
                 reason="demo seed: back-dated answers, one event for them all")
    summary["report"] = (summary.get("report", "") + f"\nLearner pulse: {len(answers)} "
                         "responses (stored without names).").lstrip("\n")
