"""Spot-check forms: L&D's own outcome (the rubric fields are read by
``rubrics.scoring.Assessment.from_form``), the verdict, picking by hand, programme rates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from approvals.spot_checks.models import VERDICT_LABELS
from clearance.forms import choices


class ScoreForm(FlaskForm):
    ld_outcome = RadioField(
        "The outcome you would have given",
        choices=choices([("approved", "Approve"), ("changes_requested", "Ask for changes")]),
        validators=[DataRequired(message="Choose the outcome you would have given.")],
    )
    submit = SubmitField("Save my scores and compare")


class VerdictForm(FlaskForm):
    verdict = RadioField("Verdict", choices=choices(list(VERDICT_LABELS.items())),
                         validators=[DataRequired(message="Choose a verdict.")])
    approver_feedback = TextAreaField(
        "Feedback to the approver",
        description="Needed for a concern or an overturn (at least 20 characters): what the "
                    "assessment missed. The approver sees it in their queue until they "
                    "acknowledge it.",
        validators=[Optional(), Length(max=4000)])
    learner_message = TextAreaField(
        "Message to the learner (overturn only)",
        description="Optional: the learner is told their work was reopened; add what they "
                    "should know. They never see your internal notes.",
        validators=[Optional(), Length(max=2000)])
    internal_notes = TextAreaField(
        "Internal notes (L&D only)",
        description="Kept with the check for L&D; never shown to the approver or the learner.",
        validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Record the verdict")

    def validate_approver_feedback(self, field: TextAreaField) -> None:
        if self.verdict.data in ("concern", "overturn") and len((field.data or "").strip()) < 20:
            raise ValidationError("Write at least 20 characters of feedback for the approver.")


class PickForm(FlaskForm):
    note = StringField("Why you picked it (optional)", validators=[Optional(), Length(max=250)])
    submit = SubmitField("Pick for a spot-check")


class RateForm(FlaskForm):
    rate = DecimalField(
        "Sampling rate (%)", places=None,
        description="Leave empty to use the base rate.",
        validators=[Optional(), NumberRange(min=0, max=100,
                                            message="Enter a percentage from 0 to 100.")])
    submit = SubmitField("Save rate")
