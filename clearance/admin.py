"""Shell admin pages: the mail outbox (development mail is read here)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from clearance.access import policy, rule
from clearance.extensions import db
from clearance.mail import OutboxMessage
from clearance.templating import nav_item

bp = Blueprint("admin", __name__, url_prefix="/admin")


@policy("admin.outbox")
def _may_read_outbox(user: Any, _obj: Any) -> bool:
    return user.has_role("admin")


nav_item("Outbox", "admin.outbox", lambda u: u.has_role("admin"), order=90, group="Manage")


@bp.route("/outbox")
@rule("admin.outbox")
def outbox() -> Any:
    page = db.paginate(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()),
        page=request.args.get("page", 1, type=int), per_page=50, error_out=False,
    )
    return render_template("admin/outbox.html", page=page)


@bp.route("/outbox/<int:message_id>")
@rule("admin.outbox")
def outbox_message(message_id: int) -> Any:
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None:
        abort(404)
    return render_template("admin/outbox_message.html", msg=msg)
