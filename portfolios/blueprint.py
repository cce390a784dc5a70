"""Routes for the portfolio, checkpoint work, submissions and evidence downloads."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from portfolios import views

bp = Blueprint("portfolios", __name__)

bp.add_url_rule("/portfolio", view_func=views.portfolio)
bp.add_url_rule("/portfolio/people/<int:person_id>", view_func=views.person_portfolio)
bp.add_url_rule("/portfolio/checkpoints/<int:checkpoint_id>", view_func=views.work)
bp.add_url_rule("/portfolio/checkpoints/<int:checkpoint_id>/files", view_func=views.upload,
                methods=["POST"])
bp.add_url_rule("/portfolio/checkpoints/<int:checkpoint_id>/reflection",
                view_func=views.reflection, methods=["POST"])
bp.add_url_rule("/portfolio/checkpoints/<int:checkpoint_id>/links", view_func=views.link,
                methods=["POST"])
bp.add_url_rule("/portfolio/checkpoints/<int:checkpoint_id>/submit", view_func=views.submit,
                methods=["POST"])
bp.add_url_rule("/portfolio/evidence/<int:evidence_id>/remove", view_func=views.remove_evidence,
                methods=["POST"])
bp.add_url_rule("/portfolio/evidence/<int:evidence_id>/download", view_func=views.download)
bp.add_url_rule("/portfolio/evidence/<int:evidence_id>/preview", view_func=views.preview)
bp.add_url_rule("/portfolio/submissions/<int:submission_id>", view_func=views.submission)
bp.add_url_rule("/portfolio/submissions/<int:submission_id>/changes", view_func=views.diff)
bp.add_url_rule("/portfolio/submissions/<int:submission_id>/withdraw", view_func=views.withdraw,
                methods=["POST"])
bp.register_error_handler(RequestEntityTooLarge, views.upload_too_large)


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    size = int(size or 0)
    if size >= 1024 * 1024:
        return f"{size / 1048576:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
