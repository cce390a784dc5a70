"""Forms for the people pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from clearance.forms import choices
from people.csvfile import parse_mapping
from people.models import ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PersonForm(FlaskForm):
    employee_id = StringField("Employee id", validators=[DataRequired(), Length(max=64)])
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "off"})
    email = EmailField("Work e-mail address",
                       validators=[DataRequired(), Email(), Length(max=320)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=200)])
    unit = StringField("Unit or department", validators=[Optional(), Length(max=200)])
    manager = StringField("Line manager", validators=[Optional(), Length(max=320)],
                          description="Their employee id or e-mail address. "
                                      "Leave empty only for the chief executive.")
    roles = MultiCheckboxField("Granted roles",
                               choices=choices(ROLE_LABELS.items()))
    active = BooleanField("Active (may sign in and appears in the org chart)", default=True)
    submit = SubmitField("Save")


class PeopleFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name, e-mail or employee id", validators=[Optional(), Length(max=200)])
    unit = SelectField("Unit", validators=[Optional()], choices=[])
    role = SelectField("Role", validators=[Optional()],
                       choices=choices([("", "Any role"), *ROLE_LABELS.items(),
                                        ("manager", "Manager")]))
    status = SelectField("Status", validators=[Optional()],
                         choices=choices([("active", "Active"), ("inactive", "Inactive"),
                                          ("all", "All")]))
    submit = SubmitField("Filter")


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose the CSV file to import.")],
                     description="UTF-8 text, comma or semicolon separated, with a header line. "
                                 "One row per person: employee id, name, e-mail address, job "
                                 "title, unit and their manager's employee id or e-mail.",
                     render_kw={"accept": ".csv,text/csv"})
    mapping = TextAreaField(
        "Column names (optional)", validators=[Optional(), Length(max=2000)],
        description="Only needed when a column has an unusual name. One per line, as "
                    "\"Column name=field\", for example \"Staff Number=employee_id\". Fields: "
                    "employee_id, name, first_name, last_name, email, job_title, unit, manager, "
                    "roles, ignore.",
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField("Check the file")

    def validate_mapping(self, field: TextAreaField) -> None:
        try:
            parse_mapping([field.data or ""])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
