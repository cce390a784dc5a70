"""The insights pages and the CSV: figures shown, filters, errors, sorting; the catalogue and
programme pages record looks; links reach the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from checkpoints.models import Programme
from clearance.extensions import db
from engagement import periods
from engagement.models import CATALOGUE_VIEW, PROGRAMME_VIEW, EngagementEvent
from tests.conftest import sign_in_directly
from tests.insights.scenario import build

MARCH = "period=custom&from=2026-03-01&to=2026-03-31"


@pytest.fixture()
def s(make_person, db_session):
    return build(make_person)


@pytest.fixture()
def june(monkeypatch):
    """The pages' clock on 15 June 2026 (the session's own clock is left alone)."""
    monkeypatch.setattr(periods, "today", lambda: dt.date(2026, 6, 15))


@pytest.fixture()
def ld(make_person, db_session):
    return make_person("Elle Dee", roles={"ld"}, unit="L&D")


def _rows(html: str, caption: str) -> list[list[str]]:
    """The body rows of the table with ``caption``, as text cells."""
    table = html.split(f"<caption>{caption}")[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_funnel_page_shows_both_funnels(client, s, ld):
    sign_in_directly(client, ld)
    html = client.get(f"/insights/funnel?{MARCH}").get_data(as_text=True)
    rows = _rows(html, "Elective learning funnel, 1 March 2026 to 31 March 2026: figures")
    assert [r[:4] for r in rows] == [
        ["Looked at suggested learning, the catalogue or a programme", "5", "n/a", "100.0%"],
        ["Opened a programme", "3", "60.0%", "60.0%"],
        ["Enrolled", "3", "66.7%", "100.0%"],
        ["First submission", "2", "66.7%", "66.7%"],
        ["First approval", "1", "50.0%", "33.3%"],
        ["Completed the programme", "1", "100.0%", "33.3%"]]
    assigned = _rows(html, "Assigned learning funnel, 1 March 2026 to 31 March 2026: figures")
    assert [r[1] for r in assigned] == ["n/a", "n/a", "2", "1", "1", "0"]
    # a1 and a2 opened and enrolled; b1 enrolled with no look at all in March
    assert ("Of the 3 people who opened a programme, 2 (66.7%) enrolled in the period; 1 more "
            "enrolled without a recorded look at a programme page in the period, 1 of them with "
            "no recorded look at all") in html
    assert "had no approval" not in html  # every completion came with an approval
    assert 'role="img" aria-label="Elective learning funnel' in html
    assert "a programme they enrolled in during the period" in html  # the definition
    assert 'href="/insights/managers"' in html


def test_funnel_filters_reach_the_figures(client, s, ld):
    sign_in_directly(client, ld)
    html = client.get(f"/insights/funnel?{MARCH}&unit=Ward+2&audience=non_managers"
                      f"&programme={s.E2.id}").get_data(as_text=True)
    rows = _rows(html, "Elective learning funnel, 1 March 2026 to 31 March 2026: figures")
    # Ward 2, not managers: b1 and b2. b2 saw the catalogue; b1 enrolled in E2
    assert [r[1] for r in rows] == ["1", "0", "1", "0", "0", "0"]
    assert "Elective two" in html


def test_default_period_is_the_last_twelve_months(client, s, ld, june):
    sign_in_directly(client, ld)
    html = client.get("/insights/funnel").get_data(as_text=True)
    # twelve calendar months, June 2026 included
    assert "Figures for the last 12 months (1 July 2025 to 15 June 2026)" in html
    rows = _rows(html, "Elective learning funnel, 1 July 2025 to 15 June 2026: figures")
    # saw: a1, a2, b1, b2, m1, and m2, m3 (programme pages); opened: a1, a2, b2, m2, m3;
    # enrolled themselves: a1, a2, b1, m2, m4, boss (31 December 2025), of whom a1, a2 and m2
    # opened a programme in the period: 3 of 5; "from the top" starts again at "Enrolled"
    assert [r[1:4] for r in rows][:3] == [["7", "n/a", "100.0%"], ["5", "71.4%", "71.4%"],
                                          ["6", "60.0%", "100.0%"]]
    assert re.search(r'<input checked id="period-1" name="period" type="radio" value="12m"> '
                     r'The last 12 months \(1 July 2025 to 15 June 2026\)', html)
    assert "from the first day of the month eleven months ago to today" in html  # the hint


@pytest.mark.parametrize("query, message", [
    ("period=custom&from=2026-03-31&to=2026-03-01",
     "The last day must be on or after the first day."),
    ("from=2026-03-01", "Enter the last day of the period."),
    ("period=custom", "Enter the first day of the period."),
    ("period=custom&from=1999-12-31&to=2000-01-02", "Enter a date from 2000 onwards."),
    ("period=custom&from=2020-01-01&to=2026-01-01", "Choose a period of five years or less."),
    ("period=custom&from=yesterday&to=2026-03-01",
     "Enter a date as year-month-day, for example 2026-03-31."),
    ("period=fortnight", "Not a valid choice"),
    (f"{MARCH}&unit=Nowhere", "Not a valid choice"),
])
def test_funnel_refuses_bad_filters_with_a_message(client, s, ld, query, message):
    sign_in_directly(client, ld)
    response = client.get(f"/insights/funnel?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-summary"' in html and message in html
    assert "<title>Error: Learning funnel" in html
    assert "learning funnel, " not in html  # no figures for a bad filter
    for name in ("from", "to"):  # what was typed is kept
        typed = re.search(rf"(?:^|&){name}=([^&]*)", query)
        if typed:
            assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{typed.group(1)}"', html)
    assert client.get(f"/insights/funnel.csv?{query}").status_code == 400


def test_funnel_csv(client, s, ld):
    sign_in_directly(client, ld)
    response = client.get(f"/insights/funnel.csv?{MARCH}&audience=managers")
    assert response.mimetype == "text/csv"
    assert "learning-funnel-2026-03-01-to-2026-03-31.csv" in response.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["funnel"], r["stage"], r["people"]) for r in rows] == [
        ("elective", "Looked at suggested learning, the catalogue or a programme", "2"),
        ("elective", "Opened a programme", "1"),
        ("elective", "Enrolled", "0"),
        ("elective", "First submission", "0"),
        ("elective", "First approval", "0"),
        ("elective", "Completed the programme", "0"),
        ("assigned", "Looked at suggested learning, the catalogue or a programme", "n/a"),
        ("assigned", "Opened a programme", "n/a"),
        ("assigned", "Enrolled", "1"),
        ("assigned", "First submission", "1"),
        ("assigned", "First approval", "1"),
        ("assigned", "Completed the programme", "0")]
    assert {r["audience"] for r in rows} == {"managers"}
    # m2 opened E1; m1 only looked (the catalogue, a mandatory programme's page): 1 of 2
    assert rows[1]["from_stage_before_percent"] == "50.0"
    # the Enrolled row says what its rates divide by
    assert "the share of the people who opened a programme who enrolled" in rows[2]["who_counts"]
    assert all(float(r[k]) <= 100 for r in rows for k in ("from_stage_before_percent",
                                                          "from_top_percent") if r[k])


def test_csv_quotes_cells_a_spreadsheet_would_run(client, make_person, ld):
    make_person("Formula Unit", unit="=HYPERLINK(1)")
    sign_in_directly(client, ld)
    text = client.get(f"/insights/funnel.csv?{MARCH}&unit=%3DHYPERLINK%281%29").get_data(
        as_text=True)
    assert ",'=HYPERLINK(1)," in text


def test_managers_page(client, s, ld, june):
    sign_in_directly(client, ld)
    html = client.get("/insights/managers").get_data(as_text=True)
    assert "<strong>75.0%</strong> (target met: +52.5 points)" in html
    months = _rows(html, "Share of managers engaged so far in 2026, by month: figures")
    assert months[0] == ["January 2026", "25.0%", "1"]
    assert months[5] == ["June 2026", "75.0%", "3"]
    assert months[6] == ["July 2026", "\u2013", "\u2013"]  # not started yet (a dash)
    units = _rows(html, "Managers engaged in 2026 by unit, sorted by share, highest first")
    assert [r[0] for r in units] == ["Ward 1", "Ward 2", "Exec"]
    assert units[2] == ["Exec", "1", "0", "0.0%", "Below (-22.5 points)"]
    assert "opening an elective programme" in html  # the definition of activity
    assert 'class="chart-target"' in html
    assert 'href="/insights/funnel?audience=managers"' in html


def test_managers_page_year_and_sort(client, s, ld, june):
    sign_in_directly(client, ld)
    html = client.get("/insights/managers?year=2025&sort=unit").get_data(as_text=True)
    bad = client.get("/insights/managers?year=1990&sort=nonsense").get_data(as_text=True)
    units = _rows(html, "Managers engaged in 2025 by unit, sorted by unit, a to z")
    assert [r[0] for r in units] == ["Exec", "Ward 1", "Ward 2"]
    assert units[0][:4] == ["Exec", "1", "1", "100.0%"]
    assert 'aria-sort="ascending"' in html
    assert "December 2025" in html
    # a year outside the choices falls back to this year, an unknown sort to share
    assert "Managers engaged in 2026 by unit, sorted by share" in bad


def test_catalogue_and_programme_pages_record_looks(client, s, db_session):
    sign_in_directly(client, s.a1)
    before = set(db.session.scalars(select(EngagementEvent.id)))
    assert client.get("/catalogue").status_code == 200
    assert client.get(f"/catalogue/{s.E1.id}").status_code == 200
    new = [e for e in db.session.scalars(select(EngagementEvent)) if e.id not in before]
    assert sorted((e.kind, e.person_id, e.programme_id, e.audience) for e in new) == [
        (CATALOGUE_VIEW, s.a1.id, None, "everyone"),
        (PROGRAMME_VIEW, s.a1.id, s.E1.id, "everyone")]


def test_a_programme_someone_may_not_see_records_nothing(client, s, db_session):
    draft = Programme(title="Draft", kind="elective", status="draft")
    db.session.add(draft)
    db.session.flush()
    sign_in_directly(client, s.a1)
    assert client.get(f"/catalogue/{draft.id}").status_code == 404
    assert db.session.scalar(select(EngagementEvent.id).where(
        EngagementEvent.programme_id == draft.id)) is None


def test_insights_in_the_navigation_for_staff_only(client, s, ld):
    sign_in_directly(client, ld)
    assert 'href="/insights/funnel"' in client.get("/").get_data(as_text=True)
    sign_in_directly(client, s.m1)
    assert 'href="/insights/funnel"' not in client.get("/").get_data(as_text=True)


def test_programme_page_for_ld_links_to_its_funnel(client, s, ld):
    sign_in_directly(client, ld)
    html = client.get(f"/programmes/{s.E1.id}").get_data(as_text=True)
    assert f'href="/insights/funnel?programme={s.E1.id}"' in html
    funnel_page = client.get(f"/insights/funnel?programme={s.E1.id}").get_data(as_text=True)
    assert 'id="error-summary"' not in funnel_page
