"""The results page and its PDF: who may see them, the period selector, the PDF's content and
headers, the navigation, and SQL statements that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from tests.conftest import sign_in_directly
from tests.queries import counting_statements
from tests.results.factories import at, check, decision, enrolment, programme

SPRING = "/results?period=custom&from=2026-03-01&to=2026-04-30"
HEADINGS = ("Approval turnaround", "Programme completion", "L&D agreement with decisions")


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def scenario(org, make_person, teams: int = 1) -> None:
    """``teams`` learners, each with a decision, a spot-check and an enrolment per month."""
    prog = programme("Coaching conversations")
    for i in range(teams):
        learner = org.learner if i == 0 else make_person(f"Learner {i}", manager=org.line)
        for month in ("03", "04"):
            made = decision(learner, org.line, submitted=at(f"2026-{month}-02"),
                            decided=at(f"2026-{month}-{5 + i % 20:02d}"), prog=prog)
            check(made, "agree" if i % 3 else "concern", org.ld)
        enrolment(learner, prog, enrolled=at("2026-03-01"), completed=at("2026-04-20"))


@pytest.mark.parametrize("who", ["ld", "admin", "md"])
def test_staff_and_the_managing_director_see_the_results(client, org, make_person, who):
    scenario(org, make_person)
    sign_in_directly(client, org.role(who))
    page = client.get(SPRING)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for heading in HEADINGS:
        assert heading.replace("&", "&amp;") in html
    assert "Figures for 1 March 2026 to 30 April 2026." in html
    assert 'href="/results/summary.pdf?period=custom&amp;from=2026-03-01&amp;to=2026-04-30"' \
        in html
    assert 'role="img"' in html and "<caption>" in html
    assert re.search(r'<a href="/results"[^>]*>Results</a>', html)  # the nav item


@pytest.mark.parametrize("who", ["learner", "other_learner", "line_manager", "skip_manager",
                                 "unrelated_manager"])
def test_everyone_else_is_refused_the_page_and_the_pdf(client, org, who):
    sign_in_directly(client, org.role(who))
    assert client.get("/results").status_code == 403
    assert client.get("/results/summary.pdf").status_code == 403
    assert 'href="/results"' not in client.get("/").get_data(as_text=True)


def test_a_person_without_a_manager_or_reports_is_not_the_top_of_the_org(client, org,
                                                                          make_person):
    stray = make_person("Stray Record")  # no manager, nobody reports to them
    sign_in_directly(client, stray)
    assert client.get("/results").status_code == 403


def test_home_panel_links_to_the_results(client, org):
    sign_in_directly(client, org.md)
    home = client.get("/").get_data(as_text=True)
    assert "Results for leadership" in home and 'href="/results/summary.pdf"' in home


def test_period_choices(client, org, make_person):
    scenario(org, make_person)
    sign_in_directly(client, org.ld)
    today = dt.datetime.now(dt.UTC).date()
    html = client.get("/results").get_data(as_text=True)
    assert f"Figures for this year (1 January {today.year} to" in html
    assert 'value="year" checked' in html or 'checked value="year"' in html or \
        re.search(r'<input[^>]*checked[^>]*value="year"|<input[^>]*value="year"[^>]*checked',
                  html)
    html = client.get("/results?period=12m").get_data(as_text=True)
    assert "Figures for the last 12 months (1 " in html
    assert "from the first day of the month eleven months ago to today" in html  # the hint
    html = client.get("/results?period=month").get_data(as_text=True)
    assert f"Figures for this month (1 {today:%B %Y} to" in html
    # dates without a choice of period are a period of their own
    html = client.get("/results?from=2026-03-01&to=2026-04-30").get_data(as_text=True)
    assert "Figures for 1 March 2026 to 30 April 2026." in html


@pytest.mark.parametrize("query, message", [
    ("period=custom&from=2026-04-30&to=2026-03-01", "The last day must be on or after the first"),
    ("period=custom&from=2026-03-01", "Enter the last day of the period."),
    ("period=custom", "Enter the first day of the period."),
    ("period=custom&from=2020-01-01&to=2026-03-01", "Choose a period of five years or less."),
    ("period=custom&from=yesterday&to=2026-03-01",
     "Enter a date as year-month-day, for example 2026-03-31."),
    ("period=custom&from=1999-12-31&to=2000-01-02", "Enter a date from 2000 onwards."),
    ("period=fortnight", "Not a valid choice"),
])
def test_a_wrong_period_is_explained(client, org, query, message):
    sign_in_directly(client, org.ld)
    for path in ("/results", "/results/summary.pdf"):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 400
        html = page.get_data(as_text=True)
        assert "There is a problem" in html and message in html
        assert "<title>Error: " in html
        if "from=2026-04-30" in query:  # what was typed is kept
            assert re.search(r'<input[^>]*name="from"[^>]*value="2026-04-30"', html)


def test_pdf_summary(client, org, make_person):
    scenario(org, make_person)
    sign_in_directly(client, org.md)
    response = client.get("/results/summary.pdf?period=custom&from=2026-03-01&to=2026-04-30")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="results-summary-2026-03-01-to-2026-04-30.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert "Results for leadership" in text
    assert "1 March 2026 to 30 April 2026" in text
    assert f"Generated {dt.datetime.now(dt.UTC):%-d %B %Y}" in text
    assert org.md.name in text
    for heading in HEADINGS:
        assert heading in text
    assert "Median days from submission to decision, by level: figures" in text  # a table
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert "Results for leadership" in (reader.metadata.title or "")


def test_statements_do_not_grow_with_the_data(client, org, make_person, db_session):
    scenario(org, make_person, teams=1)
    sign_in_directly(client, org.ld)
    client.get(SPRING)  # warm: the signed-in person, caches
    with counting_statements() as small:
        assert client.get(SPRING).status_code == 200
    scenario(org, make_person, teams=12)
    db_session.flush()
    with counting_statements() as large:
        assert client.get(SPRING).status_code == 200
    assert small[0] == large[0]
    assert small[0] <= 20, small[0]


def test_the_insights_pages_link_to_the_results(client, org):
    """For the same period: the funnel's (the last 12 months by default), the managers' year."""
    sign_in_directly(client, org.ld)
    for path, link in (("/insights/funnel", "/results?period=12m"),
                       ("/insights/managers", "/results?period=year"),
                       ("/insights/managers?year=2025",
                        "/results?period=custom&amp;from=2025-01-01&amp;to=2025-12-31")):
        html = client.get(path).get_data(as_text=True)
        assert f'<a href="{link}">Results for leadership</a>' in html, path
