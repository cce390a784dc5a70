"""The manager's side: the queue, the team overview and the review/decision page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from approvals import operations, queries
from approvals.forms import DecisionForm, opened_at, opened_token
from approvals.models import ApprovalStep
from clearance.access import AUTHENTICATED, can, require, rule
from clearance.database import rollback
from clearance.templating import nav_item
from portfolios.text import render_reflection
from rubrics import scoring
from rubrics.queries import comment_bank


def _queue_badge(user: Any) -> int:
    """Pending count for the navigation, computed once per request."""
    if "approvals_queue_count" not in g:
        g.approvals_queue_count = queries.queue_count(user.id)
    return int(g.approvals_queue_count)


nav_item("Approvals", "approvals.queue", lambda u: u.is_manager or _queue_badge(u) > 0,
         order=20, badge=_queue_badge)


@rule(AUTHENTICATED)
def queue() -> Any:
    groups = queries.queue_items(current_user.id)
    total = sum(len(group.steps) for group in groups)
    # The same steps the navigation badge counts (same conditions): no second count.
    g.approvals_queue_count = total
    return render_template("approvals/queue.html", groups=groups, total=total)


@rule("people.team")
def team() -> Any:
    page, counts, waiting = queries.team_status(
        current_user._get_current_object(), page=request.args.get("page", 1, type=int))
    return render_template("approvals/team.html", page=page, counts=counts, waiting=waiting)


def _step_or_404(step_id: int, *, evidence: bool = False) -> ApprovalStep:
    step = queries.step_with_context(step_id, evidence=evidence)
    if step is None:
        abort(404)
    require("approvals.view_step", step, status=404)
    return step


def _render_review(step: ApprovalStep, form: DecisionForm,
                   assessment: scoring.Assessment | None = None,
                   missing: list[scoring.Missing] | None = None, status: int = 200) -> Any:
    rubric_version = operations.rubric_version_of(step)
    suggestion = (scoring.score(rubric_version, assessment)
                  if rubric_version is not None and assessment is not None else None)
    errors: dict[str, list[str]] = {}
    for item in missing or []:
        errors.setdefault(item.field or "feedback", []).append(item.message)
    decisions = queries.decisions_for_submission(step.submission_id)
    return render_template(
        "approvals/review.html", step=step, form=form, rubric_version=rubric_version,
        assessment=assessment, missing=missing or [], errors=errors, suggestion=suggestion,
        history=queries.step_history(step), decisions=decisions,
        may_decide=can(current_user, "approvals.decide", step),
        submission=step.submission, version=step.version, render_reflection=render_reflection,
        bank=comment_bank(rubric_version) if rubric_version is not None else None,
    ), status


@rule(AUTHENTICATED)
def review(step_id: int) -> Any:
    step = _step_or_404(step_id, evidence=True)
    form = DecisionForm()
    form.lock.data = str(step.lock_version)
    form.version.data = str(step.version_id)
    form.opened.data = opened_token(step.id)
    return _render_review(step, form)


@rule(AUTHENTICATED)
def decide(step_id: int) -> Any:
    step = _step_or_404(step_id)
    if not can(current_user, "approvals.decide", step) and step.status == "pending":
        require("approvals.decide", step)
    form = DecisionForm()
    rubric_version = operations.rubric_version_of(step)
    assessment = (scoring.Assessment.from_form(rubric_version, request.form)
                  if rubric_version is not None
                  else scoring.Assessment({}, request.form.get("feedback", "")))
    if not form.validate_on_submit():
        # Say everything that is missing at once, not the outcome first and the rubric later.
        missing = (scoring.missing_pieces(rubric_version, assessment,
                                          operations.min_feedback_chars())
                   if rubric_version is not None else [])
        return _render_review(step, form, assessment, missing)
    try:
        seen_lock, seen_version = int(form.lock.data or 0), int(form.version.data or 0)
    except ValueError:
        abort(400)
    data = operations.DecisionInput(
        outcome=form.outcome.data, assessment=assessment,
        justification=form.justification.data or "",
        review_started_at=opened_at(form.opened.data, step.id),
    )
    try:
        decision = operations.decide(step, current_user._get_current_object(), data,
                                     seen_lock=seen_lock, seen_version_id=seen_version)
    except operations.DecisionConflict as exc:
        rollback()
        abort(409, description=str(exc))
    except operations.DecisionRefused as exc:
        rollback()
        step = _step_or_404(step_id)
        missing = exc.missing or [scoring.Missing("refused", str(exc), "")]
        if not exc.missing:
            form.outcome.errors = [*form.outcome.errors, str(exc)]
        return _render_review(step, form, assessment, missing)
    what = "approved" if decision.outcome == "approved" else "sent back for changes"
    flash(f"Saved: {step.learner.name}'s “{step.submission.checkpoint.title}” was {what}.",
          "success")
    return redirect(url_for("approvals.queue"))
