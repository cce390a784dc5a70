"""People and the org chart.

The hierarchy is an adjacency list (``manager_id``) plus a materialized path (``/1/4/12/``,
ancestors then self) kept in step on every change, so "everyone under X" is an indexed range
scan on both databases. ``path`` uses the C collation on PostgreSQL so ranges compare bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    bindparam,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, aliased, joinedload, mapped_column, relationship

from clearance import auth
from clearance.database import utcnow
from clearance.extensions import db

ROLES = ("ld", "admin")
ROLE_LABELS = {"ld": "L&D", "admin": "Administrator"}
PathType = String(1000).with_variant(String(1000, collation="C"), "postgresql")


class PersonRole(db.Model):
    __tablename__ = "person_role"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class Person(UserMixin, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    job_title: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(200), default="", index=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(PathType, index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    manager: Mapped[Person | None] = relationship(
        remote_side="Person.id", foreign_keys=[manager_id], lazy="select",
    )
    role_rows: Mapped[list[PersonRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    # ---- identity for Flask-Login: bumping session_version ends every session ----
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def is_ld(self) -> bool:
        return self.has_role("ld")

    @property
    def is_manager(self) -> bool:
        """Derived: a manager is anyone with an active direct report (cached per instance)."""
        cached = self.__dict__.get("_is_manager")
        if cached is None:
            cached = bool(db.session.scalar(
                select(exists().where(Person.manager_id == self.id, Person.active.is_(True)))
            ))
            self.__dict__["_is_manager"] = cached
        return cached

    def primary_role(self) -> str:
        if self.is_admin:
            return "admin"
        if self.is_ld:
            return "ld"
        return "manager" if self.is_manager else "learner"

    def set_roles(self, roles: set[str] | frozenset[str]) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [PersonRole(role=r) for r in sorted(set(roles) - have)]

    def ancestor_ids(self) -> list[int]:
        """Managers above this person, nearest first, read from the path."""
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return list(reversed(ids[:-1]))

    def is_above(self, other: Person) -> bool:
        """True when self manages other directly or indirectly."""
        return other.path.startswith(self.path) and other.id != self.id

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


class ImportRun(db.Model):
    """One org-chart import: the uploaded file (stored under a server-made name in the
    instance folder), its preview, and what applying it did."""

    __tablename__ = "import_run"

    STATUSES = ("refused", "ready", "queued", "running", "done", "failed")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                    index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | cli
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict[str, str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="ready")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    preview: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
    applied_by: Mapped[Person | None] = relationship(foreign_keys=[applied_by_id])

    @property
    def finished(self) -> bool:
        return self.status in ("refused", "done", "failed")


def email_key(email: str) -> str:
    return email.strip().lower()


def _user_statement() -> Any:
    """The signed-in person, their roles and whether they manage anyone, in one statement
    (every page needs all three: the policy and the navigation ask for them)."""
    report = aliased(Person)
    has_reports = (select(report.id)
                   .where(report.manager_id == Person.id, report.active.is_(True))
                   .exists().correlate(Person))
    return (select(Person, has_reports.label("is_manager"))
            .where(Person.id == bindparam("person_id"))
            .options(joinedload(Person.role_rows)))


_USER: list[Any] = []  # built on first use, once every model is mapped


def _load_user(user_id: str) -> Any:
    person_id, _, version = user_id.partition(":")
    if not person_id.isdigit() or not version.isdigit():
        return None
    if not _USER:
        _USER.append(_user_statement())
    row = db.session.execute(_USER[0], {"person_id": int(person_id)}).unique().first()
    if row is None:
        return None
    person, is_manager = row
    if not person.active or person.session_version != int(version):
        return None
    person.__dict__.setdefault("_is_manager", bool(is_manager))
    return person


def _find_by_email(email: str) -> Any:
    return db.session.scalar(select(Person).where(Person.email_key == email_key(email)))


auth.register_user_store(model=Person, load=_load_user, find_by_email=_find_by_email)


def person_columns() -> dict[str, Any]:
    return {c.key: c for c in Person.__table__.columns}


__all__ = ["ROLES", "ImportRun", "Person", "PersonRole", "email_key"]
