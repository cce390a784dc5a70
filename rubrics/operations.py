"""Every write to rubrics: flush, never commit; one audit event per state change.

Lifecycle: a rubric starts with a draft version 1. Only a draft version can change; publishing
makes it read-only, and a published version is pinned (immutable for good) once a checkpoint
uses it (:func:`pin_version`). To change a published rubric, :func:`new_draft` copies the latest
published version into a new draft. Edits to criteria and levels live in
``rubrics/editing.py`` and are re-exported here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from rubrics.bank import SNIPPET_MAX, add_snippet, delete_snippet
from rubrics.content import (
    VersionContent,
    check_text,
    check_title,
    content_of,
    publish_problems,
)
from rubrics.editing import (
    add_criterion,
    add_level,
    delete_criterion,
    delete_level,
    ensure_editable,
    move_criterion,
    move_level,
    update_criterion,
    update_level,
)
from rubrics.errors import PublishError, RubricError, RubricImmutableError
from rubrics.models import (
    PASS_COMBINE,
    CommentSnippet,
    Criterion,
    Level,
    Rubric,
    RubricVersion,
)

__all__ = [
    "SNIPPET_MAX", "PublishError", "RubricError", "RubricImmutableError",
    "add_criterion", "add_level", "add_snippet", "archive", "create_rubric",
    "delete_criterion", "delete_level", "delete_snippet", "discard_draft", "duplicate_rubric",
    "ensure_editable", "fill_version", "import_as_new_rubric", "import_into_rubric",
    "move_criterion", "move_level", "new_draft", "pin_version", "publish", "restore",
    "set_scale_mode", "update_criterion", "update_level", "update_rubric",
    "update_version_settings",
]

def _actor_id(by: Any) -> int | None:
    return getattr(by, "id", None)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _check(message: str | None, field: str) -> None:
    if message:
        raise RubricError(message, field)


# ---------------------------------------------------------------- writing content


def fill_version(version: RubricVersion, content: VersionContent) -> None:
    """Give an empty version ``content`` (criteria, levels, scale mode and pass rule)."""
    version.shared_scale = content.shared_scale
    version.pass_min_position = content.pass_min_position
    version.pass_min_points = content.pass_min_points
    version.pass_combine = content.pass_combine
    version.change_note = content.change_note
    for position, lv in enumerate(content.scale if content.shared_scale else []):
        version.scale.append(Level(position=position, name=lv.name, descriptor=lv.descriptor,
                                   points=lv.points))
    db.session.flush()
    for position, c in enumerate(content.criteria):
        criterion = Criterion(position=position, key=c.key, title=c.title,
                              description=c.description, weight=c.weight,
                              comment_required=c.comment_required)
        version.criteria.append(criterion)
        db.session.flush()
        for lv_position, lv in enumerate([] if content.shared_scale else c.levels):
            criterion.levels.append(Level(version_id=version.id, position=lv_position,
                                          name=lv.name, descriptor=lv.descriptor,
                                          points=lv.points))
    db.session.flush()


def _clear_version(version: RubricVersion) -> None:
    for criterion in list(version.criteria):
        version.criteria.remove(criterion)
    for level in list(version.scale):
        version.scale.remove(level)
    db.session.flush()


def _new_version(rubric: Rubric, by: Any) -> RubricVersion:
    number = (db.session.scalar(
        select(func.max(RubricVersion.number)).where(RubricVersion.rubric_id == rubric.id)
    ) or 0) + 1
    version = RubricVersion(rubric=rubric, number=number, status="draft",
                            created_by_id=_actor_id(by), created_at=utcnow(), change_note="")
    db.session.add(version)
    db.session.flush()
    return version


def _summary(version: RubricVersion) -> dict[str, Any]:
    return {"rubric_id": version.rubric_id, "number": version.number, "status": version.status,
            "criteria": len(version.criteria)}


# ---------------------------------------------------------------- rubrics


def create_rubric(*, title: str, description: str = "", owner: Any = None, by: Any = None,
                  content: VersionContent | None = None) -> Rubric:
    """A new rubric with a draft version 1 (empty, or holding ``content``)."""
    _check(check_title(title), "title")
    _check(check_text(description, "description"), "description")
    rubric = Rubric(title=_clean(title), description=_clean(description),
                    owner_id=_actor_id(owner), status="draft")
    db.session.add(rubric)
    db.session.flush()
    version = _new_version(rubric, by)
    fill_version(version, content or VersionContent())
    audit.record("rubric.created", obj=rubric,
                 after={"title": rubric.title, "version_id": version.id,
                        "criteria": len(version.criteria)})
    return rubric


def update_rubric(rubric: Rubric, *, title: str, description: str, owner: Any = ...) -> Rubric:
    """Title, description and owner belong to the rubric, not to a version: they may change
    while versions are pinned (an assessor's criteria and levels never do)."""
    _check(check_title(title), "title")
    _check(check_text(description, "description"), "description")
    before = {"title": rubric.title, "description": rubric.description,
              "owner_id": rubric.owner_id}
    rubric.title = _clean(title)
    rubric.description = _clean(description)
    if owner is not ...:
        rubric.owner_id = _actor_id(owner)
    after = {"title": rubric.title, "description": rubric.description,
             "owner_id": rubric.owner_id}
    db.session.flush()
    if after != before:
        audit.record("rubric.updated", obj=rubric, before=before, after=after)
    return rubric


def latest_published(rubric: Rubric) -> RubricVersion | None:
    published = [v for v in rubric.versions if v.status == "published"]
    return published[-1] if published else None


def draft_of(rubric: Rubric) -> RubricVersion | None:
    return next((v for v in rubric.versions if v.status == "draft"), None)


def publish(version: RubricVersion, *, by: Any = None) -> RubricVersion:
    """Make a draft the rubric's current version. Earlier versions, and every checkpoint and
    decision that uses them, are untouched."""
    ensure_editable(version)
    problems = publish_problems(content_of(version))
    if problems:
        raise PublishError(problems)
    version.status = "published"
    version.published_at = utcnow()
    version.rubric.status = "published"
    db.session.flush()
    audit.record("rubric_version.published", obj=version, after=_summary(version))
    return version


def new_draft(rubric: Rubric, *, by: Any = None, change_note: str = "") -> RubricVersion:
    """A new draft version copied from the latest published one."""
    if rubric.status == "archived":
        raise RubricError(f"“{rubric.title}” is archived: restore it before editing.")
    existing = draft_of(rubric)
    if existing is not None:
        raise RubricError(f"Version {existing.number} is already a draft: edit that one.")
    source = latest_published(rubric)
    if source is None:
        raise RubricError("This rubric has no published version to start from.")
    content = content_of(source)
    content.change_note = _clean(change_note)
    version = _new_version(rubric, by)
    fill_version(version, content)
    audit.record("rubric_version.drafted", obj=version,
                 after={**_summary(version), "copied_from": source.id})
    return version


def discard_draft(version: RubricVersion) -> Rubric:
    """Throw a draft away (not version 1: archive the rubric instead)."""
    ensure_editable(version)
    rubric = version.rubric
    if not any(v.status == "published" for v in rubric.versions if v is not version):
        raise RubricError("This is the rubric's only version: archive the rubric instead.")
    summary, version_id = _summary(version), version.id
    rubric.versions.remove(version)
    db.session.flush()
    audit.record("rubric_version.discarded", object_type="rubric_version",
                 object_id=version_id, before=summary)
    return rubric


def duplicate_rubric(rubric: Rubric, *, by: Any = None, title: str | None = None) -> Rubric:
    """A new rubric (draft version 1) from this rubric's draft or latest version, with its
    comment bank."""
    source = draft_of(rubric) or latest_published(rubric) or rubric.versions[-1]
    content = content_of(source)
    content.change_note = f"Copied from “{rubric.title}” version {source.number}."
    copy = Rubric(title=_clean(title) or f"Copy of {rubric.title}"[:200],
                  description=rubric.description, owner_id=_actor_id(by) or rubric.owner_id,
                  status="draft")
    db.session.add(copy)
    db.session.flush()
    version = _new_version(copy, by)
    fill_version(version, content)
    for snippet in db.session.scalars(
        select(CommentSnippet).where(CommentSnippet.rubric_id == rubric.id)
    ):
        db.session.add(CommentSnippet(rubric_id=copy.id, criterion_key=snippet.criterion_key,
                                      text=snippet.text, created_by_id=snippet.created_by_id))
    db.session.flush()
    audit.record("rubric.duplicated", obj=copy,
                 after={"title": copy.title, "from_rubric_id": rubric.id,
                        "from_version_id": source.id})
    return copy


def archive(rubric: Rubric, *, reason: str | None = None) -> Rubric:
    """Hide a rubric from new checkpoints. Pinned versions keep working for existing ones."""
    if rubric.status == "archived":
        return rubric
    before = rubric.status
    rubric.status = "archived"
    db.session.flush()
    audit.record("rubric.archived", obj=rubric, before={"status": before},
                 after={"status": "archived"}, reason=reason)
    return rubric


def restore(rubric: Rubric) -> Rubric:
    if rubric.status != "archived":
        return rubric
    rubric.status = "published" if latest_published(rubric) else "draft"
    db.session.flush()
    audit.record("rubric.restored", obj=rubric, before={"status": "archived"},
                 after={"status": rubric.status})
    return rubric


def pin_version(version: RubricVersion) -> RubricVersion:
    """Mark a published version as in use (checkpoint authoring and decisions call this):
    from now on it can never change. Pinning twice is harmless; of two concurrent first pins
    exactly one sets ``pinned_at`` and records the event (a conditional UPDATE)."""
    if version.status != "published":
        raise RubricError(f"Version {version.number} of “{version.rubric.title}” is a draft: "
                          "only a published version can be used by a checkpoint.")
    if version.pinned_at is not None:
        return version
    result = db.session.execute(
        update(RubricVersion)
        .where(RubricVersion.id == version.id, RubricVersion.pinned_at.is_(None),
               RubricVersion.status == "published")
        .values(pinned_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(version, ["pinned_at", "status"])
    if result.rowcount == 1:  # type: ignore[attr-defined]
        audit.record("rubric_version.pinned", obj=version, after=_summary(version))
    elif version.status != "published":
        raise RubricError(f"Version {version.number} of “{version.rubric.title}” is a draft: "
                          "only a published version can be used by a checkpoint.")
    return version


# ---------------------------------------------------------------- version settings


def update_version_settings(version: RubricVersion, *, pass_min_position: int | None,
                            pass_min_points: Decimal | None,
                            pass_combine: str = "all",  # noqa: S107 (a rule)
                            change_note: str = "") -> RubricVersion:
    ensure_editable(version)
    if pass_combine not in PASS_COMBINE:
        raise RubricError("Choose how the two parts of the pass rule combine.", "pass_combine")
    if pass_min_position is not None and pass_min_position < 0:
        raise RubricError("Choose a pass level from the list.", "pass_min_position")
    if pass_min_points is not None and (not pass_min_points.is_finite() or pass_min_points < 0):
        raise RubricError("The pass mark must be a number of points, 0 or more.",
                          "pass_min_points")
    _check(check_text(change_note, "change note"), "change_note")
    before = _settings(version)
    version.pass_min_position = pass_min_position
    version.pass_min_points = pass_min_points
    version.pass_combine = pass_combine
    version.change_note = _clean(change_note)
    db.session.flush()
    after = _settings(version)
    if after != before:
        audit.record("rubric_version.updated", obj=version, before=before, after=after)
    return version


def _settings(version: RubricVersion) -> dict[str, Any]:
    return {"pass_min_position": version.pass_min_position,
            "pass_min_points": (None if version.pass_min_points is None
                                else str(version.pass_min_points)),
            "pass_combine": version.pass_combine, "change_note": version.change_note,
            "shared_scale": version.shared_scale}


def set_scale_mode(version: RubricVersion, shared: bool) -> RubricVersion:
    """Switch between one shared scale and levels per criterion, keeping the levels: going
    per-criterion copies the scale into every criterion; going shared keeps the first
    criterion's levels as the scale."""
    ensure_editable(version)
    if bool(version.shared_scale) == shared:
        return version
    before = _settings(version)
    content = content_of(version)
    if shared:
        first = content.criteria[0].levels if content.criteria else []
        content.scale = list(first)
        for c in content.criteria:
            c.levels = []
    else:
        for c in content.criteria:
            c.levels = list(content.scale)
        content.scale = []
    content.shared_scale = shared
    _clear_version(version)
    fill_version(version, content)
    audit.record("rubric_version.updated", obj=version, before=before, after=_settings(version))
    return version


# ---------------------------------------------------------------- import


def import_as_new_rubric(content: VersionContent, *, title: str, description: str = "",
                         owner: Any = None, by: Any = None) -> Rubric:
    """A new rubric whose draft version 1 holds the imported content."""
    _check(check_title(title), "title")
    rubric = Rubric(title=_clean(title), description=_clean(description),
                    owner_id=_actor_id(owner), status="draft")
    db.session.add(rubric)
    db.session.flush()
    version = _new_version(rubric, by)
    fill_version(version, content)
    audit.record("rubric.imported", obj=rubric,
                 after={"title": rubric.title, "version_id": version.id,
                        "criteria": len(version.criteria)})
    return rubric


def import_into_rubric(rubric: Rubric, content: VersionContent, *,
                       by: Any = None) -> RubricVersion:
    """Put imported content into the rubric's draft (replacing what it held), or into a new
    draft when there is none. Published versions are never touched."""
    version = draft_of(rubric)
    if version is None:
        if rubric.status == "archived":
            raise RubricError(f"“{rubric.title}” is archived: restore it before importing.")
        version = _new_version(rubric, by)
    else:
        ensure_editable(version)
        _clear_version(version)
    fill_version(version, content)
    audit.record("rubric_version.imported", obj=version, after=_summary(version))
    return version
