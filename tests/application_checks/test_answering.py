"""The line manager answers once, from the task page; everyone else is refused; the learner
sees the answer on their submission page; the 1:1 agenda, home page and queue link to it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from clearance.audit import AuditEvent
from clearance.database import utcnow
from engagement.application import operations as ops
from engagement.application.handlers import _agenda_section
from engagement.application.models import ApplicationCheck
from tests.application_checks.helpers import ANSWER, approved_check, due_check
from tests.conftest import csrf_token, login

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _post(client, check, data):
    page = client.get(f"/application-checks/{check.id}").get_data(as_text=True)
    match = TOKEN.search(page)
    token = match.group(1) if match else csrf_token(client, "/application-checks")
    return client.post(f"/application-checks/{check.id}", data={**data, "csrf_token": token})


def test_the_manager_answers_from_the_task_page(client, org, db_session):
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    tasks = client.get("/application-checks").get_data(as_text=True)
    assert f'href="/application-checks/{check.id}"' in tasks and "To answer (1)" in tasks
    form = client.get(f"/application-checks/{check.id}").get_data(as_text=True)
    assert "Is Lea Learner applying" in form and 'name="answer"' in form
    response = _post(client, check, ANSWER)
    assert response.status_code == 302 and response.headers["Location"] == "/application-checks"
    db_session.expire_all()
    saved = db_session.get(ApplicationCheck, check.id)
    assert (saved.answer, saved.answered_by_id, saved.measure_value) == \
        ("partly", org.line.id, Decimal("2.00"))
    assert saved.measure_text == "Handover incidents per month: 2"
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "application_check.answered")) == 1
    after = client.get("/application-checks").get_data(as_text=True)
    assert "To answer (0)" in after and "Partly" in after


def test_answering_twice_is_refused_cleanly(client, org, db_session):
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    assert _post(client, check, ANSWER).status_code == 302
    token = csrf_token(client, "/application-checks")
    again = client.post(f"/application-checks/{check.id}",
                        data={**ANSWER, "answer": "yes", "csrf_token": token})
    assert again.status_code == 409
    assert "Lin Manager already answered this check" in again.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(ApplicationCheck, check.id).answer == "partly"


def test_a_stale_second_answer_loses_in_the_operation(org, db_session):
    check = due_check(org.learner)
    ops.answer(check, org.line, ops.Answer("yes"))
    with pytest.raises(ops.AnswerConflict, match="already answered"):
        ops.answer(check, org.line, ops.Answer("not_yet"))
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "application_check.answered")) == 1


def test_not_due_yet_cannot_be_answered(client, org, db_session):
    check = approved_check(org.learner)
    db_session.commit()
    login(client, org.line)
    page = client.get(f"/application-checks/{check.id}").get_data(as_text=True)
    assert 'name="answer"' not in page and "This check opens on" in page
    token = csrf_token(client, "/application-checks")
    response = client.post(f"/application-checks/{check.id}",
                           data={**ANSWER, "csrf_token": token})
    assert response.status_code == 409 and "not due until" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["unrelated", "other_learner", "learner", "ld", "admin"])
def test_other_people_get_404(client, org, db_session, who):
    check = due_check(org.learner)
    db_session.commit()
    login(client, getattr(org, who))
    assert client.get(f"/application-checks/{check.id}").status_code == 404
    token = csrf_token(client, "/application-checks")
    assert client.post(f"/application-checks/{check.id}",
                       data={**ANSWER, "csrf_token": token}).status_code == 404
    assert f"/application-checks/{check.id}" not in client.get(
        "/application-checks").get_data(as_text=True)


def test_the_skip_level_reads_but_cannot_answer(client, org, db_session):
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.skip)
    page = client.get(f"/application-checks/{check.id}").get_data(as_text=True)
    assert 'name="answer"' not in page and "Lin Manager, answers it" in page
    assert f'href="/application-checks/{check.id}"' in client.get(
        "/application-checks").get_data(as_text=True)  # in the wider team
    token = csrf_token(client, "/application-checks")
    assert client.post(f"/application-checks/{check.id}",
                       data={**ANSWER, "csrf_token": token}).status_code == 403


def test_the_note_is_cleaned_and_escaped(client, org, db_session):
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    _post(client, check, {"answer": "yes", "note": "<script>alert(1)</script>\x07 Great\x00"})
    db_session.expire_all()
    assert db_session.get(ApplicationCheck, check.id).note == "<script>alert(1)</script> Great"
    page = client.get(f"/application-checks/{check.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_a_measure_value_needs_a_name(client, org, db_session):
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    response = _post(client, check, {"answer": "yes", "measure_value": "3"})
    assert response.status_code == 200
    assert "Name the business measure" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(ApplicationCheck, check.id).answered_at is None
    with pytest.raises(ops.AnswerRefused):
        ops.answer(check, org.line, ops.Answer("yes", measure_unit="per month"))


def test_the_learner_sees_the_answer_on_their_submission_page(client, org, db_session):
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.learner)
    url = f"/portfolio/submissions/{check.submission_id}"
    before = client.get(url).get_data(as_text=True)
    assert "your line manager will be asked whether you are applying" in before
    ops.answer(check, org.line, ops.Answer("yes", note="Runs the huddle every Monday."))
    db_session.commit()
    after = client.get(url).get_data(as_text=True)
    assert "Applying it on the job" in after and "Runs the huddle every Monday." in after
    assert f"/application-checks/{check.id}" not in after  # the check page is the manager's


def test_the_agenda_section_lists_due_checks_for_the_line_manager_only(org, db_session):
    pytest.importorskip("approvals.one_to_ones.agenda")
    check = due_check(org.learner)
    approved_check(org.learner, title="Not due yet")
    context = SimpleNamespace(manager=org.line, report=org.learner, viewer=org.line)
    section = _agenda_section(context)
    assert section is not None and section.key == "application_checks"
    assert [line.href for line in section.lines] == [f"/application-checks/{check.id}"]
    assert section.lines[0].text == "Is Lea Learner applying “Safe handover” on the job?"
    assert _agenda_section(SimpleNamespace(manager=org.line, report=org.learner,
                                           viewer=org.learner)) is None
    assert _agenda_section(SimpleNamespace(manager=org.unrelated, report=org.learner,
                                           viewer=org.unrelated)) is None
    ops.answer(check, org.line, ops.Answer("yes"))
    assert _agenda_section(context) is None


def test_the_agenda_on_the_meeting_page_links_to_the_form(client, org, db_session):
    pytest.importorskip("approvals.one_to_ones.agenda")
    from approvals.one_to_ones import operations as one_ops
    from tests.one_to_ones.helpers import make_series, this_weeks_day

    check = due_check(org.learner)
    series = make_series(org.line, org.learner)
    day = this_weeks_day(series)
    one_ops.materialise(series, day)
    db_session.commit()
    url = f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}"
    login(client, org.line)
    page = client.get(url).get_data(as_text=True)
    assert "Application on the job" in page and f"/application-checks/{check.id}" in page
    other = client.application.test_client()
    login(other, org.learner)
    assert f"/application-checks/{check.id}" not in other.get(url).get_data(as_text=True)


def test_home_and_queue_link_the_manager_to_their_checks(client, org, db_session):
    due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    home = client.get("/").get_data(as_text=True)
    assert "1 application check to answer" in home and 'href="/application-checks"' in home
    assert 'href="/application-checks"' in client.get("/approvals").get_data(as_text=True)
    other = client.application.test_client()
    login(other, org.unrelated)
    assert "application check" not in other.get("/").get_data(as_text=True)


def test_overdue_is_marked(client, org, db_session):
    check = due_check(org.learner, days_ago=20)
    assert check.is_overdue(utcnow().date())
    assert not check.is_overdue(check.due_on + dt.timedelta(days=14))
    db_session.commit()
    login(client, org.line)
    assert "over 14 days" in client.get("/application-checks").get_data(as_text=True)


def test_a_missing_measure_name_is_reported_with_the_other_mistakes(client, org, db_session):
    """One round of errors: no answer chosen and a unit without its measure, both at once."""
    check = due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    page = _post(client, check, {"measure_unit": "per month"}).get_data(as_text=True)
    assert "Choose yes, partly or not yet." in page
    assert "Name the business measure the value belongs to." in page
    assert 'value="per month"' in page  # what was typed is kept
