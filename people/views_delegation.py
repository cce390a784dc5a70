"""Out-of-office windows: a person hands their approvals to a delegate for a while."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clearance.access import AUTHENTICATED, require, rule
from clearance.database import as_utc, rollback, utcnow
from clearance.extensions import db
from people import delegation, queries
from people.forms_delegation import DelegationForm

LOCAL = ZoneInfo("Europe/London")


def _to_utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=LOCAL).astimezone(dt.UTC)


def local_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return as_utc(value).astimezone(LOCAL).strftime("%a %d %b %Y, %H:%M")  # type: ignore[union-attr]


@rule(AUTHENTICATED)
def out_of_office() -> Any:
    me = current_user._get_current_object()
    form = DelegationForm()
    if form.validate_on_submit():
        delegate = queries.find_by_reference(form.delegate.data)
        if delegate is None:
            form.delegate.errors = [f"No one has the e-mail address or employee id "
                                    f"{form.delegate.data}."]
        else:
            try:
                delegation.create_delegation(me, delegate, _to_utc(form.starts_at.data),
                                             _to_utc(form.ends_at.data), form.note.data or "")
            except delegation.DelegationError as exc:
                rollback()
                field = getattr(form, exc.field or "delegate", form.delegate)
                field.errors = [*field.errors, str(exc)]
            else:
                flash(f"Out of office set: {delegate.name} decides for you from "
                      f"{form.starts_at.data:%d %b %H:%M} until {form.ends_at.data:%d %b %H:%M}.",
                      "success")
                return redirect(url_for("people.out_of_office"))
    windows = delegation.windows_for(me.id)
    covering = delegation.delegators_of(me.id)
    return render_template("people/out_of_office.html", form=form, windows=windows,
                           now=utcnow(), local_time=local_time, covering=covering)


@rule(AUTHENTICATED)
def cancel_out_of_office(delegation_id: int) -> Any:
    row = db.session.get(delegation.Delegation, delegation_id)
    if row is None:
        abort(404)
    require("people.manage_delegation", row, status=404)
    delegation.cancel_delegation(row)
    flash("That out-of-office window is cancelled: your approvals are yours again.", "success")
    return redirect(url_for("people.out_of_office"))
