"""Forms for the rubric builder, import and the comment bank."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from clearance.forms import choices
from rubrics.content import LEVEL_NAME_MAX, TEXT_MAX, TITLE_MAX
from rubrics.scoring import points_or_none

#: starting scales offered when a rubric is created: key -> (label, [(name, points, descriptor)])
SCALES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "three": ("Not yet / Meets / Exceeds (0, 1, 2 points)",
              [("Not yet", "0", ""), ("Meets", "1", ""), ("Exceeds", "2", "")]),
    "four": ("Not yet / Developing / Meets / Exceeds (0 to 3 points)",
             [("Not yet", "0", ""), ("Developing", "1", ""), ("Meets", "2", ""),
              ("Exceeds", "3", "")]),
    "empty": ("An empty shared scale: I will add the levels", []),
    "own": ("No shared scale: each criterion has its own levels", []),
}


def _number(field: StringField, what: str) -> Decimal | None:
    raw = (field.data or "").strip()
    if not raw:
        return None
    value = points_or_none(raw)
    if value is None:
        raise ValidationError(f"Enter the {what} as a number, such as 2 or 2.5.")
    return value


class RubricForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."),
                                            Length(max=TITLE_MAX)],
                        description="What assessors will see, such as “Clinical handover "
                                    "reflection”.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=TEXT_MAX)],
                                description="Optional: what the rubric is for.")
    scale = RadioField("Levels", choices=choices((k, v[0]) for k, v in SCALES.items()),
                       default="three", validators=[DataRequired("Choose how to start.")])
    submit = SubmitField("Create rubric")


class DetailsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."),
                                            Length(max=TITLE_MAX)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=TEXT_MAX)])
    submit = SubmitField("Save details")


class CriterionForm(FlaskForm):
    title = StringField("Criterion", validators=[DataRequired("Enter the criterion."),
                                                Length(max=TITLE_MAX)],
                        description="Short, such as “Structure (SBAR)”.")
    description = TextAreaField("What assessors look for",
                                validators=[Optional(), Length(max=TEXT_MAX)])
    weight = StringField("Weight (optional)", validators=[Optional(), Length(max=20)],
                         description="Multiplies this criterion's points towards the pass "
                                     "mark. Leave empty for 1.")
    comment_required = BooleanField("The assessor must write a comment on this criterion")
    submit = SubmitField("Add criterion")

    def validate_weight(self, field: StringField) -> None:
        self.weight_value = _number(field, "weight")

    @property
    def weight_decimal(self) -> Decimal | None:
        return getattr(self, "weight_value", None)


class LevelForm(FlaskForm):
    name = StringField("Level name", validators=[DataRequired("Enter the level name."),
                                                Length(max=LEVEL_NAME_MAX)],
                       description="Such as “Meets”. Levels go from lowest to highest.")
    descriptor = TextAreaField("Descriptor", validators=[Optional(), Length(max=TEXT_MAX)],
                               description="What work at this level looks like.")
    points = StringField("Points", validators=[DataRequired("Enter the points."),
                                              Length(max=20)])
    submit = SubmitField("Add level")

    def validate_points(self, field: StringField) -> None:
        self.points_value = _number(field, "points")

    @property
    def points_decimal(self) -> Decimal | None:
        return getattr(self, "points_value", None)


class SettingsForm(FlaskForm):
    pass_min_position = SelectField("Every criterion at or above", choices=[],
                                    validators=[Optional()])
    pass_min_points = StringField("Total points at or above (pass mark)",
                                  validators=[Optional(), Length(max=20)],
                                  description="Leave empty for no pass mark. With weights, "
                                              "the weighted total counts.")
    pass_combine = RadioField("When both are set", default="all",
                              choices=choices([("all", "Both must hold"),
                                               ("any", "Either is enough")]))
    change_note = TextAreaField("What changed in this version",
                                validators=[Optional(), Length(max=TEXT_MAX)],
                                description="Shown in the version history.")
    submit = SubmitField("Save pass rule and note")

    def validate_pass_min_points(self, field: StringField) -> None:
        self.points_value = _number(field, "pass mark")

    @property
    def points_decimal(self) -> Decimal | None:
        return getattr(self, "points_value", None)

    @property
    def position(self) -> int | None:
        raw = self.pass_min_position.data
        return int(raw) if raw not in (None, "") and str(raw).isdigit() else None


class ScaleModeForm(FlaskForm):
    shared = RadioField("Levels", choices=choices([
        ("shared", "Every criterion shares one scale"),
        ("own", "Each criterion has its own levels")]), validators=[DataRequired()])
    submit = SubmitField("Change how levels work")


class ImportForm(FlaskForm):
    file = FileField("Rubric file (.json or .csv)",
                     description="A file exported from Clearance, or a CSV with the columns "
                                 "criterion_key, criterion, criterion_description, weight, "
                                 "comment_required, level, level_descriptor, points. "
                                 "At most 1 MB.",
                     render_kw={"accept": ".json,.csv,application/json,text/csv"})
    target = SelectField("Import into", choices=[], validators=[Optional()])
    title = StringField("Title for a new rubric", validators=[Optional(), Length(max=TITLE_MAX)],
                        description="Needed for a CSV file; a JSON file carries its own title.")
    submit = SubmitField("Import")


class SnippetForm(FlaskForm):
    text = TextAreaField("New comment for the bank",
                         validators=[DataRequired("Write the comment."), Length(max=1000)])
    submit = SubmitField("Add to the bank")
