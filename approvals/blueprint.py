"""Routes for approvals (views live in approvals/views.py)."""

from __future__ import annotations

from flask import Blueprint

from approvals import views

bp = Blueprint("approvals", __name__)

bp.add_url_rule("/approvals", view_func=views.queue)
bp.add_url_rule("/approvals/team", view_func=views.team)
bp.add_url_rule("/approvals/steps/<int:step_id>", view_func=views.review)
bp.add_url_rule("/approvals/steps/<int:step_id>/decide", view_func=views.decide,
                methods=["POST"])
