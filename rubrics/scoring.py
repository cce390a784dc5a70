"""Scoring and the full-assessment check: pure functions over plain data.

``version`` is a :class:`~rubrics.models.RubricVersion` or a :class:`VersionSpec` (a plain,
immutable snapshot; :func:`spec_of` makes one). ``assessment`` is an :class:`Assessment` or a
plain mapping::

    {"criteria": {criterion_id: {"level_id": 12, "comment": "..."}, ...},
     "feedback": "overall feedback"}

(``{criterion_id: {...}, ..., "feedback": "..."}`` is accepted too). Nothing here touches the
database, so approvals, spot-checks and tests can call these freely.

Form fields: the rubric grid (templates/rubrics/_grid.html) names its inputs
``<prefix>c<criterion_id>-level``, ``<prefix>c<criterion_id>-comment`` and ``<prefix>feedback``;
:meth:`Assessment.from_form` reads them back and :attr:`Missing.field` uses the same names
(without the prefix) so an error summary can link to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

DEFAULT_MIN_FEEDBACK_CHARS = 40


# ---------------------------------------------------------------- plain snapshots


@dataclass(frozen=True)
class LevelSpec:
    id: int
    name: str
    points: Decimal
    descriptor: str = ""
    #: 0 = lowest, contiguous within the criterion's scale
    position: int = 0


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    title: str
    levels: tuple[LevelSpec, ...]
    comment_required: bool = False
    weight: Decimal | None = None
    description: str = ""
    key: str = ""

    @property
    def factor(self) -> Decimal:
        return Decimal(1) if self.weight is None else Decimal(self.weight)

    def level(self, level_id: int | None) -> LevelSpec | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)


@dataclass(frozen=True)
class VersionSpec:
    criteria: tuple[CriterionSpec, ...]
    pass_min_position: int | None = None
    pass_min_points: Decimal | None = None
    pass_combine: str = "all"  # noqa: S105 (a rule, not a password)
    id: int | None = None

    @property
    def has_pass_rule(self) -> bool:
        return self.pass_min_position is not None or self.pass_min_points is not None


def spec_of(version: Any) -> VersionSpec:
    """A plain snapshot of a RubricVersion (a VersionSpec is returned as it is)."""
    if isinstance(version, VersionSpec):
        return version
    criteria = []
    for criterion in version.criteria:
        levels = tuple(
            LevelSpec(id=lv.id, name=lv.name, points=Decimal(lv.points or 0),
                      descriptor=lv.descriptor or "", position=index)
            for index, lv in enumerate(version.levels_for(criterion))
        )
        criteria.append(CriterionSpec(
            id=criterion.id, title=criterion.title, levels=levels,
            comment_required=bool(criterion.comment_required),
            weight=None if criterion.weight is None else Decimal(criterion.weight),
            description=criterion.description or "", key=criterion.key or "",
        ))
    return VersionSpec(
        criteria=tuple(criteria), pass_min_position=version.pass_min_position,
        pass_min_points=(None if version.pass_min_points is None
                         else Decimal(version.pass_min_points)),
        pass_combine=version.pass_combine or "all", id=version.id,
    )


# ---------------------------------------------------------------- the assessment


@dataclass(frozen=True)
class Answer:
    """What the assessor chose for one criterion. ``level_id`` keeps what was sent (an id,
    ``None`` when nothing was chosen, or an unreadable value that is then reported)."""

    level_id: Any = None
    comment: str = ""


@dataclass(frozen=True)
class Assessment:
    criteria: Mapping[int, Answer] = field(default_factory=dict)
    feedback: str = ""

    @classmethod
    def coerce(cls, value: Any) -> Assessment:
        """An Assessment from an Assessment or a plain mapping (see the module docstring)."""
        if isinstance(value, Assessment):
            return value
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise TypeError(f"an assessment is a mapping, not {type(value).__name__}")
        raw = value.get("criteria")
        if raw is None:
            raw = {k: v for k, v in value.items() if k != "feedback"}
        answers: dict[int, Answer] = {}
        for key, answer in raw.items():
            cid = _as_int(key)
            if cid is None:
                raise ValueError(f"criterion id {key!r} is not a number")
            if isinstance(answer, Answer):
                answers[cid] = answer
            elif isinstance(answer, Mapping):
                answers[cid] = Answer(answer.get("level_id"), str(answer.get("comment") or ""))
            else:  # a bare level id
                answers[cid] = Answer(answer, "")
        return cls(answers, str(value.get("feedback") or ""))

    @classmethod
    def from_form(cls, version: Any, form: Mapping[str, Any], prefix: str = "") -> Assessment:
        """Read the grid's fields back (``form`` is ``request.form`` or any mapping)."""
        spec = spec_of(version)
        answers = {}
        for criterion in spec.criteria:
            names = field_names(criterion.id, prefix)
            level = form.get(names["level"]) or None
            answers[criterion.id] = Answer(level, str(form.get(names["comment"]) or ""))
        return cls(answers, str(form.get(prefix + "feedback") or ""))

    def answer(self, criterion_id: int) -> Answer:
        return self.criteria.get(criterion_id) or Answer()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready) in the shape :meth:`coerce` accepts."""
        return {
            "criteria": {str(cid): {"level_id": _as_int(a.level_id), "comment": a.comment}
                         for cid, a in sorted(self.criteria.items())},
            "feedback": self.feedback,
        }


def field_names(criterion_id: int, prefix: str = "") -> dict[str, str]:
    base = f"{prefix}c{criterion_id}"
    return {"level": f"{base}-level", "comment": f"{base}-comment"}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def feedback_length(text: str) -> int:
    """Characters of feedback that count: runs of white space count once, ends not at all."""
    return len(" ".join((text or "").split()))


# ---------------------------------------------------------------- the full-assessment check


@dataclass(frozen=True)
class Missing:
    """One missing or wrong piece of an assessment."""

    #: unscored | invalid_level | comment_required | feedback_short | unknown_criterion
    kind: str
    message: str
    #: the grid's field name without prefix ("c12-level", "c12-comment", "feedback"; "" if none)
    field: str = ""
    criterion_id: int | None = None


def missing_pieces(version: Any, assessment: Any,
                   min_feedback_chars: int = DEFAULT_MIN_FEEDBACK_CHARS) -> list[Missing]:
    """Every missing piece, in the order the grid shows them; empty when the assessment is
    complete."""
    spec = spec_of(version)
    data = Assessment.coerce(assessment)
    problems: list[Missing] = []
    known = set()
    for criterion in spec.criteria:
        known.add(criterion.id)
        answer = data.answer(criterion.id)
        names = field_names(criterion.id)
        if _blank(answer.level_id):
            problems.append(Missing("unscored", f"Choose a level for “{criterion.title}”.",
                                    names["level"], criterion.id))
        elif criterion.level(_as_int(answer.level_id)) is None:
            problems.append(Missing(
                "invalid_level",
                f"The level chosen for “{criterion.title}” is not one of its levels: "
                "choose one of the levels shown.", names["level"], criterion.id))
        if criterion.comment_required and _blank(answer.comment):
            problems.append(Missing("comment_required",
                                    f"Write a comment for “{criterion.title}” (required).",
                                    names["comment"], criterion.id))
    for cid, answer in data.criteria.items():
        if cid not in known and not (_blank(answer.level_id) and _blank(answer.comment)):
            problems.append(Missing(
                "unknown_criterion",
                "The assessment answers a criterion that is not in this version of the rubric "
                "(the rubric may have changed since the page was opened).", "", cid))
    length = feedback_length(data.feedback)
    if length < min_feedback_chars:
        written = "none" if length == 0 else f"{length} character{'s' if length != 1 else ''}"
        problems.append(Missing(
            "feedback_short",
            f"Write overall feedback of at least {min_feedback_chars} characters "
            f"(so far: {written}).", "feedback"))
    return problems


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: int
    title: str
    level_id: int | None
    level_name: str | None
    position: int | None
    points: Decimal | None
    weighted_points: Decimal | None
    max_points: Decimal
    #: the name of this criterion's pass level (None when the rule has no level part)
    pass_level_name: str | None
    #: True/False against the pass level; None when unscored or the rule has no level part
    meets_pass_level: bool | None


@dataclass(frozen=True)
class ScoreResult:
    #: the sum of the chosen levels' points (unweighted)
    total: Decimal
    #: the sum of points x weight (weight 1 when unset); the pass mark compares with this
    weighted_total: Decimal
    max_total: Decimal
    max_weighted_total: Decimal
    criteria: tuple[CriterionResult, ...]
    #: every criterion has a level that belongs to it
    scored_all: bool
    #: True pass, False fail, None undecided (not fully scored, or no pass rule)
    passed: bool | None
    reasons: tuple[str, ...]

    @property
    def weighted(self) -> bool:
        return self.weighted_total != self.total or self.max_weighted_total != self.max_total

    @property
    def suggested_outcome(self) -> str | None:
        """"approve", "request_changes" or None (no suggestion yet)."""
        if self.passed is None:
            return None
        return "approve" if self.passed else "request_changes"

    @property
    def below_pass_level(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if c.meets_pass_level is False)


def format_points(value: Decimal | int | float | None) -> str:
    """2 -> "2", 2.50 -> "2.5"; for people and for files."""
    if value is None:
        return ""
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def score(version: Any, assessment: Any) -> ScoreResult:
    """Total, per-criterion result and pass/fail with the reasons, for a (partial) assessment.

    The pass rule: every criterion at or above the level at ``pass_min_position`` and/or the
    weighted total at or above ``pass_min_points``; ``pass_combine`` "all" needs both parts
    that are set, "any" needs one. Until every criterion is scored the outcome is undecided.
    """
    spec = spec_of(version)
    data = Assessment.coerce(assessment)
    results = []
    total = weighted = max_total = max_weighted = Decimal(0)
    for criterion in spec.criteria:
        top = max((lv.points for lv in criterion.levels), default=Decimal(0))
        max_total += top
        max_weighted += top * criterion.factor
        pass_level = None
        if spec.pass_min_position is not None and spec.pass_min_position < len(criterion.levels):
            pass_level = criterion.levels[spec.pass_min_position]
        chosen = criterion.level(_as_int(data.answer(criterion.id).level_id))
        meets = None
        if chosen is not None:
            total += chosen.points
            weighted += chosen.points * criterion.factor
            if spec.pass_min_position is not None:
                meets = chosen.position >= spec.pass_min_position
        results.append(CriterionResult(
            criterion_id=criterion.id, title=criterion.title,
            level_id=chosen.id if chosen else None, level_name=chosen.name if chosen else None,
            position=chosen.position if chosen else None,
            points=chosen.points if chosen else None,
            weighted_points=chosen.points * criterion.factor if chosen else None,
            max_points=top, pass_level_name=pass_level.name if pass_level else None,
            meets_pass_level=meets,
        ))
    scored_all = all(r.level_id is not None for r in results)
    passed, reasons = _apply_rule(spec, results, weighted, scored_all)
    return ScoreResult(total=total, weighted_total=weighted, max_total=max_total,
                       max_weighted_total=max_weighted, criteria=tuple(results),
                       scored_all=scored_all, passed=passed, reasons=tuple(reasons))


def _apply_rule(spec: VersionSpec, results: list[CriterionResult], weighted: Decimal,
                scored_all: bool) -> tuple[bool | None, list[str]]:
    reasons: list[str] = []
    if not spec.has_pass_rule:
        return None, ["This version of the rubric has no pass rule: the assessor decides."]
    unscored = [r for r in results if r.level_id is None]
    if unscored:
        reasons.append(f"{_plural(len(unscored), 'criterion is', 'criteria are')} not scored "
                       "yet, so there is no suggested outcome.")
    parts: list[bool] = []
    if spec.pass_min_position is not None:
        below = [r for r in results if r.meets_pass_level is False]
        for r in below:
            target = f"“{r.pass_level_name}”" if r.pass_level_name else "the pass level"
            reasons.append(f"“{r.title}” is at “{r.level_name}”, below {target}.")
        if scored_all and not below:
            names = {r.pass_level_name for r in results}
            target = f"“{names.pop()}”" if len(names) == 1 else "its pass level"
            reasons.append(f"Every criterion is at or above {target}.")
        parts.append(scored_all and not below)
    if spec.pass_min_points is not None:
        mark = format_points(spec.pass_min_points)
        if scored_all:
            if weighted >= spec.pass_min_points:
                reasons.append(f"The total of {format_points(weighted)} points is at or above "
                               f"the pass mark of {mark}.")
            else:
                reasons.append(f"The total of {format_points(weighted)} points is below the "
                               f"pass mark of {mark}.")
        parts.append(scored_all and weighted >= spec.pass_min_points)
    if not scored_all:
        return None, reasons
    if len(parts) == 2 and spec.pass_combine == "any":  # noqa: S105
        if any(parts) and not all(parts):
            reasons.append("The rubric passes when either part of its rule holds.")
        return any(parts), reasons
    return all(parts), reasons


# ---------------------------------------------------------------- both together


@dataclass(frozen=True)
class Check:
    score: ScoreResult
    missing: tuple[Missing, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def check(version: Any, assessment: Any,
          min_feedback_chars: int = DEFAULT_MIN_FEEDBACK_CHARS) -> Check:
    """Score and full-assessment check in one call (the approval screen needs both)."""
    spec = spec_of(version)
    return Check(score(spec, assessment),
                 tuple(missing_pieces(spec, assessment, min_feedback_chars)))


def points_or_none(raw: Any) -> Decimal | None:
    """A points value from user input, or None when it is not a finite number."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None
