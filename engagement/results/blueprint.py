"""Routes for results for leadership: the page and the PDF summary."""

from __future__ import annotations

from flask import Blueprint

from engagement.results import views

bp = Blueprint("results", __name__)

bp.add_url_rule("/results", view_func=views.page)
bp.add_url_rule("/results/summary.pdf", view_func=views.summary_pdf)
