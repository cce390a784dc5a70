"""Routes for the learner pulse: the learner's questions about a decision, L&D's results."""

from __future__ import annotations

from flask import Blueprint

from engagement.pulse import views

bp = Blueprint("pulse", __name__)

bp.add_url_rule("/pulse/decisions/<int:decision_id>", view_func=views.answer,
                methods=["GET", "POST"])
bp.add_url_rule("/pulse/results", view_func=views.results)
