"""The demo seed's programmes: a monthly series, electives, a mandatory unit push, enrolments."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from checkpoints import queries
from checkpoints.demo import MANDATORY_UNIT, seed_programmes
from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from people.demo import seed_people
from people.hierarchy import everyone_under
from people.models import Person, email_key
from rubrics.models import Rubric, RubricVersion
from tests.checkpoints.helpers import rubric_version

DEMO_RUBRICS = ("Clinical handover reflection", "Leading a team huddle", "Coaching conversation",
                "Quality improvement mini-project")  # the titles the rubrics demo seeds


def _person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email_key == email_key(email)))


def _sources(person: Person) -> dict[str, str]:
    return {e.programme.title: e.source for e in queries.my_programmes(person)}


def test_demo_programmes_and_enrolments(db_session):
    summary = {"password": "clearance-demo"}
    seed_people(summary)
    for title in DEMO_RUBRICS:
        rubric_version(title)
    started = time.perf_counter()
    seed_programmes(summary)
    assert time.perf_counter() - started < 10
    assert "Programmes: 16" in summary["report"]

    today = queries.today()
    series = list(db.session.scalars(select(Programme).where(Programme.theme == "Leadership")
                                     .order_by(Programme.release_date)))
    assert len(series) == 12 and all(p.audience == "managers" for p in series)
    dates = [p.release_date for p in series]
    assert len({(d.year, d.month) for d in dates}) == 12  # one a month
    assert sum(d > today for d in dates) == 2  # two still to come
    assert all(p.status == "published" for p in series)

    checkpoints = list(db.session.scalars(select(Checkpoint)))
    kinds = {(c.kind, c.approval_levels) for c in checkpoints}
    assert {("formative", 1), ("summative", 1), ("summative", 2)} <= kinds
    pinned = db.session.execute(
        select(Checkpoint.title, Rubric.title)
        .join(RubricVersion, RubricVersion.id == Checkpoint.rubric_version_id)
        .join(Rubric, Rubric.id == RubricVersion.rubric_id)).all()
    assert ("Lead a handover", "Clinical handover reflection") in pinned
    assert all(c.rubric_version_id for c in checkpoints if c.kind == "summative")

    sam = _person("sam.taylor@northfield.example")
    tom = _person("tom.williams@northfield.example")
    mandatory = "Deteriorating patient: NEWS2 and escalation"
    assert _sources(sam) == {"Clinical handover": "self",
                             "Sepsis recognition refresher": "self", mandatory: "assigned"}
    toms = _sources(tom)
    assert toms.pop(mandatory) == "assigned" and len(toms) == 2
    assert set(toms.values()) == {"self"}
    assigned = set(db.session.scalars(
        select(Person.unit).join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.source == "assigned")))
    assert assigned == {MANDATORY_UNIT}

    # managers enrol themselves here only in Tom Williams's team (the portfolio demo plays
    # their work); the year of activity plans the other managers' (engagement.demo_managers)
    managers = set(db.session.scalars(queries.assignment_targets(
        queries.AssignTarget("managers"))))
    enrolled = set(db.session.scalars(select(Enrolment.person_id).where(
        Enrolment.source == "self")))
    toms_team = {p.id for p in everyone_under(tom)} | {tom.id}
    assert tom.id in enrolled and enrolled & managers <= toms_team
    staff = set(db.session.scalars(select(Person.id).where(Person.active.is_(True)))) - managers
    assert 0.25 < len(enrolled & staff) / len(staff) < 0.45  # about a third of staff

    before = db.session.scalar(select(func.count()).select_from(Enrolment))
    seed_programmes(summary)  # a second run leaves the data alone
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 16
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == before


def test_without_published_rubrics_every_checkpoint_is_formative(org, db_session):
    summary: dict = {}
    seed_programmes(summary)
    assert "every checkpoint is formative" in summary["report"]
    kinds = set(db.session.scalars(select(Checkpoint.kind)))
    assert kinds == {"formative"}
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 16


def test_skipped_people_means_no_programmes(db_session):
    seed_programmes({"skipped_people": True})
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0
