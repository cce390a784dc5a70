"""The agenda of one meeting, built from live data each time it is shown.

For the report of the series: checkpoints waiting for this manager's decision (reviewed inline
on the meeting page), work sent back for changes and not resubmitted, work approved since the
last one-to-one (to recognise), due dates coming up, open action items, talking points, and the
decisions already made in this meeting. Other parts of the product add sections through
:func:`register_agenda_section` (L&D spot-check feedback on this manager's decisions about this
report goes there). A fixed number of queries, whatever the number of items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from approvals.models import ApprovalStep, Decision
from approvals.one_to_ones import queries, schedule
from approvals.one_to_ones.models import ActionItem, Meeting, Series, TalkingPoint
from checkpoints import queries as checkpoint_queries
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from portfolios.models import Submission

#: with no earlier held meeting, "recently approved" looks back this far
RECOGNISE_DAYS = 28
#: due dates shown: overdue up to this many days, and coming up within the next
DUE_BACK_DAYS, DUE_AHEAD_DAYS = 14, 28


@dataclass(frozen=True)
class AgendaLine:
    text: str
    href: str | None = None
    detail: str = ""
    when: dt.date | dt.datetime | None = None


@dataclass(frozen=True)
class AgendaSection:
    """A section another domain adds; rendered as a heading and a list of lines."""

    key: str
    title: str
    lines: tuple[AgendaLine, ...]
    #: the report sees the section too (default: the manager only)
    visible_to_report: bool = False
    empty_text: str = ""


@dataclass(frozen=True)
class AgendaContext:
    """What a registered section builder gets: the meeting and its two people, who is looking,
    and the date the agenda looks back to (the last held meeting, or four weeks)."""

    meeting: Meeting
    series: Series
    manager: Any
    report: Any
    viewer: Any
    since: dt.datetime


SectionBuilder = Callable[[AgendaContext], "AgendaSection | None"]
_SECTIONS: list[SectionBuilder] = []


def register_agenda_section(fn: SectionBuilder) -> SectionBuilder:
    """Add a section to every agenda: ``fn(context) -> AgendaSection | None`` (None: nothing to
    show). It must cost a fixed number of queries. Spot-checks use this for L&D feedback on the
    manager's decisions about the report."""
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)
    return fn


def unregister_agenda_section(fn: SectionBuilder) -> None:
    if fn in _SECTIONS:
        _SECTIONS.remove(fn)


@dataclass(frozen=True)
class DueItem:
    title: str
    programme: str
    due: dt.date
    state: str | None
    checkpoint_id: int

    @property
    def overdue(self) -> bool:
        return self.due < utcnow().date()


@dataclass
class Agenda:
    meeting: Meeting
    series: Series
    for_manager: bool
    since: dt.datetime
    pending: list[ApprovalStep] = field(default_factory=list)
    carried: dict[int, Meeting] = field(default_factory=dict)
    changes_requested: list[Submission] = field(default_factory=list)
    recently_approved: list[Submission] = field(default_factory=list)
    due: list[DueItem] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    points: list[TalkingPoint] = field(default_factory=list)
    decided_here: list[Decision] = field(default_factory=list)
    extra: list[AgendaSection] = field(default_factory=list)

    @property
    def undecided_ids(self) -> list[int]:
        return [s.id for s in self.pending]

    @property
    def count(self) -> int:
        return len(self.pending) + len(self.points) + len(self.actions)


def _since(series: Series, meeting: Meeting) -> dt.datetime:
    last = queries.last_held_before(series, meeting.occurs_on)
    if last is not None:
        return as_utc(last.starts_at) or utcnow()
    return utcnow() - dt.timedelta(days=RECOGNISE_DAYS)


def _submissions(report_id: int, state: str, since: dt.datetime | None = None
                 ) -> list[Submission]:
    stmt = (select(Submission).where(Submission.person_id == report_id,
                                     Submission.state == state)
            .options(joinedload(Submission.checkpoint))
            .order_by(Submission.state_changed_at.desc(), Submission.id.desc()))
    if since is not None:
        stmt = stmt.where(Submission.state_changed_at >= since)
    return list(db.session.scalars(stmt).unique())


def due_items(report: Any, today: dt.date | None = None) -> list[DueItem]:
    """Checkpoints of the report's programmes due soon (or lately overdue) and not yet done."""
    today = today or utcnow().date()
    states = dict(db.session.execute(select(Submission.checkpoint_id, Submission.state)
                                     .where(Submission.person_id == report.id)).all())
    out = []
    for enrolment in checkpoint_queries.my_programmes(report):
        if enrolment.status != "active":
            continue
        for checkpoint in enrolment.programme.checkpoints:
            due = checkpoint_queries.due_date(enrolment, checkpoint)
            state = states.get(checkpoint.id)
            if due is None or state in ("approved", "submitted"):
                continue
            if today - dt.timedelta(days=DUE_BACK_DAYS) <= due <= \
                    today + dt.timedelta(days=DUE_AHEAD_DAYS):
                out.append(DueItem(checkpoint.title, enrolment.programme.title, due, state,
                                   checkpoint.id))
    return sorted(out, key=lambda d: (d.due, d.title))


def build(meeting: Meeting, viewer: Any) -> Agenda:
    series = meeting.series
    for_manager = viewer.id == series.manager_id
    since = _since(series, meeting)
    agenda = Agenda(meeting=meeting, series=series, for_manager=for_manager, since=since)
    if meeting.status == "upcoming":
        agenda.pending = queries.pending_for(series.manager_id, series.report_id)
        carried = queries.carried_into(meeting)
        agenda.carried = carried
        agenda.pending.sort(key=lambda s: (s.id not in carried, s.created_at, s.id))
    agenda.changes_requested = _submissions(series.report_id, "changes_requested")
    agenda.recently_approved = _submissions(series.report_id, "approved", since)
    agenda.due = due_items(series.report)
    agenda.actions = queries.open_actions([series.id])
    agenda.points = queries.talking_points(meeting)
    agenda.decided_here = queries.decided_in(meeting)
    context = AgendaContext(meeting=meeting, series=series, manager=series.manager,
                            report=series.report, viewer=viewer, since=since)
    for builder in list(_SECTIONS):
        section = builder(context)
        if section is not None and (for_manager or section.visible_to_report):
            agenda.extra.append(section)
    return agenda


def local_start(meeting: Meeting) -> dt.datetime:
    """When the meeting starts, in the series' own time zone."""
    start = as_utc(meeting.starts_at) or utcnow()
    return start.astimezone(schedule.zone(meeting.series.timezone))
