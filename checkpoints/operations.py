"""Every write to programmes, checkpoints and enrolments: flush, never commit; one audit event
per state change. Refusals raise :class:`CheckpointsError` with a message fit to show."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Integer, String, exists, func, literal, select, update

from checkpoints import queries
from checkpoints.models import (
    AUDIENCES,
    CHECKPOINT_KINDS,
    ENROLMENT_ENDED,
    EVIDENCE_KINDS,
    PROGRAMME_KINDS,
    Checkpoint,
    Enrolment,
    Programme,
)
from checkpoints.queries import AssignTarget
from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person
from rubrics.models import RubricVersion

APPROVAL_LEVELS = (1, 2)
MAX_MIN_EVIDENCE = 50
MAX_DUE_OFFSET_DAYS = 3650


class CheckpointsError(ValueError):
    """A refused change, with a message fit to show the person who asked."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# ---- programmes ----


def _programme_fields(title: str, summary: str, theme: str, audience: str,
                      release_date: dt.date | None, kind: str,
                      open_in_catalogue: bool) -> dict[str, Any]:
    title = (title or "").strip()
    if not title:
        raise CheckpointsError("Enter a title.", "title")
    if len(title) > 200:
        raise CheckpointsError("The title must be 200 characters or fewer.", "title")
    theme = (theme or "").strip()
    if len(theme) > 120:
        raise CheckpointsError("The theme must be 120 characters or fewer.", "theme")
    if audience not in AUDIENCES:
        raise CheckpointsError("Choose who the programme is for.", "audience")
    if kind not in PROGRAMME_KINDS:
        raise CheckpointsError("Choose elective or mandatory.", "kind")
    if release_date is not None and not isinstance(release_date, dt.date):
        raise CheckpointsError("Enter a real release date.", "release_date")
    return {"title": title, "summary": (summary or "").strip(), "theme": theme,
            "audience": audience, "release_date": release_date, "kind": kind,
            "open_in_catalogue": bool(open_in_catalogue)}


def programme_snapshot(programme: Programme) -> dict[str, Any]:
    return {"title": programme.title, "theme": programme.theme,
            "audience": programme.audience, "kind": programme.kind,
            "release_date": programme.release_date.isoformat() if programme.release_date
            else None,
            "open_in_catalogue": programme.open_in_catalogue, "status": programme.status}


def create_programme(*, author: Person | None, title: str, summary: str = "", theme: str = "",
                     audience: str = "everyone", release_date: dt.date | None = None,
                     kind: str = "elective", open_in_catalogue: bool = True) -> Programme:
    """A new programme, as a draft."""
    fields = _programme_fields(title, summary, theme, audience, release_date, kind,
                               open_in_catalogue)
    programme = Programme(status="draft", created_by_id=author.id if author else None, **fields)
    db.session.add(programme)
    db.session.flush()
    audit.record("programme.created", obj=programme, after=programme_snapshot(programme))
    return programme


def update_programme(programme: Programme, *, title: str, summary: str = "", theme: str = "",
                     audience: str = "everyone", release_date: dt.date | None = None,
                     kind: str = "elective", open_in_catalogue: bool = True) -> Programme:
    if programme.status == "archived":
        raise CheckpointsError("This programme is archived: restore it before editing.")
    fields = _programme_fields(title, summary, theme, audience, release_date, kind,
                               open_in_catalogue)
    before = programme_snapshot(programme)
    changed = {k: v for k, v in fields.items() if getattr(programme, k) != v}
    if not changed:
        return programme
    for key, value in changed.items():
        setattr(programme, key, value)
    db.session.flush()
    audit.record("programme.updated", obj=programme, before=before,
                 after=programme_snapshot(programme))
    return programme


def _set_status(programme: Programme, status: str, action: str) -> None:
    before = programme.status
    programme.status = status
    db.session.flush()
    audit.record(action, obj=programme, before={"status": before}, after={"status": status})


def publish_programme(programme: Programme) -> None:
    """Draft to published: it appears in the catalogue (from its release date) and may be
    assigned."""
    if programme.status != "draft":
        raise CheckpointsError("Only a draft programme can be published.")
    _require_checkpoints(programme)
    _set_status(programme, "published", "programme.published")


def archive_programme(programme: Programme) -> None:
    """Closed to new enrolments and hidden from the catalogue; enrolled learners keep their
    work and can still read the programme."""
    if programme.status == "archived":
        raise CheckpointsError("This programme is already archived.")
    _set_status(programme, "archived", "programme.archived")


def restore_programme(programme: Programme) -> None:
    """Archived back to published (it needs checkpoints, like any published programme)."""
    if programme.status != "archived":
        raise CheckpointsError("Only an archived programme can be restored.")
    _require_checkpoints(programme)
    _set_status(programme, "published", "programme.restored")


def _require_checkpoints(programme: Programme) -> None:
    if not programme.checkpoints:
        raise CheckpointsError("Add at least one checkpoint first: a programme without "
                               "checkpoints gives learners nothing to do.")


# ---- checkpoints ----


@dataclass(frozen=True)
class CheckpointFields:
    title: str
    guidance: str = ""
    min_evidence: int = 1
    allowed_evidence: tuple[str, ...] = EVIDENCE_KINDS
    due_offset_days: int | None = None
    kind: str = "summative"
    approval_levels: int = 1
    rubric_version_id: int | None = None


def _validate_checkpoint(fields: CheckpointFields,
                         current: Checkpoint | None) -> tuple[dict[str, Any],
                                                              RubricVersion | None]:
    title = (fields.title or "").strip()
    if not title:
        raise CheckpointsError("Enter a title.", "title")
    if len(title) > 200:
        raise CheckpointsError("The title must be 200 characters or fewer.", "title")
    if fields.kind not in CHECKPOINT_KINDS:
        raise CheckpointsError("Choose formative or summative.", "kind")
    if fields.approval_levels not in APPROVAL_LEVELS:
        raise CheckpointsError("Approval needs 1 level (line manager) or 2 levels (line "
                               "manager, then skip-level).", "approval_levels")
    if not isinstance(fields.min_evidence, int) or fields.min_evidence < 0:
        raise CheckpointsError("The minimum number of evidence items must be 0 or more.",
                               "min_evidence")
    if fields.min_evidence > MAX_MIN_EVIDENCE:
        raise CheckpointsError(f"Ask for at most {MAX_MIN_EVIDENCE} evidence items.",
                               "min_evidence")
    kinds = tuple(k for k in EVIDENCE_KINDS if k in set(fields.allowed_evidence))
    if not kinds or set(fields.allowed_evidence) - set(EVIDENCE_KINDS):
        raise CheckpointsError("Choose at least one kind of evidence: file, reflection or "
                               "link.", "allowed_evidence")
    offset = fields.due_offset_days
    if offset is not None and (not isinstance(offset, int) or not
                               0 <= offset <= MAX_DUE_OFFSET_DAYS):
        raise CheckpointsError(f"The due date must be 0 to {MAX_DUE_OFFSET_DAYS} days after "
                               "enrolment.", "due_offset_days")
    version = None
    if fields.rubric_version_id is not None:
        version = db.session.get(RubricVersion, fields.rubric_version_id)
        unchanged = current is not None and current.rubric_version_id == fields.rubric_version_id
        usable = version is not None and version.status == "published" and (
            unchanged or version.rubric.status != "archived")
        if not usable:
            raise CheckpointsError("Choose a published rubric version.", "rubric_version_id")
    if fields.kind == "summative" and version is None:
        raise CheckpointsError("A summative checkpoint is assessed against a rubric: choose a "
                               "published rubric version.", "rubric_version_id")
    values = {"title": title, "guidance": (fields.guidance or "").strip(),
              "min_evidence": fields.min_evidence, "allowed_evidence": ",".join(kinds),
              "due_offset_days": offset, "kind": fields.kind,
              "approval_levels": fields.approval_levels,
              "rubric_version_id": version.id if version else None}
    return values, version


def pin_rubric_version(version: RubricVersion) -> None:
    """Make ``version`` immutable now that a checkpoint uses it (the rubrics domain owns the
    rule when it offers ``pin_version``; until then the timestamp is set here)."""
    try:
        rubric_operations = importlib.import_module("rubrics.operations")
    except ModuleNotFoundError as exc:
        if exc.name != "rubrics.operations":
            raise
        rubric_operations = None
    pin = getattr(rubric_operations, "pin_version", None)
    if pin is not None:
        pin(version)
        return
    if version.pinned_at is None:
        version.pinned_at = utcnow()
        db.session.flush()
        audit.record("rubric_version.pinned", obj=version,
                     after={"pinned_at": version.pinned_at.isoformat()})


def checkpoint_snapshot(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"title": checkpoint.title, "position": checkpoint.position,
            "min_evidence": checkpoint.min_evidence,
            "allowed_evidence": checkpoint.allowed_evidence,
            "due_offset_days": checkpoint.due_offset_days, "kind": checkpoint.kind,
            "approval_levels": checkpoint.approval_levels,
            "rubric_version_id": checkpoint.rubric_version_id}


def _editable(programme: Programme) -> None:
    if programme.status == "archived":
        raise CheckpointsError("This programme is archived: restore it before changing its "
                               "checkpoints.")


def add_checkpoint(programme: Programme, fields: CheckpointFields) -> Checkpoint:
    _editable(programme)
    values, version = _validate_checkpoint(fields, None)
    position = len(programme.checkpoints)
    checkpoint = Checkpoint(programme=programme, position=position, **values)
    db.session.add(checkpoint)
    db.session.flush()
    if version is not None:
        pin_rubric_version(version)
    audit.record("checkpoint.added", obj=checkpoint,
                 after={"programme_id": programme.id, **checkpoint_snapshot(checkpoint)})
    return checkpoint


def update_checkpoint(checkpoint: Checkpoint, fields: CheckpointFields) -> Checkpoint:
    _editable(checkpoint.programme)
    values, version = _validate_checkpoint(fields, checkpoint)
    before = checkpoint_snapshot(checkpoint)
    guidance_changed = values["guidance"] != checkpoint.guidance
    for key, value in values.items():
        setattr(checkpoint, key, value)
    db.session.flush()
    if version is not None:
        pin_rubric_version(version)
    after = checkpoint_snapshot(checkpoint)
    if after != before or guidance_changed:
        audit.record("checkpoint.updated", obj=checkpoint, before=before,
                     after={**after, "guidance_changed": guidance_changed})
    return checkpoint


def _renumber(programme: Programme) -> list[Checkpoint]:
    ordered = sorted(programme.checkpoints, key=lambda c: (c.position, c.id))
    for index, cp in enumerate(ordered):
        cp.position = index
    return ordered


def move_checkpoint(checkpoint: Checkpoint, direction: str) -> bool:
    """Swap with the neighbour above ("up") or below ("down"); False at either end."""
    programme = checkpoint.programme
    _editable(programme)
    if direction not in ("up", "down"):
        raise CheckpointsError("Move a checkpoint up or down.")
    ordered = _renumber(programme)
    index = ordered.index(checkpoint)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    neighbour = ordered[other]
    checkpoint.position, neighbour.position = neighbour.position, checkpoint.position
    db.session.flush()
    db.session.expire(programme, ["checkpoints"])
    audit.record("checkpoint.moved", obj=checkpoint, before={"position": index},
                 after={"position": other})
    return True


def may_remove_checkpoint(checkpoint: Checkpoint) -> bool:
    """A checkpoint can go while nobody has done any work against it."""
    return checkpoint.programme.status != "archived" and \
        checkpoint.id not in queries.checkpoints_in_use([checkpoint.id])


def remove_checkpoint(checkpoint: Checkpoint) -> None:
    programme = checkpoint.programme
    _editable(programme)
    if checkpoint.id in queries.checkpoints_in_use([checkpoint.id]):
        raise CheckpointsError("Learners have already submitted work for this checkpoint, "
                               "so it stays. Edit its guidance instead, or archive the "
                               "programme.")
    if programme.status == "published" and len(programme.checkpoints) <= 1:
        raise CheckpointsError("A published programme keeps at least one checkpoint.")
    before = {"programme_id": programme.id, **checkpoint_snapshot(checkpoint)}
    checkpoint_id = checkpoint.id
    programme.checkpoints.remove(checkpoint)
    db.session.delete(checkpoint)
    _renumber(programme)
    db.session.flush()
    audit.record("checkpoint.removed", object_type="checkpoint", object_id=checkpoint_id,
                 before=before)


# ---- enrolment: pull (self) ----


def _enrolment_snapshot(enrolment: Enrolment) -> dict[str, Any]:
    return {"person_id": enrolment.person_id, "programme_id": enrolment.programme_id,
            "source": enrolment.source, "status": enrolment.status}


def self_enrol(person: Person, programme: Programme) -> tuple[Enrolment, bool]:
    """Enrol ``person`` from the catalogue. Returns (enrolment, True when it is new or
    renewed); enrolling twice leaves the existing enrolment as it is."""
    if programme.status != "published" or not programme.open_in_catalogue:
        raise CheckpointsError("This programme is not open for enrolment.")
    if not programme.is_released(queries.today()):
        raise CheckpointsError("This programme is not released yet.")
    enrolment = queries.enrolment_for(person.id, programme.id)
    if enrolment is not None and enrolment.status not in ENROLMENT_ENDED:
        return enrolment, False
    if enrolment is None:
        enrolment = Enrolment(person_id=person.id, programme_id=programme.id, source="self",
                              status="active", enrolled_at=utcnow())
        db.session.add(enrolment)
    else:
        enrolment.source, enrolment.status = "self", "active"
        enrolment.enrolled_at, enrolment.left_at = utcnow(), None
        enrolment.assigned_by_id = None
    db.session.flush()
    audit.record("enrolment.self_enrolled", obj=enrolment, after=_enrolment_snapshot(enrolment))
    return enrolment, True


def may_leave(enrolment: Enrolment) -> bool:
    """Learners may leave an elective programme they chose themselves."""
    return (enrolment.status == "active" and enrolment.source == "self"
            and enrolment.programme.is_elective)


def leave(enrolment: Enrolment) -> None:
    if enrolment.status != "active":
        raise CheckpointsError("You are not enrolled in this programme.")
    if enrolment.source != "self":
        raise CheckpointsError("You were assigned this programme, so only Learning and "
                               "Development can remove you from it.")
    if not enrolment.programme.is_elective:
        raise CheckpointsError("This programme is mandatory, so you cannot leave it.")
    before = _enrolment_snapshot(enrolment)
    enrolment.status, enrolment.left_at = "left", utcnow()
    db.session.flush()
    audit.record("enrolment.left", obj=enrolment, before=before,
                 after=_enrolment_snapshot(enrolment))


# ---- enrolment: push (assigned by L&D) ----


@dataclass(frozen=True)
class AssignResult:
    targeted: int
    new: int
    renewed: int

    @property
    def already(self) -> int:
        return self.targeted - self.new - self.renewed

    @property
    def enrolled(self) -> int:
        return self.new + self.renewed


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def assign(programme: Programme, target: AssignTarget, *, by: Person | None) -> AssignResult:
    """Enrol everyone ``target`` names as ``assigned``, set-based: one UPDATE renews ended
    enrolments and one INSERT ... SELECT adds the rest. People already enrolled keep their
    enrolment (and its source) as it is, so running it twice changes nothing."""
    if programme.status != "published":
        raise CheckpointsError("Publish the programme before assigning it.")
    if target.kind == "unit" and not target.unit:
        raise CheckpointsError("Choose a unit.", "unit")
    if target.kind == "people" and not target.person_ids:
        raise CheckpointsError("Name at least one person.", "people")
    targets = queries.assignment_targets(target)
    targeted = int(db.session.scalar(
        select(func.count()).select_from(targets.subquery())) or 0)
    now = utcnow()
    by_id = by.id if by else None
    table = Enrolment.__table__
    renewed = list(db.session.execute(
        update(table)
        .where(table.c.programme_id == programme.id, table.c.status.in_(ENROLMENT_ENDED),
               table.c.person_id.in_(targets))
        .values(status="active", source="assigned", assigned_by_id=by_id, enrolled_at=now,
                left_at=None)
        .returning(table.c.person_id)
    ).scalars())
    rows = (select(Person.id, literal(programme.id, Integer), literal("assigned", String),
                   literal("active", String), literal(now, DateTime(timezone=True)),
                   literal(by_id, Integer))
            .where(Person.id.in_(targets),
                   ~exists().where(table.c.person_id == Person.id,
                                   table.c.programme_id == programme.id)))
    insert = _insert_for(db.session.get_bind().dialect.name)
    added = list(db.session.execute(
        insert(table)
        .from_select(["person_id", "programme_id", "source", "status", "enrolled_at",
                      "assigned_by_id"], rows)
        .on_conflict_do_nothing(index_elements=["person_id", "programme_id"])
        .returning(table.c.person_id)
    ).scalars())
    _expire_loaded_enrolments(programme.id)
    result = AssignResult(targeted=targeted, new=len(added), renewed=len(renewed))
    if result.enrolled:
        audit.record("enrolment.assigned", obj=programme,
                     after={"target": target.describe(), "targeted": targeted,
                            "new_person_ids": sorted(added),
                            "renewed_person_ids": sorted(renewed)})
    return result


def _expire_loaded_enrolments(programme_id: int) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Enrolment) and obj.programme_id == programme_id:
            db.session.expire(obj)


def remove_enrolment(enrolment: Enrolment, *, reason: str | None = None) -> None:
    """L&D takes someone off a programme (assigned or self-enrolled)."""
    if enrolment.status in ENROLMENT_ENDED:
        raise CheckpointsError("This person is no longer enrolled.")
    before = _enrolment_snapshot(enrolment)
    enrolment.status, enrolment.left_at = "removed", utcnow()
    db.session.flush()
    audit.record("enrolment.removed", obj=enrolment, before=before,
                 after=_enrolment_snapshot(enrolment), reason=reason)


def people_ids(people: Iterable[Person]) -> tuple[int, ...]:
    return tuple(sorted({p.id for p in people}))
