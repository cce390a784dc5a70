"""Forms for the people pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from clearance.forms import choices
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
