"""Who must decide: the one module that answers it, from the org chart at the moment it acts.

- Level 1 is the learner's line manager; level 2 the manager above that (skip-level). An
  inactive manager is passed over for the next active one above.
- The top of the chart (the managing director) routes to the configured top approver
  (``CLEARANCE_TOP_APPROVER``: an e-mail address, or ``ld`` for the most senior L&D person).
- An open out-of-office window sends the work to the delegate, who acts for the approver;
  a delegate who is away too passes it on (up to a few hops); a delegate may never be the
  learner, and nobody ever decides their own submission.
- Escalation moves a step to the next active manager above the current approver, and to the top
  approver above the top of the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from clearance.database import utcnow
from clearance.extensions import db
from people.delegation import open_delegation
from people.hierarchy import chain_above
from people.models import Person, PersonRole, email_key

MAX_DELEGATION_HOPS = 3


class RoutingError(RuntimeError):
    """No one may decide (e.g. the top approver is the learner). Shown to L&D and admins."""


@dataclass(frozen=True)
class Route:
    """``approver`` is responsible (org chart); ``actor`` is who acts now; ``acting_for`` is
    set when the actor is a delegate."""

    approver: Person
    actor: Person
    acting_for: Person | None
    reason: str


def top_approver() -> Person | None:
    setting = str(current_app.config.get("TOP_APPROVER") or "ld").strip()
    if setting.lower() == "ld":
        return db.session.scalar(
            select(Person).join(PersonRole, PersonRole.person_id == Person.id)
            .where(PersonRole.role == "ld", Person.active.is_(True))
            .order_by(Person.depth, Person.id).limit(1)
        )
    return db.session.scalar(
        select(Person).where(Person.email_key == email_key(setting), Person.active.is_(True))
    )


def _active_managers_above(person: Person) -> list[Person]:
    return [m for m in chain_above(person.id) if m.active]


def approval_chain(learner: Person, levels: int,
                   managers: list[Person] | None = None) -> list[Person]:
    """The org-chart approvers for levels 1..``levels`` (1 = line manager, 2 = skip-level).

    A level with nobody above the previous approver is dropped (a director's skip-level would
    be above the managing director). The managing director's work goes to the top approver.
    ``managers`` are the learner's active managers when the caller has read them already.
    """
    managers = _active_managers_above(learner) if managers is None else managers
    if managers:
        return managers[:levels]
    top = top_approver()
    if top is None or top.id == learner.id:
        raise RoutingError(
            f"No one can approve {learner.name}'s work: set CLEARANCE_TOP_APPROVER to someone "
            "other than the learner.")
    return [top]


def responsible_approver(learner: Person, level: int) -> Person | None:
    """The org-chart approver for ``level``, or None when the chain has no such level."""
    chain = approval_chain(learner, level)
    return chain[level - 1] if len(chain) >= level else None


def next_above(approver: Person, learner: Person) -> Person | None:
    """Where an escalation goes: the next active manager above ``approver`` in the learner's
    chain; the top approver above the top of the chart; None when there is nowhere higher
    (the top approver never escalates back down into the chart)."""
    chain = _active_managers_above(learner)
    ids = [m.id for m in chain]
    top = top_approver()
    if approver.id in ids:
        index = ids.index(approver.id)
        if index + 1 < len(chain):
            return chain[index + 1]
        return top if top is not None and top.id not in (approver.id, learner.id) else None
    if top is not None and approver.id == top.id:
        return None
    for manager in _active_managers_above(approver):
        if manager.id != learner.id:
            return manager
    return None


def acting_route(approver: Person, learner: Person, at: dt.datetime | None = None,
                 reason: str = "line manager") -> Route:
    """Apply out-of-office windows: who acts for ``approver`` at ``at``."""
    if approver.id == learner.id:
        raise RoutingError(f"{learner.name} cannot decide their own submission.")
    at = at or utcnow()
    actor, seen = approver, {approver.id}
    for _ in range(MAX_DELEGATION_HOPS):
        window = open_delegation(actor.id, at)
        if window is None:
            break
        delegate = window.delegate
        if delegate.id in seen or not delegate.active:
            break
        if delegate.id == learner.id:
            # Separation of duties: skip a delegate who is the learner; the next manager up acts.
            above = next_above(approver, learner)
            if above is None:
                break
            return Route(approver=approver, actor=above, acting_for=approver,
                         reason="delegate is the learner; passed up the chain")
        seen.add(delegate.id)
        actor = delegate
    if actor.id == approver.id:
        return Route(approver=approver, actor=approver, acting_for=None, reason=reason)
    return Route(approver=approver, actor=actor, acting_for=approver,
                 reason=f"{reason}; out of office, delegated")


def route(learner: Person, level: int, at: dt.datetime | None = None) -> Route | None:
    """Who decides ``learner``'s submission at ``level`` now (None: no such level)."""
    above = chain_above(learner.id)
    chain = approval_chain(learner, level, [m for m in above if m.active])
    approver = chain[level - 1] if len(chain) >= level else None
    if approver is None:
        return None
    reason = {1: "line manager", 2: "skip-level manager"}.get(level, f"level {level}")
    if approver.id not in {m.id for m in above}:
        reason = "top approver"
    return acting_route(approver, learner, at, reason)


def may_act(person: Person, learner: Person, current: Route) -> bool:
    """Separation of duties on a route already asked for: ``person`` is who acts now."""
    return person.id != learner.id and bool(person.active) and current.actor.id == person.id


def may_decide(person: Person, learner: Person, approver: Person,
               at: dt.datetime | None = None) -> bool:
    """Separation of duties at decision time: ``person`` is who acts for ``approver`` now."""
    if person.id == learner.id or not person.active:
        return False
    try:
        current = acting_route(approver, learner, at)
    except RoutingError:
        return False
    return may_act(person, learner, current)
