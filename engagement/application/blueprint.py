"""Routes for the level-3 application check: the manager's tasks and answer form, L&D's
roll-up by programme. Also the template helper the approvals queue includes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from engagement.application import views

bp = Blueprint("application_checks", __name__)

bp.add_url_rule("/application-checks", view_func=views.tasks)
bp.add_url_rule("/application-checks/<int:check_id>", view_func=views.check,
                methods=["GET", "POST"])
bp.add_url_rule("/application-checks/programmes", view_func=views.programmes)


def _waiting() -> int:
    """Open checks of the signed-in manager (0 for everyone else): one count query."""
    from engagement.application.queries import open_count

    if not current_user.is_authenticated or not current_user.is_manager:
        return 0
    return open_count(current_user.id)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"application_checks_waiting": _waiting}
