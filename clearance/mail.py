"""The mail outbox: every e-mail is a row first, then sent by a job after commit.

Without ``CLEARANCE_SMTP_URL`` (development) mail is kept in the outbox, where admins read it.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.database import after_commit, utcnow
from clearance.extensions import db
from clearance.jobs import job

#: Sending is tried this many times in all; a failed try schedules the next one.
MAX_ATTEMPTS = 4
RETRY_DELAY_SECONDS = 60


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued|sent|kept|failed
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    #: extra message headers, e.g. List-Unsubscribe (RFC 8058) on nudges
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)


def queue_mail(to: str, subject: str, template: str, *,
               mail_headers: dict[str, str] | None = None, **context: Any) -> OutboxMessage:
    """Render ``templates/<template>.txt`` (and ``.html`` if present) into an outbox row and
    send it once the current transaction commits. ``mail_headers`` are added to the message
    as they are (names and values on one line each)."""
    for name, value in (mail_headers or {}).items():
        if any(ch in f"{name}{value}" for ch in "\r\n") or ":" in name:
            raise ValueError(f"refusing a mail header with a line break: {name!r}")
    text_body = render_template(f"{template}.txt", **context)
    try:
        html_body: str | None = render_template(f"{template}.html", **context)
    except Exception:
        html_body = None
    msg = OutboxMessage(
        created_at=utcnow(), to_address=to, subject=subject, body_text=text_body,
        body_html=html_body, status="queued", attempts=0, headers=mail_headers or None,
    )
    db.session.add(msg)
    db.session.flush()
    message_id = msg.id
    after_commit(lambda: send_mail(message_id))
    return msg


def _smtp_send(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, context=ssl.create_default_context(), timeout=30
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


@job(retries=3, retry_delay=60)  # unexpected errors (SMTP failures are handled below)
def send_mail(message_id: int) -> None:
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None or msg.status == "sent" or msg.attempts >= MAX_ATTEMPTS:
        return
    url = current_app.config["SMTP_URL"]
    msg.attempts += 1
    if not url:
        msg.status = "kept"
        return
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = msg.to_address
    email["Subject"] = msg.subject
    for name, value in (msg.headers or {}).items():
        email[name] = value
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    try:
        _smtp_send(url, email)
    except (OSError, smtplib.SMTPException) as exc:
        # Recorded (the job commits), then tried again later: raising instead would roll the
        # record back, and huey's own retries would leave no trace of the failure.
        msg.status = "failed"
        msg.error = str(exc)[:2000]
        if msg.attempts < MAX_ATTEMPTS:
            delay = RETRY_DELAY_SECONDS * msg.attempts
            after_commit(lambda: send_mail.schedule(args=(message_id,), delay=delay))
        return
    msg.status = "sent"
    msg.sent_at = utcnow()
