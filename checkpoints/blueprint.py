"""Routes for the catalogue, programmes and enrolment (views live in checkpoints/views/)."""

from __future__ import annotations

from flask import Blueprint

from checkpoints.views import authoring, learner

bp = Blueprint("checkpoints", __name__)

# learners
bp.add_url_rule("/catalogue", view_func=learner.catalogue)
bp.add_url_rule("/catalogue/<int:programme_id>", view_func=learner.programme)
bp.add_url_rule("/catalogue/<int:programme_id>/checkpoints/<int:checkpoint_id>/rubric",
                view_func=learner.rubric)
bp.add_url_rule("/catalogue/<int:programme_id>/enrol", view_func=learner.enrol,
                methods=["POST"])
bp.add_url_rule("/catalogue/<int:programme_id>/leave", view_func=learner.leave,
                methods=["POST"])
bp.add_url_rule("/my/programmes", view_func=learner.my_programmes)

# L&D authoring
P = "/programmes/<int:programme_id>"
C = P + "/checkpoints/<int:checkpoint_id>"
bp.add_url_rule("/programmes", view_func=authoring.programmes)
bp.add_url_rule("/programmes/new", view_func=authoring.new_programme, methods=["GET", "POST"])
bp.add_url_rule(P, view_func=authoring.manage)
bp.add_url_rule(P + "/edit", view_func=authoring.edit_programme, methods=["GET", "POST"])
bp.add_url_rule(P + "/publish", view_func=authoring.publish, methods=["POST"])
bp.add_url_rule(P + "/archive", view_func=authoring.archive, methods=["POST"])
bp.add_url_rule(P + "/restore", view_func=authoring.restore, methods=["POST"])
bp.add_url_rule(P + "/preview", view_func=authoring.preview)
bp.add_url_rule(P + "/checkpoints/new", view_func=authoring.new_checkpoint,
                methods=["GET", "POST"])
bp.add_url_rule(C + "/edit", view_func=authoring.edit_checkpoint, methods=["GET", "POST"])
bp.add_url_rule(C + "/move", view_func=authoring.move_checkpoint, methods=["POST"])
bp.add_url_rule(C + "/remove", view_func=authoring.remove_checkpoint, methods=["POST"])
bp.add_url_rule(P + "/assign", view_func=authoring.assign, methods=["GET", "POST"])
bp.add_url_rule(P + "/enrolments", view_func=authoring.enrolments)
bp.add_url_rule(P + "/enrolments/<int:enrolment_id>/remove",
                view_func=authoring.remove_enrolment, methods=["POST"])
