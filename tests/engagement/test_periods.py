"""One meaning for the period words on every engagement page: the presets' days (month and year
edges), the query string the pages take, the shared form's checks, and the pages that take a
period (the learning funnel, the results for leadership, application on the job by programme,
the learner pulse) stating the same first and last day for the same preset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from werkzeug.datastructures import MultiDict

from engagement import periods
from engagement.periods import (
    PeriodForm,
    calendar_year,
    custom,
    last_12_months,
    preset,
    this_month,
    this_year,
)
from tests.conftest import sign_in_directly

NOV_23 = dt.date(2026, 11, 23)
SPRING = custom(dt.date(2026, 3, 1), dt.date(2026, 4, 30))


@pytest.mark.parametrize("on, kind, first", [
    (NOV_23, "year", dt.date(2026, 1, 1)),
    (NOV_23, "12m", dt.date(2025, 12, 1)),
    (NOV_23, "month", dt.date(2026, 11, 1)),
    (dt.date(2026, 1, 1), "year", dt.date(2026, 1, 1)),
    (dt.date(2026, 1, 31), "12m", dt.date(2025, 2, 1)),
    (dt.date(2026, 12, 31), "12m", dt.date(2026, 1, 1)),
    (dt.date(2028, 2, 29), "12m", dt.date(2027, 3, 1)),
    (dt.date(2028, 2, 29), "month", dt.date(2028, 2, 1)),
])
def test_presets_end_today(on, kind, first):
    period = preset(kind, on)
    assert (period.kind, period.first, period.last) == (kind, first, on)
    assert period.start == dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    assert period.end == dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    if kind == "12m":  # twelve calendar months, the current one included
        assert len(period.months()) == 12 and period.months()[-1] == f"{on:%Y-%m}"


def test_names_query_strings_and_months():
    assert this_year(NOV_23).title == "This year (1 January 2026 to 23 November 2026)"
    assert last_12_months(NOV_23).phrase == \
        "the last 12 months (1 December 2025 to 23 November 2026)"
    assert this_month(NOV_23).title == "This month (1 November 2026 to 23 November 2026)"
    assert [preset(k, NOV_23).query_args() for k in ("year", "12m", "month")] == [
        {"period": "year"}, {"period": "12m"}, {"period": "month"}]
    assert SPRING.query_args() == {"period": "custom", "from": "2026-03-01", "to": "2026-04-30"}
    assert SPRING.title == SPRING.phrase == SPRING.label == "1 March 2026 to 30 April 2026"
    assert SPRING.months() == ["2026-03", "2026-04"] and SPRING.year == 2026
    assert SPRING.filename_part == "2026-03-01-to-2026-04-30"
    assert calendar_year(2026, NOV_23) == this_year(NOV_23)
    assert calendar_year(2025, NOV_23) == custom(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    with pytest.raises(ValueError):
        preset("fortnight", NOV_23)


def _form(app, query: dict[str, str], default: str = "year") -> PeriodForm:
    cls = type("Form", (PeriodForm,), {"DEFAULT": default})
    with app.test_request_context():
        form = cls(MultiDict(query), on=NOV_23)
        form.valid = form.validate()
    return form


def test_the_form_reads_the_query_string(app):
    assert _form(app, {}).chosen() == this_year(NOV_23)
    assert _form(app, {}, default="12m").chosen() == last_12_months(NOV_23)
    assert _form(app, {"period": "month"}).chosen() == this_month(NOV_23)
    # dates alone are a period of their own; dates beside a preset are not used
    assert _form(app, {"from": "2026-03-01", "to": "2026-04-30"}).chosen() == SPRING
    assert _form(app, {"period": "12m", "from": "2026-03-01", "to": "2026-04-30"}
                 ).chosen() == last_12_months(NOV_23)
    labels = [c.label for c in _form(app, {}).period.choices]
    assert labels == ["This year (1 January 2026 to 23 November 2026)",
                      "The last 12 months (1 December 2025 to 23 November 2026)",
                      "This month (1 November 2026 to 23 November 2026)", "Choose the dates"]


@pytest.mark.parametrize("query, field, message", [
    ({"period": "custom"}, "start", "Enter the first day of the period."),
    ({"period": "custom", "from": "2026-03-01"}, "end", "Enter the last day of the period."),
    ({"from": "2026-04-30", "to": "2026-03-01"}, "end",
     "The last day must be on or after the first day."),
    ({"from": "2020-01-01", "to": "2025-01-06"}, "end", "Choose a period of five years or less."),
    ({"from": "1999-12-31", "to": "2000-01-02"}, "start", "Enter a date from 2000 onwards."),
    ({"period": "fortnight"}, "period", "Not a valid choice."),
])
def test_the_form_explains_a_wrong_period(app, query, field, message):
    form = _form(app, query)
    assert not form.valid
    assert message in getattr(form, field).errors


def test_five_years_is_the_longest(app):
    first = dt.date(2020, 1, 1)
    last = first + dt.timedelta(days=periods.MAX_DAYS)
    assert _form(app, {"from": first.isoformat(), "to": last.isoformat()}).valid


#: the learning funnel first: every other page states the days it does
PAGES = ("/insights/funnel", "/results", "/application-checks/programmes", "/pulse/results")
SENTENCE = re.compile(r"Figures for ([^<.]*)")


@pytest.fixture()
def june(monkeypatch):
    """The pages' clock on 15 June 2026."""
    monkeypatch.setattr(periods, "today", lambda: dt.date(2026, 6, 15))


@pytest.mark.parametrize("kind, days", [
    ("year", "1 January 2026 to 15 June 2026"),
    ("12m", "1 July 2025 to 15 June 2026"),
    ("month", "1 June 2026 to 15 June 2026"),
])
def test_every_page_states_the_same_days_for_a_preset(client, org, june, kind, days):
    sign_in_directly(client, org.ld)
    stated = []
    for path in PAGES:
        html = client.get(f"{path}?period={kind}").get_data(as_text=True)
        stated.append(SENTENCE.search(html).group(1))
        # the choice is checked, and says its days, on every page
        assert re.search(rf'<input checked[^>]*value="{kind}"> [^<]*\({days}\)', html), path
    assert stated == [preset(kind).phrase] * len(PAGES)
    assert days in stated[0]


def test_three_pages_show_the_last_12_months_by_default(client, org, june):
    sign_in_directly(client, org.ld)
    stated = {path: SENTENCE.search(client.get(path).get_data(as_text=True)).group(1)
              for path in PAGES if path != "/results"}
    assert set(stated.values()) == {last_12_months().phrase}, stated


def test_links_between_the_pages_carry_the_period(client, org, june):
    sign_in_directly(client, org.ld)
    funnel = client.get("/insights/funnel?period=custom&from=2026-03-01&to=2026-04-30"
                        "&audience=managers").get_data(as_text=True)
    results = client.get("/results?period=month").get_data(as_text=True)
    assert ('<a href="/results?period=custom&amp;from=2026-03-01&amp;to=2026-04-30">'
            "Results for leadership</a>") in funnel
    assert 'href="/insights/funnel?period=month">The learning funnel for the same period' \
        in results
    # the funnel's default and the results' default differ, and each says which it shows
    assert "Figures for the last 12 months (1 July 2025" in client.get(
        "/insights/funnel").get_data(as_text=True)
    assert "Figures for this year (1 January 2026" in client.get("/results").get_data(
        as_text=True)
