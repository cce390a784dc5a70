"""L&D's form for a suggestion (the list's buttons post plain CSRF-protected forms)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, Length

from clearance.forms import choices
from engagement.suggestions.models import EVERYONE, MANAGERS, UNIT

AUDIENCE_CHOICES = [
    (MANAGERS, "Managers (the managers' list)"),
    (EVERYONE, "Everyone (the general list)"),
    (UNIT, "The people of one unit (added to their list)"),
]


class SuggestionForm(FlaskForm):
    programme_id = SelectField(
        "Programme", choices=[],
        description="Published programmes that are open in the catalogue. An upcoming one "
                    "shows in the widget from its release date.",
        validators=[DataRequired(message="Choose a programme.")])
    month = MonthField(
        "Month", invalid_value_message="Enter the month, for example 2026-11.",
        description="The month the suggestion is for, as year and month, for example 2026-11.")
    theme = StringField(
        "Theme of the month", validators=[DataRequired(message="Enter the month's theme."),
                                          Length(max=120)],
        description="For example Compassionate leadership. The widget shows it with the "
                    "suggestion.")
    audience = RadioField("Who it is for", choices=choices(AUDIENCE_CHOICES), default=EVERYONE,
                          validators=[DataRequired(message="Choose who it is for.")])
    unit = SelectField("Unit", choices=[], validate_choice=False,
                       description="Only for a suggestion to the people of one unit.")
    submit = SubmitField("Save suggestion")

