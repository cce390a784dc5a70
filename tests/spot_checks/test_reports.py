"""Calibration, coverage, CSV, the approver's own view and the one-to-one agenda section."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest

from approvals.spot_checks import calibration as cal
from approvals.spot_checks import operations as ops
from approvals.spot_checks import sampler
from approvals.spot_checks.handlers import _agenda_feedback
from tests.conftest import csrf_token, login
from tests.spot_checks.factories import decided
from tests.spot_checks.helpers import check_of, ld_assessment, sampled_check


def _calibrated(org):
    """Line manager: one agreed check (same levels) and one concern (manager one higher)."""
    sampled_check(org, "done", verdict="agree", ld_positions=1)
    sampled_check(org, "done", verdict="concern", ld_positions=0, title="Medicines round")


def test_calibration_figures_for_an_approver(org, db_session):
    _calibrated(org)
    rows, total = cal.table("approver", cal.months_back(12))
    assert total == 1
    row = rows[0]
    assert (row.label, row.decisions, row.sampled, row.checked, row.agreed) == \
        ("Lin Manager", 2, 2, 2, 1)
    assert row.agreement == 0.5
    # three criteria the same level, three one level higher than L&D
    assert row.pairs == {(1, 1): 3, (1, 0): 3} and row.categories == 3
    assert row.mean_difference == pytest.approx(0.5) and row.leaning == "lenient"
    assert row.kappa == pytest.approx(0.0)
    assert row.median_hours is not None and row.mean_feedback > 80
    months = cal.trend(cal.months_back(3))
    assert sum(m.decisions for m in months) == 2 and months[-1].checked == 2
    criteria = cal.by_criterion(cal.months_back(12))
    assert {c.title for c in criteria} == {"Criterion 1", "Criterion 2", "Criterion 3"}
    # each test rubric has its own criteria (keys): the concern's three are one level up
    assert sorted(c.difference for c in criteria) == [0, 0, 0, 1, 1, 1]
    assert criteria[0].difference == 1 and criteria[0].leaning == "lenient"


def test_the_dashboard_and_csv_show_the_figures(client, org, db_session):
    _calibrated(org)
    db_session.commit()
    login(client, org.ld)
    page = client.get("/spot-checks/calibration").get_data(as_text=True)
    assert "Lin Manager" in page and "50%" in page and "+0.50 lenient" in page
    assert '<svg viewBox="0 0 640 220" role="img"' in page and "<caption>Agreement" in page
    assert "<script>" not in page and "style=" not in page
    units = client.get("/spot-checks/calibration?by=unit").get_data(as_text=True)
    assert "Ward 1" in units
    response = client.get("/spot-checks/calibration.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["approver", "name", "detail", "decisions"]
    assert rows[1][1] == "Lin Manager" and rows[1][3:8] == ["2", "2", "2", "1", "0.500"]
    detail = client.get(f"/spot-checks/calibration/approvers/{org.line.id}").get_data(
        as_text=True)
    assert "Calibration: Lin Manager" in detail and "Criterion 1" in detail


def test_csv_cells_that_look_like_formulas_are_quoted(client, org, make_person, db_session):
    manager = make_person("=HYPERLINK(1)", manager=org.md, unit="Ward 3")
    learner = make_person("Ann Other", manager=manager, unit="Ward 3")
    decided(learner)
    db_session.commit()
    login(client, org.ld)
    body = client.get("/spot-checks/calibration.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body


def test_coverage_marks_gaps_against_the_target(client, org, db_session, monkeypatch):
    monkeypatch.setattr(sampler, "approver_record", lambda _id, _w: (9, (True,) * 20))
    _calibrated(org)  # Ward 1: two decisions, both checked
    for i in range(3):  # Ward 2: decisions not checked
        decided(org.other_learner, title=f"Audit {i}")
    rows, _ = cal.table("unit", cal.quarter())
    by_unit = {r.label: r for r in rows}
    assert not by_unit["Ward 1"].gap and by_unit["Ward 2"].gap
    assert by_unit["Ward 2"].checked_share == 0
    db_session.commit()
    login(client, org.ld)
    page = client.get("/spot-checks/coverage").get_data(as_text=True)
    assert "Below target" in page and 'class="row-warning"' in page
    assert cal.quarter("2026-Q1").start.month == 1 and cal.quarter("2026-Q4").end.year == 2027


def test_a_manager_sees_only_their_own_verdicts(client, org, db_session):
    mine = sampled_check(org, "done", verdict="concern")
    theirs = check_of(decided(org.other_learner, title="Someone else's"))
    ops.claim(theirs, org.ld)
    ops.score(theirs, org.ld, ld_assessment(theirs), "approved")
    ops.give_verdict(theirs, org.ld, "concern",
                     approver_feedback="Una's feedback that Lin must never see.")
    db_session.commit()
    login(client, org.line)
    page = client.get("/spot-checks/mine").get_data(as_text=True)
    assert f"/spot-checks/mine/{mine.id}" in page and "Someone else" not in page
    assert "0% of 1 checked decision" in page
    assert client.get(f"/spot-checks/mine/{theirs.id}").status_code == 404
    assert "Una's feedback" not in client.get("/approvals").get_data(as_text=True)
    assert client.get(f"/spot-checks/{mine.id}").status_code == 403
    token = csrf_token(client, "/approvals")
    assert client.post(f"/spot-checks/mine/{theirs.id}/acknowledge",
                       data={"csrf_token": token}).status_code == 404


def test_concern_feedback_is_on_the_managers_one_to_one_agenda_until_acknowledged(org,
                                                                                    db_session):
    pytest.importorskip("approvals.one_to_ones.agenda")  # the one-to-ones' agenda sections
    check = sampled_check(org, "done", verdict="concern")
    context = SimpleNamespace(manager=org.line, report=org.learner, viewer=org.line)
    section = _agenda_feedback(context)
    assert section is not None and section.key == "spot_check_feedback"
    assert section.lines[0].text == "Concern: Safe handover"
    assert "leading the" in section.lines[0].detail
    assert section.lines[0].href == f"/spot-checks/mine/{check.id}"
    other_report = SimpleNamespace(manager=org.line, report=org.other_learner, viewer=org.line)
    assert _agenda_feedback(other_report) is None
    as_report = SimpleNamespace(manager=org.line, report=org.learner, viewer=org.learner)
    assert _agenda_feedback(as_report) is None
    ops.acknowledge(check, org.line)
    assert _agenda_feedback(context) is None


def test_the_agenda_section_is_registered_with_one_to_ones():
    agenda = pytest.importorskip("approvals.one_to_ones.agenda")
    assert _agenda_feedback in agenda._SECTIONS


def test_low_agreement_raises_the_rate_for_the_next_decision(org, db_session):
    for i in range(2):
        sampled_check(org, "done", verdict="concern", title=f"Task {i}")
    agreed, recent = sampler.approver_record(org.line.id, 20)
    assert agreed == 0 and recent == (False, False)
    decision = decided(org.learner, title="Next one")
    from approvals.spot_checks.queries import sampling_of

    row = sampling_of(decision.id)
    assert float(row.rate) == pytest.approx(0.5)
    assert row.facts["recent_agreement"] == [False, False]
