"""Concurrent org-chart changes on a fresh database with real commits: two moves that would
each be fine alone must not together make a loop or leave stale paths."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from clearance.audit import verify_chain
from clearance.database import commit, rollback, write_intent
from clearance.extensions import db
from people.models import Person
from people.operations import PeopleError, create_person, update_person
from tests.fresh_db import dispose, fresh_database
from tests.people.tree import adjacency, expected_paths

ROUNDS = 6


@pytest.fixture()
def fresh_app(db_url, tmp_path) -> Iterator[Flask]:
    with fresh_database(db_url, tmp_path, "orgconc") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                upgrade()
            yield app
        finally:
            dispose(app)


def _build(app: Flask, tag: str) -> dict[str, int]:
    """root -> a1 -> a2 -> a3 and root -> b1 -> b2 -> b3."""
    ids: dict[str, int] = {}
    with app.app_context(), write_intent(True):
        root = create_person(employee_id=f"{tag}-root", name="Root", email=f"{tag}.root@x.org")
        for branch in "ab":
            boss = root
            for n in (1, 2, 3):
                boss = create_person(employee_id=f"{tag}-{branch}{n}", name=f"{branch}{n}",
                                     email=f"{tag}.{branch}{n}@x.org", manager=boss)
                ids[f"{branch}{n}"] = boss.id
        ids["root"] = root.id
        commit()
    return ids


def _race(app: Flask, moves: list[tuple[int, int]]) -> list[str]:
    """Each thread loads its two people, waits for the others (PostgreSQL only: on SQLite the
    first writer holds the database until it commits), then moves and commits."""
    outcomes: list[str] = []
    ready = threading.Barrier(len(moves))
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")

    def run(mover_id: int, target_id: int) -> None:
        with app.app_context(), write_intent(True):
            try:
                mover = db.session.get(Person, mover_id)
                target = db.session.get(Person, target_id)
                assert mover is not None and target is not None
                _ = (mover.path, target.path)
                if postgres:
                    ready.wait(timeout=30)
                update_person(mover, manager=target)
                commit()
                outcomes.append("moved")
            except PeopleError:
                rollback()
                outcomes.append("refused")
            except Exception as exc:
                rollback()
                outcomes.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=move) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _assert_consistent(app: Flask) -> None:
    with app.app_context():
        managers = adjacency(db.session)
        stored = {pid: (path, depth) for pid, path, depth in
                  db.session.execute(select(Person.id, Person.path, Person.depth)).all()}
        assert verify_chain().ok
        db.session.remove()
    expected = expected_paths(managers)  # fails on a loop
    assert stored == expected


def test_crossing_moves_never_make_a_loop(fresh_app):
    for n in range(ROUNDS):
        ids = _build(fresh_app, f"x{n}")
        # a1 under b3 and b1 under a3: either alone is fine, both together make a loop
        outcomes = _race(fresh_app, [(ids["a1"], ids["b3"]), (ids["b1"], ids["a3"])])
        assert sorted(outcomes) == ["moved", "refused"], outcomes
        _assert_consistent(fresh_app)


def test_moving_into_a_subtree_that_is_moving(fresh_app):
    for n in range(ROUNDS):
        ids = _build(fresh_app, f"y{n}")
        # a3 goes under b2 while b1 (above b2) goes under a1: a3's new path must use b2's
        # new path, whichever commits first
        outcomes = _race(fresh_app, [(ids["a3"], ids["b2"]), (ids["b1"], ids["a1"])])
        assert outcomes == ["moved", "moved"], outcomes
        _assert_consistent(fresh_app)
