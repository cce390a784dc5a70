"""Every write to programmes, checkpoints and enrolments: flush, never commit; one audit event
per state change. Refusals raise :class:`CheckpointsError` with a message fit to show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from checkpoints import queries
from checkpoints.enrolling import (  # re-exported: writes are imported from one place
    AssignResult,
    assign,
    leave,
    may_leave,
    people_ids,
    remove_enrolment,
    self_enrol,
)
from checkpoints.errors import CheckpointsError
from checkpoints.models import (
    AUDIENCES,
    CHECKPOINT_KINDS,
    EVIDENCE_KINDS,
    PROGRAMME_KINDS,
    Checkpoint,
    Programme,
)
from clearance import audit
from clearance.extensions import db
from people.models import Person
from rubrics import operations as rubric_operations
from rubrics.errors import RubricError
from rubrics.models import RubricVersion

__all__ = ["AssignResult", "CheckpointFields", "CheckpointsError", "add_checkpoint",
           "archive_programme", "assign", "create_programme", "leave", "may_leave",
           "may_remove_checkpoint", "move_checkpoint", "people_ids", "pin_rubric_version",
           "publish_programme", "remove_checkpoint", "remove_enrolment", "restore_programme",
           "self_enrol", "update_checkpoint", "update_programme"]

APPROVAL_LEVELS = (1, 2)
MAX_MIN_EVIDENCE = 50
MAX_DUE_OFFSET_DAYS = 3650


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
    application_check_days: int | None = None


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
    check_days = fields.application_check_days
    if check_days is not None and (not isinstance(check_days, int) or not
                                   0 <= check_days <= MAX_DUE_OFFSET_DAYS):
        raise CheckpointsError(f"The application check must be 0 to {MAX_DUE_OFFSET_DAYS} days "
                               "after approval (0: no check).", "application_check_days")
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
              "rubric_version_id": version.id if version else None,
              "application_check_days": check_days}
    return values, version


def pin_rubric_version(version: RubricVersion) -> None:
    """Make ``version`` immutable now that a checkpoint uses it (the rubrics domain's rule)."""
    try:
        rubric_operations.pin_version(version)
    except RubricError as exc:
        raise CheckpointsError(str(exc), "rubric_version_id") from exc


def checkpoint_snapshot(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"title": checkpoint.title, "position": checkpoint.position,
            "min_evidence": checkpoint.min_evidence,
            "allowed_evidence": checkpoint.allowed_evidence,
            "due_offset_days": checkpoint.due_offset_days, "kind": checkpoint.kind,
            "approval_levels": checkpoint.approval_levels,
            "rubric_version_id": checkpoint.rubric_version_id,
            "application_check_days": checkpoint.application_check_days}


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
