"""Scoring and the full-assessment check: table-driven cases and a property test.

Pure functions over plain data: no database here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubrics.scoring import (
    Assessment,
    CriterionSpec,
    LevelSpec,
    VersionSpec,
    check,
    feedback_length,
    format_points,
    missing_pieces,
    score,
)

FEEDBACK = "A clear, specific reflection that links the handover to patient safety."


def scale(first_id: int, points: tuple[str, ...] = ("0", "2", "3"),
          names: tuple[str, ...] = ("Not yet", "Meets", "Exceeds")) -> tuple[LevelSpec, ...]:
    return tuple(LevelSpec(id=first_id + i, name=n, points=Decimal(p), position=i)
                 for i, (n, p) in enumerate(zip(names, points, strict=True)))


# Three criteria sharing levels 1/2/3 (ids), criterion 11 needs a comment.
SHARED = scale(1)
RUBRIC = VersionSpec(
    criteria=(
        CriterionSpec(id=10, title="Structure", levels=SHARED),
        CriterionSpec(id=11, title="Safety", levels=SHARED, comment_required=True),
        CriterionSpec(id=12, title="Reflection", levels=SHARED),
    ),
    pass_min_position=1,
)


def answers(levels: dict[int, int | str | None], comments: dict[int, str] | None = None,
            feedback: str = FEEDBACK) -> dict:
    comments = comments or {}
    return {"criteria": {cid: {"level_id": lid, "comment": comments.get(cid, "")}
                         for cid, lid in levels.items()},
            "feedback": feedback}


FULL = answers({10: 2, 11: 3, 12: 2}, {11: "Used SBAR throughout."})

MISSING_CASES = [
    ("complete", FULL, []),
    ("nothing at all", {}, ["unscored", "unscored", "comment_required", "unscored",
                            "feedback_short"]),
    ("one unscored", answers({10: 2, 11: 3}, {11: "ok"}), ["unscored"]),
    ("blank level string", answers({10: "", 11: 3, 12: 2}, {11: "ok"}), ["unscored"]),
    ("required comment missing", answers({10: 2, 11: 3, 12: 2}), ["comment_required"]),
    ("required comment only spaces", answers({10: 2, 11: 3, 12: 2}, {11: "   \n "}),
     ["comment_required"]),
    ("feedback too short", answers({10: 2, 11: 3, 12: 2}, {11: "ok"}, feedback="Good."),
     ["feedback_short"]),
    ("feedback padded with spaces", answers({10: 2, 11: 3, 12: 2}, {11: "ok"},
                                            feedback="Good" + " " * 60 + "work."),
     ["feedback_short"]),
    ("level of another scale", answers({10: 99, 11: 3, 12: 2}, {11: "ok"}), ["invalid_level"]),
    ("level not a number", answers({10: "high", 11: 3, 12: 2}, {11: "ok"}), ["invalid_level"]),
    ("level id as digits is fine", answers({10: "2", 11: "3", 12: " 1 "}, {11: "ok"}), []),
    ("answer for an unknown criterion", {**FULL, "criteria": {**FULL["criteria"],
                                                              77: {"level_id": 1}}},
     ["unknown_criterion"]),
    ("empty answer for an unknown criterion is ignored",
     {**FULL, "criteria": {**FULL["criteria"], 77: {"level_id": None, "comment": ""}}}, []),
]


@pytest.mark.parametrize(("name", "assessment", "kinds"), MISSING_CASES,
                         ids=[c[0] for c in MISSING_CASES])
def test_missing_pieces(name, assessment, kinds):
    found = missing_pieces(RUBRIC, assessment)
    assert [m.kind for m in found] == kinds
    assert all(m.message for m in found)


def test_missing_pieces_name_the_fields_the_grid_uses():
    found = missing_pieces(RUBRIC, {"criteria": {10: {"level_id": 999}}, "feedback": ""})
    assert [(m.kind, m.field, m.criterion_id) for m in found] == [
        ("invalid_level", "c10-level", 10), ("unscored", "c11-level", 11),
        ("comment_required", "c11-comment", 11), ("unscored", "c12-level", 12),
        ("feedback_short", "feedback", None)]
    assert "“Structure”" in found[0].message
    assert "at least 40 characters (so far: none)" in found[-1].message


@pytest.mark.parametrize(("text", "minimum", "short"), [
    ("x" * 39, 40, True), ("x" * 40, 40, False), ("", 0, False), ("  " + "x" * 40, 40, False),
    ("word " * 4, 20, True), ("abc", 3, False),
])
def test_minimum_feedback_length_is_a_parameter(text, minimum, short):
    assessment = {**FULL, "feedback": text}
    kinds = [m.kind for m in missing_pieces(RUBRIC, assessment, min_feedback_chars=minimum)]
    assert ("feedback_short" in kinds) is short


SCORE_CASES = [
    # name, pass rule (position, points, combine), levels chosen, total, passed
    ("all meet", (1, None, "all"), {10: 2, 11: 2, 12: 2}, "6", True),
    ("one below the level", (1, None, "all"), {10: 1, 11: 3, 12: 3}, "6", False),
    ("points only, at the mark", (None, "6", "all"), {10: 1, 11: 3, 12: 3}, "6", True),
    ("points only, below the mark", (None, "7", "all"), {10: 2, 11: 2, 12: 2}, "6", False),
    ("both needed, level fails", (1, "5", "all"), {10: 1, 11: 3, 12: 3}, "6", False),
    ("both needed, both hold", (1, "5", "all"), {10: 2, 11: 3, 12: 2}, "7", True),
    ("either, level fails but points hold", (1, "5", "any"), {10: 1, 11: 3, 12: 3}, "6", True),
    ("either, both fail", (2, "9", "any"), {10: 1, 11: 2, 12: 2}, "4", False),
    ("not fully scored", (1, None, "all"), {10: 2, 11: 2}, "4", None),
    ("no pass rule", (None, None, "all"), {10: 2, 11: 2, 12: 2}, "6", None),
    ("all at the bottom", (0, None, "all"), {10: 1, 11: 1, 12: 1}, "0", True),
]


@pytest.mark.parametrize(("name", "rule", "levels", "total", "passed"), SCORE_CASES,
                         ids=[c[0] for c in SCORE_CASES])
def test_score(name, rule, levels, total, passed):
    position, points, combine = rule
    spec = VersionSpec(RUBRIC.criteria, pass_min_position=position,
                       pass_min_points=None if points is None else Decimal(points),
                       pass_combine=combine)
    result = score(spec, answers(levels))
    assert result.total == Decimal(total)
    assert result.passed is passed
    assert result.reasons
    assert result.suggested_outcome == {True: "approve", False: "request_changes",
                                        None: None}[passed]


def test_score_explains_itself():
    failing = score(RUBRIC, answers({10: 1, 11: 3, 12: 2}))
    assert failing.passed is False
    assert "“Structure” is at “Not yet”, below “Meets”." in failing.reasons
    assert [c.title for c in failing.below_pass_level] == ["Structure"]
    passing = score(RUBRIC, FULL)
    assert passing.reasons == ("Every criterion is at or above “Meets”.",)
    by_id = {c.criterion_id: c for c in passing.criteria}
    assert by_id[11].level_name == "Exceeds" and by_id[11].points == Decimal(3)
    assert by_id[11].meets_pass_level is True and by_id[11].pass_level_name == "Meets"
    assert passing.max_total == Decimal(9)
    marked = score(VersionSpec(RUBRIC.criteria, pass_min_points=Decimal("7.5")), FULL)
    assert marked.reasons == ("The total of 7 points is below the pass mark of 7.5.",)


def test_weights_count_towards_the_pass_mark_not_the_plain_total():
    weighted = VersionSpec(
        criteria=(CriterionSpec(10, "Structure", SHARED, weight=Decimal("2")),
                  CriterionSpec(11, "Safety", SHARED, weight=Decimal("0.5"))),
        pass_min_points=Decimal("5"))
    result = score(weighted, answers({10: 2, 11: 3}))  # 2 and 3 points
    assert result.total == Decimal(5)
    assert result.weighted_total == Decimal("5.5")  # 2*2 + 3*0.5
    assert result.max_weighted_total == Decimal("7.5")
    assert result.passed is True and result.weighted


def test_criteria_with_their_own_levels():
    spec = VersionSpec(
        criteria=(CriterionSpec(1, "Plan", scale(100, ("1", "4"), ("Partly", "Fully"))),
                  CriterionSpec(2, "Do", scale(200, ("0", "1", "5")))),
        pass_min_position=1)
    result = score(spec, answers({1: 101, 2: 201}))
    assert result.total == Decimal(5) and result.passed is True
    assert [c.pass_level_name for c in result.criteria] == ["Fully", "Meets"]
    # a level from the other criterion's list does not belong
    assert [m.kind for m in missing_pieces(spec, answers({1: 201, 2: 101}))] == [
        "invalid_level", "invalid_level"]


def test_assessment_shapes_and_form_round_trip():
    flat = {10: {"level_id": 2, "comment": ""}, "11": 3, 12: {"level_id": "2"},
            "feedback": FEEDBACK}
    assert score(RUBRIC, flat).total == Decimal(7)
    form = {"c10-level": "2", "c11-level": "3", "c11-comment": "Used SBAR.", "c12-level": "1",
            "feedback": FEEDBACK, "c99-level": "3"}
    parsed = Assessment.from_form(RUBRIC, form)
    assert parsed.criteria[11].comment == "Used SBAR." and set(parsed.criteria) == {10, 11, 12}
    assert missing_pieces(RUBRIC, parsed) == []
    assert Assessment.coerce(parsed.to_dict()) == Assessment.coerce(parsed.to_dict())
    assert score(RUBRIC, parsed.to_dict()).total == Decimal(5)
    prefixed = Assessment.from_form(RUBRIC, {f"ld-{k}": v for k, v in form.items()}, "ld-")
    assert prefixed == parsed


def test_format_points():
    assert [format_points(Decimal(v)) for v in ("2.00", "2.50", "10", "0.00", "1E+1")] == [
        "2", "2.5", "10", "0", "10"]
    assert feedback_length("  a \n\n b  ") == 3


# ---------------------------------------------------------------- the property


@st.composite
def rubric_and_assessment(draw):
    next_id = iter(range(1, 10_000))
    shared = draw(st.booleans())
    points = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False,
                         allow_infinity=False)

    def levels():
        n = draw(st.integers(min_value=1, max_value=5))
        return tuple(LevelSpec(id=next(next_id), name=f"L{i}", points=draw(points), position=i)
                     for i in range(n))

    common = levels() if shared else None
    criteria = tuple(
        CriterionSpec(id=next(next_id), title=f"C{i}", levels=common or levels(),
                      comment_required=draw(st.booleans()),
                      weight=draw(st.none() | st.decimals(min_value="0.5", max_value=3,
                                                         places=1)))
        for i in range(draw(st.integers(min_value=1, max_value=6)))
    )
    all_level_ids = [lv.id for c in criteria for lv in c.levels]
    spec = VersionSpec(criteria, pass_min_position=draw(st.none() | st.integers(0, 4)),
                       pass_min_points=draw(st.none() | points),
                       pass_combine=draw(st.sampled_from(["all", "any"])))
    comment = st.sampled_from(["", "  ", "\n", "Good use of SBAR.", "ok"])
    answer_map = {}
    for criterion in criteria:
        kind = draw(st.sampled_from(["none", "valid", "valid", "valid", "foreign", "junk"]))
        if kind == "none":
            if draw(st.booleans()):
                continue
            level = draw(st.sampled_from([None, "", "  "]))
        elif kind == "valid":
            level = draw(st.sampled_from([lv.id for lv in criterion.levels]))
            if draw(st.booleans()):
                level = str(level)
        elif kind == "foreign":
            others = [i for i in all_level_ids if i not in {lv.id for lv in criterion.levels}]
            level = draw(st.sampled_from(others)) if others else 99_999
        else:
            level = draw(st.sampled_from(["high", "-1", "1.5", 99_999]))
        answer_map[criterion.id] = {"level_id": level, "comment": draw(comment)}
    if draw(st.booleans()):
        answer_map[50_000] = {"level_id": draw(st.sampled_from([None, 1])),
                              "comment": draw(comment)}
    feedback = draw(st.text(alphabet="ab \n", max_size=80))
    minimum = draw(st.integers(min_value=0, max_value=60))
    return spec, {"criteria": answer_map, "feedback": feedback}, minimum


def _complete(spec: VersionSpec, assessment: dict, minimum: int) -> bool:
    """"Complete", said independently of the code under test."""
    answers_ = assessment["criteria"]
    for criterion in spec.criteria:
        answer = answers_.get(criterion.id, {})
        level = answer.get("level_id")
        valid_ids = {lv.id for lv in criterion.levels}
        if not (level in valid_ids or (isinstance(level, str) and level.isdigit()
                                       and int(level) in valid_ids)):
            return False
        if criterion.comment_required and not answer.get("comment", "").strip():
            return False
    known = {c.id for c in spec.criteria}
    for cid, answer in answers_.items():
        level = answer.get("level_id")
        if cid not in known and (level not in (None, "") or answer.get("comment", "").strip()):
            return False
    return len(" ".join(assessment["feedback"].split())) >= minimum


@settings(max_examples=400, deadline=None)
@given(rubric_and_assessment())
def test_complete_exactly_when_nothing_is_missing_and_totals_add_up(case):
    spec, assessment, minimum = case
    result = check(spec, assessment, minimum)
    assert result.complete is (not result.missing)
    assert result.complete is _complete(spec, assessment, minimum)

    chosen = []
    for criterion in spec.criteria:
        level = assessment["criteria"].get(criterion.id, {}).get("level_id")
        for lv in criterion.levels:
            if level == lv.id or (isinstance(level, str) and level.isdigit()
                                  and int(level) == lv.id):
                chosen.append((lv.points, criterion.weight))
    assert result.score.total == sum((p for p, _ in chosen), Decimal(0))
    assert result.score.weighted_total == sum(
        (p * (w if w is not None else 1) for p, w in chosen), Decimal(0))
    assert result.score.scored_all is (len(chosen) == len(spec.criteria))
    if not result.score.scored_all or not spec.has_pass_rule:
        assert result.score.passed is None
    else:
        assert result.score.passed in (True, False)
