"""Demo programmes for ``flask demo seed`` (after the rubrics, before the portfolios).

A year-long leadership series for managers released month by month (two months still to come),
elective clinical-skills programmes for everyone, and one mandatory programme assigned to Ward 7.
About a third of staff have enrolled themselves in the clinical electives. Of the managers, only
Tom Williams and the managers in his team enrol themselves here (the portfolio demo plays their
work): the rest of the managers' elective learning is planned month by month by the year of
activity (:mod:`engagement.demo_managers`), so that manager engagement grows through the year
towards seed 000's target (20-25% by year end) rather than starting above it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from checkpoints import operations as ops
from checkpoints import queries
from checkpoints.models import Enrolment, Programme
from checkpoints.queries import AssignTarget
from clearance.database import utcnow
from clearance.extensions import db
from people.hierarchy import everyone_under
from people.models import Person, email_key
from rubrics.models import Rubric, RubricVersion

LD_LEAD = "helen.brooks@northfield.example"
LEARNER = "sam.taylor@northfield.example"
MANAGER = "tom.williams@northfield.example"
MANDATORY_UNIT = "Ward 7 (Acute Medicine)"
MONTHS_RELEASED = 10  # of the twelve monthly programmes; the last two are still to come


@dataclass(frozen=True)
class Step:
    title: str
    guidance: str
    summative: bool = False
    rubric: str = ""
    levels: int = 1
    evidence: tuple[str, ...] = ("file", "reflection", "link")
    min_evidence: int = 1
    due: int | None = 28


@dataclass(frozen=True)
class Spec:
    title: str
    summary: str
    theme: str
    steps: list[Step] = field(default_factory=list)
    audience: str = "everyone"
    kind: str = "elective"
    open_in_catalogue: bool = True


def _reflect(topic: str) -> Step:
    return Step(f"Reflect: {topic}",
                f"Write a short reflection on {topic}: what you tried, what happened, and what "
                "you will do differently. Your line manager replies with feedback.",
                evidence=("reflection", "link"), due=14)


LEADERSHIP = [
    Spec("Leading with compassion", "Attending, understanding, empathising and helping: the "
         "four behaviours of compassionate leadership, practised with your own team.",
         "Leadership", [_reflect("a conversation where you listened first"),
                        Step("Compassionate team conversation", "Hold a team conversation "
                             "about workload and record what you agreed to change.",
                             summative=True, rubric="Coaching conversation")]),
    Spec("Coaching conversations", "Use the GROW model to help colleagues find their own "
         "answers.", "Leadership",
         [_reflect("your own coaching style"),
          Step("Observed coaching conversation", "Hold a coaching conversation with a "
               "colleague using GROW and upload your notes or a short recording.",
               summative=True, rubric="Coaching conversation", levels=2, min_evidence=2)]),
    Spec("Running a safety huddle", "Ten minutes that set up a safe shift.", "Leadership",
         [Step("Lead a huddle", "Lead three start-of-shift huddles and upload your huddle "
               "board photo and notes from one of them.", summative=True,
               rubric="Leading a team huddle", min_evidence=2, due=21)]),
    Spec("Giving feedback that lands", "Specific, timely and kind feedback.", "Leadership",
         [_reflect("feedback you gave this month")]),
    Spec("Leading through change", "Helping a team through a change they did not choose.",
         "Leadership", [_reflect("a change your team is living through"),
                        Step("Change conversation", "Plan and hold a team conversation "
                             "about the change.", summative=True,
                             rubric="Coaching conversation", levels=2)]),
    Spec("Wellbeing and psychological safety", "Making it safe to speak up.", "Leadership",
         [_reflect("a time someone spoke up in your team")]),
    Spec("Managing performance fairly", "Clear expectations, early conversations, fair "
         "process.", "Leadership",
         [Step("Expectations conversation", "Agree clear expectations with one team member "
               "and record them.", summative=True, rubric="Coaching conversation")]),
    Spec("Inclusive recruitment", "Fair shortlisting and interviews.", "Leadership",
         [_reflect("your last recruitment round")]),
    Spec("Delegation and trust", "Letting go while staying accountable.", "Leadership",
         [_reflect("something you delegated"),
          Step("Delegation plan", "Delegate one regular task with a clear brief and check-in "
               "points.", summative=True, rubric="Leading a team huddle")]),
    Spec("Resolving conflict", "Early, respectful resolution.", "Leadership",
         [_reflect("a disagreement you helped resolve")]),
    Spec("Leading improvement", "Leading a small improvement with your team.", "Leadership",
         [Step("Team improvement project", "Lead one PDSA cycle with your team.",
               summative=True, rubric="Quality improvement mini-project", levels=2,
               due=60)]),
    Spec("Planning the year ahead", "Setting development goals with your team.", "Leadership",
         [_reflect("your team's development goals")]),
]

CLINICAL = [
    Spec("Clinical handover", "Safer handovers with SBAR: structure, risks, and checking "
         "understanding.", "Clinical skills",
         [Step("Observe a handover", "Observe a handover on another ward and note what "
               "worked.", evidence=("reflection",), due=14),
          Step("Lead a handover", "Lead a shift handover using SBAR and reflect on it with "
               "a colleague's feedback.", summative=True, rubric="Clinical handover reflection",
               min_evidence=2, due=42)]),
    Spec("Sepsis recognition refresher", "Spot deterioration early: NEWS2, the sepsis "
         "screening tool and escalation.", "Clinical skills",
         [Step("Screening tool practice", "Complete the sepsis screening tool for two "
               "patients (anonymised) and upload them.", evidence=("file",), min_evidence=2,
               due=14),
          Step("Escalation with SBAR", "Reflect on an escalation you made with SBAR.",
               summative=True, rubric="Clinical handover reflection", due=30)]),
    Spec("Quality improvement basics", "Measure, change and learn: a first PDSA cycle on your "
         "ward.", "Quality improvement",
         [_reflect("a problem on your ward worth improving"),
          Step("Mini-project", "Run one PDSA cycle and show the data before and after.",
               summative=True, rubric="Quality improvement mini-project", levels=2,
               min_evidence=2, due=90)]),
]

MANDATORY = Spec(
    "Deteriorating patient: NEWS2 and escalation", "The trust's annual update on recognising "
    "and escalating a deteriorating patient.", "Patient safety",
    [Step("E-learning certificate", "Complete the NEWS2 e-learning and upload your "
          "certificate.", evidence=("file",), due=30),
     Step("Observed escalation", "Your line manager observes an escalation using SBAR.",
          summative=True, rubric="Clinical handover reflection", levels=2, due=60)],
    kind="mandatory", open_in_catalogue=False)


def _by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email_key == email_key(email)))


def _rubric_versions() -> tuple[dict[str, int], int | None]:
    """Published versions by rubric title (the latest), and any one as a fallback."""
    rows = db.session.execute(
        select(Rubric.title, RubricVersion.id)
        .join(RubricVersion, RubricVersion.rubric_id == Rubric.id)
        .where(RubricVersion.status == "published", Rubric.status != "archived")
        .order_by(RubricVersion.number)
    ).all()
    by_title = {row.title: row.id for row in rows}
    return by_title, (rows[0][1] if rows else None)


def _create(spec: Spec, author: Person | None, release: dt.date | None,
            rubrics: dict[str, int], fallback: int | None) -> Programme:
    programme = ops.create_programme(
        author=author, title=spec.title, summary=spec.summary, theme=spec.theme,
        audience=spec.audience, release_date=release, kind=spec.kind,
        open_in_catalogue=spec.open_in_catalogue)
    for step in spec.steps:
        version = rubrics.get(step.rubric, fallback) if step.summative else None
        summative = step.summative and version is not None
        ops.add_checkpoint(programme, ops.CheckpointFields(
            title=step.title, guidance=step.guidance, min_evidence=step.min_evidence,
            allowed_evidence=step.evidence, due_offset_days=step.due,
            kind="summative" if summative else "formative",
            approval_levels=step.levels if summative else 1,
            rubric_version_id=version if summative else None))
    ops.publish_programme(programme)
    return programme


def _enrol_day(programme: Programme, today: dt.date, rng: random.Random) -> dt.datetime:
    """An enrolment date between release and today, so due dates vary."""
    start = programme.release_date or today - dt.timedelta(days=120)
    span = max(0, (today - start).days)
    day = start + dt.timedelta(days=rng.randint(0, span))
    return dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)), tzinfo=dt.UTC)


def _backdate(enrolment: Enrolment, programme: Programme, today: dt.date,
              rng: random.Random) -> None:
    enrolment.enrolled_at = _enrol_day(programme, today, rng)


def seed_programmes(summary: dict[str, Any]) -> None:
    """Add the demo programmes and enrolments (once: a database with programmes is left)."""
    if summary.get("skipped_people"):
        return
    if db.session.scalar(select(Programme.id).limit(1)) is not None:
        return
    rng = random.Random(3003)
    today = queries.today()
    author = _by_email(LD_LEAD)
    rubrics, fallback = _rubric_versions()
    first = _add_months(today.replace(day=1), -(MONTHS_RELEASED - 1))
    leadership = []
    for month, spec in enumerate(LEADERSHIP):
        release = _add_months(first, month)
        leadership.append(_create(Spec(spec.title, spec.summary, spec.theme, spec.steps,
                                       audience="managers"), author, release, rubrics,
                                  fallback))
    clinical = [_create(spec, author, _add_months(first, -3 + n), rubrics, fallback)
                for n, spec in enumerate(CLINICAL)]
    mandatory = _create(MANDATORY, author, _add_months(first, 6), rubrics, fallback)
    released = [p for p in leadership if p.is_released(today)]

    self_count = 0
    sam, tom = _by_email(LEARNER), _by_email(MANAGER)
    if tom is not None:
        for programme in released[:2]:
            _backdate(ops.self_enrol(tom, programme)[0], programme, today, rng)
            self_count += 1
    if sam is not None:
        for programme in clinical[:2]:
            _backdate(ops.self_enrol(sam, programme)[0], programme, today, rng)
            self_count += 1
    skip = {p.id for p in (sam, tom) if p is not None}
    managers = set(db.session.scalars(queries.assignment_targets(AssignTarget("managers"))))
    toms_team = {p.id for p in everyone_under(tom)} if tom is not None else set()
    everyone = list(db.session.scalars(select(Person).where(Person.active.is_(True))
                                       .order_by(Person.id)))
    for person in everyone:
        if person.id in skip:
            continue
        # Every draw is made for everyone, in the same order as always, so that the people
        # the portfolio demo and the browser tests rely on (Tom Williams's team) keep exactly
        # the same enrolments; a manager outside his team then does not enrol here.
        picks: list[tuple[Programme, dt.datetime]] = []
        if person.id in managers and rng.random() < 0.25:
            picks += [(p, _enrol_day(p, today, rng))
                      for p in rng.sample(released, rng.randint(1, 3))]
        if rng.random() < 0.3:
            picks += [(p, _enrol_day(p, today, rng))
                      for p in rng.sample(clinical, rng.randint(1, 2))]
        if person.id in managers and person.id not in toms_team:
            continue
        for programme, when in picks:
            ops.self_enrol(person, programme)[0].enrolled_at = when
            self_count += 1

    result = ops.assign(mandatory, AssignTarget("unit", unit=MANDATORY_UNIT), by=author)
    for enrolment in db.session.scalars(select(Enrolment).where(
            Enrolment.programme_id == mandatory.id)):
        enrolment.enrolled_at = utcnow() - dt.timedelta(days=rng.randint(5, 20))
    db.session.flush()

    programmes = len(leadership) + len(clinical) + 1
    summary["programmes"] = programmes
    line = (f"Programmes: {programmes} ({len(released)} of the {len(leadership)} monthly "
            f"leadership programmes released so far); enrolments: {self_count} chosen by "
            f"learners, {result.enrolled} assigned to {MANDATORY_UNIT}.")
    if not rubrics:
        line += " No published rubric was found, so every checkpoint is formative."
    summary["report"] = summary.get("report", "") + "\n" + line


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
