"""The filter forms of the insights pages (GET, no CSRF: they change nothing)."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import Optional

from clearance.forms import choices
from engagement.insights.funnel import AUDIENCES
from engagement.periods import PeriodForm


class FunnelFilterForm(PeriodForm):
    """The shared period (default: the last 12 months) and who and what the funnel counts."""

    DEFAULT = "12m"

    audience = SelectField("Audience", choices=choices(AUDIENCES.items()),
                           validators=[Optional()], default="")
    unit = SelectField("Unit", choices=[], validators=[Optional()], default="")
    programme = SelectField("Programme", choices=[], validators=[Optional()], default="")

    def set_choices(self, units: list[str], programmes: list[tuple[int, str]]) -> None:
        self.unit.choices = choices([("", "Every unit"), *((u, u) for u in units)])
        self.programme.choices = choices([("", "Every programme"),
                                          *((str(i), t) for i, t in programmes)])

    def programme_id(self) -> int | None:
        value = self.programme.data
        return int(value) if value and str(value).isdigit() else None


class YearForm(FlaskForm):
    class Meta:
        csrf = False

    year = SelectField("Year", choices=[], validators=[Optional()])
    submit = SubmitField("Show")

    def set_choices(self, today: dt.date) -> None:
        self.year.choices = choices((str(y), str(y)) for y in range(today.year, today.year - 5, -1))

    def chosen(self, today: dt.date) -> int:
        value = self.year.data
        return int(value) if value and str(value).isdigit() else today.year
