"""Migration a1c3e5f7b9d2: ``nudge_delivery.outbox_message_id`` goes on (existing ledger rows kept,
pointing at nothing) and comes off again, on SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from clearance.extensions import db
from tests.fresh_db import dispose, fresh_database

REVISION, PREVIOUS = "a1c3e5f7b9d2", "e8f07738bcd9"


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("nudge_delivery")}


def _ledger() -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT person_id, kind, subject, period FROM nudge_delivery ORDER BY id"))]


def test_up_and_down_keep_the_ledger(db_url, tmp_path):
    with fresh_database(db_url, tmp_path, "migout") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                upgrade(revision=PREVIOUS)
                assert "outbox_message_id" not in _columns()
                now = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
                with db.engine.begin() as conn:
                    person = conn.execute(text(
                        "INSERT INTO person (employee_id, name, email, email_key, job_title, "
                        "unit, active, session_version, path, depth, created_at, updated_at) "
                        "VALUES ('M1', 'Mia', 'mia@example.org', 'mia@example.org', '', '', "
                        ":t, 1, '/1/', 0, :now, :now) RETURNING id"),
                        {"t": True, "now": now}).scalar_one()
                    conn.execute(text(
                        "INSERT INTO nudge_delivery (person_id, kind, subject, period, "
                        "created_at, mail_pending) VALUES (:p, 'due_soon', 'checkpoint:1', "
                        "'2026-03-16', :now, :f)"), {"p": person, "now": now, "f": False})
                before = _ledger()

                upgrade(revision=REVISION)
                assert "outbox_message_id" in _columns()
                assert _ledger() == before
                indexes = {i["name"] for i in inspect(db.engine).get_indexes("nudge_delivery")}
                assert "ix_nudge_delivery_outbox_message_id" in indexes
                keys = inspect(db.engine).get_foreign_keys("nudge_delivery")
                link = [k for k in keys if k["constrained_columns"] == ["outbox_message_id"]]
                assert link and link[0]["referred_table"] == "outbox_message"
                with db.engine.begin() as conn:
                    mail = conn.execute(text(
                        "INSERT INTO outbox_message (created_at, to_address, subject, "
                        "body_text, status, attempts) VALUES (:now, 'mia@example.org', 'Due', "
                        "'Due soon', 'queued', 0) RETURNING id"), {"now": now}).scalar_one()
                    conn.execute(text("UPDATE nudge_delivery SET outbox_message_id = :m"),
                                 {"m": mail})
                with db.engine.connect() as conn:
                    assert conn.execute(text(
                        "SELECT outbox_message_id FROM nudge_delivery")).scalar_one() == mail

                downgrade(revision=PREVIOUS)
                assert "outbox_message_id" not in _columns()
                assert _ledger() == before
                upgrade()
                assert "outbox_message_id" in _columns()
                assert _ledger() == before
        finally:
            dispose(app)
