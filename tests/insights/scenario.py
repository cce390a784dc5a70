"""A small organisation and a hand-built year of activity with explicit dates, for the funnel
and KPI tests. Every expected figure in the tests is worked out by hand from this file.

People (unit; manager):
    boss (Exec)                 manages m1, m2, m3, m4
    m1 (Ward 1; boss)           manages a1, a2
    m2 (Ward 2; boss)           manages b1
    m3 (Ward 2; boss)           manages b2 (became a manager mid-year; looked in January)
    m4 (Ward 1; boss)           manages only x, who has left (inactive): not a manager
    a1, a2 (Ward 1), b1, b2 (Ward 2), x (Ward 1, inactive)

Programmes: E1 and E2 elective, M1 mandatory; one checkpoint each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from engagement import events
from engagement.models import (
    CATALOGUE_VIEW,
    PROGRAMME_VIEW,
    SUGGESTION_CLICK,
    WIDGET_VIEW,
)
from portfolios.models import Submission, SubmissionVersion

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
TODAY = dt.date(2026, 6, 15)


def at(day: str, time: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}:00+00:00")


@dataclass
class Scenario:
    people: dict[str, Any]
    programmes: dict[str, Programme]

    def __getattr__(self, name: str) -> Any:
        if name in self.people:
            return self.people[name]
        if name in self.programmes:
            return self.programmes[name]
        raise AttributeError(name)


def _programme(title: str, kind: str) -> Programme:
    prog = Programme(title=title, kind=kind, status="published", audience="everyone")
    db.session.add(prog)
    db.session.flush()
    db.session.add(Checkpoint(programme_id=prog.id, title=f"{title}: step 1", position=1))
    db.session.flush()
    return prog


def enrol(person: Any, prog: Programme, source: str, when: dt.datetime,
          completed: dt.datetime | None = None) -> Enrolment:
    row = Enrolment(person_id=person.id, programme_id=prog.id, source=source,
                    status="completed" if completed else "active", enrolled_at=when,
                    completed_at=completed)
    db.session.add(row)
    db.session.flush()
    return row


def submit(person: Any, prog: Programme, when: dt.datetime,
           approved: dt.datetime | None = None) -> SubmissionVersion:
    checkpoint = prog.checkpoints[0]
    sub = Submission(person_id=person.id, checkpoint_id=checkpoint.id,
                     state="approved" if approved else "submitted", version_count=1,
                     submitted_at=when)
    db.session.add(sub)
    db.session.flush()
    version = SubmissionVersion(submission_id=sub.id, number=1, submitted_at=when,
                                submitted_by_id=person.id, content_hash="0" * 64,
                                outcome="approved" if approved else None, outcome_at=approved)
    db.session.add(version)
    db.session.flush()
    return version


def look(kind: str, person: Any, when: dt.datetime, programme: Programme | None = None) -> None:
    events.track(kind, person=person, at=when,
                 programme_id=programme.id if programme is not None else None)


def build(make_person: Any) -> Scenario:
    p: dict[str, Any] = {}
    p["boss"] = make_person("Bo Boss", unit="Exec", job_title="Director")
    for name, unit in (("m1", "Ward 1"), ("m2", "Ward 2"), ("m3", "Ward 2"), ("m4", "Ward 1")):
        p[name] = make_person(f"Manager {name}", manager=p["boss"], unit=unit,
                              job_title="Ward Manager")
    p["a1"] = make_person("Ann One", manager=p["m1"], unit="Ward 1")
    p["a2"] = make_person("Ann Two", manager=p["m1"], unit="Ward 1")
    p["b1"] = make_person("Ben One", manager=p["m2"], unit="Ward 2")
    p["b2"] = make_person("Ben Two", manager=p["m3"], unit="Ward 2")
    p["x"] = make_person("Ex Leaver", manager=p["m4"], unit="Ward 1")
    p["x"].active = False
    db.session.flush()
    progs = {"E1": _programme("Elective one", "elective"),
             "E2": _programme("Elective two", "elective"),
             "M1": _programme("Mandatory one", "mandatory")}
    s = Scenario(p, progs)

    # a1: looked, opened, enrolled, submitted, approved, completed, all in March
    look(CATALOGUE_VIEW, s.a1, at("2026-03-02"))
    look(PROGRAMME_VIEW, s.a1, at("2026-03-02", "09:05"), s.E1)
    enrol(s.a1, s.E1, "self", at("2026-03-03"), completed=at("2026-03-20"))
    submit(s.a1, s.E1, at("2026-03-10"), approved=at("2026-03-12"))
    # ... and was assigned M1 in the last second of March
    enrol(s.a1, s.M1, "assigned", at("2026-03-31", "23:59:59"))
    # a2: the widget and a suggestion click, enrolled, submitted on the last evening of March,
    # approved on 1 April (after the period)
    look(WIDGET_VIEW, s.a2, at("2026-03-05"))
    look(SUGGESTION_CLICK, s.a2, at("2026-03-05", "09:01"), s.E1)
    enrol(s.a2, s.E1, "self", at("2026-03-06"))
    submit(s.a2, s.E1, at("2026-03-31", "23:00"), approved=at("2026-04-01", "08:00"))
    # b1: looked in February only, enrolled at the first instant of March (no look in period);
    # assigned M1 at the first instant of April (after the period)
    look(CATALOGUE_VIEW, s.b1, at("2026-02-28"))
    enrol(s.b1, s.E2, "self", at("2026-03-01", "00:00"))
    enrol(s.b1, s.M1, "assigned", at("2026-04-01", "00:00"))
    # b2: the catalogue on the last day of March, the programme page on 1 April
    look(CATALOGUE_VIEW, s.b2, at("2026-03-31", "22:00"))
    look(PROGRAMME_VIEW, s.b2, at("2026-04-01"), s.E2)
    # m1 (manager): catalogue, a mandatory programme's page, assigned M1, submitted, approved;
    # later, assigned the elective E2 and submitted in it in May (elective activity for the KPI)
    look(CATALOGUE_VIEW, s.m1, at("2026-03-15"))
    look(PROGRAMME_VIEW, s.m1, at("2026-03-15", "09:02"), s.M1)
    enrol(s.m1, s.M1, "assigned", at("2026-03-15", "10:00"))
    submit(s.m1, s.M1, at("2026-03-16"), approved=at("2026-03-17"))
    enrol(s.m1, s.E2, "assigned", at("2026-04-10"))
    submit(s.m1, s.E2, at("2026-05-02"))
    # m2 (manager): enrolled in E1 in February (before the period), opened it and submitted in
    # March: an earlier cohort, so only the "opened" stage counts m2 in March
    enrol(s.m2, s.E1, "self", at("2026-02-20"))
    look(PROGRAMME_VIEW, s.m2, at("2026-03-04"), s.E1)
    submit(s.m2, s.E1, at("2026-03-05"))
    # m3: opened E2 in January (before having reports: still counts for the KPI)
    look(PROGRAMME_VIEW, s.m3, at("2026-01-15"), s.E2)
    # m4 (not a manager: the only report has left) enrolled in E1 in May
    enrol(s.m4, s.E1, "self", at("2026-05-01"))
    # boss: enrolled in E2 on New Year's Eve 2025; opened E1 after "today" (20 June 2026)
    enrol(s.boss, s.E2, "self", at("2025-12-31", "23:00"))
    look(PROGRAMME_VIEW, s.boss, at("2026-06-20"), s.E1)
    # someone not signed in saw the widget: never a person in the funnel
    look(WIDGET_VIEW, None, at("2026-03-02"))
    db.session.flush()
    return s
