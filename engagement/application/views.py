"""Pages of the level-3 application check: the manager's tasks and the answer form, and L&D's
roll-up by programme."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clearance.access import AUTHENTICATED, can, require, rule
from clearance.database import rollback
from clearance.templating import nav_item
from engagement.application import operations as ops
from engagement.application import queries
from engagement.application.forms import AnswerForm, RollupForm
from engagement.application.models import OVERDUE_AFTER_DAYS, ApplicationCheck

nav_item("Application on the job", "application_checks.programmes",
         lambda u: can(u, "application_checks.report"), order=64, group="Reports")


def _me() -> Any:
    return current_user._get_current_object()


@rule(AUTHENTICATED)
def tasks() -> Any:
    """My open checks (due, unanswered), what comes up next, what I answered, and (for
    skip-levels) the checks in my wider team."""
    me = _me()
    today = ops.today()
    wider = queries.wider_team(me, request.args.get("page", 1, type=int)) \
        if me.is_manager else None
    return render_template(
        "application/tasks.html", open=queries.open_for(me.id, today),
        coming=queries.coming_up_for(me.id, today), answered=queries.answered_by_or_for(me.id),
        wider=wider, today=today, overdue_days=OVERDUE_AFTER_DAYS)


def _check_or_404(check_id: int) -> ApplicationCheck:
    check = queries.get(check_id)
    if check is None:
        abort(404)
    require("application_checks.read", check, status=404)
    return check


def _render(check: ApplicationCheck, form: AnswerForm, status: int = 200) -> Any:
    today = ops.today()
    answerable = (not check.answered and check.is_due(today)
                  and can(current_user, "application_checks.answer", check))
    return render_template("application/check.html", check=check, form=form,
                           answerable=answerable, today=today), status


@rule(AUTHENTICATED)
def check(check_id: int) -> Any:
    """GET: the check (line manager: the form once due; skip-levels: read only).
    POST: the line manager's answer, saved exactly once."""
    item = _check_or_404(check_id)
    form = AnswerForm()
    if request.method == "GET":
        return _render(item, form)
    require("application_checks.answer", item)
    if not form.validate_on_submit():
        return _render(item, form)
    data = ops.Answer(answer=form.answer.data, note=form.note.data or "",
                      measure_name=form.measure_name.data or "",
                      measure_value=form.measure_value.data,
                      measure_unit=form.measure_unit.data or "")
    try:
        ops.answer(item, _me(), data)
    except ops.AnswerConflict as exc:
        rollback()
        abort(409, description=str(exc))
    except ops.AnswerRefused as exc:
        rollback()
        item = _check_or_404(check_id)
        target = getattr(form, exc.field, None) or form.answer
        target.errors = [*target.errors, str(exc)]
        return _render(item, form)
    flash(f"Thank you: your answer about {item.learner.name} is saved.", "success")
    return redirect(url_for("application_checks.tasks"))


@rule("application_checks.report")
def programmes() -> Any:
    """L&D: application on the job by programme, for the checks that came due in a period (the
    shared period choices; the last 12 months unless the query string says otherwise). A
    period that is not valid is explained (400) and no figures are shown."""
    form = RollupForm(request.args)
    period = form.chosen() if form.validate() else None
    context: dict[str, Any] = {"form": form, "period": period,
                               "overdue_days": OVERDUE_AFTER_DAYS,
                               "min_answers": queries.MIN_ANSWERS}
    if period is not None:
        rows = queries.rates_by_programme(period.first, period.last, on=ops.today())
        context.update(rows=rows, total=queries.total(rows), chart=[
            {"label": r.title, "value": r.applying_rate,
             "display": f"{r.applying_rate:.1f}%" if r.applying_rate is not None else "n/a",
             "muted": r.too_few, "note": r.too_few_note}
            for r in rows])
    return render_template("application/programmes.html", **context), \
        200 if period is not None else 400
