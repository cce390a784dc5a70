"""Everyone's page of nudge choices (/me/nudges) and the unsubscribe link from e-mails."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from clearance import audit
from clearance.access import AUTHENTICATED, PUBLIC, rule
from clearance.extensions import csrf, db
from engagement.nudges import preferences as prefs
from engagement.nudges import tokens
from engagement.nudges.config import load_config
from engagement.nudges.forms import PreferencesForm
from engagement.nudges.models import KIND_HINTS, KIND_LABELS, KINDS
from people.models import Person


def _window_text() -> str:
    cfg = load_config()
    if cfg.quiet_start == cfg.quiet_end:
        return "none"
    return f"{cfg.quiet_start:%H:%M} to {cfg.quiet_end:%H:%M}"


@rule(AUTHENTICATED)
def preferences() -> Any:
    me = current_user._get_current_object()
    form = PreferencesForm()
    form.set_mode_choices(_window_text())
    if request.method == "GET":
        for kind, chosen in prefs.channels_of(me.id).items():
            form.channel(kind, "in_app").data = chosen.in_app
            form.channel(kind, "email").data = chosen.email
        quiet = prefs.quiet_hours_of(me.id)
        form.quiet_mode.data = quiet.mode if quiet is not None else "default"
        if quiet is not None and quiet.mode == "custom":
            form.quiet_start.data, form.quiet_end.data = quiet.start, quiet.end
    elif form.validate_on_submit():
        changed = 0
        for kind in KINDS:
            changed += prefs.set_channels(me.id, kind, prefs.Channels(
                in_app=bool(form.channel(kind, "in_app").data),
                email=bool(form.channel(kind, "email").data)))
        changed += prefs.set_quiet_hours(me.id, form.quiet_mode.data,
                                         form.quiet_start.data, form.quiet_end.data)
        flash("Your choices are saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("nudges.preferences"))
    return render_template("nudges/preferences.html", form=form, kinds=KINDS,
                           labels=KIND_LABELS, hints=KIND_HINTS, window=_window_text())


# ---------------------------------------------------------------- unsubscribe


def _invalid() -> Any:
    return render_template("nudges/unsubscribe_invalid.html"), 400


def _read(token: str) -> tuple[Person, str] | None:
    found = tokens.read_unsubscribe_token(token)
    if found is None:
        return None
    person = db.session.get(Person, found[0])
    return (person, found[1]) if person is not None else None


@rule(PUBLIC)
def unsubscribe(token: str) -> Any:
    """GET shows what the link would switch off and a button; nothing changes on GET (mail
    scanners and link previews open links)."""
    found = _read(token)
    if found is None:
        return _invalid()
    person, kind = found
    return render_template("nudges/unsubscribe.html", person=person, kind=kind,
                           label=KIND_LABELS[kind], token=token,
                           already=not prefs.channels_of(person.id)[kind].email)


@csrf.exempt
@rule(PUBLIC)
def unsubscribe_post(token: str) -> Any:
    """Switch off one kind of e-mail for one person.

    CSRF: this view is exempt from the site-wide check for one case only, RFC 8058 one-click
    unsubscribe, where the mail client itself POSTs ``List-Unsubscribe=One-Click`` to this URL
    and cannot hold a form token. That is safe because the signed token in the URL is the
    whole authority: it names one person and one kind, cannot be forged, and all it can do is
    switch that kind's e-mails off (what its owner asked the mail client to do). Every other
    POST (the confirmation page's button) must carry a valid CSRF token, checked here.
    """
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    if not one_click:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    found = _read(token)
    if found is None:
        return _invalid()
    person, kind = found
    changed = prefs.unsubscribe(person.id, kind)
    if changed:
        audit.record("nudges.unsubscribed", object_type="person", object_id=person.id,
                     after={"kind": kind, "one_click": one_click})
    return render_template("nudges/unsubscribed.html", person=person, label=KIND_LABELS[kind])
