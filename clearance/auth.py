"""Sign-in, sign-out, invitations and password resets.

Sessions carry ``"<person id>:<session_version>"``; signing out, deactivation and a password
change bump the version, so every existing session (on any device) stops working at once.
The people domain registers the user store; the shell never imports it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import DateTime, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from clearance import audit
from clearance.access import AUTHENTICATED, PUBLIC, rule
from clearance.database import as_utc, utcnow
from clearance.extensions import db, limiter, login_manager
from clearance.forms import LoginForm, SetPasswordForm
from clearance.passwords import hash_password, needs_rehash, verify_password
from clearance.security import is_safe_local_path

bp = Blueprint("auth", __name__)

_store: dict[str, Callable[..., Any]] = {}
GENERIC_FAILURE = "That e-mail address and password do not match an active account."


def register_user_store(*, model: type, load: Callable[[str], Any],
                        find_by_email: Callable[[str], Any]) -> None:
    """The people domain tells the shell how to find people (the shell imports no domain)."""
    _store["model"] = model
    _store["load"] = load
    _store["find_by_email"] = find_by_email


class AuthToken(db.Model):
    """Single-use, expiring link tokens (invitations and password resets); only a hash is kept."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invite | reset
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(person: Any, purpose: str) -> str:
    """Create a link token for ``person``; earlier unused tokens of that purpose are voided."""
    now = utcnow()
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.person_id == person.id, AuthToken.purpose == purpose,
               AuthToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    ttl = dt.timedelta(hours=int(current_app.config["INVITE_TTL_HOURS"]))
    actor = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add(AuthToken(person_id=person.id, purpose=purpose, token_hash=_digest(raw),
                             created_at=now, expires_at=now + ttl, created_by_id=actor))
    db.session.flush()
    audit.record(f"auth.{purpose}_issued", obj=person)
    return raw


def peek_token(raw: str) -> AuthToken | None:
    """The live token for ``raw`` or None; reading it changes nothing."""
    tok = db.session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(raw)))
    if tok is None or tok.used_at is not None or as_utc(tok.expires_at) <= utcnow():
        return None
    return tok


def consume_token(raw: str) -> AuthToken | None:
    """Mark the token used exactly once (conditional UPDATE); None if used, expired or unknown."""
    tok = peek_token(raw)
    if tok is None:
        return None
    result = db.session.execute(
        update(AuthToken)
        .where(AuthToken.id == tok.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return tok if result.rowcount == 1 else None


def end_sessions(person: Any) -> None:
    """Invalidate every session of ``person`` (sign-out everywhere, deactivation)."""
    person.session_version = (person.session_version or 1) + 1


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load(user_id: str) -> Any:
        loader = _store.get("load")
        return loader(user_id) if loader else None

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        from clearance.errors import render_error, wants_json

        if wants_json() or request.method != "GET":
            return render_error(401)
        target = request.full_path if request.query_string else request.path
        flash("Please sign in to see that page.", "info")
        return redirect(url_for("auth.login", next=target))


def _email_limit_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:320]


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/sign-in", methods=["GET", "POST"])
@rule(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_limit_key)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        person = _store["find_by_email"](form.email.data)
        ok = verify_password(person.password_hash if person else None, form.password.data)
        if person is not None and ok and person.active:
            if needs_rehash(person.password_hash):
                person.password_hash = hash_password(form.password.data)
            person.last_login_at = utcnow()
            session.clear()
            login_user(person)
            session.permanent = True
            audit.record("auth.signed_in", obj=person, actor_id=person.id,
                         acting_role=person.primary_role())
            target = form.next.data
            return redirect(target if is_safe_local_path(target) else url_for("main.home"))
        audit.record("auth.sign_in_failed",
                     object_type="person" if person else None,
                     object_id=person.id if person else None,
                     after={"email": (form.email.data or "")[:320]}, acting_role="anonymous")
        error = GENERIC_FAILURE
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/sign-out", methods=["POST"])
@rule(AUTHENTICATED)
def logout() -> Any:
    person = current_user._get_current_object()
    audit.record("auth.signed_out", obj=person)
    end_sessions(person)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@rule(PUBLIC)
@limiter.limit("20 per minute", methods=["POST"])
def set_password(token: str) -> Any:
    tok = peek_token(token)
    if tok is None:
        return render_template("auth/token_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        used = consume_token(token)
        if used is None:
            abort(409)
        person = db.session.get(_store["model"], used.person_id)
        person.password_hash = hash_password(form.password.data)
        end_sessions(person)
        audit.record("auth.password_set", obj=person, actor_id=person.id,
                     acting_role="self", reason=used.purpose)
        if current_user.is_authenticated:
            logout_user()
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, purpose=tok.purpose)
