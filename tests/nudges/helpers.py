"""Builders for nudge tests: programmes with due dates, enrolments and submissions in a state
at a chosen time, certificates, and a fixed configuration."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from engagement.nudges.config import NudgeConfig, load_config
from engagement.nudges.models import Certificate
from portfolios.models import Submission

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """``"2026-03-02 10:00"`` as an aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def config(**changes: Any) -> NudgeConfig:
    return dataclasses.replace(load_config(), **changes)


def programme(title: str = "Leading a ward", *, checkpoints: tuple[str, ...] = ("summative",),
              offsets: tuple[int | None, ...] | None = None, **kw: Any) -> Programme:
    fields = {"summary": "A programme.", "theme": "Leadership", "audience": "everyone",
              "kind": "elective", "open_in_catalogue": True, "status": "published", **kw}
    prog = Programme(title=title, **fields)
    db.session.add(prog)
    db.session.flush()
    offsets = offsets or tuple(14 * (n + 1) for n in range(len(checkpoints)))
    for n, (kind, offset) in enumerate(zip(checkpoints, offsets, strict=True), start=1):
        db.session.add(Checkpoint(programme_id=prog.id, position=n, title=f"{title} step {n}",
                                  guidance="Do it.", kind=kind, due_offset_days=offset,
                                  min_evidence=1, allowed_evidence="reflection"))
    db.session.flush()
    db.session.refresh(prog)
    return prog


def enrol(person: Any, prog: Programme, *, on: dt.datetime | None = None,
          status: str = "active") -> Enrolment:
    row = Enrolment(person_id=person.id, programme_id=prog.id, source="self", status=status,
                    enrolled_at=on or at("2026-03-02 09:00"))
    db.session.add(row)
    db.session.flush()
    return row


def submission(person: Any, checkpoint: Checkpoint, state: str, *,
               changed: dt.datetime | None = None, versions: int = 1) -> Submission:
    row = Submission(person_id=person.id, checkpoint_id=checkpoint.id, state=state,
                     version_count=versions if state != "draft" else 0,
                     state_changed_at=changed or at("2026-03-02 09:00"))
    db.session.add(row)
    db.session.flush()
    return row


def certificate_for(person: Any, *, title: str = "Safe handover") -> Certificate:
    """A completed one-checkpoint programme and its certificate (no recognition sent)."""
    from engagement.nudges import completion

    prog = programme(title, checkpoints=("formative",))
    enrolment = enrol(person, prog)
    submission(person, prog.checkpoints[0], "submitted")
    now = at("2026-03-20 10:00")
    return completion.complete(enrolment, now, now=now, recognise=False)
