"""The decision form: outcome, justification and the hidden freshness fields. The rubric's
own fields are read by ``rubrics.scoring.Assessment.from_form``."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from clearance.database import utcnow
from clearance.forms import choices


class DecisionForm(FlaskForm):
    outcome = RadioField(
        "Your decision",
        choices=choices([("approved", "Approve: this checkpoint is cleared"),
                         ("changes_requested", "Ask for changes: the learner edits and "
                                               "resubmits")]),
        validators=[DataRequired(message="Choose approve or ask for changes.")],
    )
    justification = TextAreaField(
        "Justification (needed only when approving below the rubric's pass level)",
        validators=[Optional(), Length(max=4000)],
    )
    lock = HiddenField()
    version = HiddenField()
    opened = HiddenField()
    submit = SubmitField("Save decision")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="approvals-review-opened")


def opened_token(step_id: int) -> str:
    """A signed record of when the review page was shown (no write on GET)."""
    return _serializer().dumps([step_id, utcnow().isoformat()])


def opened_at(token: str | None, step_id: int) -> dt.datetime | None:
    if not token:
        return None
    try:
        sid, stamp = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if sid != step_id:
        return None
    try:
        value = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    return value if value <= utcnow() else None
