"""L&D's curation pages: the month-by-month list, adding, editing, reordering, hiding and
removing suggestions. Administrators read the list; only L&D change it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clearance.access import can, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.forms import choices
from clearance.templating import nav_item
from engagement.suggestions import operations as ops
from engagement.suggestions import queries
from engagement.suggestions.forms import SuggestionForm
from engagement.suggestions.models import Suggestion
from people import queries as people_queries


def _staff(user: Any) -> bool:
    return bool(user.has_role("ld") or user.has_role("admin"))


nav_item("Suggestions", "suggestions.index", _staff, order=72, group="Manage")

FIELDS = ("programme_id", "month", "theme", "audience", "unit")


def _suggestion_or_404(suggestion_id: int) -> Suggestion:
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None:
        abort(404)
    return suggestion


def _anchor(month: dt.date) -> str:
    return f"month-{month:%Y-%m}"


def _back(suggestion: Suggestion | None = None, month: dt.date | None = None) -> Any:
    if suggestion is not None:
        return redirect(url_for("suggestions.index", _anchor=f"suggestion-{suggestion.id}"))
    return redirect(url_for("suggestions.index", _anchor=_anchor(month) if month else None))


@rule("suggestions.read")
def index() -> Any:
    show_all = request.args.get("all") == "1"
    this_month = queries.today().replace(day=1)
    since = None if show_all else queries.add_months(this_month, -(queries.RECENT_MONTHS - 1))
    months = queries.months(since=since)
    ids = [s.id for m in months for g in m.groups for s in g.suggestions]
    return render_template(
        "suggestions/index.html", months=months, this_month=this_month, today=queries.today(),
        earlier=0 if since is None else queries.earlier_count(since), show_all=show_all,
        followed=ops.was_followed(ids), may_manage=can(current_user, "suggestions.manage"),
        anchor=_anchor)


def _form(suggestion: Suggestion | None) -> SuggestionForm:
    form = SuggestionForm(obj=suggestion if request.method == "GET" else None)
    programmes = queries.suggestable_programmes()
    today = queries.today()
    options = [("", "Choose a programme")]
    for p in programmes:
        label = p.title + (f" ({p.theme})" if p.theme else "")
        if p.release_date and p.release_date > today:
            label += f", released {p.release_date:%-d %B %Y}"
        options.append((str(p.id), label))
    if suggestion is not None and suggestion.programme_id not in {p.id for p in programmes}:
        options.append((str(suggestion.programme_id),
                        f"{suggestion.programme.title} (no longer in the catalogue)"))
    form.programme_id.choices = choices(options)
    form.unit.choices = choices([("", "Choose a unit")]
                                + [(u, u) for u in people_queries.units()])
    if request.method == "GET" and suggestion is None:
        _prefill(form)
    return form


def _prefill(form: SuggestionForm) -> None:
    """Adding from a month on the list: that month, and its theme if it has one."""
    raw = request.args.get("month", "")
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        month = queries.today().replace(day=1)
    form.month.data = month
    themes = [m.themes for m in queries.months(since=month) if m.month == month]
    if themes and themes[0]:
        form.theme.data = themes[0][0]


def _values(form: SuggestionForm) -> dict[str, Any]:
    programme_id = form.programme_id.data
    programme = (queries.programmes_by_id([int(programme_id)]).get(int(programme_id))
                 if programme_id and programme_id.isdigit() else None)
    return {"programme": programme, "month": form.month.data, "theme": form.theme.data or "",
            "audience": form.audience.data or "", "unit": form.unit.data or ""}


def _refused(form: SuggestionForm, exc: ops.SuggestionError) -> None:
    """Put a refusal on its field (what was typed stays in the form)."""
    rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "error")


def _render_form(form: SuggestionForm, suggestion: Suggestion | None) -> Any:
    status = 422 if form.errors else 200
    return render_template("suggestions/form.html", form=form, suggestion=suggestion), status


@rule("suggestions.manage")
def new() -> Any:
    form = _form(None)
    if form.validate_on_submit():
        try:
            suggestion = ops.add(by=current_user, **_values(form))
        except ops.SuggestionError as exc:
            _refused(form, exc)
        else:
            flash(f"{suggestion.programme.title} is suggested to "
                  f"{suggestion.audience_text.lower()} for {suggestion.month:%B %Y}.",
                  "success")
            return _back(suggestion)
    return _render_form(form, None)


@rule("suggestions.manage")
def edit(suggestion_id: int) -> Any:
    suggestion = _suggestion_or_404(suggestion_id)
    form = _form(suggestion)
    if form.validate_on_submit():
        try:
            changed = ops.update(suggestion, **_values(form))
        except ops.SuggestionError as exc:
            _refused(form, exc)
        else:
            flash("Suggestion saved." if changed else "Nothing changed.", "success")
            return _back(suggestion)
    return _render_form(form, suggestion)


@rule("suggestions.manage")
def move(suggestion_id: int) -> Any:
    suggestion = _suggestion_or_404(suggestion_id)
    direction = request.form.get("direction", "")
    try:
        moved = ops.move(suggestion, direction)
    except ops.SuggestionError as exc:
        flash(str(exc), "error")
    else:
        if moved:
            flash(f"Moved {suggestion.programme.title} {direction}.", "success")
    return _back(suggestion)


@rule("suggestions.manage")
def set_active(suggestion_id: int) -> Any:
    suggestion = _suggestion_or_404(suggestion_id)
    active = request.form.get("active")
    if active not in ("0", "1"):
        abort(400)
    try:
        ops.set_active(suggestion, active == "1")
    except ops.SuggestionError as exc:
        rollback()
        flash(str(exc), "error")
    else:
        shown = "shown in" if suggestion.active else "hidden from"
        flash(f"{suggestion.programme.title} is {shown} the widget.", "success")
    return _back(suggestion)


@rule("suggestions.manage")
def remove(suggestion_id: int) -> Any:
    suggestion = _suggestion_or_404(suggestion_id)
    title, month = suggestion.programme.title, suggestion.month
    try:
        ops.remove(suggestion)
    except ops.SuggestionError as exc:
        flash(str(exc), "error")
        return _back(suggestion)
    flash(f"Removed the suggestion of {title}.", "success")
    return _back(month=month)
