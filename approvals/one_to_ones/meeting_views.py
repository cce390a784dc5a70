"""The meeting page: the agenda built from live data, the inline review of a waiting checkpoint
(the same decision form, rubric scoring and full-assessment rule as the review page, posted to
this meeting's own route so the decision records the meeting), notes, talking points, actions,
holding and cancelling, and the single-meeting calendar file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from approvals import operations as approval_ops
from approvals.forms import DecisionForm, opened_at, opened_token
from approvals.models import ApprovalStep
from approvals.one_to_ones import agenda as agenda_mod
from approvals.one_to_ones import forms, ics, operations, queries
from approvals.one_to_ones.meetings import private_note
from approvals.one_to_ones.models import ActionItem, Meeting, Series
from clearance.access import AUTHENTICATED, can, require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.forms import choices
from people.models import Person
from portfolios.text import render_reflection
from rubrics import scoring
from rubrics.queries import comment_bank


def _me() -> Any:
    return current_user._get_current_object()


def meeting_or_404(series_id: int, day: str) -> tuple[Series, Meeting]:
    series = queries.get_series(series_id)
    if series is None:
        abort(404)
    require("one_to_ones.view_series", series)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    meeting = queries.meeting_for(series, date)
    if meeting is None:
        abort(404)
    return series, meeting


def _url(series: Series, meeting: Meeting, anchor: str = "") -> str:
    return url_for("one_to_ones.meeting", series_id=series.id,
                   day=meeting.occurs_on.isoformat()) + (f"#{anchor}" if anchor else "")


def _review(agenda: agenda_mod.Agenda, step_id: int | None, form: DecisionForm | None,
            assessment: scoring.Assessment | None, missing: list[scoring.Missing] | None
            ) -> dict[str, Any] | None:
    if step_id is None or not agenda.for_manager or agenda.meeting.status != "upcoming":
        return None
    step = next((s for s in agenda.pending if s.id == step_id), None)
    if step is None or not can(current_user, "approvals.decide", step):
        return None
    rubric_version = approval_ops.rubric_version_of(step)
    if form is None:
        form = DecisionForm(formdata=None)
        form.lock.data = str(step.lock_version)
        form.version.data = str(step.version_id)
        form.opened.data = opened_token(step.id)
    errors: dict[str, list[str]] = {}
    for item in missing or []:
        errors.setdefault(item.field or "feedback", []).append(item.message)
    return {
        "step": step, "form": form, "rubric_version": rubric_version,
        "assessment": assessment, "missing": missing or [], "errors": errors,
        "suggestion": scoring.score(rubric_version, assessment)
        if rubric_version is not None and assessment is not None else None,
        "bank": comment_bank(rubric_version) if rubric_version is not None else None,
        "evidence": step.version.evidence,
        "decide_url": url_for("one_to_ones.decide", series_id=agenda.series.id,
                              day=agenda.meeting.occurs_on.isoformat(), step_id=step.id),
    }


def render_meeting(series: Series, meeting: Meeting, *, status: int = 200,
                   review_id: int | None = None, decision_form: DecisionForm | None = None,
                   assessment: scoring.Assessment | None = None,
                   missing: list[scoring.Missing] | None = None, **overrides: Any) -> Any:
    me = _me()
    agenda = agenda_mod.build(meeting, me)
    is_manager = me.id == series.manager_id
    notes_form = overrides.get("notes_form") or forms.NotesForm(formdata=None)
    if "notes_form" not in overrides:
        notes_form.notes.data = meeting.shared_notes
        notes_form.notes_version.data = str(meeting.notes_version or 0)
    private_form = None
    if is_manager and can(me, "one_to_ones.private_notes", meeting):
        private_form = overrides.get("private_form") or forms.PrivateNotesForm(formdata=None)
        if "private_form" not in overrides:
            note = private_note(meeting)
            private_form.private_notes.data = note.body if note else ""
            private_form.private_version.data = str(note.version if note else 0)
    action_form = overrides.get("action_form") or forms.ActionForm(formdata=None)
    action_form.owner.choices = choices([(str(series.report_id), series.report.name),
                                         (str(series.manager_id),
                                          f"{series.manager.name}")])
    if not action_form.owner.data:
        action_form.owner.data = str(series.report_id)
    return render_template(
        "one_to_ones/meeting.html", series=series, meeting=meeting, agenda=agenda,
        is_manager=is_manager, local_start=agenda_mod.local_start(meeting),
        review=_review(agenda, review_id, decision_form, assessment, missing),
        notes_form=notes_form, private_form=private_form, action_form=action_form,
        point_form=overrides.get("point_form") or forms.TalkingPointForm(formdata=None),
        cancel_form=forms.CancelForm(formdata=None),
        notes_conflict=overrides.get("notes_conflict"),
        private_conflict=overrides.get("private_conflict"),
        render_reflection=render_reflection,
    ), status


@rule(AUTHENTICATED)
def meeting(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    review_id = request.args.get("review", type=int)
    return render_meeting(series, found, review_id=review_id)


def _stored(series: Series, found: Meeting) -> Meeting:
    """The meeting row, created on first write."""
    return found if found.id is not None else operations.materialise(series, found.occurs_on)


@rule(AUTHENTICATED)
def save_notes(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.run_meeting", found)
    form = forms.NotesForm()
    if not form.validate_on_submit():
        return render_meeting(series, found, notes_form=form)
    try:
        seen = int(form.notes_version.data or 0)
    except ValueError:
        abort(400)
    try:
        operations.save_shared_notes(_stored(series, found), _me(), form.notes.data or "", seen)
    except operations.NotesConflict as exc:
        rollback()
        series, found = meeting_or_404(series_id, day)
        form.notes.errors = [str(exc)]
        return render_meeting(series, found, status=409, notes_form=form,
                              notes_conflict=exc)
    except operations.OneToOneError as exc:
        rollback()
        series, found = meeting_or_404(series_id, day)
        form.notes.errors = [str(exc)]
        return render_meeting(series, found, notes_form=form)
    flash("Shared notes saved.", "success")
    return redirect(_url(series, found, "shared-notes"))


@rule(AUTHENTICATED)
def save_private_notes(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.private_notes", found)
    form = forms.PrivateNotesForm()
    if not form.validate_on_submit():
        return render_meeting(series, found, private_form=form)
    try:
        seen = int(form.private_version.data or 0)
    except ValueError:
        abort(400)
    try:
        operations.save_private_notes(_stored(series, found), _me(),
                                      form.private_notes.data or "", seen)
    except operations.OneToOneError as exc:
        rollback()
        series, found = meeting_or_404(series_id, day)
        form.private_notes.errors = [str(exc)]
        conflict = exc if isinstance(exc, operations.NotesConflict) else None
        return render_meeting(series, found, status=409 if conflict else 200,
                              private_form=form, private_conflict=conflict)
    flash("Private notes saved.", "success")
    return redirect(_url(series, found, "private-notes"))


@rule(AUTHENTICATED)
def add_point(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.add_point", found)
    form = forms.TalkingPointForm()
    if form.validate_on_submit():
        try:
            operations.add_talking_point(_stored(series, found), _me(), form.body.data)
        except operations.OneToOneError as exc:
            rollback()
            series, found = meeting_or_404(series_id, day)
            form.body.errors = [str(exc)]
        else:
            flash("Talking point added.", "success")
            return redirect(_url(series, found, "talking-points"))
    return render_meeting(series, found, point_form=form)


@rule(AUTHENTICATED)
def add_action(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.view_meeting", found)
    form = forms.ActionForm()
    form.owner.choices = choices([(str(series.report_id), series.report.name),
                                  (str(series.manager_id), series.manager.name)])
    if form.validate_on_submit():
        owner = db.session.get(Person, int(form.owner.data))
        try:
            if owner is None:
                raise operations.OneToOneError("Choose who does it.", "owner")
            operations.add_action(_stored(series, found), _me(), owner, form.action.data,
                                  form.due_on.data)
        except operations.OneToOneError as exc:
            rollback()
            series, found = meeting_or_404(series_id, day)
            getattr(form, "owner" if exc.field == "owner" else "action").errors = [str(exc)]
        else:
            flash("Action added.", "success")
            return redirect(_url(series, found, "actions"))
    return render_meeting(series, found, action_form=form)


@rule(AUTHENTICATED)
def complete_action(action_id: int) -> Any:
    item = db.session.get(ActionItem, action_id)
    if item is None:
        abort(404)
    require("one_to_ones.view_series", item.meeting.series)
    require("one_to_ones.complete_action", item)
    if operations.complete_action(item, _me()):
        flash(f"Done: {item.body}", "success")
    series = item.meeting.series
    back = request.form.get("back", "")
    try:
        day = dt.date.fromisoformat(back)
    except ValueError:
        return redirect(url_for("one_to_ones.series", series_id=series.id))
    return redirect(url_for("one_to_ones.meeting", series_id=series.id, day=day.isoformat())
                    + "#actions")


@rule(AUTHENTICATED)
def decide(series_id: int, day: str, step_id: int) -> Any:
    """The review page's decision, made in this meeting: the decision records the meeting."""
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.run_meeting", found)
    step = db.session.get(ApprovalStep, step_id)
    if step is None or step.learner_id != series.report_id:
        abort(404)
    if not can(current_user, "approvals.decide", step) and step.status == "pending":
        require("approvals.decide", step)
    if found.status != "upcoming":
        abort(409, description="This one-to-one is no longer open for decisions.")
    form = DecisionForm()
    rubric_version = approval_ops.rubric_version_of(step)
    assessment = (scoring.Assessment.from_form(rubric_version, request.form)
                  if rubric_version is not None
                  else scoring.Assessment({}, request.form.get("feedback", "")))
    if not form.validate_on_submit():
        return render_meeting(series, found, review_id=step.id, decision_form=form,
                              assessment=assessment)
    try:
        seen_lock, seen_version = int(form.lock.data or 0), int(form.version.data or 0)
    except ValueError:
        abort(400)
    stored = _stored(series, found)
    data = approval_ops.DecisionInput(
        outcome=form.outcome.data, assessment=assessment,
        justification=form.justification.data or "", meeting_id=stored.id,
        review_started_at=opened_at(form.opened.data, step.id))
    try:
        decision = approval_ops.decide(step, _me(), data, seen_lock=seen_lock,
                                       seen_version_id=seen_version)
    except approval_ops.DecisionConflict as exc:
        rollback()
        abort(409, description=str(exc))
    except approval_ops.DecisionRefused as exc:
        rollback()
        series, found = meeting_or_404(series_id, day)
        missing = exc.missing or [scoring.Missing("refused", str(exc), "")]
        if not exc.missing:
            form.outcome.errors = [*form.outcome.errors, str(exc)]
        return render_meeting(series, found, review_id=step_id, decision_form=form,
                              assessment=assessment, missing=missing)
    what = "approved" if decision.outcome == "approved" else "sent back for changes"
    flash(f"Saved in this one-to-one: “{step.submission.checkpoint.title}” was {what}.",
          "success")
    return redirect(_url(series, found, "decided"))


@rule(AUTHENTICATED)
def hold(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.run_meeting", found)
    undecided = queries.pending_for(series.manager_id, series.report_id)
    form = forms.HoldForm()
    carry = False
    if undecided:
        if not form.validate_on_submit():
            if request.form.get("carry") is None:
                form.carry.errors = []
            return render_template("one_to_ones/hold.html", series=series, meeting=found,
                                   undecided=undecided, form=form)
        carry = form.carry.data == "yes"
    try:
        nxt = operations.mark_held(_stored(series, found), _me(), carry=carry,
                                   undecided_step_ids=[s.id for s in undecided])
    except operations.OneToOneError as exc:
        rollback()
        flash(str(exc), "error")
        return redirect(_url(series, found))
    message = "Marked as held."
    if carry and nxt is not None:
        message += f" {len(undecided)} undecided item(s) carried to {nxt.occurs_on:%d %B}."
    flash(message, "success")
    return redirect(_url(series, found))


@rule(AUTHENTICATED)
def cancel(series_id: int, day: str) -> Any:
    series, found = meeting_or_404(series_id, day)
    require("one_to_ones.run_meeting", found)
    form = forms.CancelForm()
    try:
        operations.cancel_meeting(_stored(series, found), _me(), form.cancel_reason.data or "")
    except operations.OneToOneError as exc:
        rollback()
        flash(str(exc), "error")
    else:
        flash("Cancelled. Calendars using your feed drop this date.", "success")
    return redirect(_url(series, found))


@rule(AUTHENTICATED)
def meeting_ics(series_id: int, day: str) -> Any:
    _series, found = meeting_or_404(series_id, day)
    response = Response(ics.single(found), mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="one-to-one-{found.occurs_on.isoformat()}.ics"')
    return response
