"""rates_by_programme against a hand-built scenario, and L&D's page showing it."""

from __future__ import annotations

import datetime as dt
import re

from clearance.database import utcnow
from clearance.extensions import db
from engagement.application.models import ApplicationCheck
from engagement.application.queries import ProgrammeApplication, rates_by_programme
from engagement.periods import add_months, last_12_months
from tests.approvals.factories import submitted
from tests.conftest import login
from tests.portfolios import factories as pf

TODAY = dt.date(2030, 6, 30)


def _rows(org, programme, checkpoint, specs):
    """``specs``: (due_on, answer or None); one submission each (rows made directly)."""
    from portfolios.models import Submission

    for n, (due_on, answer) in enumerate(specs):
        learner = org.learner if n % 2 == 0 else org.other_learner
        cp = pf.checkpoint(programme, title=f"{checkpoint} {n}", position=n)
        submission = Submission(person_id=learner.id, checkpoint_id=cp.id, state="approved")
        db.session.add(submission)
        db.session.flush()
        approved_at = dt.datetime.combine(due_on - dt.timedelta(days=60), dt.time(9),
                                          tzinfo=dt.UTC)
        db.session.add(ApplicationCheck(
            submission_id=submission.id, learner_id=learner.id, checkpoint_id=cp.id,
            programme_id=programme.id, manager_id=learner.manager_id, approved_at=approved_at,
            days=60, due_on=due_on, note="", measure_name="", measure_unit="", answer=answer,
            answered_at=(approved_at + dt.timedelta(days=70)) if answer else None,
            answered_by_id=learner.manager_id if answer else None))
    db.session.flush()


def _scenario(org):
    a = pf.programme(title="Acute deterioration")
    b = pf.programme(title="Budget basics")
    c = pf.programme(title="Coaching conversations")
    d = dt.date
    _rows(org, a, "A", [
        (d(2030, 2, 1), "yes"), (d(2030, 3, 1), "yes"), (d(2030, 4, 1), "partly"),
        (d(2030, 5, 1), "not_yet"), (d(2030, 6, 1), None),     # 30 days past due: overdue
        (d(2030, 6, 20), None),                                # 10 days: waiting
        (d(2029, 12, 31), "yes"),                              # before the period
        (d(2030, 7, 5), None),                                 # not due yet
    ])
    _rows(org, b, "B", [(d(2030, 1, 15), "partly"), (d(2030, 6, 29), None)])
    _rows(org, c, "C", [(d(2030, 8, 1), None)])                # nothing due in the period
    return a, b


def test_rates_by_programme_against_a_hand_built_scenario(org, db_session):
    a, b = _scenario(org)
    rows = rates_by_programme(dt.date(2030, 1, 1), dt.date(2030, 12, 31), on=TODAY)
    assert rows == [
        ProgrammeApplication(programme_id=a.id, title="Acute deterioration", due=6, answered=4,
                             yes=2, partly=1, not_yet=1, pending=1, overdue=1, yes_rate=50.0,
                             partly_rate=25.0, not_yet_rate=25.0, applying_rate=75.0,
                             response_rate=66.7),
        ProgrammeApplication(programme_id=b.id, title="Budget basics", due=2, answered=1,
                             yes=0, partly=1, not_yet=0, pending=1, overdue=0, yes_rate=0.0,
                             partly_rate=100.0, not_yet_rate=0.0, applying_rate=100.0,
                             response_rate=50.0),
    ]
    narrow = rates_by_programme(dt.date(2030, 2, 1), dt.date(2030, 3, 31), on=TODAY)
    assert [(r.title, r.due, r.yes, r.applying_rate) for r in narrow] == \
        [("Acute deterioration", 2, 2, 100.0)]
    assert rates_by_programme(dt.date(2031, 1, 1), dt.date(2031, 2, 1), on=TODAY) == []


def test_a_waiting_check_with_nothing_answered_has_no_rates(org, db_session):
    prog = pf.programme(title="Only waiting")
    _rows(org, prog, "W", [(dt.date(2030, 6, 25), None)])
    [row] = rates_by_programme(dt.date(2030, 6, 1), dt.date(2030, 6, 30), on=TODAY)
    assert (row.due, row.pending, row.applying_rate, row.response_rate) == (1, 1, None, 0.0)


def test_ld_sees_the_table_and_chart_managers_do_not(client, org, db_session):
    _scenario(org)
    today = utcnow().date()
    first = add_months(today, -11)  # the last 12 months start here
    # one live check due yesterday, one on the period's first day, one the day before it
    step = submitted(org.learner, title="Live one")
    _rows(org, step.submission.checkpoint.programme, "Live", [(today - dt.timedelta(days=1),
                                                             "yes")])
    _rows(org, pf.programme(title="Edge of the period"), "E", [(first, "yes")])
    _rows(org, pf.programme(title="Just before it"), "J", [(first - dt.timedelta(days=1), "yes")])
    db_session.commit()
    login(client, org.ld)
    page = client.get("/application-checks/programmes").get_data(as_text=True)
    assert "Programme for Live one" in page and 'role="img"' in page
    assert "<caption>Application checks by programme</caption>" in page
    # the default is the last 12 months, and the page says so
    assert f"Figures for {last_12_months(today).phrase}" in page
    assert "the last 12 months unless you choose another" in page
    assert re.search(r'<input checked[^>]*value="12m">', page)
    assert "Edge of the period" in page and "Just before it" not in page
    custom = client.get("/application-checks/programmes?from=2030-01-01&to=2030-12-31")
    assert custom.status_code == 200
    assert "Figures for 1 January 2030 to 31 December 2030" in custom.get_data(as_text=True)
    other = client.application.test_client()
    login(other, org.line)
    assert other.get("/application-checks/programmes").status_code == 403


def test_a_wrong_period_is_explained_and_kept(client, org, db_session):
    _scenario(org)
    db_session.commit()
    login(client, org.ld)
    bad = client.get("/application-checks/programmes?period=custom&from=2030-05-01"
                     "&to=2030-01-01")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "<title>Error: Application on the job" in html and 'id="error-summary"' in html
    assert "The last day must be on or after the first day." in html
    assert re.search(r'<input[^>]*name="from"[^>]*value="2030-05-01"', html)
    assert re.search(r'<input checked[^>]*value="custom">', html)
    assert "Figures for" not in html and "<caption>" not in html


def test_the_links_carry_the_period(client, org, db_session):
    login(client, org.ld)
    html = client.get("/application-checks/programmes?period=custom&from=2030-01-01"
                      "&to=2030-03-31").get_data(as_text=True)
    query = "period=custom&amp;from=2030-01-01&amp;to=2030-03-31"
    for path, label in (("/insights/funnel", "Learning funnel"),
                        ("/application-checks/programmes", "Application on the job"),
                        ("/pulse/results", "Learner pulse"),
                        ("/results", "Results for leadership")):
        assert re.search(rf'<a href="{re.escape(path)}\?{query}"[^>]*>{label}</a>', html), label
    assert 'aria-current="page">Application on the job</a>' in html
    assert '<a href="/insights/managers">Manager engagement</a>' in html
    assert f'<a href="/pulse/results?{query}">What learners say' in html


def test_programmes_with_too_few_answers_are_greyed_and_marked_in_words(client, org,
                                                                       db_session,
                                                                       monkeypatch):
    from engagement.application import operations

    _scenario(org)  # 4 and 1 answered checks
    _rows(org, pf.programme(title="Enough answers"), "N",
          [(dt.date(2030, 3, day), "yes") for day in range(1, 6)])
    _rows(org, pf.programme(title="Nothing answered"), "Z", [(dt.date(2030, 6, 25), None)])
    rows = rates_by_programme(dt.date(2030, 1, 1), dt.date(2030, 12, 31), on=TODAY)
    assert [(r.title, r.too_few, r.too_few_note) for r in rows] == [
        ("Acute deterioration", True, "Only 4 answers: too few to compare"),
        ("Budget basics", True, "Only 1 answer: too few to compare"),
        ("Enough answers", False, None),
        ("Nothing answered", True, "No answers yet")]
    db_session.commit()
    login(client, org.ld)
    monkeypatch.setattr(operations, "today", lambda: TODAY)
    html = client.get("/application-checks/programmes?from=2030-01-01&to=2030-12-31"
                      ).get_data(as_text=True)
    assert "Programmes with fewer than 5 answered checks are greyed" in html
    # the table: greyed rows, the reason in words beside the programme
    assert ('<tr class="row-muted"><th scope="row">Acute deterioration <span class="row-note">'
            "(Only 4 answers: too few to compare)</span></th>") in html
    assert '<tr><th scope="row">Enough answers</th>' in html
    assert html.count('class="row-muted"') == 3
    # the chart: greyed bars, and the same words under the label
    chart = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    assert chart.count("chart-bar chart-bar-muted") == 2  # nothing answered: no bar at all
    assert chart.count('class="chart-bar"') == 1
    for note in ("Only 4 answers: too few to compare", "Only 1 answer: too few to compare",
                 "No answers yet"):
        assert f'class="chart-note">{note}</text>' in chart
