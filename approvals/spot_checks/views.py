"""L&D's side of spot-checks: the queue, claiming, the blind review, verdicts, picking by hand
and the rates per programme. (Reports are in reports.py, the approver's pages in mine.py.)"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from approvals.models import Decision
from approvals.spot_checks import operations as ops
from approvals.spot_checks import queries, sampler
from approvals.spot_checks.forms import PickForm, RateForm, ScoreForm, VerdictForm
from approvals.spot_checks.models import REASONS, SpotCheck
from clearance.access import can, require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.templating import nav_item
from portfolios.text import render_reflection
from rubrics import scoring


def _staff(user: Any) -> bool:
    return bool(user.has_role("ld") or user.has_role("admin"))


nav_item("Spot-checks", "spot_checks.queue", _staff, order=60, group="Quality",
         badge=lambda u: queries.waiting_count() if u.has_role("ld") else 0)
nav_item("Calibration", "spot_checks.calibration", _staff, order=61, group="Quality")


def _me() -> Any:
    return current_user._get_current_object()


def _check_or_404(check_id: int) -> SpotCheck:
    check = queries.check_for_review(check_id)
    if check is None:
        abort(404)
    return check


@rule("spot_checks.read")
def queue() -> Any:
    filters = queries.QueueFilters.from_args(request.args)
    page = queries.queue(filters, current_user.id, page=request.args.get("page", 1, type=int))
    return render_template(
        "spot_checks/queue.html", page=page, filters=filters,
        counts=queries.reason_counts(filters, current_user.id),
        options=queries.queue_filter_options(), reasons=REASONS)


def decision_assessment(decision: Decision) -> scoring.Assessment:
    """The manager's assessment as the rubric grid reads it."""
    return scoring.Assessment(
        {s.criterion_id: scoring.Answer(s.level_id, s.comment) for s in decision.scores},
        decision.overall_feedback)


def comparison(check: SpotCheck, version: Any) -> list[dict[str, Any]]:
    """Per criterion: both levels (name, position), both comments and the difference."""
    if version is None:
        return []
    levels = {lv.id: lv for c in version.criteria for lv in version.levels_for(c)}
    comments = {s.criterion_id: s.comment for s in check.decision.scores}
    rows = []
    for score in check.scores:
        theirs = levels.get(score.manager_level_id)
        mine = levels.get(score.ld_level_id)
        diff = (score.manager_position - score.ld_position
                if score.manager_position is not None else None)
        rows.append({"title": score.criterion_title, "criterion_id": score.criterion_id,
                     "manager": theirs, "manager_comment": comments.get(score.criterion_id, ""),
                     "ld": mine, "ld_comment": score.comment, "difference": diff,
                     "scale": score.scale_size})
    return rows


def render_review(check: SpotCheck, *, score_form: ScoreForm | None = None,
                  verdict_form: VerdictForm | None = None,
                  assessment: scoring.Assessment | None = None,
                  missing: list[scoring.Missing] | None = None, problem: str = "",
                  status: int = 200) -> Any:
    decision = check.decision
    version = decision.step.version
    rubric_version = ops.decision_rubric(decision)
    revealed = check.status in ("scored", "done")
    context: dict[str, Any] = {
        "check": check, "decision": decision, "submission": check.submission,
        "version": version, "rubric_version": rubric_version, "revealed": revealed,
        "mine": check.claimed_by_id == current_user.id,
        "may_work": can(current_user, "spot_checks.work", check),
        "sampling": queries.sampling_of(decision.id), "render_reflection": render_reflection,
        "score_form": score_form or ScoreForm(), "verdict_form": verdict_form or VerdictForm(),
        "assessment": assessment, "missing": missing or [], "problem": problem,
        "overturn_blocker": ops.overturn_blocker(check) if check.status == "scored" else None,
    }
    if revealed:
        # Only now, after L&D's own scores are saved, does the manager's assessment reach
        # the page (blind review: no anchoring on what the manager chose).
        context["manager"] = decision_assessment(decision)
        context["rows"] = comparison(check, rubric_version)
    return render_template("spot_checks/review.html", **context), status


@rule("spot_checks.read")
def review(check_id: int) -> Any:
    return render_review(_check_or_404(check_id))


@rule("spot_checks.manage")
def claim(check_id: int) -> Any:
    check = _check_or_404(check_id)
    require("spot_checks.work", check)
    try:
        ops.claim(check, _me())
    except ops.SpotCheckError as exc:
        rollback()
        flash(str(exc), "error")
        return redirect(url_for("spot_checks.queue"))
    flash("You took this check. Score the rubric before you see the manager's assessment.",
          "success")
    return redirect(url_for("spot_checks.review", check_id=check_id))


@rule("spot_checks.manage")
def release(check_id: int) -> Any:
    check = _check_or_404(check_id)
    try:
        ops.release(check, _me())
    except ops.SpotCheckError as exc:
        rollback()
        flash(str(exc), "error")
        return redirect(url_for("spot_checks.review", check_id=check_id))
    flash("The check is back in the queue.", "success")
    return redirect(url_for("spot_checks.queue"))


@rule("spot_checks.manage")
def score(check_id: int) -> Any:
    check = _check_or_404(check_id)
    require("spot_checks.work", check)
    rubric_version = ops.decision_rubric(check.decision)
    form = ScoreForm()
    assessment = (scoring.Assessment.from_form(rubric_version, request.form)
                  if rubric_version is not None
                  else scoring.Assessment({}, request.form.get("feedback", "")))
    if not form.validate_on_submit():
        return render_review(check, score_form=form, assessment=assessment)
    try:
        ops.score(check, _me(), assessment, form.ld_outcome.data)
    except ops.ScoringIncomplete as exc:
        rollback()
        return render_review(_check_or_404(check_id), score_form=form, assessment=assessment,
                             missing=exc.missing)
    except ops.SpotCheckError as exc:
        rollback()
        return render_review(_check_or_404(check_id), score_form=form, assessment=assessment,
                             problem=str(exc), status=409)
    return redirect(url_for("spot_checks.review", check_id=check_id, _anchor="compare"))


@rule("spot_checks.manage")
def verdict(check_id: int) -> Any:
    check = _check_or_404(check_id)
    require("spot_checks.work", check)
    form = VerdictForm()
    if not form.validate_on_submit():
        return render_review(check, verdict_form=form)
    try:
        ops.give_verdict(check, _me(), form.verdict.data,
                         approver_feedback=form.approver_feedback.data or "",
                         learner_message=form.learner_message.data or "",
                         internal_notes=form.internal_notes.data or "")
    except ops.SpotCheckError as exc:
        rollback()
        return render_review(_check_or_404(check_id), verdict_form=form, problem=str(exc))
    done = {"agree": "agreed: the decision stands",
            "concern": "a concern: the approver has your feedback",
            "overturn": "overturned: the submission is reopened and the learner told"}
    flash(f"Verdict recorded, {done[form.verdict.data]}.", "success")
    return redirect(url_for("spot_checks.queue"))


@rule("spot_checks.manage")
def decisions() -> Any:
    search = (request.args.get("q") or "").strip()[:100]
    page, checks = queries.recent_decisions(search, request.args.get("page", 1, type=int))
    return render_template("spot_checks/decisions.html", page=page, checks=checks,
                           search=search, form=PickForm())


@rule("spot_checks.manage")
def pick(decision_id: int) -> Any:
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        abort(404)
    form = PickForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        check = ops.pick(decision, _me(), form.note.data or "")
    except ops.SpotCheckError as exc:
        rollback()
        flash(str(exc), "error")
        return redirect(url_for("spot_checks.decisions"))
    flash("Picked: the decision is in the spot-check queue.", "success")
    return redirect(url_for("spot_checks.review", check_id=check.id))


@rule("spot_checks.manage")
def rates() -> Any:
    from sqlalchemy import select

    from approvals.spot_checks.models import ProgrammeSamplingRate
    from checkpoints.models import Programme

    programmes = db.session.execute(
        select(Programme, ProgrammeSamplingRate.rate)
        .outerjoin(ProgrammeSamplingRate, ProgrammeSamplingRate.programme_id == Programme.id)
        .where(Programme.status != "draft").order_by(Programme.title)).all()
    return render_template("spot_checks/rates.html", programmes=programmes, form=RateForm(),
                           base=sampler.sampling_policy().base_rate)


@rule("spot_checks.manage")
def set_rate(programme_id: int) -> Any:
    from checkpoints.models import Programme

    programme = db.session.get(Programme, programme_id)
    if programme is None:
        abort(404)
    form = RateForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("spot_checks.rates"))
    value = float(form.rate.data) if form.rate.data is not None else None
    ops.set_programme_rate(programme, value, _me())
    flash(f"{programme.title}: " + (f"sampled at {value:g}%." if value is not None
                                    else "uses the base rate."), "success")
    return redirect(url_for("spot_checks.rates"))
