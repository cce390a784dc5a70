"""The year of demo activity: every month of the last twelve has decisions at level 1,
completions and spot-check verdicts; turnaround is mostly 2 to 10 days; the audit chain still
verifies; a second run adds nothing; ids keep working after it (PostgreSQL sequences)."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import func, select

from approvals.models import Decision
from approvals.spot_checks.demo import seed_spot_checks
from approvals.spot_checks.models import SpotCheckSampling
from checkpoints.demo import seed_programmes
from checkpoints.models import Enrolment
from clearance.audit import AuditEvent, verify_chain
from clearance.cli import DEMO_SEEDERS
from clearance.database import as_utc
from clearance.extensions import db
from engagement import demo
from engagement.nudges.models import Certificate
from engagement.periods import last_12_months
from engagement.results import figures
from people.demo import seed_people
from people.models import Person
from portfolios.models import SubmissionVersion
from rubrics.demo import seed_rubrics
from tests.results.factories import at, decision


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_year_of_activity(db_session):
    summary = {"password": "clearance-demo"}
    for seed in (seed_people, seed_rubrics, seed_programmes, seed_spot_checks):
        seed(summary)
    before = _count(Decision)
    started = time.perf_counter()
    demo.seed_year_of_activity(summary)
    assert time.perf_counter() - started < 10
    assert "A year of activity:" in summary["report"]
    assert verify_chain().ok
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == demo.ACTION)) == 1

    period = last_12_months()
    turnaround = figures.turnaround(period)
    assert all(m.count(1) > 0 and m.median(1) is not None for m in turnaround.months), \
        [(m.month, m.count(1)) for m in turnaround.months]
    assert turnaround.levels[1].spread.count > 0  # level 2 as well
    agreement = figures.agreement(period)
    assert all(m.checked > 0 for m in agreement.months), [m.month for m in agreement.months]
    assert {"agree", "concern"} <= {v for v, n in agreement.verdicts.items() if n}
    month = figures.month_of(Enrolment.completed_at)
    completions = dict(db.session.execute(
        select(month, func.count()).where(Enrolment.completed_at >= period.start)
        .group_by(month)).all())
    assert all(completions.get(month) for month in period.months()), completions
    assert figures.completion(period).total("completed", "assigned") > 0
    assert _count(Certificate) == db.session.scalar(
        select(func.count()).where(Enrolment.completed_at.is_not(None)))

    rows = db.session.execute(
        select(Decision.decided_at, SubmissionVersion.submitted_at)
        .join(SubmissionVersion, SubmissionVersion.id == Decision.version_id)).all()
    waits = [(as_utc(d) - as_utc(s)).total_seconds() / 86400 for d, s in rows]
    assert min(waits) >= 0  # nothing decided before it was submitted
    assert 2 <= statistics.median(waits) <= 10
    assert sum(w > 10 for w in waits) >= 5  # some take weeks
    assert _count(SpotCheckSampling) == _count(Decision)  # one sampling record per decision
    assert _count(Decision) - before > 150

    counts = (_count(Decision), _count(Enrolment))
    demo.seed_year_of_activity(summary)  # a second run adds nothing
    assert (_count(Decision), _count(Enrolment)) == counts
    last = db.session.scalar(select(func.max(Decision.id)))
    learner = db.session.scalar(select(Person).where(Person.manager_id.is_not(None)).limit(1))
    made = decision(learner, learner.manager, submitted=at("2026-01-01"),
                    decided=at("2026-01-02"))
    assert made.id > last  # new rows get fresh ids after the bulk insert (sequences moved on)


def test_seeder_runs_after_portfolios_one_to_ones_and_spot_checks():
    order = {ref: n for n, ref in DEMO_SEEDERS}
    mine = order["engagement.demo:seed_year_of_activity"]
    assert mine == 58
    for ref in ("portfolios.demo:seed_submissions", "approvals.one_to_ones.demo:seed_one_to_ones",
                "approvals.spot_checks.demo:seed_spot_checks"):
        assert order[ref] < mine
