"""The approver's side: L&D's verdicts and feedback on their own decisions (never others')."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from approvals.spot_checks import operations as ops
from approvals.spot_checks import queries, sampler
from approvals.spot_checks.views import comparison
from clearance.access import AUTHENTICATED, require, rule
from clearance.extensions import db


@rule(AUTHENTICATED)
def mine() -> Any:
    page = queries.my_checks(current_user.id, request.args.get("page", 1, type=int))
    window = sampler.sampling_policy().adaptive_window
    return render_template("spot_checks/mine.html", page=page,
                           record=queries.my_record(current_user.id, window), window=window,
                           waiting=queries.unacknowledged(current_user.id))


def _own_check(check_id: int) -> Any:
    from approvals.spot_checks.models import SpotCheck

    check = db.session.get(SpotCheck, check_id)
    if check is None:
        abort(404)
    require("spot_checks.acknowledge", check, status=404)
    return check


@rule(AUTHENTICATED)
def mine_one(check_id: int) -> Any:
    check = _own_check(check_id)
    rubric_version = ops.decision_rubric(check.decision)
    return render_template("spot_checks/mine_one.html", check=check,
                           rows=comparison(check, rubric_version))


@rule(AUTHENTICATED)
def acknowledge(check_id: int) -> Any:
    check = _own_check(check_id)
    ops.acknowledge(check, current_user._get_current_object())
    flash("Thank you: the feedback is marked as read.", "success")
    target = request.form.get("next") or ""
    if target == "queue":
        return redirect(url_for("approvals.queue"))
    return redirect(url_for("spot_checks.mine_one", check_id=check.id))
