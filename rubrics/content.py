"""A version's content as plain data: what copying, import/export, history and the demo share.

:func:`content_of` reads a RubricVersion into a :class:`VersionContent`; operations write one
back (``rubrics.operations.fill_version``). Two versions with equal content are the same rubric
to an assessor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rubrics.models import new_criterion_key

TITLE_MAX = 200
LEVEL_NAME_MAX = 80
TEXT_MAX = 5000
POINTS_MAX = Decimal("999999.99")
WEIGHT_MAX = Decimal("9999.99")


@dataclass
class LevelContent:
    name: str
    points: Decimal
    descriptor: str = ""


@dataclass
class CriterionContent:
    title: str
    description: str = ""
    weight: Decimal | None = None
    comment_required: bool = False
    key: str = field(default_factory=new_criterion_key)
    #: its own levels (empty when the version shares one scale)
    levels: list[LevelContent] = field(default_factory=list)


@dataclass
class VersionContent:
    criteria: list[CriterionContent] = field(default_factory=list)
    shared_scale: bool = True
    scale: list[LevelContent] = field(default_factory=list)
    pass_min_position: int | None = None
    pass_min_points: Decimal | None = None
    pass_combine: str = "all"  # noqa: S105 (a rule, not a password)
    change_note: str = ""

    def levels_of(self, criterion: CriterionContent) -> list[LevelContent]:
        return self.scale if self.shared_scale else criterion.levels


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def content_of(version: Any) -> VersionContent:
    def level(lv: Any) -> LevelContent:
        return LevelContent(lv.name, _decimal(lv.points) or Decimal("0.00"), lv.descriptor or "")

    return VersionContent(
        criteria=[
            CriterionContent(
                title=c.title, description=c.description or "", weight=_decimal(c.weight),
                comment_required=bool(c.comment_required), key=c.key,
                levels=[] if version.shared_scale else [level(lv) for lv in c.levels],
            )
            for c in version.criteria
        ],
        shared_scale=bool(version.shared_scale),
        scale=[level(lv) for lv in version.scale] if version.shared_scale else [],
        pass_min_position=version.pass_min_position,
        pass_min_points=_decimal(version.pass_min_points),
        pass_combine=version.pass_combine or "all",
        change_note=version.change_note or "",
    )


# ---------------------------------------------------------------- checks shared by the builder
# and the importers; each returns a message fit to show, or None.


def check_title(title: str, what: str = "title") -> str | None:
    if not title.strip():
        return f"Enter a {what}."
    if len(title.strip()) > TITLE_MAX:
        return f"The {what} is longer than {TITLE_MAX} characters."
    return None


def check_level_name(name: str) -> str | None:
    if not name.strip():
        return "Enter a level name, such as “Meets”."
    if len(name.strip()) > LEVEL_NAME_MAX:
        return f"The level name is longer than {LEVEL_NAME_MAX} characters."
    return None


def check_text(text: str, what: str) -> str | None:
    if len(text) > TEXT_MAX:
        return f"The {what} is longer than {TEXT_MAX} characters."
    return None


def check_points(points: Decimal | None) -> str | None:
    if points is None or not points.is_finite():
        return "Points must be a number, such as 2 or 2.5."
    if points < 0 or points > POINTS_MAX:
        return f"Points must be between 0 and {POINTS_MAX.normalize():f}."
    if points != points.quantize(Decimal("0.01")):
        return "Points may have at most two decimal places."
    return None


def check_weight(weight: Decimal | None) -> str | None:
    if weight is None:
        return None
    if not weight.is_finite() or weight <= 0 or weight > WEIGHT_MAX:
        return f"A weight must be a number above 0 and at most {WEIGHT_MAX.normalize():f}."
    if weight != weight.quantize(Decimal("0.01")):
        return "A weight may have at most two decimal places."
    return None


def publish_problems(content: VersionContent) -> list[str]:
    """What stops a version being published (empty: it may be published)."""
    problems = []
    if not content.criteria:
        problems.append("Add at least one criterion.")
    if content.shared_scale:
        if len(content.scale) < 2:
            problems.append("The shared scale needs at least two levels.")
    else:
        for c in content.criteria:
            if len(c.levels) < 2:
                problems.append(f"“{c.title}” needs at least two levels.")
    if content.pass_min_position is None and content.pass_min_points is None:
        problems.append("Set a pass rule: a level every criterion must reach, a pass mark for "
                        "the total, or both.")
    if content.pass_min_position is not None and content.criteria:
        short = [c.title for c in content.criteria
                 if content.pass_min_position >= len(content.levels_of(c))]
        if short:
            problems.append("The pass level is above the top level of "
                            + ", ".join(f"“{t}”" for t in short) + ".")
    if content.pass_min_points is not None and content.criteria:
        best = sum(
            (max((lv.points for lv in content.levels_of(c)), default=Decimal(0))
             * (c.weight if c.weight is not None else Decimal(1)))
            for c in content.criteria
        )
        if content.pass_min_points > best:
            problems.append(f"The pass mark ({content.pass_min_points.normalize():f}) is above "
                            f"the highest possible total ({Decimal(best).normalize():f}).")
    return problems
