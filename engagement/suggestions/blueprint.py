"""Routes for curated suggestions: L&D's list and forms (views.py), and the intranet widget,
its tracking redirect and the embed page (widget.py)."""

from __future__ import annotations

from flask import Blueprint

from engagement.suggestions import views, widget

bp = Blueprint("suggestions", __name__)

S = "/suggestions/<int:suggestion_id>"
bp.add_url_rule("/suggestions", view_func=views.index)
bp.add_url_rule("/suggestions/new", view_func=views.new, methods=["GET", "POST"])
bp.add_url_rule(S + "/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule(S + "/move", view_func=views.move, methods=["POST"])
bp.add_url_rule(S + "/active", view_func=views.set_active, methods=["POST"])
bp.add_url_rule(S + "/remove", view_func=views.remove, methods=["POST"])
bp.add_url_rule("/suggestions/widget", view_func=widget.embed)

bp.add_url_rule("/widget/suggested", view_func=widget.suggested)
bp.add_url_rule("/widget/go/<int:suggestion_id>", view_func=widget.go)
