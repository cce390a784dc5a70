"""Migrations go up, all the way down and up again on an empty database, and leave exactly the
schema the models describe (on SQLite, and on PostgreSQL when the suite runs there)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from clearance.extensions import db
from tests.fresh_db import dispose, fresh_database

APP_TABLES = {"person", "person_role", "audit_event", "outbox_message", "auth_token"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade(db_url, tmp_path):
    with fresh_database(db_url, tmp_path, "migtest") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                assert _tables() == set()
                upgrade()
                assert _tables() >= APP_TABLES
                assert "alembic_version" in _tables()
                downgrade(revision="base")
                assert _tables() <= {"alembic_version"}
                with db.engine.connect() as conn:
                    assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
                    if fresh.is_postgres:  # the trigger function went with the downgrade too
                        assert conn.execute(text(
                            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
                            "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
                            "AND p.proname = 'audit_event_append_only'")).scalar() == 0
                upgrade()
                assert _tables() >= APP_TABLES
                assert _differences() == []
        finally:
            dispose(app)


def test_models_and_migrations_agree(db_url, tmp_path):
    with fresh_database(db_url, tmp_path, "migtest") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                upgrade()
                differences = _differences()
                assert differences == [], (
                    "models and migrations differ; run `flask db migrate`:\n"
                    + "\n".join(map(str, differences)))
        finally:
            dispose(app)


def test_append_only_triggers_exist_after_upgrade(db_url, tmp_path):
    with fresh_database(db_url, tmp_path, "migtest") as fresh:
        app = fresh.app(tmp_path)
        try:
            with app.app_context():
                upgrade()
                with db.engine.connect() as conn:
                    if fresh.is_postgres:
                        names = set(conn.execute(text(
                            "SELECT tgname FROM pg_trigger t JOIN pg_class c "
                            "ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE c.relname = 'audit_event' AND n.nspname = current_schema() "
                            "AND NOT t.tgisinternal")).scalars())
                        assert names == {"audit_event_append_only"}
                    else:
                        names = set(conn.execute(text(
                            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = 'audit_event'")).scalars())
                        assert names == {"audit_event_no_update", "audit_event_no_delete"}
        finally:
            dispose(app)
