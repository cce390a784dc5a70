"""Delegates inside and outside their window; evidence downloads follow the step."""

from __future__ import annotations

import datetime as dt

import pytest

from clearance.database import utcnow
from people.delegation import create_delegation
from portfolios import operations as portfolio_ops
from tests.approvals.factories import pending_step
from tests.conftest import csrf_token, login
from tests.portfolios import factories as pf
from tests.rubrics.helpers import make_rubric


def _step_with_file(org):
    version = make_rubric(title="Rubric with files", pin=True)
    prog = pf.programme(title="Files programme")
    cp = pf.checkpoint(prog, title="Show a photo", rubric_version_id=version.id)
    pf.enrol(org.learner, prog)
    submission = portfolio_ops.start_submission(org.learner, cp)
    stream, name = pf.upload(pf.png_bytes(), "ward.png")
    evidence = portfolio_ops.add_file(org.learner, cp, stream, name)
    portfolio_ops.submit(submission, org.learner, expected_version=0)
    return pending_step(submission.id), evidence


@pytest.mark.parametrize(("window", "expected"), [("open", 200), ("ended", 404),
                                                  ("future", 404)])
def test_delegate_sees_the_step_and_evidence_only_inside_the_window(client, org, db_session,
                                                                    window, expected):
    step, evidence = _step_with_file(org)
    now = utcnow()
    start, end = {"open": (now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)),
                  "ended": (now - dt.timedelta(days=2), now - dt.timedelta(days=1)),
                  "future": (now + dt.timedelta(days=1), now + dt.timedelta(days=2))}[window]
    create_delegation(org.line, org.other_learner, start, end)
    db_session.commit()
    login(client, org.other_learner)
    assert client.get(f"/approvals/steps/{step.id}").status_code == expected
    download = client.get(f"/portfolio/evidence/{evidence.id}/download")
    assert download.status_code == expected
    token = csrf_token(client, "/approvals")
    decide = client.post(f"/approvals/steps/{step.id}/decide", data={"csrf_token": token})
    assert decide.status_code == (200 if window == "open" else 404)  # 200: form shown again


def test_indirect_manager_reads_but_cannot_decide(client, org, db_session):
    step, evidence = _step_with_file(org)
    db_session.commit()
    login(client, org.skip)
    page = client.get(f"/approvals/steps/{step.id}")
    assert page.status_code == 200 and "decides it" in page.get_data(as_text=True)
    assert client.get(f"/portfolio/evidence/{evidence.id}/download").status_code == 200
    token = csrf_token(client, "/approvals")
    assert client.post(f"/approvals/steps/{step.id}/decide",
                       data={"csrf_token": token}).status_code == 403


def test_queue_of_an_unrelated_manager_is_empty(client, org, db_session):
    step, _ = _step_with_file(org)
    db_session.commit()
    login(client, org.unrelated)
    assert "Lea Learner" not in client.get("/approvals").get_data(as_text=True)
    assert client.get(f"/approvals/steps/{step.id}").status_code == 404
