"""Routes for development records (views live in views.py, exports.py and csv_views.py)."""

from __future__ import annotations

from flask import Blueprint, current_app

from clearance.extensions import limiter
from portfolios.records import csv_views, export_views, views

bp = Blueprint("records", __name__)


def _verify_limit() -> str:
    return str(current_app.config.get("RECORDS_VERIFY_RATE_LIMIT") or "30 per minute")


bp.add_url_rule("/records/people/<int:person_id>", view_func=views.record_page)
bp.add_url_rule("/records/people/<int:person_id>/pdf", view_func=views.record_pdf,
                methods=["POST"])
bp.add_url_rule("/records/verify", view_func=limiter.limit(_verify_limit)(views.verify),
                methods=["GET", "POST"])
bp.add_url_rule("/records/csv", view_func=csv_views.csv_index)
bp.add_url_rule("/records/csv/<name>.csv", view_func=csv_views.csv_download, methods=["POST"])
bp.add_url_rule("/records/exports", view_func=export_views.bulk_new, methods=["GET", "POST"])
bp.add_url_rule("/records/exports/<int:export_id>", view_func=export_views.bulk_status_page)
bp.add_url_rule("/records/exports/<int:export_id>/status", view_func=export_views.bulk_status)
bp.add_url_rule("/records/exports/<int:export_id>/download",
                view_func=export_views.bulk_download)
