"""Pulse pages: the learner's three questions about a decision, and L&D's aggregates."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clearance.access import AUTHENTICATED, can, require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.forms import choices
from clearance.templating import nav_item
from engagement import periods
from engagement.pulse import operations as ops
from engagement.pulse import queries
from engagement.pulse.forms import PulseForm, ResultsFilterForm

nav_item("Learner pulse", "pulse.results", lambda u: can(u, "pulse.results"), order=65,
         group="Reports")


def _decision_or_404(decision_id: int) -> Any:
    from approvals.models import Decision

    decision = db.session.get(Decision, decision_id)
    if decision is None:
        abort(404)
    require("pulse.answer", decision, status=404)
    return decision


def _render(decision: Any, form: PulseForm, status: int = 200) -> Any:
    return render_template("pulse/answer.html", decision=decision, form=form,
                           done=queries.answered(decision.id)), status


@rule(AUTHENTICATED)
def answer(decision_id: int) -> Any:
    """GET: the three questions (or a thank-you once answered). POST: the answers, once."""
    decision = _decision_or_404(decision_id)
    form = PulseForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _render(decision, form)
    data = ops.PulseInput(activities=tuple(form.activities.data or ()),
                          usefulness=int(form.usefulness.data),
                          feedback_helped=int(form.feedback_helped.data))
    try:
        ops.answer(decision, current_user._get_current_object(), data)
    except ops.PulseConflict as exc:
        rollback()
        abort(409, description=str(exc))
    except ops.PulseRefused as exc:
        rollback()
        decision = _decision_or_404(decision_id)
        target = getattr(form, exc.field, None) or form.activities
        target.errors = [*target.errors, str(exc)]
        return _render(decision, form)
    flash("Thank you: your answers are saved, without your name.", "success")
    return redirect(url_for("portfolios.submission", submission_id=decision.submission_id))


@rule("pulse.results")
def results() -> Any:
    """L&D: aggregates over all programmes and by programme for the months of a period (the
    shared period choices; the last 12 months unless the query string says otherwise); groups
    under PULSE_MIN_RESPONSES are not shown. A period that is not valid is explained (400)
    and no figures are shown."""
    form = ResultsFilterForm(request.args)
    period = form.chosen() if form.validate() else None
    # the filter offers programmes answered about in the period (any period while it is wrong,
    # so that the programme chosen is kept)
    listed = period or periods.custom(periods.EARLIEST, form.on)
    programmes = queries.programmes_with_responses(listed.first, listed.last)
    form.programme.choices = choices([("", "All programmes"),
                                      *((str(pid), title) for pid, title in programmes)])
    chosen_id = form.programme.data if period is not None else None
    programme_id, chosen = next(((pid, title) for pid, title in programmes
                                 if str(pid) == chosen_id), (None, None))
    context: dict[str, Any] = {"form": form, "period": period, "chosen": chosen,
                               "minimum": queries.min_responses()}
    if period is not None:
        context.update(
            months=(periods.month_label(f"{period.first:%Y-%m}"),
                    periods.month_label(f"{period.last:%Y-%m}")),
            overall=queries.aggregate(period.first, period.last, programme_id=programme_id),
            groups=queries.by_programme(period.first, period.last)
            if programme_id is None else [])
    return render_template("pulse/results.html", **context), 200 if period is not None else 400
