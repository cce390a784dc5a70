"""Builders for programme tests (a published rubric version, a programme with checkpoints)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from checkpoints import operations as ops
from checkpoints.models import Programme
from clearance.database import utcnow
from clearance.extensions import db
from rubrics.models import Rubric, RubricVersion


def rubric_version(title: str = "Reflective practice", *, status: str = "published",
                   rubric_status: str = "published") -> RubricVersion:
    rubric = Rubric(title=title, status=rubric_status)
    version = RubricVersion(rubric=rubric, number=1, status=status,
                            published_at=utcnow() if status == "published" else None)
    db.session.add_all([rubric, version])
    db.session.flush()
    return version


def programme(author: Any = None, *, title: str = "Clinical handover", publish: bool = True,
              release_date: dt.date | None = None, kind: str = "elective",
              audience: str = "everyone", theme: str = "Clinical skills",
              open_in_catalogue: bool = True, checkpoints: int = 1,
              summary: str = "Safer handovers.") -> Programme:
    prog = ops.create_programme(author=author, title=title, summary=summary, theme=theme,
                                audience=audience, release_date=release_date, kind=kind,
                                open_in_catalogue=open_in_catalogue)
    for n in range(checkpoints):
        ops.add_checkpoint(prog, ops.CheckpointFields(title=f"Step {n + 1}", kind="formative",
                                                      guidance="Do the thing."))
    if publish:
        ops.publish_programme(prog)
    return prog
