"""Two nudge runs at the same moment (two workers, or a rerun overlapping a slow run) on a fresh
database with real commits: every nudge is sent exactly once. On PostgreSQL the second
run's ledger insert waits for the first transaction and then skips; on SQLite write
transactions run one at a time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from clearance.database import commit, write_intent
from clearance.extensions import db
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from engagement.nudges import runner
from engagement.nudges.models import DUE_SOON, NudgeDelivery
from tests.concurrency import run_together
from tests.fresh_db import dispose, fresh_database
from tests.nudges.helpers import at, config

PEOPLE = 30
RUNS = 4


@pytest.fixture()
def fresh_app(db_url, tmp_path) -> Iterator[Flask]:
    with fresh_database(db_url, tmp_path, "nudgerace") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                upgrade()
                _seed()
            yield app
        finally:
            dispose(app)


def _seed() -> None:
    from people.operations import create_person
    from tests.nudges.helpers import enrol, programme

    with write_intent(True):
        boss = create_person(employee_id="B0", name="Boss", email="boss@example.org")
        prog = programme(offsets=(14,))  # enrolled 2 March: due 16 March
        for n in range(PEOPLE):
            person = create_person(employee_id=f"R{n}", name=f"Racer {n}",
                                   email=f"racer{n}@example.org", manager=boss)
            enrol(person, prog)
        commit()


def test_concurrent_runs_send_each_nudge_once(fresh_app):
    def work() -> int:
        with fresh_app.app_context():
            cfg = config()
            with write_intent(True):
                result = runner.run(at("2026-03-13 10:00"), kinds=[DUE_SOON], cfg=cfg)[0]
                commit()
        return result.sent

    sent = run_together(work, RUNS)
    assert sorted(sent, reverse=True)[0] >= 1 and sum(sent) == PEOPLE
    with fresh_app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(NudgeDelivery) == PEOPLE
        assert count(Notification) == PEOPLE
        assert count(OutboxMessage) == PEOPLE
