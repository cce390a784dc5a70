"""Concurrent writers on a fresh database with real commits: the audit chain never forks and
SQLite never answers "database is locked" to a read-then-write."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, request
from flask_migrate import upgrade
from sqlalchemy import func, select

from clearance import audit
from clearance.access import PUBLIC, rule
from clearance.audit import AuditEvent, verify_chain
from clearance.database import commit, rollback, write_intent
from clearance.extensions import db
from tests.conftest import csrf_token
from tests.fresh_db import dispose, fresh_database

THREADS = 8
PER_THREAD = 25


@pytest.fixture()
def fresh_app(db_url, tmp_path) -> Iterator[Flask]:
    with fresh_database(db_url, tmp_path, "conctest") as fresh:
        app = fresh.app(tmp_path, LOGIN_RATE_LIMIT="100000 per minute")

        @app.route("/test/bump/<int:person_id>", methods=["POST"])
        @rule(PUBLIC)
        def bump(person_id: int) -> Any:
            """Read-then-write through the request lifecycle (one commit per request)."""
            from people.models import Person
            from people.operations import update_person

            person = db.session.get(Person, person_id)
            update_person(person, job_title=str(int(person.job_title) + 1),
                          reason=request.form.get("reason"))
            return "ok"

        try:
            with app.app_context():
                upgrade()
                from people.operations import create_person

                with write_intent(True):
                    create_person(employee_id="C1", name="Con Current",
                                  email="con.current@example.org", job_title="0")
                    commit()
            yield app
        finally:
            dispose(app)


def _run_threads(work: Callable[[int], None], threads: int = THREADS) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # collected and reported by the test
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not any(worker.is_alive() for worker in workers), "a writer hung"
    return errors


def _assert_chain_intact(app: Flask, expected_events: int | range) -> None:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(AuditEvent))
        distinct_prev = db.session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash))))
        result = verify_chain()
        db.session.remove()
    if isinstance(expected_events, range):
        assert total in expected_events
    else:
        assert total == expected_events
    assert distinct_prev == total, "two events share a predecessor: the chain forked"
    assert result.ok, (result.broken_id, result.problem)
    assert result.checked == total


def _event_count(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AuditEvent))
        db.session.remove()
    return int(count or 0)


def test_concurrent_requests_keep_one_chain(fresh_app):
    """Failed sign-ins: each request reads the person, then appends an event, then commits."""
    before = _event_count(fresh_app)
    statuses: list[int] = []

    def work(n: int) -> None:
        client = fresh_app.test_client()
        token = csrf_token(client, "/sign-in")
        for i in range(PER_THREAD):
            response = client.post("/sign-in", data={
                "email": "con.current@example.org", "password": f"wrong {n} {i}",
                "csrf_token": token})
            statuses.append(response.status_code)

    errors = _run_threads(work)
    assert errors == []
    assert statuses == [200] * (THREADS * PER_THREAD)
    _assert_chain_intact(fresh_app, before + THREADS * PER_THREAD)


def test_concurrent_operations_keep_one_chain(fresh_app):
    """The job/CLI unit of work: app context, write intent, operation, commit."""
    before = _event_count(fresh_app)

    def work(n: int) -> None:
        for i in range(PER_THREAD):
            with fresh_app.app_context(), write_intent(True):
                try:
                    audit.record("test.concurrent", object_type="thread", object_id=n,
                                 after={"i": i})
                    commit()
                except BaseException:
                    rollback()
                    raise

    errors = _run_threads(work)
    assert errors == [], [repr(e) for e in errors[:3]]
    _assert_chain_intact(fresh_app, before + THREADS * PER_THREAD)


def test_concurrent_read_then_write_on_one_row(fresh_app):
    """Several requests read and update the same person: none fails with "database is locked";
    on SQLite (one writer at a time from BEGIN IMMEDIATE) no update is lost either."""
    with fresh_app.app_context():
        from people.models import Person

        person_id = db.session.scalar(select(Person.id).where(Person.employee_id == "C1"))
        db.session.remove()
    before = _event_count(fresh_app)
    statuses: list[int] = []
    fresh_app.config["WTF_CSRF_ENABLED"] = False
    rounds = 10

    def work(n: int) -> None:
        client = fresh_app.test_client()
        for i in range(rounds):
            response = client.post(f"/test/bump/{person_id}", data={"reason": f"{n}/{i}"})
            statuses.append(response.status_code)

    errors = _run_threads(work)
    assert errors == [], [repr(e) for e in errors[:3]]
    assert statuses == [200] * (THREADS * rounds)
    with fresh_app.app_context():
        from people.models import Person

        final = int(db.session.get(Person, person_id).job_title)
        dialect = db.engine.dialect.name
        db.session.remove()
    if dialect == "sqlite":
        assert final == THREADS * rounds
        _assert_chain_intact(fresh_app, before + THREADS * rounds)
    else:
        # PostgreSQL runs the requests side by side: each computed its value from what it read
        # before taking the org-chart lock, so some updates change nothing (and record nothing).
        assert 1 <= final <= THREADS * rounds
        _assert_chain_intact(fresh_app, range(before + final, before + THREADS * rounds + 1))
