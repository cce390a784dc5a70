"""What changed between two versions of a rubric: criteria (matched by their stable key),
levels (matched by position), the scale mode and the pass rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rubrics.content import CriterionContent, LevelContent, VersionContent, content_of
from rubrics.scoring import format_points


@dataclass(frozen=True)
class Change:
    #: added | removed | changed | moved
    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


def _content(version: Any) -> VersionContent:
    return version if isinstance(version, VersionContent) else content_of(version)


def _points(value: Any) -> str:
    return "none" if value is None else format_points(value)


def _level_changes(subject: str, old: list[LevelContent],
                   new: list[LevelContent]) -> list[Change]:
    changes = []
    for position in range(max(len(old), len(new))):
        before = old[position] if position < len(old) else None
        after = new[position] if position < len(new) else None
        if before is None and after is not None:
            changes.append(Change("added", subject, f"level “{after.name}” added "
                                                    f"({_points(after.points)} points)."))
        elif after is None and before is not None:
            changes.append(Change("removed", subject, f"level “{before.name}” removed."))
        elif before is not None and after is not None:
            label = f"level {position + 1} “{after.name}”"
            if before.name != after.name:
                changes.append(Change("changed", subject, f"level {position + 1} renamed from "
                                                          f"“{before.name}” to “{after.name}”."))
            if before.points != after.points:
                changes.append(Change("changed", subject,
                                      f"{label}: points {_points(before.points)} → "
                                      f"{_points(after.points)}."))
            if before.descriptor != after.descriptor:
                changes.append(Change("changed", subject, f"{label}: descriptor reworded."))
    return changes


def _criterion_changes(old: CriterionContent, new: CriterionContent) -> list[Change]:
    subject = f"Criterion “{new.title}”"
    changes = []
    if old.title != new.title:
        changes.append(Change("changed", subject, f"renamed from “{old.title}”."))
    if old.description != new.description:
        changes.append(Change("changed", subject, "description reworded."))
    if old.weight != new.weight:
        changes.append(Change("changed", subject, f"weight {_points(old.weight)} → "
                                                  f"{_points(new.weight)}."))
    if old.comment_required != new.comment_required:
        changes.append(Change("changed", subject, "a comment is now required."
                              if new.comment_required else "a comment is no longer required."))
    return changes


def diff_versions(old: Any, new: Any) -> list[Change]:
    """Every difference from ``old`` to ``new`` (RubricVersions or VersionContents)."""
    a, b = _content(old), _content(new)
    changes: list[Change] = []
    old_by_key = {c.key: c for c in a.criteria}
    new_keys = {c.key for c in b.criteria}
    for c in a.criteria:
        if c.key not in new_keys:
            changes.append(Change("removed", f"Criterion “{c.title}”", "removed."))
    kept_old_order = [c.key for c in a.criteria if c.key in new_keys]
    kept_new_order = [c.key for c in b.criteria if c.key in old_by_key]
    for c in b.criteria:
        before = old_by_key.get(c.key)
        if before is None:
            changes.append(Change("added", f"Criterion “{c.title}”",
                                  f"added at position {b.criteria.index(c) + 1}."))
            continue
        changes.extend(_criterion_changes(before, c))
        if kept_old_order.index(c.key) != kept_new_order.index(c.key):
            changes.append(Change("moved", f"Criterion “{c.title}”",
                                  f"moved from position {a.criteria.index(before) + 1} to "
                                  f"{b.criteria.index(c) + 1}."))
        if not (a.shared_scale and b.shared_scale):
            changes.extend(_level_changes(f"Criterion “{c.title}”", a.levels_of(before),
                                          b.levels_of(c)))
    if a.shared_scale != b.shared_scale:
        changes.append(Change("changed", "Scale",
                              "every criterion now shares one scale." if b.shared_scale
                              else "each criterion now has its own levels."))
    elif b.shared_scale:
        changes.extend(_level_changes("Shared scale", a.scale, b.scale))
    changes.extend(_rule_changes(a, b))
    return changes


def _rule_level(content: VersionContent) -> str:
    position = content.pass_min_position
    if position is None:
        return "no level"
    if content.shared_scale and position < len(content.scale):
        return f"“{content.scale[position].name}”"
    return f"level {position + 1}"


def _rule_changes(a: VersionContent, b: VersionContent) -> list[Change]:
    changes = []
    if _rule_level(a) != _rule_level(b):
        changes.append(Change("changed", "Pass rule", f"every criterion at or above "
                                                      f"{_rule_level(a)} → {_rule_level(b)}."))
    if a.pass_min_points != b.pass_min_points:
        changes.append(Change("changed", "Pass rule", f"pass mark {_points(a.pass_min_points)} → "
                                                      f"{_points(b.pass_min_points)}."))
    if a.pass_combine != b.pass_combine and a.pass_min_position is not None \
            and b.pass_min_points is not None:
        changes.append(Change("changed", "Pass rule",
                              "either part is now enough." if b.pass_combine == "any"  # noqa: S105
                              else "both parts are now needed."))
    return changes
