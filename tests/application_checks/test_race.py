"""Exactly once under concurrency, with real commits on a fresh database: two browsers of the
line manager answer the same check at the same moment, and two tabs of the learner send the
same pulse. One wins, the other gets 409; one row and one audit event each."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from clearance.audit import AuditEvent
from clearance.extensions import db
from engagement.application.models import ApplicationCheck
from engagement.pulse.models import PulseAnswered, PulseResponse
from tests.conftest import TEST_PASSWORD
from tests.fresh_db import seeded_app

ROUNDS = 12
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture()
def race_app(db_url, tmp_path) -> Iterator[tuple[Flask, dict]]:
    with seeded_app(db_url, tmp_path, "appracetest", _scenario) as made:
        yield made


def _scenario() -> dict:
    from clearance.passwords import hash_password
    from people.operations import create_person
    from tests.application_checks.helpers import approved

    hashed = hash_password(TEST_PASSWORD)
    top = create_person(employee_id="A0", name="Top Person", email="top@example.org",
                        password_hash=hashed, roles={"ld"})
    manager = create_person(employee_id="A1", name="Rae Manager", email="rae@example.org",
                            manager=top, password_hash=hashed)
    learner = create_person(employee_id="A2", name="Rio Learner", email="rio@example.org",
                            manager=manager, password_hash=hashed)
    checks, decisions = [], []
    for n in range(ROUNDS):
        submission = approved(learner, title=f"Checkpoint {n}")
        check = db.session.scalar(select(ApplicationCheck)
                                  .where(ApplicationCheck.submission_id == submission.id))
        check.due_on = dt.date.today() - dt.timedelta(days=1)
        checks.append(check.id)
        decisions.append(check.decision_id)
    db.session.flush()
    return {"manager": manager.email, "learner": learner.email, "checks": checks,
            "decisions": decisions}


def _client(app: Flask, email: str, page: str):
    client = app.test_client()
    token = TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    assert client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD,
                                         "csrf_token": token}).status_code == 302
    return client, TOKEN.search(client.get(page).get_data(as_text=True)).group(1)


def _race(clients, urls, data) -> list[tuple[int, int]]:
    statuses, failures = [], []
    for url in urls:
        barrier = threading.Barrier(2)
        results = [0, 0]

        def post(i: int, url=url, barrier=barrier, results=results) -> None:
            client, token = clients[i]
            barrier.wait()
            try:
                results[i] = client.post(url, data={**data[i], "csrf_token": token}).status_code
            except Exception as exc:  # reported below
                failures.append(repr(exc))

        threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses.append((results[0], results[1]))
    assert failures == []
    return statuses


def _events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_two_simultaneous_answers_record_exactly_one(race_app):
    app, info = race_app
    clients = [_client(app, info["manager"], "/application-checks") for _ in range(2)]
    statuses = _race(clients, [f"/application-checks/{c}" for c in info["checks"]],
                     [{"answer": "yes"}, {"answer": "not_yet", "note": "Second browser"}])
    assert [sorted(s) for s in statuses] == [[302, 409]] * ROUNDS
    with app.app_context():
        answered = db.session.scalar(select(func.count()).select_from(ApplicationCheck)
                                     .where(ApplicationCheck.answered_at.is_not(None)))
        assert answered == ROUNDS and _events("application_check.answered") == ROUNDS
        db.session.remove()


def test_two_simultaneous_pulses_record_exactly_one(race_app):
    app, info = race_app
    clients = [_client(app, info["learner"], "/") for _ in range(2)]
    answer = {"activities": ["feedback"], "usefulness": "4", "feedback_helped": "5"}
    statuses = _race(clients, [f"/pulse/decisions/{d}" for d in info["decisions"]],
                     [answer, {**answer, "usefulness": "1"}])
    assert [sorted(s) for s in statuses] == [[302, 409]] * ROUNDS
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PulseAnswered)) == ROUNDS
        assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == ROUNDS
        assert _events("pulse.answered") == ROUNDS
        db.session.remove()
