"""Routes for people and the org chart (thin: views live in people/views.py)."""

from __future__ import annotations

from flask import Blueprint

from people import views, views_delegation, views_import

bp = Blueprint("people", __name__)

bp.add_url_rule("/me", view_func=views.me)
bp.add_url_rule("/people/<int:person_id>", view_func=views.profile)
bp.add_url_rule("/team", view_func=views.team)
bp.add_url_rule("/admin/people", view_func=views.admin_list)
bp.add_url_rule("/admin/people/new", view_func=views.admin_new, methods=["GET", "POST"])
bp.add_url_rule("/admin/people/<int:person_id>/edit", view_func=views.admin_edit,
                methods=["GET", "POST"])
bp.add_url_rule("/admin/people/<int:person_id>/invite", view_func=views.admin_invite,
                methods=["POST"])
bp.add_url_rule("/me/out-of-office", view_func=views_delegation.out_of_office,
                methods=["GET", "POST"])
bp.add_url_rule("/me/out-of-office/<int:delegation_id>/cancel",
                view_func=views_delegation.cancel_out_of_office, methods=["POST"])
bp.add_url_rule("/admin/people/import", view_func=views_import.import_start,
                methods=["GET", "POST"])
bp.add_url_rule("/admin/people/import/<int:run_id>", view_func=views_import.import_run)
bp.add_url_rule("/admin/people/import/<int:run_id>/apply", view_func=views_import.import_apply,
                methods=["POST"])
bp.add_url_rule("/admin/people/import/<int:run_id>/status",
                view_func=views_import.import_status)
