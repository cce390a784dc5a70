"""The learner pulse: offered once per decision to the learner only, stored without a person
link, shown to L&D only as aggregates over at least PULSE_MIN_RESPONSES responses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from freezegun import freeze_time
from sqlalchemy import func, inspect, select

from clearance.audit import AuditEvent
from clearance.database import utcnow
from clearance.extensions import db
from engagement.periods import add_months, custom, last_12_months, month_label
from engagement.pulse import operations as ops
from engagement.pulse import queries
from engagement.pulse.models import PulseAnswered, PulseResponse
from tests.conftest import csrf_token, login
from tests.portfolios import factories as pf
from tests.spot_checks.factories import decided

ANSWER = {"activities": ["feedback", "summative"], "usefulness": "4", "feedback_helped": "5"}


def _post(client, decision, data):
    token = csrf_token(client, f"/pulse/decisions/{decision.id}")
    return client.post(f"/pulse/decisions/{decision.id}", data={**data, "csrf_token": token})


def test_the_learner_is_offered_the_pulse_and_answers_once(client, org, db_session):
    decision = decided(org.learner)
    db_session.commit()
    login(client, org.learner)
    url = f"/portfolio/submissions/{decision.submission_id}"
    assert f'href="/pulse/decisions/{decision.id}"' in client.get(url).get_data(as_text=True)
    response = _post(client, decision, ANSWER)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert f"/pulse/decisions/{decision.id}" not in client.get(url).get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PulseResponse)) == 1
    row = db_session.scalar(select(PulseResponse))
    assert (row.chose_feedback, row.chose_summative, row.chose_activities, row.usefulness,
            row.feedback_helped, row.approver_level, row.checkpoint_kind) == \
        (True, True, False, 4, 5, 1, "summative")
    again = _post(client, decision, {**ANSWER, "usefulness": "1"})
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PulseResponse)) == 1
    assert "already answered" in client.get(
        f"/pulse/decisions/{decision.id}").get_data(as_text=True)


def test_only_the_learner_is_offered_it_and_may_answer(client, org, db_session):
    decision = decided(org.learner)
    db_session.commit()
    for person in (org.line, org.skip, org.ld, org.other_learner):
        other = client.application.test_client()
        login(other, person)
        page = other.get(f"/portfolio/submissions/{decision.submission_id}")
        assert f"/pulse/decisions/{decision.id}" not in page.get_data(as_text=True)
        assert other.get(f"/pulse/decisions/{decision.id}").status_code == 404
        token = csrf_token(other, "/")
        assert other.post(f"/pulse/decisions/{decision.id}",
                          data={**ANSWER, "csrf_token": token}).status_code == 404
    with pytest.raises(ops.PulseRefused):
        ops.answer(decision, org.line, ops.PulseInput(("feedback",), 3, 3))


def test_an_answer_needs_all_three_questions(client, org, db_session):
    decision = decided(org.learner)
    db_session.commit()
    login(client, org.learner)
    response = _post(client, decision, {"usefulness": "4", "feedback_helped": "9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose at least one." in page
    assert db_session.scalar(select(func.count()).select_from(PulseAnswered)) == 0
    with pytest.raises(ops.PulseRefused, match="1 to 5"):
        ops.answer(decision, org.learner, ops.PulseInput(("feedback",), 6, 3))


def test_the_response_table_has_no_link_to_a_person():
    columns = {c.name for c in PulseResponse.__table__.columns}
    assert columns == {"id", "programme_id", "checkpoint_kind", "approver_level", "month",
                       "chose_activities", "chose_formative", "chose_summative",
                       "chose_feedback", "usefulness", "feedback_helped"}
    assert not [c for c in columns if "person" in c or "learner" in c or "decision" in c
                or c.endswith("_at") or c.endswith("_by_id")]
    targets = {fk.column.table.name for fk in PulseResponse.__table__.foreign_keys}
    assert targets == {"programme"}
    assert isinstance(PulseResponse.__table__.c.id.type, db.String)  # a random key, not a count
    # and the row that says who answered holds nothing of the answer, nor when
    assert {c.name for c in PulseAnswered.__table__.columns} == {"decision_id", "person_id"}


def test_the_database_tables_match(db_session):
    names = {c["name"] for c in inspect(db_session.get_bind()).get_columns("pulse_response")}
    assert not [n for n in names if "person" in n or "decision" in n]


def test_no_join_from_people_to_answers(client, org, db_session):
    decision = decided(org.learner)
    ops.answer(decision, org.learner, ops.PulseInput(("activities",), 2, 3))
    response = db_session.scalar(select(PulseResponse))
    assert len(response.id) == 32 and not response.id.isdigit()
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "pulse.answered"))
    assert event.object_id == str(decision.id)
    assert response.id not in str(event.after) and "usefulness" not in str(event.after)


def _responses(programme_id, n, *, month=dt.date(2030, 3, 1), usefulness=(4,), helped=(5,),
               activities=("feedback",)):
    for i in range(n):
        chosen = activities[i % len(activities)]
        chosen = chosen if isinstance(chosen, tuple) else (chosen,)
        db.session.add(PulseResponse(
            programme_id=programme_id, checkpoint_kind="summative", approver_level=1,
            month=month, usefulness=usefulness[i % len(usefulness)],
            feedback_helped=helped[i % len(helped)],
            **{f"chose_{key}": key in chosen
               for key in ("activities", "formative", "summative", "feedback")}))
    db.session.flush()


START, END = dt.date(2030, 1, 1), dt.date(2030, 12, 31)


def test_four_responses_are_hidden_five_are_shown(db_session):
    prog = pf.programme(title="Pulse programme")
    _responses(prog.id, 4)
    assert queries.aggregate(START, END) is None
    assert queries.aggregate(START, END, programme_id=prog.id) is None
    _responses(prog.id, 1)
    shown = queries.aggregate(START, END, programme_id=prog.id)
    assert shown is not None and shown.responses == 5


def test_aggregate_numbers(db_session):
    prog = pf.programme(title="Pulse programme")
    other = pf.programme(title="Other programme")
    _responses(prog.id, 8, usefulness=(5, 4, 4, 2), helped=(5, 5, 3, 1),
               activities=(("feedback", "summative"), ("activities",), ("feedback",),
                           ("formative", "feedback")))
    _responses(other.id, 3, month=dt.date(2030, 3, 1))
    _responses(prog.id, 5, month=dt.date(2029, 12, 1))  # before the period
    agg = queries.aggregate(START, END, programme_id=prog.id)
    assert agg.responses == 8
    shares = {a.key: (a.count, a.percent) for a in agg.activities}
    assert shares == {"activities": (2, 25.0), "formative": (2, 25.0),
                      "summative": (2, 25.0), "feedback": (6, 75.0)}
    assert agg.usefulness.mean == 3.75
    assert agg.usefulness.distribution == ((1, 0, 0.0), (2, 2, 25.0), (3, 0, 0.0),
                                           (4, 4, 50.0), (5, 2, 25.0))
    assert agg.feedback_helped.mean == 3.5
    # the other programme's 3 answers of March are too few to count anywhere (their own
    # block, and March's pool of small programmes, are under the minimum)
    assert queries.aggregate(START, END).responses == 8
    assert queries.aggregate(dt.date(2030, 3, 15), dt.date(2030, 3, 20)).responses == 8
    _responses(other.id, 2, month=dt.date(2030, 3, 1))
    assert queries.aggregate(START, END).responses == 13


def test_threshold_follows_the_setting(app, db_session, monkeypatch):
    prog = pf.programme(title="Pulse programme")
    _responses(prog.id, 3)
    monkeypatch.setitem(app.config, "PULSE_MIN_RESPONSES", 3)
    assert queries.aggregate(START, END).responses == 3


def test_by_programme_hides_small_groups_and_the_total_leaves_them_out(db_session):
    big = pf.programme(title="A big one")
    mid = pf.programme(title="B middle")
    small = pf.programme(title="C small")
    _responses(big.id, 9)
    _responses(mid.id, 6)
    _responses(small.id, 2)
    groups = {g.title: g.aggregate for g in queries.by_programme(START, END)}
    assert groups["C small"] is None
    assert (groups["A big one"].responses, groups["B middle"].responses) == (9, 6)
    # C's 2 are in no figure, so the total minus A and B gives nothing away
    assert queries.aggregate(START, END).responses == 15
    other = pf.programme(title="D small too")
    _responses(other.id, 3)  # with C's 2, March's small programmes pool 5: the total has them
    groups = {g.title: g.aggregate for g in queries.by_programme(START, END)}
    assert groups["C small"] is None and groups["D small too"] is None
    assert queries.aggregate(START, END).responses == 20
    _responses(small.id, 3)
    groups = {g.title: g.aggregate for g in queries.by_programme(START, END)}
    assert groups["C small"].responses == 5 and groups["D small too"] is None
    assert queries.aggregate(START, END).responses == 20  # D's 3 alone: out again


def test_ld_sees_aggregates_with_the_threshold_message(client, org, db_session):
    prog = pf.programme(title="Pulse programme")
    today = dt.date.today().replace(day=1)
    _responses(prog.id, 4, month=today)
    db_session.commit()
    login(client, org.ld)
    page = client.get("/pulse/results").get_data(as_text=True)
    assert "Not enough responses to show (fewer than 5)." in page
    assert "4 responses" not in page
    _responses(prog.id, 1, month=today)
    db_session.commit()
    page = client.get("/pulse/results").get_data(as_text=True)
    assert "5 responses." in page and 'role="img"' in page
    one = client.get(f"/pulse/results?programme={prog.id}").get_data(as_text=True)
    assert "<h2 id=\"overall-title\">Pulse programme</h2>" in one


def test_managers_see_no_aggregates(client, org, db_session):
    prog = pf.programme(title="Pulse programme")
    _responses(prog.id, 6, month=dt.date.today().replace(day=1))
    db_session.commit()
    for person in (org.line, org.skip, org.md):
        other = client.application.test_client()
        login(other, person)
        assert other.get("/pulse/results").status_code == 403
        assert "/pulse/results" not in other.get("/").get_data(as_text=True)


def test_the_response_month_is_when_it_was_answered(org, db_session):
    with freeze_time("2030-04-20 10:00:00"):
        decision = decided(org.learner)
    with freeze_time("2030-05-02 10:00:00"):
        ops.answer(decision, org.learner, ops.PulseInput(("feedback",), 4, 4))
    assert db_session.scalar(select(PulseResponse.month)) == dt.date(2030, 5, 1)


def test_the_page_takes_the_shared_period_in_whole_months(client, org, db_session):
    today = utcnow().date()
    first, before = add_months(today, -11), add_months(today, -12)
    prog = pf.programme(title="Pulse programme")
    _responses(prog.id, 5, month=first)  # the first month of the last 12 months
    _responses(prog.id, 6, month=before)  # the month before it
    db_session.commit()
    login(client, org.ld)
    page = client.get("/pulse/results").get_data(as_text=True)
    assert f"Figures for {last_12_months(today).phrase}" in page
    assert "The page shows the last 12 months unless you choose another period." in page
    assert re.search(r'<input checked[^>]*value="12m">', page)
    assert "5 responses." in page
    # a few days inside a month count that whole month: answers keep no day
    mid = before + dt.timedelta(days=9)
    one = client.get(f"/pulse/results?from={mid}&to={mid}").get_data(as_text=True)
    assert f"Figures for {custom(mid, mid).phrase}" in one and "6 responses." in one
    assert f"the answers given in the months {month_label(f'{before:%Y-%m}')}." in one
    both = client.get(f"/pulse/results?from={mid}&to={first}").get_data(as_text=True)
    assert "11 responses." in both


def test_a_wrong_period_is_explained_and_the_choices_kept(client, org, db_session):
    prog = pf.programme(title="Pulse programme")
    _responses(prog.id, 5, month=add_months(utcnow().date(), -3))
    db_session.commit()
    login(client, org.ld)
    bad = client.get(f"/pulse/results?period=custom&from=2026-05-01&to=2026-01-01"
                     f"&programme={prog.id}")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "<title>Error: The learner pulse" in html and 'id="error-summary"' in html
    assert "The last day must be on or after the first day." in html
    assert re.search(r'<input[^>]*name="from"[^>]*value="2026-05-01"', html)
    assert f'<option selected value="{prog.id}">Pulse programme</option>' in html
    assert "Figures for" not in html and 'id="overall-title"' not in html


def test_the_links_carry_the_period(client, org, db_session):
    login(client, org.ld)
    html = client.get("/pulse/results?period=month").get_data(as_text=True)
    for path, label in (("/insights/funnel", "Learning funnel"),
                        ("/application-checks/programmes", "Application on the job"),
                        ("/pulse/results", "Learner pulse"),
                        ("/results", "Results for leadership")):
        assert re.search(rf'<a href="{re.escape(path)}\?period=month"[^>]*>{label}</a>', html)
    assert 'aria-current="page">Learner pulse</a>' in html
    assert '<a href="/application-checks/programmes?period=month">Application on the job by ' \
        'programme, for the same period</a>' in html


def test_only_ended_months_count_and_the_filter_lists_only_programmes_with_figures(
        db_session, pulse_months_ended):

    pulse_months_ended.undo()  # the real rule: months before the current one
    prog, quiet = pf.programme("Shown"), pf.programme("Too few")
    this_month = utcnow().date().replace(day=1)
    last_month = add_months(this_month, -1)
    _responses(prog.id, 5, month=last_month)
    _responses(prog.id, 7, month=this_month)
    _responses(quiet.id, 2, month=last_month)
    start, end = add_months(this_month, -11), utcnow().date()
    assert queries.counted_until() == this_month
    assert queries.aggregate(start, end, programme_id=prog.id).responses == 5
    assert queries.aggregate(this_month, end, programme_id=prog.id) is None
    assert queries.programmes_with_responses(start, end) == [(prog.id, "Shown")]
