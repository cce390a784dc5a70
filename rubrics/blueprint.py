"""Routes for rubrics (thin: views live in rubrics/views/)."""

from __future__ import annotations

from flask import Blueprint

from rubrics.scoring import format_points
from rubrics.views import builder, library, preview, transfer

bp = Blueprint("rubrics", __name__, url_prefix="/rubrics")
bp.add_app_template_filter(format_points, "points")

GET_POST = ["GET", "POST"]
POST = ["POST"]

# the library, history and reading
bp.add_url_rule("", view_func=library.index)
bp.add_url_rule("/new", view_func=library.new, methods=GET_POST)
bp.add_url_rule("/<int:rubric_id>", view_func=library.show)
bp.add_url_rule("/<int:rubric_id>/edit", view_func=library.edit_details, methods=GET_POST)
bp.add_url_rule("/<int:rubric_id>/draft", view_func=library.start_draft, methods=POST)
bp.add_url_rule("/<int:rubric_id>/duplicate", view_func=library.duplicate, methods=POST)
bp.add_url_rule("/<int:rubric_id>/archive", view_func=library.archive, methods=POST)
bp.add_url_rule("/<int:rubric_id>/restore", view_func=library.restore, methods=POST)
bp.add_url_rule("/versions/<int:version_id>", view_func=library.version)
bp.add_url_rule("/versions/<int:version_id>/changes", view_func=library.changes)

# the draft builder
bp.add_url_rule("/versions/<int:version_id>/build", view_func=builder.build)
bp.add_url_rule("/versions/<int:version_id>/settings", view_func=builder.settings,
                methods=POST)
bp.add_url_rule("/versions/<int:version_id>/scale-mode", view_func=builder.scale_mode,
                methods=POST)
bp.add_url_rule("/versions/<int:version_id>/criteria", view_func=builder.add_criterion,
                methods=POST)
bp.add_url_rule("/versions/<int:version_id>/levels", view_func=builder.add_level, methods=POST)
bp.add_url_rule("/versions/<int:version_id>/publish", view_func=builder.publish, methods=POST)
bp.add_url_rule("/versions/<int:version_id>/discard", view_func=builder.discard, methods=POST)
bp.add_url_rule("/criteria/<int:criterion_id>/edit", view_func=builder.edit_criterion,
                methods=GET_POST)
bp.add_url_rule("/criteria/<int:criterion_id>/delete", view_func=builder.delete_criterion,
                methods=POST)
bp.add_url_rule("/criteria/<int:criterion_id>/move", view_func=builder.move_criterion,
                methods=POST)
bp.add_url_rule("/criteria/<int:criterion_id>/levels", view_func=builder.add_criterion_level,
                methods=POST)
bp.add_url_rule("/levels/<int:level_id>/edit", view_func=builder.edit_level, methods=GET_POST)
bp.add_url_rule("/levels/<int:level_id>/delete", view_func=builder.delete_level, methods=POST)
bp.add_url_rule("/levels/<int:level_id>/move", view_func=builder.move_level, methods=POST)

# preview and the comment bank
bp.add_url_rule("/versions/<int:version_id>/preview", view_func=preview.preview,
                methods=GET_POST)
bp.add_url_rule("/<int:rubric_id>/comments", view_func=preview.comments)
bp.add_url_rule("/criteria/<int:criterion_id>/comments", view_func=preview.add_snippet,
                methods=POST)
bp.add_url_rule("/comments/<int:snippet_id>/delete", view_func=preview.delete_snippet,
                methods=POST)

# import and export
bp.add_url_rule("/versions/<int:version_id>/export.json", view_func=transfer.export_json)
bp.add_url_rule("/versions/<int:version_id>/export.csv", view_func=transfer.export_csv)
bp.add_url_rule("/import", view_func=transfer.import_, methods=GET_POST)
