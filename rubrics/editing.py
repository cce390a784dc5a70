"""Editing a draft version: criteria and levels (add, change, delete, move up or down).

Every function refuses a version that is published or pinned (``ensure_editable``), so an edit
can never reach a version a checkpoint or decision uses, whatever the UI shows. Import these
from ``rubrics.operations``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from clearance import audit
from clearance.extensions import db
from rubrics.content import (
    check_level_name,
    check_points,
    check_text,
    check_title,
    check_weight,
)
from rubrics.errors import RubricError, RubricImmutableError
from rubrics.models import Criterion, Level, Rubric, RubricVersion

DIRECTIONS = ("up", "down")


def ensure_editable(version: RubricVersion) -> None:
    """Refuse any change to a version that is pinned, published, or whose rubric is archived.

    The version's state is read afresh from the database and its row locked (PostgreSQL:
    ``FOR UPDATE``; SQLite serialises writers anyway), so an edit can never slip into a
    version that another request has just published or pinned.
    """
    status, pinned_at = db.session.execute(
        select(RubricVersion.status, RubricVersion.pinned_at)
        .where(RubricVersion.id == version.id).with_for_update()
    ).one()
    rubric_status = db.session.scalar(select(Rubric.status).where(Rubric.id == version.rubric_id))
    if pinned_at is not None:
        raise RubricImmutableError(
            f"Version {version.number} of “{version.rubric.title}” is in use by a checkpoint, "
            "so it can never change. Start a new draft to make changes.")
    if status != "draft":
        raise RubricImmutableError(
            f"Version {version.number} of “{version.rubric.title}” is published, so it cannot "
            "change. Start a new draft to make changes.")
    if rubric_status == "archived":
        raise RubricError(f"“{version.rubric.title}” is archived: restore it before editing.")


def _check(message: str | None, field: str) -> None:
    if message:
        raise RubricError(message, field)


def _criterion_fields(version: RubricVersion, criterion: Criterion | None, title: str,
                      description: str, weight: Decimal | None) -> None:
    _check(check_title(title, "criterion title"), "title")
    _check(check_text(description, "description"), "description")
    _check(check_weight(weight), "weight")
    clash = next((c for c in version.criteria if c is not criterion
                  and c.title.strip().casefold() == title.strip().casefold()), None)
    if clash is not None:
        raise RubricError(f"This version already has a criterion called “{clash.title}”.",
                          "title")


def _snapshot(criterion: Criterion) -> dict[str, Any]:
    return {"title": criterion.title, "description": criterion.description,
            "weight": None if criterion.weight is None else str(criterion.weight),
            "comment_required": criterion.comment_required, "position": criterion.position}


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


# ---------------------------------------------------------------- criteria


def add_criterion(version: RubricVersion, *, title: str, description: str = "",
                  weight: Decimal | None = None, comment_required: bool = False) -> Criterion:
    """Add a criterion at the end. With levels per criterion it starts with none."""
    ensure_editable(version)
    _criterion_fields(version, None, title, description, weight)
    criterion = Criterion(position=len(version.criteria), title=title.strip(),
                          description=description.strip(), weight=weight,
                          comment_required=comment_required)
    version.criteria.append(criterion)
    db.session.flush()
    audit.record("rubric_criterion.added", obj=criterion,
                 after={"version_id": version.id, **_snapshot(criterion)})
    return criterion


def update_criterion(criterion: Criterion, *, title: str, description: str = "",
                     weight: Decimal | None = None,
                     comment_required: bool = False) -> Criterion:
    version = criterion.version
    ensure_editable(version)
    _criterion_fields(version, criterion, title, description, weight)
    before = _snapshot(criterion)
    criterion.title = title.strip()
    criterion.description = description.strip()
    criterion.weight = weight
    criterion.comment_required = comment_required
    db.session.flush()
    after = _snapshot(criterion)
    if after != before:
        audit.record("rubric_criterion.updated", obj=criterion, before=before, after=after)
    return criterion


def delete_criterion(criterion: Criterion) -> None:
    version = criterion.version
    ensure_editable(version)
    before = {"version_id": version.id, **_snapshot(criterion)}
    criterion_id = criterion.id
    version.criteria.remove(criterion)
    _renumber(version.criteria)
    db.session.flush()
    audit.record("rubric_criterion.deleted", object_type="rubric_criterion",
                 object_id=criterion_id, before=before)


def _swap(items: list[Any], item: Any, direction: str) -> bool:
    if direction not in DIRECTIONS:
        raise RubricError("Move up or down.")
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items):
        return False
    items[index].position, items[other].position = other, index
    return True


def move_criterion(criterion: Criterion, direction: str) -> bool:
    """Swap with the neighbour above or below; False (and no change) at either end."""
    version = criterion.version
    ensure_editable(version)
    before = criterion.position
    if not _swap(list(version.criteria), criterion, direction):
        return False
    db.session.flush()
    db.session.expire(version, ["criteria"])
    audit.record("rubric_criterion.moved", obj=criterion, before={"position": before},
                 after={"position": criterion.position})
    return True


# ---------------------------------------------------------------- levels


def _version_of(level: Level) -> RubricVersion:
    version = db.session.get(RubricVersion, level.version_id)
    assert version is not None
    return version


def _siblings(version: RubricVersion, criterion: Criterion | None) -> list[Level]:
    return list(version.scale) if criterion is None else list(criterion.levels)


def _level_fields(siblings: list[Level], level: Level | None, name: str, descriptor: str,
                  points: Decimal | None) -> None:
    _check(check_level_name(name), "name")
    _check(check_text(descriptor, "descriptor"), "descriptor")
    _check(check_points(points), "points")
    clash = next((lv for lv in siblings if lv is not level
                  and lv.name.strip().casefold() == name.strip().casefold()), None)
    if clash is not None:
        raise RubricError(f"There is already a level called “{clash.name}” here.", "name")


def _level_snapshot(level: Level) -> dict[str, Any]:
    return {"name": level.name, "descriptor": level.descriptor, "points": str(level.points),
            "position": level.position, "criterion_id": level.criterion_id}


def add_level(version: RubricVersion, *, name: str, points: Decimal | None,
              descriptor: str = "", criterion: Criterion | None = None) -> Level:
    """Add a level at the top of the shared scale (``criterion=None``) or of a criterion."""
    ensure_editable(version)
    if version.shared_scale and criterion is not None:
        raise RubricError("This version shares one scale: add levels to the scale.")
    if not version.shared_scale and criterion is None:
        raise RubricError("Each criterion has its own levels: add the level to a criterion.")
    if criterion is not None and criterion.version_id != version.id:
        raise RubricError("That criterion belongs to another version.")
    siblings = _siblings(version, criterion)
    _level_fields(siblings, None, name, descriptor, points)
    level = Level(version_id=version.id, position=len(siblings), name=name.strip(),
                  descriptor=descriptor.strip(), points=points)
    if criterion is None:
        version.scale.append(level)
    else:
        criterion.levels.append(level)
    db.session.flush()
    audit.record("rubric_level.added", obj=level, after=_level_snapshot(level))
    return level


def update_level(level: Level, *, name: str, points: Decimal | None,
                 descriptor: str = "") -> Level:
    version = _version_of(level)
    ensure_editable(version)
    _level_fields(_siblings(version, level.criterion), level, name, descriptor, points)
    before = _level_snapshot(level)
    level.name = name.strip()
    level.descriptor = descriptor.strip()
    level.points = points  # type: ignore[assignment]
    db.session.flush()
    after = _level_snapshot(level)
    if after != before:
        audit.record("rubric_level.updated", obj=level, before=before, after=after)
    return level


def delete_level(level: Level) -> None:
    """Remove a level. On the shared scale the pass rule keeps pointing at the same level
    (or loses its level part when that level is the one removed)."""
    version = _version_of(level)
    ensure_editable(version)
    criterion = level.criterion
    before = _level_snapshot(level)
    level_id, position = level.id, level.position
    if criterion is None:
        version.scale.remove(level)
        _renumber(version.scale)
        pass_at = version.pass_min_position
        if pass_at is not None:
            version.pass_min_position = (None if pass_at == position
                                         else pass_at - 1 if pass_at > position else pass_at)
    else:
        criterion.levels.remove(level)
        _renumber(criterion.levels)
    db.session.flush()
    audit.record("rubric_level.deleted", object_type="rubric_level", object_id=level_id,
                 before={**before, "pass_min_position": version.pass_min_position})


def move_level(level: Level, direction: str) -> bool:
    """Swap with the neighbour below ("down") or above ("up"); on the shared scale the pass
    rule follows its level. False (and no change) at either end."""
    version = _version_of(level)
    ensure_editable(version)
    criterion = level.criterion
    siblings = _siblings(version, criterion)
    before = level.position
    if not _swap(siblings, level, direction):
        return False
    after = level.position
    if criterion is None and version.pass_min_position in (before, after):
        version.pass_min_position = after if version.pass_min_position == before else before
    db.session.flush()
    if criterion is None:
        db.session.expire(version, ["scale"])
    else:
        db.session.expire(criterion, ["levels"])
    audit.record("rubric_level.moved", obj=level, before={"position": before},
                 after={"position": after, "pass_min_position": version.pass_min_position})
    return True
