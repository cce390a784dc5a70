"""In-app notifications: a short message with a link, per person, read or unread.

Domains call :func:`notify` inside their operations (it flushes); the bell in the navigation
shows the unread count and /notifications lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import DateTime, ForeignKey, Integer, String, func, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from clearance.access import AUTHENTICATED, rule
from clearance.database import utcnow
from clearance.extensions import db
from clearance.security import is_safe_local_path
from clearance.templating import nav_item

bp = Blueprint("notifications", __name__)


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    #: a local path (checked when written and when followed)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                    index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


def notify(person_id: int, kind: str, message: str, link: str = "") -> Notification:
    if link and not is_safe_local_path(link):
        raise ValueError(f"notification links are local paths, not {link!r}")
    row = Notification(person_id=person_id, kind=kind, message=message[:500], link=link,
                       created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def notify_many(notes: list[tuple[int, str, str, str]]) -> None:
    """Several notifications, ``(person_id, kind, message, link)`` each, in one INSERT."""
    now = utcnow()
    rows = []
    for person_id, kind, message, link in notes:
        if link and not is_safe_local_path(link):
            raise ValueError(f"notification links are local paths, not {link!r}")
        rows.append({"person_id": person_id, "kind": kind, "message": message[:500],
                     "link": link, "created_at": now, "read_at": None})
    if rows:
        db.session.execute(insert(Notification), rows)


def unread_count(person_id: int) -> int:
    return int(db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
    ) or 0)


nav_item("Notifications", "notifications.index", lambda u: True, order=92,
         badge=lambda u: unread_count(u.id))


@bp.route("/notifications")
@rule(AUTHENTICATED)
def index() -> Any:
    page = db.paginate(
        select(Notification).where(Notification.person_id == current_user.id)
        .order_by(Notification.id.desc()),
        page=request.args.get("page", 1, type=int), per_page=30, error_out=False,
    )
    return render_template("notifications/index.html", page=page)


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@rule(AUTHENTICATED)
def open_one(notification_id: int) -> Any:
    row = db.session.get(Notification, notification_id)
    if row is None or row.person_id != current_user.id:
        abort(404)
    if row.read_at is None:
        row.read_at = utcnow()
    target = row.link if row.link and is_safe_local_path(row.link) else None
    return redirect(target or url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@rule(AUTHENTICATED)
def read_all() -> Any:
    db.session.execute(
        update(Notification)
        .where(Notification.person_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return redirect(url_for("notifications.index"))
