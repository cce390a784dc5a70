"""Append-only, hash-chained audit trail.

Each row stores ``hash = sha256(prev_hash + canonical row)``. Writers serialise on the chain head
(PostgreSQL: a transaction-level advisory lock; SQLite: the single writer that ``BEGIN IMMEDIATE``
guarantees), and ``prev_hash`` is unique, so concurrent workers can never fork the chain.

Once a transaction has taken the lock and written a row, nobody else can write until it ends,
so the head is remembered while that transaction is the connection's innermost one (one lock
and one read per transaction, not per event; see :func:`_remember_head`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.database import as_utc, utcnow, write_intent
from clearance.extensions import db

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x0C1EA2A1  # any constant; names the audit chain head


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    # People are deactivated, never deleted, so the actor reference never has to change.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    acting_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def canonical(self) -> bytes:
        return canonical_bytes(
            occurred_at=as_utc(self.occurred_at),
            actor_id=self.actor_id,
            acting_role=self.acting_role,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            before=self.before,
            after=self.after,
            reason=self.reason,
            ip=self.ip,
        )


def canonical_bytes(**fields: Any) -> bytes:
    occurred = fields.pop("occurred_at")
    fields["occurred_at"] = occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


#: connection.info key: (the innermost transaction that wrote the head, the head's hash)
_HEAD_KEY = "clearance_audit_head"


def _innermost(conn: Any) -> Any:
    return conn.get_nested_transaction() or conn.get_transaction()


def _lock_chain_head() -> str:
    session = db.session
    conn = session.connection()
    held = conn.info.get(_HEAD_KEY)
    if held is not None and held[0] is _innermost(conn):
        return str(held[1])
    if conn.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last or GENESIS


def _remember_head(head: str) -> None:
    """The transaction (or savepoint) that wrote ``head`` holds the lock until it ends: while
    it is the innermost one, ``head`` is the chain's head. Once it ends (commit, rollback, a
    savepoint released or rolled back) or a savepoint opens inside it, the head is read
    again."""
    conn = db.session.connection()
    conn.info[_HEAD_KEY] = (_innermost(conn), head)


def _default_actor() -> tuple[int | None, str | None]:
    """The signed-in person and the request's acting role (None: their primary role, looked
    up only when an event needs it)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, getattr(g, "acting_role", None)
    return None, getattr(g, "acting_role", None) or "system"


def _client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


@dataclass
class PendingEvent:
    action: str
    object_type: str | None = None
    object_id: str | int | None = None
    before: Any = None
    after: Any = None
    reason: str | None = None
    actor_id: int | None = None
    acting_role: str | None = None
    use_default_actor: bool = True


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    actor_id: int | None = None,
    acting_role: str | None = None,
) -> AuditEvent:
    """Add one event to the chain in the current transaction (flushes, never commits)."""
    return record_many(
        [
            PendingEvent(
                action=action,
                object_type=object_type or (obj.__tablename__ if obj is not None else None),
                object_id=object_id if object_id is not None else getattr(obj, "id", None),
                before=before,
                after=after,
                reason=reason,
                actor_id=actor_id,
                acting_role=acting_role,
                use_default_actor=actor_id is None,
            )
        ]
    )[0]


def record_many(events: list[PendingEvent]) -> list[AuditEvent]:
    """Append several events in order (bulk operations such as an org import)."""
    if not events:
        return []
    prev = _lock_chain_head()
    default_actor, default_role = _default_actor()
    ip = _client_ip()
    now = utcnow()
    rows = []
    for ev in events:
        actor = default_actor if ev.use_default_actor else ev.actor_id
        if not ev.acting_role and default_role is None:
            default_role = current_user.primary_role()
        role = ev.acting_role or default_role
        row = AuditEvent(
            occurred_at=now,
            actor_id=actor,
            acting_role=role,
            action=ev.action,
            object_type=ev.object_type,
            object_id=None if ev.object_id is None else str(ev.object_id),
            before=ev.before,
            after=ev.after,
            reason=ev.reason,
            ip=ip,
            prev_hash=prev,
        )
        row.hash = chain_hash(prev, row.canonical())
        prev = row.hash
        rows.append(row)
    db.session.add_all(rows)
    db.session.flush()
    _remember_head(prev)
    return rows


# ---- events that must survive a rolled-back request (refusals, failed sign-ins) ----


def record_after_rollback(action: str, **kwargs: Any) -> None:
    """Queue an event that is written even though the request's work is rolled back."""
    if not has_request_context():
        record(action, **kwargs)
        return
    actor, role = _default_actor()
    if role is None:
        role = current_user.primary_role()
    kwargs.setdefault("actor_id", actor)
    kwargs.setdefault("acting_role", role)
    g.setdefault("audit_after_rollback", []).append((action, kwargs))


def flush_after_rollback_events() -> None:
    """Write the queued events in a transaction of their own (called by the lifecycle)."""
    pending = g.pop("audit_after_rollback", None)
    if not pending:
        return
    from clearance.database import commit

    with write_intent(True):
        for action, kwargs in pending:
            record(action, **kwargs)
        commit()


# ---- verification ----


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def iter_chain(batch: int = 2000) -> Iterator[AuditEvent]:
    """Every event in id order, read afresh from the database as detached copies (an event
    already loaded in the session could otherwise hide what is stored now)."""
    table = AuditEvent.__table__
    last_id = 0
    while True:
        rows = db.session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield AuditEvent(**row._mapping)
        last_id = rows[-1].id


def verify_chain() -> VerifyResult:
    """Walk the chain in order; name the first row whose link or content does not check."""
    expected_prev = GENESIS
    count = 0
    for row in iter_chain():
        count += 1
        if row.prev_hash != expected_prev:
            return VerifyResult(count, row.id, "prev_hash does not match the previous row's hash "
                                "(a row was removed, reordered or inserted)")
        if chain_hash(row.prev_hash, row.canonical()) != row.hash:
            return VerifyResult(count, row.id, "content does not match its hash (row was edited)")
        expected_prev = row.hash
    return VerifyResult(count)
