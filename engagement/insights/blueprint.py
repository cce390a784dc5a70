"""Routes for engagement/insights: the learning funnel (page and CSV) and the manager
engagement KPI, for L&D and administrators."""

from __future__ import annotations

from flask import Blueprint

from engagement.insights import views

bp = Blueprint("insights", __name__)

bp.add_url_rule("/insights/funnel", view_func=views.funnel)
bp.add_url_rule("/insights/funnel.csv", view_func=views.funnel_csv)
bp.add_url_rule("/insights/managers", view_func=views.managers)
