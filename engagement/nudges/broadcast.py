"""One nudge for many people at once, set-based: the monthly theme released to its audience.

A :class:`Broadcast` is one message (text, link, e-mail) for a list of people; only the
greeting and the unsubscribe link differ from person to person. :func:`deliver_broadcasts`
makes the same decisions as :func:`engagement.nudges.delivery.deliver` would for the same
nudges one by one (choices, quiet hours, the ledger first, the per-run limit, in the same
order), and writes the same rows, but in a handful of statements however large the audience:

1. the ledger rows of a broadcast: one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING
   RETURNING`` (up to ``_CHUNK`` people per statement); only the people whose row this
   statement inserted are sent anything, so reruns and racing workers send it once;
2. the in-app notifications: one executemany insert;
3. the e-mail rendered once per broadcast with markers for the name and unsubscribe link,
   which are filled in per person; the outbox rows in one executemany insert (``RETURNING``
   their ids in order), sent after commit by the outbox job like any other e-mail;
4. each ledger row's outbox id: one executemany update.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from markupsafe import escape
from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    any_,
    bindparam,
    case,
    insert,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from clearance.database import after_commit, utcnow
from clearance.extensions import db
from clearance.mail import OutboxMessage, send_mail
from clearance.notifications import Notification
from clearance.security import is_safe_local_path
from clearance.urls import absolute_url
from engagement.nudges import tokens
from engagement.nudges.config import NudgeConfig
from engagement.nudges.delivery import Nudge, RuleResult, _insert, link_outbox
from engagement.nudges.models import KIND_LABELS, NudgeDelivery
from engagement.nudges.preferences import DEFAULT, Channels, QuietPlan, channels_by_person
from people.models import Person

#: people per ledger statement (bound parameters stay far below SQLite's 32,766)
_CHUNK = 10_000


@dataclass
class Broadcast:
    """The same nudge for each of ``person_ids``."""

    kind: str
    subject: str
    period: str
    message: str
    link: str
    person_ids: list[int]
    context: dict[str, Any] = field(default_factory=dict)
    mail_subject: str = ""

    def nudges(self) -> list[Nudge]:
        """The same, one :class:`Nudge` per person (the reference path, and the tests)."""
        return [Nudge(pid, self.kind, self.subject, self.period, self.message, self.link,
                      self.context, mail_subject=self.mail_subject) for pid in self.person_ids]


def _already(kind: str, broadcasts: list[Broadcast]) -> set[tuple[int, str, str]]:
    found: set[tuple[int, str, str]] = set()
    for subject, period in {(b.subject, b.period) for b in broadcasts}:
        found.update((pid, subject, period) for pid in db.session.scalars(
            select(NudgeDelivery.person_id).where(
                NudgeDelivery.kind == kind, NudgeDelivery.subject == subject,
                NudgeDelivery.period == period)))
    return found


def deliver_broadcasts(kind: str, broadcasts: list[Broadcast], now: dt.datetime,
                       cfg: NudgeConfig, *, plan: QuietPlan | None = None,
                       dry_run: bool = False) -> RuleResult:
    result = RuleResult(kind, due=sum(len(b.person_ids) for b in broadcasts))
    if not result.due:
        return result
    plan = plan or QuietPlan(cfg)
    chosen = channels_by_person(kind)
    done = _already(kind, broadcasts)
    todo: list[tuple[tuple[int, str, str], int, Channels]] = []
    for index, broadcast in enumerate(broadcasts):
        for pid in broadcast.person_ids:
            key = (pid, broadcast.subject, broadcast.period)
            channels = chosen.get(pid, DEFAULT)
            if key in done:
                result.already += 1
            elif not channels.any:
                result.opted_out += 1
            elif plan.is_quiet(pid, now):
                result.deferred += 1
            else:
                todo.append((key, index, channels))
    todo.sort(key=lambda item: item[0])  # the order deliver() takes them in
    result.over_limit = max(0, len(todo) - cfg.max_per_run)
    todo = todo[:cfg.max_per_run]
    if dry_run:
        result.sent = len(todo)
        return result
    per_broadcast: dict[int, dict[int, Channels]] = {}
    for (pid, _, _), index, channels in todo:
        per_broadcast.setdefault(index, {})[pid] = channels
    links: list[tuple[int, int]] = []
    for index, people in per_broadcast.items():
        broadcast = broadcasts[index]
        won = _claim(broadcast, people, now)
        result.already += len(people) - len(won)
        result.sent += len(won)
        _notify(broadcast, [pid for pid in sorted(won) if people[pid].in_app])
        mailed = _mail(broadcast, [pid for pid in sorted(won) if people[pid].email])
        links.extend((won[pid], message_id) for pid, message_id in mailed)
    link_outbox(links)
    if links:
        message_ids = [message_id for _, message_id in links]
        after_commit(lambda: _send_all(message_ids))
    return result


def _send_all(message_ids: list[int]) -> None:
    for message_id in message_ids:
        send_mail(message_id)


def _claim(broadcast: Broadcast, people: dict[int, Channels],
           now: dt.datetime) -> dict[int, int]:
    """Ledger rows for ``people`` (person -> channels); returns person -> ledger id of the rows
    these statements inserted."""
    table, person = NudgeDelivery.__table__, Person.__table__
    at = bindparam("now", now, type_=DateTime(timezone=True))
    won: dict[int, int] = {}
    ids = sorted(people)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        no_app = [pid for pid in chunk if not people[pid].in_app]
        no_mail = [pid for pid in chunk if not people[pid].email]
        rows = select(
            person.c.id, bindparam("kind", broadcast.kind, type_=String),
            bindparam("subject", broadcast.subject, type_=String),
            bindparam("period", broadcast.period, type_=String), at,
            case((person.c.id.in_(no_app), null()), else_=at) if no_app else at,
            case((person.c.id.in_(no_mail), null()), else_=at) if no_mail else at,
            bindparam("pending", False, type_=Boolean),
        ).where(_among(person.c.id, chunk))
        stmt = (_insert()(table)
                .from_select(["person_id", "kind", "subject", "period", "created_at",
                              "notified_at", "mailed_at", "mail_pending"], rows)
                .on_conflict_do_nothing(index_elements=["person_id", "kind", "subject", "period"])
                .returning(table.c.id, table.c.person_id))
        won.update({pid: rid for rid, pid in db.session.execute(stmt)})
    return won


def _among(column: Any, ids: list[int]) -> Any:
    """``column IN (ids)``: on PostgreSQL one array parameter (``= ANY``), which it parses
    and plans faster than thousands of parameters."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _notify(broadcast: Broadcast, person_ids: list[int]) -> None:
    if not person_ids:
        return
    if broadcast.link and not is_safe_local_path(broadcast.link):
        raise ValueError(f"notification links are local paths, not {broadcast.link!r}")
    created = utcnow()
    db.session.execute(insert(Notification.__table__), [
        {"person_id": pid, "kind": f"nudge.{broadcast.kind}",
         "message": broadcast.message[:500], "link": broadcast.link, "created_at": created}
        for pid in person_ids])


def _render(broadcast: Broadcast, name: str, unsubscribe: str) -> tuple[str, str | None]:
    """The e-mail's text and HTML once, with ``name`` and ``unsubscribe`` as markers (the
    same templates and context as :func:`engagement.nudges.delivery.mail`)."""
    template = f"nudges/mail/{broadcast.kind}"
    context = {
        "person": SimpleNamespace(name=name), "message": broadcast.message,
        "link": current_app.config["BASE_URL"].rstrip("/") + broadcast.link,
        "kind_label": KIND_LABELS[broadcast.kind], "unsubscribe_url": unsubscribe,
        "preferences_url": absolute_url("nudges.preferences"), **broadcast.context}
    text = render_template(f"{template}.txt", **context)
    try:
        html: str | None = render_template(f"{template}.html", **context)
    except TemplateNotFound:
        html = None
    return text, html


def _mail(broadcast: Broadcast, person_ids: list[int]) -> list[tuple[int, int]]:
    """Outbox rows for ``person_ids``; returns (person, outbox id) pairs."""
    if not person_ids:
        return []
    marker = secrets.token_hex(8)
    name_mark, token_mark = f"%%name-{marker}%%", f"tok{marker}"
    url_mark = tokens.unsubscribe_url_for(token_mark)
    html_url_mark = str(escape(url_mark))
    text, html = _render(broadcast, name_mark, url_mark)
    subject = (broadcast.mail_subject or broadcast.message)[:300]
    created = utcnow()
    rows, owners = [], []
    for start in range(0, len(person_ids), 1000):
        for pid, name, email in db.session.execute(
                select(Person.id, Person.name, Person.email)
                .where(Person.id.in_(person_ids[start:start + 1000])).order_by(Person.id)):
            url = url_mark.replace(token_mark, tokens.unsubscribe_token(pid, broadcast.kind))
            rows.append({
                "created_at": created, "to_address": email, "subject": subject,
                "body_text": text.replace(name_mark, name).replace(url_mark, url),
                "body_html": None if html is None else html.replace(
                    name_mark, str(escape(name))).replace(html_url_mark, str(escape(url))),
                "status": "queued", "attempts": 0,
                "headers": {"List-Unsubscribe": f"<{url}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}})
            owners.append(pid)
    table = OutboxMessage.__table__
    # Matched back by address (unique per person: people's e-mail keys are unique), not by
    # the rows' order: SQLite batches an INSERT ... RETURNING only when the order is not asked.
    ids = dict(db.session.execute(insert(table).returning(table.c.to_address, table.c.id),
                                  rows).all())
    return [(pid, ids[row["to_address"]]) for pid, row in zip(owners, rows, strict=True)]
