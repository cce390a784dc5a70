"""The meeting page and its agenda for a generated scenario, deciding from the agenda, holding
with carry-forward, notes (double submission, conflicts, privacy), the week view, the learner's
side and the links from pages people already use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from approvals.models import Decision
from approvals.one_to_ones import agenda as agenda_mod
from approvals.one_to_ones import operations as ops
from approvals.one_to_ones.models import Carry, Meeting, Series
from tests.approvals.factories import full_assessment, submitted
from tests.conftest import login
from tests.one_to_ones.helpers import decide_now, make_series, this_weeks_day
from tests.portfolios import factories as pf

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def _signed_in(app, person):
    """A second browser: a fresh client signed in as ``person``."""
    other = app.test_client()
    login(other, person)
    return other


@pytest.fixture()
def scenario(org, db_session):
    """Lea's week: two checkpoints waiting, one sent back, one approved, one due soon, an
    open action and a talking point from each side."""
    series = make_series(org.line, org.learner)
    day = this_weeks_day(series)
    waiting = [submitted(org.learner, title="Safe handover"),
               submitted(org.learner, title="Medicines round")]
    decide_now(submitted(org.learner, title="Falls audit"), org.line, "changes_requested")
    decide_now(submitted(org.learner, title="Sepsis screening"), org.line, "approved")
    prog = pf.programme(title="Ward leadership")
    pf.checkpoint(prog, title="Lead a huddle", due_offset_days=10)
    pf.enrol(org.learner, prog)
    meeting = ops.materialise(series, day)
    ops.add_talking_point(meeting, org.learner, "Study leave in March")
    ops.add_talking_point(meeting, org.line, "Feedback from nights")
    ops.add_action(meeting, org.line, org.learner, "Book the course")
    ops.save_private_notes(meeting, org.line, "PRIVATE: seems tired lately", 0)
    db_session.commit()
    return {"series": series, "day": day, "waiting": waiting, "meeting": meeting,
            "url": f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}"}


def test_agenda_for_the_manager_shows_everything_from_live_data(client, org, scenario):
    login(client, org.line)
    page = client.get(scenario["url"]).get_data(as_text=True)
    for text in ("Safe handover", "Medicines round", "Falls audit", "Sepsis screening",
                 "Lead a huddle", "Book the course", "Study leave in March",
                 "Feedback from nights", "PRIVATE: seems tired lately",
                 "Waiting for your decision (2)", "Review and decide here"):
        assert text in page, text
    assert "Changes asked for, not yet resubmitted (1)" in page
    assert "worth recognising (1)" in page


def test_agenda_builder_sections(org, scenario):
    agenda = agenda_mod.build(scenario["meeting"], org.line)
    assert [s.id for s in agenda.pending] == [s.id for s in scenario["waiting"]]
    assert [s.checkpoint.title for s in agenda.changes_requested] == ["Falls audit"]
    assert [s.checkpoint.title for s in agenda.recently_approved] == ["Sepsis screening"]
    assert [d.title for d in agenda.due] == ["Lead a huddle"]
    assert [a.body for a in agenda.actions] == ["Book the course"]
    assert agenda.count == 2 + 2 + 1


def test_the_report_sees_the_agenda_but_never_private_notes(client, org, scenario):
    login(client, org.learner)
    page = client.get(scenario["url"]).get_data(as_text=True)
    assert "Study leave in March" in page and "Safe handover" in page
    assert "PRIVATE" not in page and "private notes" not in page.lower()
    assert "Review and decide here" not in page
    assert "Waiting for Lin Manager's decision" in page.replace("&#39;", "'")
    review = client.get(scenario["url"] + f"?review={scenario['waiting'][0].id}")
    assert 'name="outcome"' not in review.get_data(as_text=True)
    for path in ("/private-notes", "/notes", "/hold", "/cancel"):
        assert client.post(scenario["url"] + path, data={"csrf_token": _token(page)}
                           ).status_code == 403


def test_extra_agenda_sections_from_other_domains(client, org, scenario):
    def spot_checks(ctx):
        return agenda_mod.AgendaSection(
            "spot-checks", "L&D spot-check feedback",
            (agenda_mod.AgendaLine(f"Feedback on your decision about {ctx.report.name}"),))

    agenda_mod.register_agenda_section(spot_checks)
    try:
        login(client, org.line)
        assert "Feedback on your decision about Lea Learner" in client.get(
            scenario["url"]).get_data(as_text=True)
        client = _signed_in(client.application, org.learner)
        assert "L&amp;D spot-check feedback" not in client.get(
            scenario["url"]).get_data(as_text=True)
    finally:
        agenda_mod.unregister_agenda_section(spot_checks)


def test_deciding_from_the_agenda_records_the_meeting(client, org, scenario, db_session):
    step = scenario["waiting"][0]
    login(client, org.line)
    page = client.get(scenario["url"] + f"?review={step.id}").get_data(as_text=True)
    assert f'action="{scenario["url"]}/steps/{step.id}/decide"' in page
    opened = re.search(r'name="opened"[^>]*value="([^"]*)"', page).group(1)
    response = client.post(f"{scenario['url']}/steps/{step.id}/decide", data={
        "csrf_token": _token(page), "lock": str(step.lock_version),
        "version": str(step.version_id), "opened": opened, "outcome": "approved",
        "meeting_id": "999999", **full_assessment(step)})
    assert response.status_code == 302
    decision = db_session.scalar(select(Decision).where(Decision.step_id == step.id))
    assert decision.meeting_id == scenario["meeting"].id  # posted ids are ignored
    assert decision.meeting.occurs_on == scenario["day"]
    assert decision.review_started_at is not None
    page = client.get(scenario["url"]).get_data(as_text=True)
    assert "Decided in this one-to-one" in page
    assert f"in the one-to-one of {scenario['day']:%d %B %Y}" in page
    client = _signed_in(client.application, org.learner)
    assert f"in the one-to-one of {scenario['day']:%d %B %Y}" in client.get(
        scenario["url"]).get_data(as_text=True)
    record = client.get(f"/portfolio/submissions/{step.submission_id}").get_data(as_text=True)
    assert f"in the one-to-one of {scenario['day'].day} {scenario['day']:%B %Y}" in record


def test_an_incomplete_assessment_is_refused_on_the_meeting_page(client, org, scenario,
                                                                 db_session):
    step = scenario["waiting"][0]
    login(client, org.line)
    page = client.get(scenario["url"] + f"?review={step.id}").get_data(as_text=True)
    data = full_assessment(step, feedback="Too short")
    response = client.post(f"{scenario['url']}/steps/{step.id}/decide", data={
        "csrf_token": _token(page), "lock": str(step.lock_version),
        "version": str(step.version_id), "outcome": "approved", **data})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Write overall feedback of at least 40 characters" in body and "Too short" in body
    assert db_session.scalar(select(Decision).where(Decision.step_id == step.id)) is None


def test_deciding_twice_is_a_conflict(client, org, scenario):
    step = scenario["waiting"][0]
    login(client, org.line)
    page = client.get(scenario["url"] + f"?review={step.id}").get_data(as_text=True)
    data = {"csrf_token": _token(page), "lock": str(step.lock_version),
            "version": str(step.version_id), "outcome": "approved", **full_assessment(step)}
    assert client.post(f"{scenario['url']}/steps/{step.id}/decide", data=data
                       ).status_code == 302
    assert client.post(f"{scenario['url']}/steps/{step.id}/decide", data=data
                       ).status_code == 409


def test_holding_asks_about_undecided_items_and_carries_them(client, org, scenario,
                                                             db_session):
    login(client, org.line)
    page = client.get(scenario["url"]).get_data(as_text=True)
    ask = client.post(scenario["url"] + "/hold", data={"csrf_token": _token(page)})
    body = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Carry the undecided items" in body
    assert "Safe handover" in body and "There is a problem" not in body
    done = client.post(scenario["url"] + "/hold", data={"csrf_token": _token(page),
                                                        "carry": "yes"})
    assert done.status_code == 302
    db_session.expire_all()
    meeting = db_session.get(Meeting, scenario["meeting"].id)
    assert meeting.status == "held"
    carried = db_session.scalars(select(Carry)).all()
    assert {c.step_id for c in carried} == {s.id for s in scenario["waiting"]}
    nxt = scenario["day"] + dt.timedelta(days=7)
    page = client.get(f"/one-to-ones/series/{scenario['series'].id}/meetings/{nxt}"
                      ).get_data(as_text=True)
    assert page.count(f"Carried over from {scenario['day']:%d %B}") == 2
    assert "Book the course" in page  # open actions carry forward until done


def test_holding_without_carrying(client, org, scenario, db_session):
    login(client, org.line)
    page = client.get(scenario["url"]).get_data(as_text=True)
    client.post(scenario["url"] + "/hold", data={"csrf_token": _token(page), "carry": "no"})
    assert db_session.scalars(select(Carry)).all() == []


def test_shared_notes_double_submission_and_conflict(client, org, scenario, db_session):
    login(client, org.line)
    page = client.get(scenario["url"]).get_data(as_text=True)
    form = {"csrf_token": _token(page), "notes": "We agreed the rota.", "notes_version": "0"}
    assert client.post(scenario["url"] + "/notes", data=form).status_code == 302
    assert client.post(scenario["url"] + "/notes", data=form).status_code == 302  # twice
    stale = client.post(scenario["url"] + "/notes", data={**form, "notes": "Mine instead"})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Mine instead" in body and "We agreed the rota." in body  # both kept on screen
    db_session.expire_all()
    assert db_session.get(Meeting, scenario["meeting"].id).shared_notes == "We agreed the rota."
    client = _signed_in(client.application, org.learner)
    assert "We agreed the rota." in client.get(scenario["url"]).get_data(as_text=True)


def test_notes_are_escaped(client, org, scenario):
    login(client, org.line)
    page = client.get(scenario["url"]).get_data(as_text=True)
    client.post(scenario["url"] + "/notes", data={
        "csrf_token": _token(page), "notes": "<script>alert(1)</script>", "notes_version": "0"})
    client = _signed_in(client.application, org.learner)
    body = client.get(scenario["url"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_week_view_counts_items(client, org, scenario):
    login(client, org.line)
    page = client.get("/one-to-ones").get_data(as_text=True)
    row = re.search(r"<tr>\s*<th scope=\"row\"><a href=\"" + re.escape(scenario["url"])
                    + r"\">Lea Learner.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert [re.sub(r"<.*?>", "", c).strip() for c in cells[2:]] == ["2", "2", "1", "1"]
    assert "5 items to go through" in page


def test_learner_sees_upcoming_one_to_ones_and_adds_talking_points(client, org, db_session):
    series = make_series(org.line, org.learner, start=dt.date.today())
    db_session.commit()
    login(client, org.learner)
    page = client.get("/one-to-ones").get_data(as_text=True)
    assert "Next:" in page and "Lin Manager" in page
    day = ops.schedule.next_occurrence(series, dt.date.today(), inclusive=True)
    url = f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}"
    assert url in page
    response = client.post(url + "/talking-points", data={
        "csrf_token": _token(client.get(url).get_data(as_text=True)),
        "body": "Can I shadow the sister?"})
    assert response.status_code == 302
    assert "Can I shadow the sister?" in client.get(url).get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "Your next one-to-one with Lin Manager" in home


def test_links_from_home_queue_and_navigation(client, org, scenario):
    login(client, org.line)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/one-to-ones"' in home and "This week&#39;s one-to-ones" in home
    assert "1 one-to-one this week with your team, 2 checkpoints to decide" in home
    queue = client.get("/approvals").get_data(as_text=True)
    assert '<a href="/one-to-ones">this week\'s one-to-ones</a>' in queue


def test_setting_up_through_the_form(client, org, db_session):
    login(client, org.line)
    page = client.get(f"/one-to-ones/new?report={org.learner.id}").get_data(as_text=True)
    assert f'<option selected value="{org.learner.id}">' in page or \
        re.search(rf'value="{org.learner.id}"[^>]*selected', page)
    response = client.post("/one-to-ones/new", data={
        "csrf_token": _token(page), "report": str(org.learner.id), "weekday": "3",
        "start_time": "10:15", "duration": "45", "timezone": "Europe/London",
        "frequency": "2", "start_date": "2030-01-07"})
    assert response.status_code == 302
    again = client.post("/one-to-ones/new", data={
        "csrf_token": _token(page), "report": str(org.learner.id), "weekday": "3",
        "start_time": "10:15", "duration": "45", "timezone": "Nowhere/Town",
        "frequency": "2", "start_date": "2030-01-07"}).get_data(as_text=True)
    assert "is not a time zone we know" in again and "Nowhere/Town" in again


def test_a_report_of_someone_else_cannot_be_chosen(client, org, db_session):
    login(client, org.line)
    page = client.get("/one-to-ones/new").get_data(as_text=True)
    response = client.post("/one-to-ones/new", data={
        "csrf_token": _token(page), "report": str(org.other_learner.id), "weekday": "3",
        "start_time": "10:15", "duration": "45", "timezone": "Europe/London",
        "frequency": "1", "start_date": "2030-01-07"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(
        as_text=True)
    assert db_session.scalars(select(Series)).all() == []
