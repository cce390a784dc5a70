"""The periods the engagement pages report on, and the form that chooses one.

One meaning for the same words on every page: the learning funnel (``/insights/funnel`` and its
CSV) and the results for leadership (``/results`` and its PDF) offer the same presets, name them
the same way and take the same query string, so a link from one page to the other can carry the
period (:meth:`Period.query_args`):

* ``period=year`` — this year: 1 January to today;
* ``period=12m`` — the last 12 months: twelve calendar months, the current one included, i.e.
  the first day of the month eleven months ago to today;
* ``period=month`` — this month: its first day to today;
* ``period=custom&from=YYYY-MM-DD&to=YYYY-MM-DD`` — two dates, at most :data:`MAX_DAYS` apart.
  Dates without ``period`` mean ``custom``.

Days are UTC calendar dates, as elsewhere in Clearance (``engagement_event.day``, release dates).
A period covers ``first`` to ``last``, both included; in SQL it is ``start <= t < end`` with
``start`` = ``first`` 00:00 UTC and ``end`` = the day after ``last`` 00:00 UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SubmitField
from wtforms.validators import Optional

from clearance.database import utcnow
from clearance.forms import choices

#: the kinds of period, in the order the form offers them
KINDS = {"year": "This year", "12m": "The last 12 months", "month": "This month",
         "custom": "Choose the dates"}
#: the same names inside a sentence
_PHRASES = {"year": "this year", "12m": "the last 12 months", "month": "this month"}
#: what every period form says under its choices (so each page says what the words mean)
HINT = ("The last 12 months are twelve calendar months including this one: from the first day "
        "of the month eleven months ago to today. Days are UTC calendar days; the first and the "
        "last day are both included.")
#: the longest custom period (keeps the monthly trends to at most 60 bars)
MAX_DAYS = 5 * 366
#: the earliest first day of a custom period
EARLIEST = dt.date(2000, 1, 1)


def today() -> dt.date:
    """Today's UTC date: the clock of every preset."""
    return utcnow().date()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight UTC at the start of ``day``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def long_date(day: dt.date) -> str:
    """'1 March 2026'."""
    return f"{day.day} {day:%B %Y}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    #: included
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period."""
        return day_start(self.first)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight after the last day."""
        return day_start(self.last + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        """'1 March 2026 to 30 April 2026'."""
        return f"{long_date(self.first)} to {long_date(self.last)}"

    @property
    def title(self) -> str:
        """How the period is named in headings: 'This year (1 January 2026 to ...)'."""
        name = KINDS[self.kind] if self.kind in _PHRASES else None
        return f"{name} ({self.label})" if name else self.label

    @property
    def phrase(self) -> str:
        """The same inside a sentence: 'this year (1 January 2026 to ...)'."""
        name = _PHRASES.get(self.kind)
        return f"{name} ({self.label})" if name else self.label

    @property
    def year(self) -> int:
        """The calendar year of yearly figures (the manager engagement KPI): the last day's."""
        return self.last.year

    def months(self) -> list[str]:
        """Every calendar month the period touches, as 'YYYY-MM', oldest first."""
        keys, cursor = [], self.first.replace(day=1)
        while cursor <= self.last:
            keys.append(f"{cursor:%Y-%m}")
            cursor = add_months(cursor, 1)
        return keys

    def query_args(self) -> dict[str, str]:
        """The request arguments that choose this period again (links, the CSV, the PDF)."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.first.isoformat(),
                    "to": self.last.isoformat()}
        return {"period": self.kind}

    @property
    def filename_part(self) -> str:
        return f"{self.first.isoformat()}-to-{self.last.isoformat()}"


def this_year(on: dt.date | None = None) -> Period:
    """1 January to ``on`` (today)."""
    on = on or today()
    return Period("year", on.replace(month=1, day=1), on)


def last_12_months(on: dt.date | None = None) -> Period:
    """Twelve calendar months: the first day of the month eleven months ago to ``on``."""
    on = on or today()
    return Period("12m", add_months(on, -11), on)


def this_month(on: dt.date | None = None) -> Period:
    """The first day of the month to ``on``."""
    on = on or today()
    return Period("month", on.replace(day=1), on)


def custom(first: dt.date, last: dt.date) -> Period:
    return Period("custom", first, last)


_PRESETS = {"year": this_year, "12m": last_12_months, "month": this_month}


def preset(kind: str, on: dt.date | None = None) -> Period:
    """The period a preset names (``year``, ``12m`` or ``month``), ending ``on`` (today)."""
    if kind not in _PRESETS:
        raise ValueError(f"unknown period {kind!r}")
    return _PRESETS[kind](on)


def calendar_year(year: int, on: dt.date | None = None) -> Period:
    """A year as a period: this year so far, or 1 January to 31 December of another year."""
    on = on or today()
    if year == on.year:
        return this_year(on)
    return custom(dt.date(year, 1, 1), dt.date(year, 12, 31))


def month_label(key: str) -> str:
    """'2026-03' -> 'March 2026'."""
    return dt.datetime.strptime(key, "%Y-%m").strftime("%B %Y")


def month_short(key: str) -> str:
    """'2026-03' -> 'Mar'."""
    return dt.datetime.strptime(key, "%Y-%m").strftime("%b")


class PeriodForm(FlaskForm):
    """The period selector both pages use (a GET form: looking changes nothing, so no CSRF).

    Its fields are named as in the query string (``period``, ``from``, ``to``); a page's own
    form subclasses it to add filters and sets :attr:`DEFAULT`, the kind chosen when the query
    string names none.
    """

    class Meta:
        csrf = False

    DEFAULT = "year"
    DATE_FORMAT_ERROR = "Enter a date as year-month-day, for example 2026-03-31."

    period = RadioField("Period", choices=choices(KINDS.items()), validators=[Optional()],
                        description=HINT)
    start = DateField("From", name="from", validators=[Optional()],
                      description="The first day, for dates you choose.")
    end = DateField("To", name="to", validators=[Optional()],
                    description="The last day, for dates you choose.")
    submit = SubmitField("Show")

    def __init__(self, formdata: Any = None, *, on: dt.date | None = None,
                 **kwargs: Any) -> None:
        if formdata is not None and "period" not in formdata and (
                formdata.get("from") or formdata.get("to")):
            formdata = formdata.copy()  # dates alone are a period of their own
            formdata["period"] = "custom"
        kwargs.setdefault("period", self.DEFAULT)
        super().__init__(formdata=formdata, **kwargs)
        #: the day the presets end (today)
        self.on = on or today()
        # each preset says which days it covers
        self.period.choices = choices(
            (kind, f"{name} ({preset(kind, self.on).label})" if kind in _PRESETS else name)
            for kind, name in KINDS.items())

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for field in (self.start, self.end):  # WTForms' own words name no format
            field.errors = [self.DATE_FORMAT_ERROR if e == "Not a valid date value." else e
                            for e in field.errors]
        if self.period.data != "custom":
            return ok
        for field, message in ((self.start, "Enter the first day of the period."),
                               (self.end, "Enter the last day of the period.")):
            if field.data is None and not field.errors:
                field.errors = [*field.errors, message]
        first, last = self.start.data, self.end.data
        if first and first < EARLIEST:
            self.start.errors = [*self.start.errors, "Enter a date from 2000 onwards."]
        if first and last:
            if last < first:
                self.end.errors = [*self.end.errors,
                                   "The last day must be on or after the first day."]
            elif (last - first).days > MAX_DAYS:
                self.end.errors = [*self.end.errors, "Choose a period of five years or less."]
        return ok and not self.start.errors and not self.end.errors

    def chosen(self) -> Period:
        """The period the (validated) form asks for."""
        if self.period.data == "custom" and self.start.data and self.end.data:
            return custom(self.start.data, self.end.data)
        kind = self.period.data if self.period.data in _PRESETS else self.DEFAULT
        return preset(kind, self.on)
