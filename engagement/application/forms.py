"""The line manager's answer, and the period of the L&D roll-up."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from clearance.forms import choices
from engagement.application.models import ANSWER_LABELS
from engagement.periods import PeriodForm


class AnswerForm(FlaskForm):
    answer = RadioField(
        "Is the learner applying this on the job?",
        choices=choices([("yes", "Yes: I see it in their everyday work"),
                         ("partly", "Partly: sometimes, or only some of it"),
                         ("not_yet", "Not yet")]),
        validators=[DataRequired(message="Choose yes, partly or not yet.")])
    note = TextAreaField(
        "What you have seen (optional)", validators=[Optional(), Length(max=2000)],
        description="An example helps L&D and the learner. The learner sees your answer and "
                    "this note on their submission page.")
    measure_name = StringField(
        "Business measure (optional)", validators=[Optional(), Length(max=200)],
        description="A measure this should move, if there is one, e.g. handover incidents per "
                    "month.")
    measure_value = DecimalField("Its value now (optional)", places=None,
                                 validators=[Optional()])
    measure_unit = StringField("Unit (optional)", validators=[Optional(), Length(max=60)],
                               description="e.g. per month, %, minutes.")
    submit = SubmitField("Save my answer")

    def validate(self, extra_validators: dict | None = None) -> bool:
        """Field checks, then: a value or unit needs the measure's name. (As a field validator it
        would never run: ``Optional()`` stops the chain when the name is empty.)"""
        valid = super().validate(extra_validators)
        unnamed = not (self.measure_name.data or "").strip()
        if unnamed and (self.measure_value.data is not None
                        or (self.measure_unit.data or "").strip()):
            self.measure_name.errors = [*self.measure_name.errors,
                                        "Name the business measure the value belongs to."]
            valid = False
        return valid


class RollupForm(PeriodForm):
    """Which checks the roll-up counts: those that came due in the period (the shared period
    words and query string; default: the last 12 months)."""

    DEFAULT = "12m"


__all__ = ["ANSWER_LABELS", "AnswerForm", "RollupForm"]
