"""The three pulse questions, and the results filter."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, SubmitField, widgets
from wtforms.validators import DataRequired, Optional

from clearance.forms import choices
from engagement.periods import PeriodForm
from engagement.pulse.models import ACTIVITY_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _scale(low: str, high: str) -> list[Any]:
    return choices([("1", f"1 ({low})"), ("2", "2"), ("3", "3"), ("4", "4"),
                    ("5", f"5 ({high})")])


class PulseForm(FlaskForm):
    activities = MultiCheckboxField(
        "Which did you find most valuable?", choices=choices(ACTIVITY_LABELS.items()),
        description="Choose one or more.",
        validators=[DataRequired(message="Choose at least one.")])
    usefulness = RadioField("How useful was this checkpoint to your work?",
                            choices=_scale("not useful", "very useful"),
                            validators=[DataRequired(message="Choose a number from 1 to 5.")])
    feedback_helped = RadioField("Did your manager's feedback help you?",
                                 choices=_scale("not at all", "a great deal"),
                                 validators=[DataRequired(
                                     message="Choose a number from 1 to 5.")])
    submit = SubmitField("Send my answers")


class ResultsFilterForm(PeriodForm):
    """The shared period (default: the last 12 months) and one programme or all.

    Answers carry only the month they were given, so a period counts the whole months it
    touches (the presets start on a first of the month and end today, so for them that is
    exactly the period)."""

    DEFAULT = "12m"

    programme = SelectField("Programme", choices=[], validators=[Optional()],
                            validate_choice=False)
