"""Routes for engagement/nudges: preferences, unsubscribe, certificates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from clearance.home import home_panel
from engagement.nudges import certificate_views, queries, views

bp = Blueprint("nudges", __name__)

bp.add_url_rule("/me/nudges", view_func=views.preferences, methods=["GET", "POST"])
bp.add_url_rule("/nudges/unsubscribe/<token>", view_func=views.unsubscribe)
bp.add_url_rule("/nudges/unsubscribe/<token>", endpoint="unsubscribe_post",
                view_func=views.unsubscribe_post, methods=["POST"])
bp.add_url_rule("/certificates", view_func=certificate_views.certificates)
bp.add_url_rule("/certificates/<int:certificate_id>", view_func=certificate_views.certificate)
bp.add_url_rule("/certificates/<int:certificate_id>/share", view_func=certificate_views.share,
                methods=["POST"])
bp.add_url_rule("/certificates/<int:certificate_id>/unshare",
                view_func=certificate_views.unshare, methods=["POST"])
bp.add_url_rule("/certificates/shared/<token>", view_func=certificate_views.shared)


@home_panel("nudges/_home_panel.html", order=60)
def _certificates_panel(user: Any) -> dict[str, Any] | None:
    """The learner's latest certificates on the home page (hidden when they have none)."""
    mine = queries.my_certificates(user.id, limit=3)
    return {"certificates": mine} if mine else None

