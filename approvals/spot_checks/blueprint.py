"""Routes for spot-checks: L&D's queue and reviews (views.py), reports (reports.py), and the
approver's own verdicts (mine.py). Also the template helpers other pages include."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from approvals.spot_checks import mine, queries, reports, views

bp = Blueprint("spot_checks", __name__)

bp.add_url_rule("/spot-checks", view_func=views.queue)
bp.add_url_rule("/spot-checks/<int:check_id>", view_func=views.review)
bp.add_url_rule("/spot-checks/<int:check_id>/claim", view_func=views.claim, methods=["POST"])
bp.add_url_rule("/spot-checks/<int:check_id>/release", view_func=views.release,
                methods=["POST"])
bp.add_url_rule("/spot-checks/<int:check_id>/score", view_func=views.score, methods=["POST"])
bp.add_url_rule("/spot-checks/<int:check_id>/verdict", view_func=views.verdict,
                methods=["POST"])
bp.add_url_rule("/spot-checks/decisions", view_func=views.decisions)
bp.add_url_rule("/spot-checks/decisions/<int:decision_id>/pick", view_func=views.pick,
                methods=["POST"])
bp.add_url_rule("/spot-checks/rates", view_func=views.rates)
bp.add_url_rule("/spot-checks/rates/<int:programme_id>", view_func=views.set_rate,
                methods=["POST"])
bp.add_url_rule("/spot-checks/calibration", view_func=reports.calibration)
bp.add_url_rule("/spot-checks/calibration.csv", view_func=reports.calibration_csv)
bp.add_url_rule("/spot-checks/calibration/approvers/<int:person_id>",
                view_func=reports.approver)
bp.add_url_rule("/spot-checks/coverage", view_func=reports.coverage)
bp.add_url_rule("/spot-checks/mine", view_func=mine.mine)
bp.add_url_rule("/spot-checks/mine/<int:check_id>", view_func=mine.mine_one)
bp.add_url_rule("/spot-checks/mine/<int:check_id>/acknowledge", view_func=mine.acknowledge,
                methods=["POST"])


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """For the approvals queue template: the approver's unread L&D feedback."""
    return {"spot_check_feedback": queries.unacknowledged}
