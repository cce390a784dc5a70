"""The out-of-office form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class DelegationForm(FlaskForm):
    starts_at = DateTimeLocalField("From", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message="Enter when you leave.")],
                                   description="Date and time, UK time.")
    ends_at = DateTimeLocalField("Until", format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(message="Enter when you are back.")],
                                 description="Your approvals come back to you at this time.")
    delegate = StringField("Who decides for you", validators=[DataRequired(), Length(max=320)],
                           description="Their e-mail address or employee id. They will see "
                                       "and decide your approvals while you are away.")
    note = TextAreaField("Note for them (optional)", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Set out of office")
