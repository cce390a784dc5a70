"""The demo seed gives Sam Taylor and Tom Williams's team submissions in every state."""

from __future__ import annotations

import time

from sqlalchemy import select

from clearance.extensions import db
from people.demo import seed_people
from portfolios import demo
from portfolios.models import STATES, Evidence, Submission
from tests.portfolios import factories as f


def test_demo_submissions_cover_every_state(db_session):
    summary = {"password": "clearance-demo"}
    seed_people(summary)
    programmes = []
    for n, audience in enumerate(("everyone", "everyone", "managers")):
        prog = f.programme(f"Series {n}", audience=audience)
        for position in range(1, 6):
            f.checkpoint(prog, f"Checkpoint {n}.{position}", position=position,
                         kind="formative" if position == 5 else "summative",
                         allowed_evidence="file,reflection,link", min_evidence=2)
        programmes.append(prog)
    sam = demo._by_email(demo.LEARNER)
    tom = demo._by_email(demo.MANAGER)
    from people.hierarchy import everyone_under

    for person in everyone_under(tom):
        f.enrol(person, programmes[0], source="assigned")
    started = time.perf_counter()
    demo.seed_submissions(summary)
    elapsed = time.perf_counter() - started
    sam_states = set(db.session.scalars(select(Submission.state)
                                        .where(Submission.person_id == sam.id)))
    assert sam_states == set(STATES)
    assert summary["submissions"] > 20
    kinds = set(db.session.scalars(select(Evidence.kind)))
    assert kinds == {"file", "reflection", "link"}
    assert elapsed < 20
    # a second run adds nothing
    before = db.session.scalar(select(db.func.count()).select_from(Submission))
    demo.seed_submissions(summary)
    assert db.session.scalar(select(db.func.count()).select_from(Submission)) == before
