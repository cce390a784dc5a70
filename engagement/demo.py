"""A year of demo activity (``flask demo seed``, order 58: after the portfolios, one-to-ones and
spot-checks, before the engagement seeders that build on it).

Across the last twelve months and the month before them, learners enrol (themselves, or L&D
assigns a unit), submit their checkpoints, line managers and skip-level managers decide (mostly
in 2 to 10 days, some the same day, some after weeks), some ask for changes and see the work
again, programmes are completed (with their certificate), every decision gets its spot-check
sampling record and L&D give verdicts on the sampled ones. It is what the results page, the
learning funnel and the calibration pages show month by month.

Why bulk inserts, not the operations: the operations stamp everything "now" and each costs an
audit row, a notification and mail; a back-dated year of about a thousand rows through them
would take tens of seconds. So the history is built in Python with explicit ids and written as
set-based inserts (a fraction of a second), with every timestamp in its place. The audit chain
gets **one** event, ``demo.activity_seeded``, naming what was inserted and why there is no
event per row (an event must carry the time it was written, and these rows stand for the past);
``flask audit verify`` stays OK. Spot-check sampling runs the real rules
(:func:`approvals.spot_checks.sampling.evaluate`) on each decision's facts with the real seed,
so ``flask spot-checks explain`` reads the stored draw as for any decision; the history stands
for a system past its first months, so every approver counts as past the new-approver rule.

Left alone: Sam Taylor, Tom Williams's team, the people the README names, L&D's own team and
anyone who already has work from an earlier seed, so the pages the browser tests walk stay as
those seeds made them. Looks (``engagement_event``) are the insights seeder's.

Managers are an audience of their own (the manager engagement KPI): which of them engage with
elective learning this year, and from when, is planned by :mod:`engagement.demo_managers`
(about a fifth by now, just under the target, rising month by month); everyone else's
enrolments are drawn month by month here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from approvals.demo import APPROVE_FEEDBACK, CHANGES_FEEDBACK
from approvals.models import ApprovalStep, Decision, DecisionScore
from approvals.spot_checks.models import SpotCheck, SpotCheckSampling, SpotCheckScore
from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from engagement import demo_checks, demo_managers
from engagement.nudges.models import Certificate
from people.models import Person, PersonRole, email_key
from portfolios.demo import REFLECTIONS
from portfolios.models import Evidence, Submission, SubmissionVersion, version_evidence
from portfolios.transitions import content_hash
from rubrics.models import Criterion, Level, RubricVersion

ACTION = "demo.activity_seeded"
LD_LEAD = "helen.brooks@northfield.example"
LEFT_ALONE = ("sam.taylor", "tom.williams", "amara.okafor", "david.chen", "priya.shah",
              "grace.mensah", "helen.brooks", "raj.patel")
NEW_PER_MONTH = 20       # learners who enrol themselves each month (besides earlier seeds')
ASSIGN_EVERY = 3         # L&D assign a programme to a unit every few months
DAY = dt.timedelta(days=1)


def _days(value: float) -> dt.timedelta:
    return dt.timedelta(days=value)


def wait_days(rng: random.Random) -> float:
    """How long an approver takes: mostly 2 to 10 days, some the same day, some weeks."""
    r = rng.random()
    if r < 0.12:
        return rng.uniform(0.1, 2)
    if r < 0.90:
        return rng.uniform(2, 10)
    return rng.uniform(12, 40)


@dataclass
class Rows:
    """Everything to insert, per table, with ids chosen up front."""

    next_id: dict[str, int]
    tables: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: Any, row: dict[str, Any], *, with_id: bool = True) -> dict[str, Any]:
        if with_id:
            name = table.name
            row["id"] = self.next_id[name]
            self.next_id[name] += 1
        self.tables[table].append(row)
        return row


class Year:
    """Builds the year in memory, then writes it."""

    def __init__(self, now: dt.datetime, rng: random.Random) -> None:
        self.now, self.rng = now, rng
        people = db.session.execute(select(Person.id, Person.manager_id, Person.unit,
                                           Person.active, Person.email_key)).all()
        self.people = {p.id: p for p in people}
        self.managers = {p.manager_id for p in people if p.active and p.manager_id}
        self.ld = db.session.scalar(select(Person.id).where(Person.email_key == email_key(LD_LEAD)))
        self.excluded = self._excluded()
        self.programmes = list(db.session.scalars(
            select(Programme).where(Programme.status == "published").order_by(Programme.id)))
        self.checkpoints: dict[int, list[Checkpoint]] = defaultdict(list)
        for cp in db.session.scalars(select(Checkpoint).order_by(Checkpoint.programme_id,
                                                                 Checkpoint.position)):
            self.checkpoints[cp.programme_id].append(cp)
        self.rubrics = self._rubrics()
        self.enrolled = set(db.session.execute(select(Enrolment.person_id,
                                                      Enrolment.programme_id)).all())
        tables = (Submission, Evidence, SubmissionVersion, ApprovalStep, Decision, DecisionScore,
                  SpotCheckSampling, SpotCheck, SpotCheckScore, Enrolment, Certificate)
        self.rows = Rows({m.__tablename__: int(db.session.scalar(select(func.max(m.id))) or 0)
                          + 1 for m in tables})
        self.decisions: list[dict[str, Any]] = []
        self.completions: list[tuple[dict[str, Any], dt.datetime]] = []
        self.existing_updates: list[dict[str, Any]] = []
        self.managers_plan = demo_managers.ManagerPlan()

    # ------------------------------------------------------------ who and what

    def _excluded(self) -> set[int]:
        """People whose pages other seeds (and the browser tests) rely on, L&D's team, and
        anyone with work already."""
        keys = {email_key(f"{name}@northfield.example") for name in LEFT_ALONE}
        named = {p.id for p in self.people.values() if p.email_key in keys}
        staff = set(db.session.scalars(select(PersonRole.person_id)))
        out = named | staff
        tom = next((p.id for p in self.people.values()
                    if p.email_key == email_key("tom.williams@northfield.example")), None)
        for p in self.people.values():
            if p.manager_id in staff or p.manager_id == tom:
                out.add(p.id)
        if tom is not None:  # everyone under Tom Williams
            out |= {p.id for p in self.people.values() if self._under(p.id, tom)}
        #: people whose rows other seeds and the browser tests rely on (never changed here)
        self.left_alone = set(out)
        return out | set(db.session.scalars(select(Submission.person_id).distinct()))

    def _under(self, person_id: int, top: int) -> bool:
        seen, current = 0, self.people[person_id].manager_id
        while current is not None and seen < 20:
            if current == top:
                return True
            current, seen = self.people[current].manager_id, seen + 1
        return False

    def learner_ok(self, pid: int) -> bool:
        p = self.people.get(pid)
        if p is None or not p.active or pid in self.excluded or p.manager_id is None:
            return False
        manager = self.people.get(p.manager_id)
        return bool(manager and manager.active and manager.manager_id
                    and self.people[manager.manager_id].active)

    def _rubrics(self) -> dict[int, Any]:
        spec: dict[int, Any] = {}
        for version in db.session.scalars(select(RubricVersion)):
            criteria = []
            for criterion in version.criteria:
                levels = sorted(version.levels_for(criterion), key=lambda lv: lv.position)
                criteria.append((criterion, levels))
            spec[version.id] = SimpleNamespace(id=version.id, criteria=criteria,
                                               pass_pos=version.pass_min_position)
        return spec

    def released(self, programme: Programme, on: dt.date) -> bool:
        return (programme.release_date or dt.date.min) <= on and bool(
            self.checkpoints.get(programme.id))

    # ------------------------------------------------------------ one checkpoint

    def _assessment(self, rubric: Any, outcome: str) -> list[tuple[Criterion, Level]]:
        """Levels at or just above the pass level when approving (every criterion at the top
        now and then); the first criterion below it when asking for changes."""
        chosen = []
        for index, (criterion, levels) in enumerate(rubric.criteria):
            top = len(levels) - 1
            floor = min(rubric.pass_pos or 1, top)
            if outcome == "approved":
                pos = min(floor + (self.rng.random() < 0.35), top)
            else:
                pos = max(floor - 1, 0) if index == 0 else self.rng.randint(0, floor)
            chosen.append((criterion, levels[pos]))
        return chosen

    def _timeline(self, pid: int, cp: Checkpoint, start: dt.datetime) -> list[Any]:
        """Versions as (submitted, [(level, approver, reached, decided, outcome)], outcome,
        outcome_at); empty when the first is still waiting now."""
        rng, limit = self.rng, self.now - dt.timedelta(hours=6)
        manager = self.people[pid].manager_id
        versions: list[Any] = []
        submitted = start
        while submitted <= limit:
            if cp.kind != "summative":  # formative: feedback, no sign-off
                at = submitted + _days(rng.uniform(0.5, 6))
                return [(submitted, [], "approved", at)] if at <= limit else []
            changes = not versions and rng.random() < 0.18
            end = submitted + _days(wait_days(rng))
            steps = [(1, manager, submitted, end, "changes_requested" if changes else "approved")]
            if not changes and cp.approval_levels >= 2:
                steps.append((2, self.people[manager].manager_id, end,
                              end := end + _days(wait_days(rng)), "approved"))
            if end > limit:
                break  # still waiting now: a resubmission stays unsent
            versions.append((submitted, steps, steps[-1][-1], end))
            if not changes or rng.random() < 0.15:
                break  # approved, or changes asked for and not (yet) made
            submitted = end + _days(rng.uniform(2, 12))
        return versions

    def checkpoint(self, pid: int, cp: Checkpoint, start: dt.datetime) -> dict[str, Any] | None:
        """One learner's work on one checkpoint from ``start`` (None: still waiting now)."""
        versions = self._timeline(pid, cp, start)
        if not versions:
            return None
        rows, rng = self.rows, self.rng
        sub = rows.add(Submission.__table__, {
            "person_id": pid, "checkpoint_id": cp.id, "version_count": len(versions),
            "created_at": start - dt.timedelta(hours=rng.uniform(2, 60)),
            "submitted_at": versions[-1][0], "state": versions[-1][2],
            "state_changed_at": versions[-1][3]})
        body = rng.choice(REFLECTIONS)
        evidence = rows.add(Evidence.__table__, {
            "submission_id": sub["id"], "owner_id": pid, "kind": "reflection",
            "label": "Reflection", "body": body, "created_at": sub["created_at"],
            "locked_at": start})
        item = SimpleNamespace(id=evidence["id"], kind="reflection", label="Reflection",
                               url=None, sha256=None, body=body)
        owner = SimpleNamespace(id=sub["id"], checkpoint_id=cp.id, person_id=pid)
        for number, (submitted, steps, outcome, at) in enumerate(versions, start=1):
            version = rows.add(SubmissionVersion.__table__, {
                "submission_id": sub["id"], "number": number, "submitted_at": submitted,
                "submitted_by_id": pid, "content_hash": content_hash(owner, number, [item]),
                "outcome": outcome, "outcome_at": at})
            rows.add(version_evidence, {"version_id": version["id"],
                                        "evidence_id": evidence["id"]}, with_id=False)
            for step in steps:
                self._decide(sub, version, cp, *step)
        return sub

    def _decide(self, sub: dict[str, Any], version: dict[str, Any], cp: Checkpoint, level: int,
                approver: int, reached: dt.datetime, decided: dt.datetime, outcome: str) -> None:
        rows = self.rows
        step = rows.add(ApprovalStep.__table__, {
            "version_id": version["id"], "submission_id": sub["id"],
            "learner_id": sub["person_id"], "level": level, "approver_id": approver,
            "status": "decided", "reason": "line manager" if level == 1
            else "skip-level manager", "escalations": 0, "created_at": reached,
            "closed_at": decided, "lock_version": 2})
        rubric = self.rubrics.get(cp.rubric_version_id)
        chosen = self._assessment(rubric, outcome) if rubric else []
        decision = rows.add(Decision.__table__, {
            "step_id": step["id"], "version_id": version["id"], "submission_id": sub["id"],
            "learner_id": sub["person_id"], "level": level, "outcome": outcome,
            "overall_feedback": self.rng.choice(APPROVE_FEEDBACK if outcome == "approved"
                                                else CHANGES_FEEDBACK),
            "justification": "", "rubric_version_id": rubric.id if rubric else None,
            "total_points": sum(lv.points for _c, lv in chosen) if chosen else None,
            "rubric_passed": (outcome == "approved") if chosen else None,
            "content_hash": version["content_hash"], "decided_at": decided,
            "review_started_at": decided - dt.timedelta(minutes=self.rng.uniform(4, 45)),
            "decided_by_id": approver, "acting_reason": "",
            "_chosen": chosen, "_step": step, "_sub": sub, "_programme": cp.programme_id})
        for position, (criterion, lv) in enumerate(chosen):
            rows.add(DecisionScore.__table__, {
                "decision_id": decision["id"], "criterion_id": criterion.id,
                "level_id": lv.id, "position": position,
                "comment": f"{lv.name}: seen in the evidence and the reflection."})
        self.decisions.append(decision)

    # ------------------------------------------------------------ one enrolment

    def enrolment(self, row: dict[str, Any]) -> None:
        """Work through the programme's checkpoints in order from the enrolment date."""
        rng = self.rng
        at = as_utc(row["enrolled_at"]) + _days(rng.uniform(1, 14))
        subs = []
        for cp in self.checkpoints[row["programme_id"]]:
            if rng.random() < 0.1:
                break  # stopped for now
            sub = self.checkpoint(row["person_id"], cp, at)
            if sub is None:
                break
            subs.append(sub)
            if sub["state"] != "approved":
                break
            at = sub["state_changed_at"] + _days(rng.uniform(1, 20))
        else:
            if subs:
                self.completions.append((row, subs))

    def plan(self) -> list[dict[str, Any]]:
        """Enrolments to play: earlier seeds' (not yet started), new ones every month, and the
        managers' planned ones (:mod:`engagement.demo_managers`)."""
        self.managers_plan = demo_managers.plan(self)
        plan: list[dict[str, Any]] = []
        for e in db.session.scalars(select(Enrolment).where(Enrolment.status == "active",
                                                            Enrolment.completed_at.is_(None))
                                    .order_by(Enrolment.id)):
            if self.learner_ok(e.person_id) and as_utc(e.enrolled_at) < self.now - 5 * DAY:
                plan.append({"id": e.id, "person_id": e.person_id,
                             "programme_id": e.programme_id, "enrolled_at": e.enrolled_at,
                             "_existing": True})
        learners = sorted(p for p in self.people if self.learner_ok(p))
        staff = [p for p in learners if p not in self.managers]
        this_month = self.now.date().replace(day=1)
        for back in range(12, -1, -1):
            month = _add_months(this_month, -back)
            days = min(28, (self.now.date() - month).days - 2)
            if days < 1:
                continue
            for n in range(NEW_PER_MONTH):
                on = month + _days(self.rng.randint(0, days - 1))
                # every fifth: the leadership series, taken by a manager who has already
                # started (the plan's), or else by someone who leads without a team yet
                leadership = n % 5 == 4
                choices = self._electives("managers" if leadership else "everyone", on)
                engaged = self.managers_plan.engaged_before(on) if leadership else []
                pool = engaged or staff
                if not choices or not pool:
                    continue
                self._new(plan, self.rng.choice(pool), self.rng.choice(choices), on, "self")
            if back % ASSIGN_EVERY == 0:
                self._assign(plan, month, days, staff)
        for pid, on in self.managers_plan.added:
            choices = self._electives("managers", on) or self._electives("everyone", on)
            if choices:
                self._new(plan, pid, self.rng.choice(choices), on, "self")
        for pid, on in self.managers_plan.last_year:  # enrolled, and nothing since
            choices = self._electives("everyone", on) or self._electives("managers", on)
            if choices:
                self._new(plan, pid, self.rng.choice(choices), on, "self", play=False)
        return plan

    def _electives(self, audience: str, on: dt.date) -> list[Programme]:
        """Elective programmes open in the catalogue for ``audience``, released by ``on``."""
        return [p for p in self.programmes if p.audience == audience and p.kind == "elective"
                and p.open_in_catalogue and self.released(p, on)]

    def _new(self, plan: list[dict[str, Any]], pid: int, programme: Programme, on: dt.date,
             source: str, *, play: bool = True) -> None:
        """A new enrolment on ``on``; played (work on its checkpoints) unless ``play`` is
        false."""
        if (pid, programme.id) in self.enrolled:
            return
        self.enrolled.add((pid, programme.id))
        when = dt.datetime.combine(on, dt.time(9, self.rng.randint(0, 59)), tzinfo=dt.UTC)
        row = self.rows.add(Enrolment.__table__, {
            "person_id": pid, "programme_id": programme.id, "source": source,
            "status": "active", "enrolled_at": when,
            "assigned_by_id": self.ld if source == "assigned" else None})
        if play:
            plan.append(row)

    def _assign(self, plan: list[dict[str, Any]], month: dt.date, days: int,
                staff: list[int]) -> None:
        """L&D push a released programme for everyone to one unit's staff."""
        on = month + _days(min(days - 1, 3))
        choices = [p for p in self.programmes if p.audience == "everyone"
                   and self.released(p, on)]
        units = sorted({self.people[p].unit for p in staff if self.people[p].unit})
        if not choices or not units:
            return
        unit, programme = self.rng.choice(units), self.rng.choice(choices)
        for pid in [p for p in staff if self.people[p].unit == unit][:12]:
            self._new(plan, pid, programme, on, "assigned")

    # ------------------------------------------------------------ completion and writing

    def complete(self) -> int:
        """Enrolments whose every checkpoint is done (no reopened one) are completed on the
        day the last was done, with their certificate."""
        done = 0
        for row, subs in self.completions:
            if any(s["state"] != "approved" for s in subs):
                continue
            at = max(s["state_changed_at"] for s in subs)
            done += 1
            if row.get("_existing"):
                self.existing_updates.append({"eid": row["id"], "at": at})
            else:
                row.update(status="completed", completed_at=at)
            self.rows.add(Certificate.__table__, {
                "enrolment_id": row["id"], "person_id": row["person_id"],
                "programme_id": row["programme_id"], "completed_at": at, "issued_at": at})
        return done

    def write(self) -> dict[str, int]:
        counts = {}
        for table, items in self.rows.tables.items():
            if not items:
                continue
            clean = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
            keys = set().union(*clean)
            clean = [dict.fromkeys(keys) | item for item in clean]
            for i in range(0, len(clean), 5000):
                db.session.execute(insert(table), clean[i:i + 5000])
            counts[table.name] = len(clean)
        if self.existing_updates:
            db.session.execute(
                update(Enrolment.__table__).where(Enrolment.__table__.c.id == bindparam("eid"))
                .values(status="completed", completed_at=bindparam("at")),
                self.existing_updates)
            counts["enrolment (completed, earlier seeds)"] = len(self.existing_updates)
        moved = [{"eid": eid, "at": at} for eid, at in sorted(self.managers_plan.moved.items())]
        if moved:
            db.session.execute(
                update(Enrolment.__table__).where(Enrolment.__table__.c.id == bindparam("eid"))
                .values(enrolled_at=bindparam("at")), moved)
            counts["enrolment (moved back to the managers' planned days, earlier seeds)"] = \
                len(moved)
        _fix_sequences([t for t, items in self.rows.tables.items() if items and "id" in t.c])
        return counts


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _fix_sequences(tables: list[Any]) -> None:
    """PostgreSQL: move each id sequence past the ids chosen here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"),
                                              select(func.max(table.c.id)).scalar_subquery())))


def seed_year_of_activity(summary: dict[str, Any]) -> None:
    """Add the year of activity (once: a database that has it is left as it is)."""
    if summary.get("skipped_people"):
        return
    if db.session.scalar(select(audit.AuditEvent.id).where(audit.AuditEvent.action == ACTION)
                         .limit(1)) is not None:
        return
    if db.session.scalar(select(Programme.id).limit(1)) is None:
        return
    year = Year(utcnow(), random.Random(5858))
    for row in year.plan():
        year.enrolment(row)
    demo_checks.spot_checks(year)
    completed = year.complete()
    counts = year.write()
    db.session.flush()
    db.session.expire_all()
    audit.record(ACTION, after={"inserted": counts, "completed": completed,
                                "from": (year.now - dt.timedelta(days=395)).date().isoformat(),
                                "to": year.now.date().isoformat()},
                 reason="Demo history, back-dated and inserted in bulk: the rows stand for the "
                        "past year, so they have no audit event each (an event carries the "
                        "time it is written).", acting_role="system")
    decisions = counts.get("decision", 0)
    checks = sum(1 for r in year.rows.tables.get(SpotCheck.__table__, []) if r.get("verdict"))
    managers = year.managers_plan
    engaged = managers.monthly[-1] if managers.monthly else 0
    summary["activity"] = counts
    summary["report"] = (summary.get("report", "") + f"\nA year of activity: "
                         f"{counts.get('enrolment', 0)} more enrolments, "
                         f"{counts.get('submission', 0)} submissions, {decisions} decisions "
                         f"(turnaround mostly 2-10 days), {completed} programmes completed, "
                         f"{checks} spot-check verdicts, month by month over the last 12 "
                         f"months; {engaged} of {managers.managers} managers engaged with "
                         "elective learning this year, more each month.").lstrip("\n")

