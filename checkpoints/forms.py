"""Forms for programmes, checkpoints, the catalogue filters and push enrolment."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from checkpoints.models import EVIDENCE_KINDS
from checkpoints.queries import RELEASED_FILTERS
from clearance.forms import choices

AUDIENCE_LABELS = {"everyone": "Everyone", "managers": "Managers"}
PROGRAMME_KIND_LABELS = {"elective": "Elective (learners choose it)",
                         "mandatory": "Mandatory (assigned by L&D)"}
CHECKPOINT_KIND_LABELS = {"formative": "Formative: feedback only, no sign-off",
                          "summative": "Summative: needs approval against a rubric"}
EVIDENCE_LABELS = {"file": "Files (documents, photos, video)", "reflection": "Written reflection",
                   "link": "Links"}
APPROVAL_LABELS = {"1": "1 level: the line manager",
                   "2": "2 levels: the line manager, then the skip-level manager"}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProgrammeForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=5000)],
                            description="What learners will get from it, in a few sentences.")
    theme = StringField("Theme", validators=[Optional(), Length(max=120)],
                        description="For example Leadership or Clinical skills. Learners filter "
                                    "the catalogue by theme.")
    audience = SelectField("Who it is for", choices=choices(AUDIENCE_LABELS.items()))
    release_date = DateField("Release date", validators=[Optional()],
                             description="Learners see it in the catalogue from this day. "
                                         "Leave empty to release it when it is published.")
    kind = RadioField("Elective or mandatory", choices=choices(PROGRAMME_KIND_LABELS.items()),
                      default="elective", validators=[InputRequired()])
    open_in_catalogue = BooleanField("Open in the catalogue (anyone may find it and enrol)",
                                     default=True)
    submit = SubmitField("Save programme")


class CheckpointForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    guidance = TextAreaField("Guidance for the learner", validators=[Optional(),
                                                                     Length(max=10000)],
                             description="What to do and what good evidence looks like.")
    min_evidence = IntegerField("Minimum number of evidence items", default=1,
                                validators=[InputRequired(), NumberRange(min=0, max=50)])
    allowed_evidence = MultiCheckboxField("Kinds of evidence allowed",
                                          choices=choices(EVIDENCE_LABELS.items()),
                                          default=list(EVIDENCE_KINDS))
    due_offset_days = IntegerField("Due, in days after enrolment", validators=[
        Optional(), NumberRange(min=0, max=3650)],
        description="Leave empty for no due date.")
    kind = RadioField("Kind", choices=choices(CHECKPOINT_KIND_LABELS.items()),
                      default="summative", validators=[InputRequired()])
    approval_levels = RadioField("Approval levels", choices=choices(APPROVAL_LABELS.items()),
                                 default="1", validators=[InputRequired()])
    application_check_days = IntegerField(
        "Application check, in days after approval", validators=[
            Optional(), NumberRange(min=0, max=3650)],
        description="Summative only: this many days after the final approval the line manager "
                    "is asked whether the learner applies it on the job. Leave empty for the "
                    "organisation's default ({default} days); 0 for no check.")
    rubric_version_id = SelectField("Rubric", choices=[], validators=[Optional()],
                                    description="Summative checkpoints are assessed against "
                                                "a published rubric version, which is then "
                                                "fixed for this checkpoint.")
    submit = SubmitField("Save checkpoint")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = current_app.config.get("APPLICATION_CHECK_DAYS", 60)
        field = self.application_check_days
        field.description = field.description.replace("{default}", str(days))


class CatalogueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    theme = SelectField("Theme", choices=[], validators=[Optional()])
    audience = SelectField("For", validators=[Optional()],
                           choices=choices([("", "Anyone"), *AUDIENCE_LABELS.items()]))
    released = SelectField("Released", choices=[], validators=[Optional()])
    submit = SubmitField("Search")

    def set_released_choices(self, staff: bool) -> None:
        options = [(k, v) for k, v in RELEASED_FILTERS.items() if staff or k != "upcoming"]
        self.released.choices = choices(options)


ASSIGN_TARGETS = {"people": "Chosen people", "unit": "Everyone in a unit",
                  "managers": "Every manager (people with active reports)"}


class AssignForm(FlaskForm):
    target = RadioField("Who to enrol", choices=choices(ASSIGN_TARGETS.items()),
                        default="people", validators=[InputRequired()])
    people = TextAreaField("People", validators=[Optional(), Length(max=20000)],
                           description="Employee ids or e-mail addresses, one per line.")
    unit = SelectField("Unit", choices=[], validators=[Optional()])
    #: set by the confirmation page; without it the form only shows how many would be enrolled
    confirm = HiddenField()
    submit = SubmitField("Check who will be enrolled")


class FilterEnrolmentsForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name", validators=[Optional(), Length(max=200)])
    status = SelectField("Status", validators=[Optional()],
                         choices=choices([("current", "Current"), ("active", "Active"),
                                          ("completed", "Completed"), ("left", "Left"),
                                          ("removed", "Removed by L&D")]))
    submit = SubmitField("Filter")
