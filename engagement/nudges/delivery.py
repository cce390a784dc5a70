"""Delivering nudges exactly once: choices, quiet hours, the ledger, then the app and e-mail.

For every nudge a rule says is due, :func:`deliver`:

1. drops it when the person switched that kind off in both channels (``opted_out``);
2. leaves it for a later run while the person is in their quiet hours (``deferred``: nothing
   is written, so the next run outside quiet hours finds it due again and sends it);
3. inserts its ledger row first (``INSERT ... ON CONFLICT DO NOTHING RETURNING``): only the
   rows this run inserted are sent. A rerun, or a second worker racing this one, inserts
   nothing for a nudge already delivered (PostgreSQL makes the second insert wait for the
   first transaction and then skip; SQLite runs write transactions one at a time);
4. writes the in-app notification and queues the e-mail (sent by the outbox after commit),
   with a one-click unsubscribe link for that kind in the body and in the headers.

At most ``NUDGE_MAX_PER_RUN`` of one kind go out per run (``over_limit`` waits for the next).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Integer, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clearance.extensions import db
from clearance.mail import OutboxMessage, queue_mail
from clearance.notifications import notify
from clearance.urls import absolute_url
from engagement.nudges import tokens
from engagement.nudges.config import NudgeConfig
from engagement.nudges.models import KIND_LABELS, RECOGNITION, NudgeDelivery
from engagement.nudges.preferences import DEFAULT, Channels, QuietPlan, channels_by_person
from people.models import Person

_CHUNK = 200


@dataclass
class Nudge:
    """One nudge a rule says is due now."""

    person_id: int
    kind: str
    subject: str
    period: str
    #: the in-app message (and the e-mail's subject line unless ``mail_subject`` is set)
    message: str
    #: a local path the notification and the e-mail point to
    link: str
    context: dict[str, Any] = field(default_factory=dict)
    #: the e-mail's subject line: short, what to do first (default: the message)
    mail_subject: str = ""

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.person_id, self.subject, self.period)


@dataclass
class RuleResult:
    kind: str
    due: int = 0
    sent: int = 0
    deferred: int = 0
    opted_out: int = 0
    already: int = 0
    over_limit: int = 0

    def line(self) -> str:
        return (f"{self.kind}: {self.due} due, {self.sent} sent, {self.already} already sent, "
                f"{self.deferred} deferred (quiet hours), {self.opted_out} opted out, "
                f"{self.over_limit} left for the next run")


def _insert() -> Any:
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def existing_keys(kind: str, subjects: Iterable[str]) -> set[tuple[int, str, str]]:
    """Ledger keys already written for ``kind`` and these subjects."""
    subjects = sorted(set(subjects))
    found: set[tuple[int, str, str]] = set()
    for start in range(0, len(subjects), 500):
        chunk = subjects[start:start + 500]
        found.update(tuple(row) for row in db.session.execute(
            select(NudgeDelivery.person_id, NudgeDelivery.subject, NudgeDelivery.period)
            .where(NudgeDelivery.kind == kind, NudgeDelivery.subject.in_(chunk))))
    return found


def claim_ids(rows: list[dict[str, Any]]) -> dict[tuple[int, str, str], int]:
    """Insert ledger rows; returns the key and ledger id of each row this call inserted (the
    ones to send)."""
    table = NudgeDelivery.__table__
    insert = _insert()
    won: dict[tuple[int, str, str], int] = {}
    for start in range(0, len(rows), _CHUNK):
        stmt = (insert(table).values(rows[start:start + _CHUNK])
                .on_conflict_do_nothing(index_elements=["person_id", "kind", "subject", "period"])
                .returning(table.c.id, table.c.person_id, table.c.subject, table.c.period))
        won.update({(pid, subject, period): rid
                    for rid, pid, subject, period in db.session.execute(stmt)})
    return won


def claim(rows: list[dict[str, Any]]) -> set[tuple[int, str, str]]:
    """Insert ledger rows; returns the keys this call inserted (the ones to send)."""
    return set(claim_ids(rows))


def link_outbox(links: list[tuple[int, int]]) -> None:
    """Record which outbox e-mail each delivery produced, from (ledger id, outbox id) pairs:
    one ``UPDATE ... FROM unnest(...)`` on PostgreSQL, one executemany UPDATE on SQLite."""
    if not links:
        return
    table = NudgeDelivery.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        pairs = select(
            func.unnest(bindparam("ledger_ids", [d for d, _ in links], type_=ARRAY(Integer)))
            .label("ledger_id"),
            func.unnest(bindparam("outbox_ids", [o for _, o in links], type_=ARRAY(Integer)))
            .label("outbox_id")).subquery()
        db.session.execute(update(table).where(table.c.id == pairs.c.ledger_id)
                           .values(outbox_message_id=pairs.c.outbox_id))
        return
    db.session.execute(
        update(table).where(table.c.id == bindparam("ledger_id"))
        .values(outbox_message_id=bindparam("outbox_id")),
        [{"ledger_id": ledger_id, "outbox_id": outbox_id} for ledger_id, outbox_id in links])


def deliver(kind: str, nudges: list[Nudge], now: dt.datetime, cfg: NudgeConfig, *,
            plan: QuietPlan | None = None, dry_run: bool = False) -> RuleResult:
    result = RuleResult(kind, due=len(nudges))
    if not nudges:
        return result
    plan = plan or QuietPlan(cfg)
    chosen = channels_by_person(kind)
    done = existing_keys(kind, (n.subject for n in nudges))
    todo: list[tuple[Nudge, Channels]] = []
    for nudge in sorted(nudges, key=lambda n: n.key):
        channels = chosen.get(nudge.person_id, DEFAULT)
        if nudge.key in done:
            result.already += 1
        elif not channels.any:
            result.opted_out += 1
        elif plan.is_quiet(nudge.person_id, now):
            result.deferred += 1
        else:
            todo.append((nudge, channels))
    result.over_limit = max(0, len(todo) - cfg.max_per_run)
    todo = todo[:cfg.max_per_run]
    if dry_run:
        result.sent = len(todo)  # what a real run would send now
        return result
    if not todo:
        return result
    won = claim_ids([{"person_id": n.person_id, "kind": kind, "subject": n.subject,
                  "period": n.period, "created_at": now, "mail_pending": False,
                  "notified_at": now if c.in_app else None,
                  "mailed_at": now if c.email else None} for n, c in todo])
    result.already += len(todo) - len(won)
    people = _people(n.person_id for n, _ in todo if n.key in won)
    links = []
    for nudge, channels in todo:
        if nudge.key not in won:
            continue
        message = send(people[nudge.person_id], nudge, channels)
        if message is not None:
            links.append((won[nudge.key], message.id))
        result.sent += 1
    link_outbox(links)
    return result


def _people(ids: Iterable[int]) -> dict[int, Person]:
    wanted = sorted(set(ids))
    people: dict[int, Person] = {}
    for start in range(0, len(wanted), 1000):
        people.update({p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_(wanted[start:start + 1000])))})
    return people


def send(person: Person, nudge: Nudge, channels: Channels) -> OutboxMessage | None:
    """The notification and/or the e-mail for one claimed nudge (flushes); returns the
    outbox row of the e-mail, if one was made."""
    if channels.in_app:
        notify(person.id, f"nudge.{nudge.kind}", nudge.message, nudge.link)
    if channels.email:
        return mail(person, nudge)
    return None


def mail(person: Person, nudge: Nudge) -> OutboxMessage:
    unsubscribe = tokens.unsubscribe_url(person.id, nudge.kind)
    base = current_app.config["BASE_URL"].rstrip("/")
    return queue_mail(
        person.email, (nudge.mail_subject or nudge.message)[:300], f"nudges/mail/{nudge.kind}",
        # RFC 2369 / RFC 8058: mail clients offer "unsubscribe" and POST it in one click.
        mail_headers={"List-Unsubscribe": f"<{unsubscribe}>",
                      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        person=person, message=nudge.message, link=base + nudge.link,
        kind_label=KIND_LABELS[nudge.kind], unsubscribe_url=unsubscribe,
        preferences_url=absolute_url("nudges.preferences"), **nudge.context)


# ---------------------------------------------------------------- recognition e-mails held back


def send_held_mail(now: dt.datetime, cfg: NudgeConfig, *, plan: QuietPlan | None = None,
                   dry_run: bool = False) -> RuleResult:
    """Recognition e-mails held back by quiet hours go once the person's quiet hours end.

    Each row is taken by a conditional UPDATE (``mail_pending`` true -> false), so two workers
    never both send it. A certificate withdrawn meanwhile, or an e-mail choice switched off,
    drops the e-mail."""
    from engagement.nudges.models import Certificate

    plan = plan or QuietPlan(cfg)
    rows = db.session.scalars(select(NudgeDelivery).where(
        NudgeDelivery.kind == RECOGNITION, NudgeDelivery.mail_pending.is_(True))
        .order_by(NudgeDelivery.id)).all()
    result = RuleResult(f"{RECOGNITION} (held e-mails)", due=len(rows))
    chosen = channels_by_person(RECOGNITION, [r.person_id for r in rows])
    for row in rows:
        if plan.is_quiet(row.person_id, now):
            result.deferred += 1
            continue
        if dry_run:
            result.sent += 1
            continue
        taken = db.session.execute(
            update(NudgeDelivery).where(NudgeDelivery.id == row.id,
                                        NudgeDelivery.mail_pending.is_(True))
            .values(mail_pending=False).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            result.already += 1
            continue
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.enrolment_id == int(row.subject.partition(":")[2])))
        if (certificate is None or not certificate.is_valid or not certificate.person.active
                or not chosen.get(row.person_id, DEFAULT).email):
            result.opted_out += 1
            continue
        from engagement.nudges.completion import recognition_nudge

        message = mail(certificate.person, recognition_nudge(certificate, row.period))
        db.session.execute(update(NudgeDelivery).where(NudgeDelivery.id == row.id)
                           .values(mailed_at=now, outbox_message_id=message.id)
                           .execution_options(synchronize_session=False))
        result.sent += 1
    return result
