"""Forms for one-to-ones. Field names differ between forms shown on the same meeting page (the
decision form already uses ``version``, ``lock`` and ``opened``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from approvals.one_to_ones import schedule
from approvals.one_to_ones.meetings import MAX_NOTES_CHARS, MAX_POINT_CHARS
from approvals.one_to_ones.models import DEFAULT_TIMEZONE, WEEKDAYS
from clearance.forms import choices

TIMEZONE_HINT = ("A time zone name such as Europe/London or America/New_York. Meetings keep "
                 "their local time when the clocks change.")


def _check_zone(_form: Any, field: Any) -> None:
    field.data = (field.data or "").strip()
    if not schedule.valid_timezone(field.data):
        raise ValidationError(f"“{field.data}” is not a time zone we know. Use a name such as "
                              "Europe/London.")


class _ScheduleFields(FlaskForm):
    weekday = SelectField("Day of the week",
                          choices=choices((str(i), name) for i, name in enumerate(WEEKDAYS)),
                          validators=[DataRequired(message="Choose a day.")], default="0")
    start_time = TimeField("Start time", validators=[DataRequired(
        message="Enter a start time, for example 09:30.")], default=dt.time(9, 0),
        description="The time in the time zone below, 24-hour clock.")
    duration = IntegerField("Length in minutes", default=30, validators=[
        DataRequired(message="Enter the length in minutes."),
        NumberRange(15, 240, message="Between 15 and 240 minutes.")])
    timezone = StringField("Time zone", default=DEFAULT_TIMEZONE, description=TIMEZONE_HINT,
                           validators=[DataRequired(message="Enter a time zone."),
                                       Length(max=64), _check_zone])
    frequency = RadioField("How often", default="1",
                           choices=choices([("1", "Every week"), ("2", "Every two weeks")]),
                           validators=[DataRequired(message="Choose how often you meet.")])


class SeriesForm(_ScheduleFields):
    report = SelectField("Who with", validators=[DataRequired(message="Choose a person.")])
    start_date = DateField("Starting from", validators=[DataRequired(
        message="Enter the date of the first week.")],
        description="The first one-to-one is on the chosen day in this week or the next.")
    submit = SubmitField("Set up the one-to-one")


class AllReportsForm(_ScheduleFields):
    stagger = IntegerField("Minutes between start times", default=30, validators=[
        DataRequired(message="Enter the minutes between start times."),
        NumberRange(15, 480, message="Between 15 and 480 minutes.")],
        description="Each person gets the next slot, in name order.")
    start_date = DateField("Starting from", validators=[DataRequired(
        message="Enter the date of the first week.")])
    submit = SubmitField("Set up one-to-ones with everyone")


class MoveForm(_ScheduleFields):
    effective_from = DateField("From", validators=[DataRequired(
        message="Enter the date the new time starts.")],
        description="Meetings already planned from this date move to the new time, with their "
                    "talking points.")
    submit = SubmitField("Move the series")


class EndForm(FlaskForm):
    reason = StringField("Why (optional, the other person sees it)",
                         validators=[Optional(), Length(max=200)])
    submit = SubmitField("End the series")


class CancelForm(FlaskForm):
    cancel_reason = StringField("Why (optional)", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Cancel this one-to-one")


class NotesForm(FlaskForm):
    notes = TextAreaField("Shared notes", validators=[Length(max=MAX_NOTES_CHARS)],
                          description="Both of you see these notes.")
    notes_version = HiddenField()
    submit = SubmitField("Save shared notes")


class PrivateNotesForm(FlaskForm):
    private_notes = TextAreaField("Your private notes", validators=[Length(max=MAX_NOTES_CHARS)],
                                  description="Only you see these. They are never shown to "
                                              "the person you meet.")
    private_version = HiddenField()
    submit = SubmitField("Save private notes")


class TalkingPointForm(FlaskForm):
    body = StringField("Add a talking point", validators=[
        DataRequired(message="Write the talking point."), Length(max=MAX_POINT_CHARS)])
    submit = SubmitField("Add talking point")


class ActionForm(FlaskForm):
    action = StringField("Action", validators=[DataRequired(message="Write the action."),
                                               Length(max=MAX_POINT_CHARS)])
    owner = SelectField("Who does it", validators=[DataRequired(message="Choose who.")])
    due_on = DateField("Due (optional)", validators=[Optional()])
    submit = SubmitField("Add action")


class HoldForm(FlaskForm):
    carry = RadioField("Carry the undecided items to the next one-to-one?",
                       choices=choices([("yes", "Yes, put them first on the next agenda"),
                                        ("no", "No, they stay in your approvals queue")]),
                       validators=[DataRequired(message="Choose yes or no.")])
    submit = SubmitField("Mark as held")
