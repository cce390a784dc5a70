"""Forms for development records: the period of a record, verification, bulk exports."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


def default_start() -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    return today.replace(year=today.year - 1)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class PeriodForm(FlaskForm):
    start = DateField("From", default=default_start,
                      validators=[DataRequired(message="Enter the first day of the period.")],
                      description="The first day the record covers.")
    end = DateField("To", default=today,
                    validators=[DataRequired(message="Enter the last day of the period.")],
                    description="The last day the record covers.")
    submit = SubmitField("Download the record (PDF)")

    def validate_end(self, field: DateField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The last day must be on or after the first day.")


class BulkForm(PeriodForm):
    scope = SelectField("Whose records", validators=[DataRequired()])
    submit = SubmitField("Start the export")


class VerifyForm(FlaskForm):
    code = StringField("Verification code", validators=[Optional(), Length(max=40)],
                       description="Printed on every page of the record, e.g. DR-7KQ4-M2XP-9HTW.")
    file = FileField("Or upload the PDF file",
                     description="The file exactly as you received it.")
    submit = SubmitField("Check the record")
