"""Every write to people and the org chart: flush, never commit; one audit event each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func, literal, select, text, update

from clearance import audit
from clearance.auth import end_sessions, issue_token
from clearance.extensions import db
from clearance.mail import queue_mail
from people import signals
from people.hierarchy import path_range
from people.models import Person, email_key

EDITABLE = ("employee_id", "name", "email", "job_title", "unit")
#: PostgreSQL advisory lock that serialises org-chart writers (edits, moves, deactivation and
#: imports, through lock_org_chart below).
ORG_CHART_LOCK = 0x0C1EA2B2


class PeopleError(ValueError):
    """A refused change, with a message fit to show the person who asked."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def lock_org_chart(*people: Person | None) -> None:
    """Make this transaction the only org-chart writer, then reload ``people`` as committed.

    Loop checks and path rewrites must use the chart as it is now, not copies read before
    another writer committed. PostgreSQL: a transaction-level advisory lock. SQLite: nothing to
    do, BEGIN IMMEDIATE made this transaction the only writer before it read anything.
    Take it before the transaction's first audit event (the audit chain lock comes second).
    """
    session = db.session
    if session.get_bind().dialect.name != "postgresql":
        return
    session.flush()
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ORG_CHART_LOCK})
    for person in people:
        if person is not None and person.id is not None:
            session.refresh(person)


def _check_unique(person_id: int | None, employee_id: str, email: str) -> None:
    employee_id = employee_id.strip()  # compared as it will be stored
    clash = db.session.scalar(
        select(Person).where(Person.employee_id == employee_id, Person.id != (person_id or -1))
    )
    if clash:
        raise PeopleError(f"Employee id {employee_id} already belongs to {clash.name}.",
                          "employee_id")
    clash = db.session.scalar(
        select(Person).where(Person.email_key == email_key(email), Person.id != (person_id or -1))
    )
    if clash:
        raise PeopleError(f"{email} already belongs to {clash.name}.", "email")


def create_person(*, employee_id: str, name: str, email: str, job_title: str = "",
                  unit: str = "", manager: Person | None = None,
                  roles: set[str] | None = None, password_hash: str | None = None) -> Person:
    lock_org_chart(manager)
    _check_unique(None, employee_id, email)
    person = Person(employee_id=employee_id.strip(), name=name.strip(), email=email.strip(),
                    email_key=email_key(email), job_title=job_title.strip(), unit=unit.strip(),
                    manager_id=manager.id if manager else None, active=True,
                    password_hash=password_hash, session_version=1, path="", depth=0)
    person.set_roles(roles or set())
    db.session.add(person)
    db.session.flush()
    person.path = (manager.path if manager else "/") + f"{person.id}/"
    person.depth = (manager.depth + 1) if manager else 0
    db.session.flush()
    audit.record("person.created", obj=person, after=snapshot(person))
    return person


def snapshot(person: Person) -> dict[str, Any]:
    return {
        "employee_id": person.employee_id, "name": person.name, "email": person.email,
        "job_title": person.job_title, "unit": person.unit, "manager_id": person.manager_id,
        "active": person.active, "roles": sorted(person.roles),
    }


def move_subtree(person: Person, new_manager: Person | None) -> None:
    """Re-parent ``person``; rewrite the path and depth of everyone under them in one UPDATE."""
    lock_org_chart(person, new_manager)
    if new_manager is not None and (new_manager.id == person.id
                                    or new_manager.path.startswith(person.path)):
        raise PeopleError(
            f"{new_manager.name} reports to {person.name}, so cannot be their manager "
            "(that would make a loop).", "manager")
    old_prefix = person.path
    new_prefix = (new_manager.path if new_manager else "/") + f"{person.id}/"
    delta = ((new_manager.depth + 1) if new_manager else 0) - person.depth
    lo, hi = path_range(old_prefix)
    db.session.execute(
        update(Person)
        .where(Person.path >= lo, Person.path < hi)
        .values(path=literal(new_prefix, String).concat(
                    func.substr(Person.path, len(old_prefix) + 1, type_=String)),
                depth=Person.depth + delta)
        .execution_options(synchronize_session=False)
    )
    person.manager_id = new_manager.id if new_manager else None
    db.session.flush()
    # Loaded instances under the old prefix now hold stale paths: refresh them.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Person) and obj.path.startswith(old_prefix):
            db.session.refresh(obj)


def update_person(person: Person, *, manager: Person | object | None = ...,
                  roles: set[str] | None = None, reason: str | None = None,
                  **fields: Any) -> Person:
    """Change fields, roles and/or manager. ``manager=...`` (the default) leaves it alone."""
    lock_org_chart(person)
    before = snapshot(person)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise PeopleError(f"cannot edit {sorted(unknown)}")
    employee_id = fields.get("employee_id", person.employee_id)
    email = fields.get("email", person.email)
    _check_unique(person.id, employee_id, email)
    for key, value in fields.items():
        setattr(person, key, value.strip() if isinstance(value, str) else value)
    person.email_key = email_key(person.email)
    if roles is not None:
        person.set_roles(roles)
    change = None
    if manager is not ... and (manager.id if manager else None) != person.manager_id:  # type: ignore[union-attr]
        old = person.manager_id
        move_subtree(person, manager)  # type: ignore[arg-type]
        change = signals.ManagerChange(person.id, old, person.manager_id)
    db.session.flush()
    after = snapshot(person)
    if after != before:
        audit.record("person.updated", obj=person, before=before, after=after, reason=reason)
    if change:
        audit.record("person.manager_changed", obj=person,
                     before={"manager_id": change.old_manager_id},
                     after={"manager_id": change.new_manager_id}, reason=reason)
        signals.manager_changed.send(None, changes=[change])
    return person


def deactivate(person: Person, *, reason: str | None = None) -> None:
    """Deactivate (never delete): sessions end, people they managed keep them as manager
    until the chart is fixed, and listeners move their pending work."""
    if not person.active:
        return
    person.active = False
    end_sessions(person)
    db.session.flush()
    audit.record("person.deactivated", obj=person, reason=reason)
    signals.people_deactivated.send(None, person_ids=[person.id])


def reactivate(person: Person, *, reason: str | None = None) -> None:
    if person.active:
        return
    person.active = True
    db.session.flush()
    audit.record("person.reactivated", obj=person, reason=reason)


def send_invitation(person: Person, *, purpose: str = "invite") -> str:
    """Issue a single-use set-password link and e-mail it (after commit)."""
    from flask import current_app, url_for

    raw = issue_token(person, purpose)
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.set_password", token=raw)
    subject = ("You are invited to Clearance" if purpose == "invite"
               else "Reset your Clearance password")
    queue_mail(person.email, subject, f"mail/{purpose}", person=person, link=link,
               hours=current_app.config["INVITE_TTL_HOURS"])
    return link
