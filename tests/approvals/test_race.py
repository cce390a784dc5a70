"""Exactly once: two managers' browsers deciding the same step at the same moment.

Real commits on a fresh database (SQLite file with several workers, or a PostgreSQL schema):
each round, two threads POST a decision for one step; exactly one decision and one
``approval.decided`` audit event per round, the loser gets 409, never a 500 or "database is
locked"."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from approvals.models import ApprovalStep, Decision
from clearance.audit import AuditEvent
from clearance.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.fresh_db import seeded_app

ROUNDS = 200


@pytest.fixture()
def race_app(db_url, tmp_path) -> Iterator[tuple[Flask, dict]]:
    with seeded_app(db_url, tmp_path, "racetest", lambda: _scenario(ROUNDS)) as made:
        yield made


def _scenario(rounds: int) -> dict:
    from clearance.passwords import hash_password
    from people.operations import create_person
    from portfolios import operations as portfolio_ops
    from tests.approvals.factories import full_assessment
    from tests.portfolios import factories as pf
    from tests.rubrics.helpers import make_rubric

    hashed = hash_password(TEST_PASSWORD)
    top = create_person(employee_id="R0", name="Top Person", email="top@example.org",
                        password_hash=hashed, roles={"ld"})
    manager = create_person(employee_id="R1", name="Rae Manager", email="rae@example.org",
                            manager=top, password_hash=hashed)
    learner = create_person(employee_id="R2", name="Rio Learner", email="rio@example.org",
                            manager=manager, password_hash=hashed)
    version = make_rubric(title="Race rubric", pin=True)
    prog = pf.programme(title="Race programme")
    pf.enrol(learner, prog)
    steps = []
    for n in range(rounds):
        cp = pf.checkpoint(prog, title=f"Checkpoint {n}", position=n,
                           rubric_version_id=version.id)
        submission = portfolio_ops.start_submission(learner, cp)
        portfolio_ops.save_reflection(learner, cp, f"Reflection {n}")
        portfolio_ops.submit(submission, learner, expected_version=0)
        step = db.session.scalars(select(ApprovalStep).where(
            ApprovalStep.submission_id == submission.id)).one()
        steps.append((step.id, step.lock_version, step.version_id))
    form = full_assessment(db.session.get(ApprovalStep, steps[0][0]))
    return {"manager_email": manager.email, "steps": steps, "form": form}


def _signed_in_client(app: Flask, email: str):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302
    page = client.get("/approvals").get_data(as_text=True)
    return client, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_two_simultaneous_decisions_record_exactly_one(race_app):
    app, info = race_app
    clients = [_signed_in_client(app, info["manager_email"]) for _ in range(2)]
    statuses: list[tuple[int, int]] = []
    failures: list[str] = []
    for n, (step_id, lock, version_id) in enumerate(info["steps"]):
        outcomes = ("approved", "approved") if n % 2 == 0 else ("approved", "changes_requested")
        barrier = threading.Barrier(2)
        results: list[int] = [0, 0]

        def decide(i: int, n=n, step_id=step_id, lock=lock, version_id=version_id,
                   outcomes=outcomes, barrier=barrier, results=results) -> None:
            client, token = clients[i]
            form = dict(info["form"])
            # the form's criterion fields are the same rubric version for every step
            data = {**form, "outcome": outcomes[i], "csrf_token": token, "lock": str(lock),
                    "version": str(version_id)}
            if outcomes[i] == "changes_requested":
                data["feedback"] = data["feedback"] + " Please add the escalation plan."
            barrier.wait()
            try:
                results[i] = client.post(f"/approvals/steps/{step_id}/decide",
                                         data=data).status_code
            except Exception as exc:  # reported below, never swallowed
                failures.append(f"round {n}: {exc!r}")

        threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses.append((results[0], results[1]))
    assert failures == []
    bad = [(n, s) for n, s in enumerate(statuses) if sorted(s) != [302, 409]]
    assert bad == [], f"rounds without exactly one winner and one 409: {bad[:10]}"
    with app.app_context():
        decisions = db.session.scalar(select(func.count()).select_from(Decision))
        per_step = db.session.execute(
            select(Decision.step_id, func.count()).group_by(Decision.step_id)
            .having(func.count() > 1)).all()
        events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "approval.decided"))
        db.session.remove()
    assert decisions == ROUNDS and per_step == [] and events == ROUNDS
