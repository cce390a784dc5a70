"""A rubric version as JSON: everything an assessor sees, round-tripping exactly."""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from decimal import Decimal
from typing import Any

from rubrics.content import (
    CriterionContent,
    LevelContent,
    VersionContent,
    check_level_name,
    check_points,
    check_text,
    check_title,
    check_weight,
    content_of,
)
from rubrics.models import new_criterion_key
from rubrics.scoring import format_points
from rubrics.transfer.common import (
    KEY_PATTERN,
    MAX_CRITERIA,
    MAX_LEVELS,
    Imported,
    Problem,
    TransferError,
)
from rubrics.transfer.common import decimal_or_none as _decimal

FORMAT = "clearance.rubric"
FORMAT_VERSION = 1


class _Obj(dict):  # type: ignore[type-arg]
    line: int = 0


def _json_decoder(text: str) -> json.JSONDecoder:
    """A decoder that records the line each object starts on (for the error messages)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder(object_pairs_hook=_Obj, parse_float=Decimal)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        obj, end = json.decoder.JSONObject(s_and_end, *args)
        obj.line = bisect.bisect_right(starts, s_and_end[1] - 1)
        return obj, end

    decoder.parse_object = parse_object  # type: ignore[method-assign]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder


def parse_json(text: str) -> Imported:
    try:
        doc = _json_decoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise TransferError([Problem(exc.lineno, f"this is not valid JSON ({exc.msg}, "
                                                 f"column {exc.colno}).")]) from exc
    problems: list[Problem] = []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        line = getattr(doc, "line", 1)
        raise TransferError([Problem(line, f"this is not a Clearance rubric file (it needs "
                                           f"\"format\": \"{FORMAT}\").")])
    if doc.get("format_version") != FORMAT_VERSION:
        problems.append(Problem(doc.line, f"format_version {doc.get('format_version')!r} is "
                                          f"not one this version of Clearance reads "
                                          f"({FORMAT_VERSION})."))

    def text_field(obj: Any, key: str, what: str, *, required: bool = False) -> str:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(Problem(obj.line, f"{what} must be text."))
            return ""
        message = (check_title(value, what) if required else check_text(value, what))
        if message:
            problems.append(Problem(obj.line, message))
        return value.strip() if required else value

    def levels(items: Any, where: str, line: int) -> list[LevelContent]:
        if not isinstance(items, list):
            problems.append(Problem(line, f"{where}: levels must be a list."))
            return []
        if len(items) > MAX_LEVELS:
            problems.append(Problem(line, f"{where}: more than {MAX_LEVELS} levels."))
        out: list[LevelContent] = []
        seen: dict[str, int] = {}
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                problems.append(Problem(line, f"{where}, level {n}: must be an object."))
                continue
            name = text_field(item, "name", "level name")
            message = check_level_name(name)
            if message:
                problems.append(Problem(item.line, f"{where}, level {n}: {message}"))
            elif name.strip().casefold() in seen:
                problems.append(Problem(item.line, f"{where}: the level “{name.strip()}” "
                                                   f"appears twice (also on line "
                                                   f"{seen[name.strip().casefold()]})."))
            else:
                seen[name.strip().casefold()] = item.line
            points = _decimal(item.get("points"))
            message = check_points(points)
            if message:
                problems.append(Problem(item.line, f"{where}, level “{name}”: points "
                                                   f"{item.get('points')!r}: {message}"))
            out.append(LevelContent(name.strip(), (points or Decimal(0)).quantize(
                Decimal("0.01")), text_field(item, "descriptor", "descriptor")))
        return out

    title = text_field(doc, "title", "rubric title", required=True)
    description = text_field(doc, "description", "description")
    shared = doc.get("shared_scale", True)
    if not isinstance(shared, bool):
        problems.append(Problem(doc.line, "shared_scale must be true or false."))
        shared = True
    scale = levels(doc.get("scale", []), "the shared scale", doc.line) if shared else []
    criteria: list[CriterionContent] = []
    raw_criteria = doc.get("criteria", [])
    if not isinstance(raw_criteria, list):
        problems.append(Problem(doc.line, "criteria must be a list."))
        raw_criteria = []
    if len(raw_criteria) > MAX_CRITERIA:
        problems.append(Problem(doc.line, f"more than {MAX_CRITERIA} criteria."))
    titles: dict[str, int] = {}
    keys: set[str] = set()
    for n, item in enumerate(raw_criteria, 1):
        if not isinstance(item, dict):
            problems.append(Problem(doc.line, f"criterion {n} must be an object."))
            continue
        ctitle = text_field(item, "title", "criterion title", required=True)
        if ctitle and ctitle.casefold() in titles:
            problems.append(Problem(item.line, f"the criterion “{ctitle}” appears twice (also "
                                               f"on line {titles[ctitle.casefold()]})."))
        titles.setdefault(ctitle.casefold(), item.line)
        key = item.get("key") or new_criterion_key()
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key) \
                or key in keys:
            problems.append(Problem(item.line, f"criterion “{ctitle}”: key {key!r} must be "
                                               "unique letters and digits (at most 32)."))
        keys.add(str(key))
        weight = item.get("weight")
        weight_value = None if weight is None else _decimal(weight)
        message = ("weight must be a number or null." if weight is not None
                   and weight_value is None else check_weight(weight_value))
        if message:
            problems.append(Problem(item.line, f"criterion “{ctitle}”: {message}"))
        required = item.get("comment_required", False)
        if not isinstance(required, bool):
            problems.append(Problem(item.line, f"criterion “{ctitle}”: comment_required must "
                                               "be true or false."))
        criteria.append(CriterionContent(
            title=ctitle, description=text_field(item, "description", "description"),
            weight=None if weight_value is None else weight_value.quantize(Decimal("0.01")),
            comment_required=required is True, key=str(key),
            levels=[] if shared else levels(item.get("levels", []), f"“{ctitle}”", item.line),
        ))
    rule = doc.get("pass_rule") or _Obj()
    if not isinstance(rule, dict):
        problems.append(Problem(doc.line, "pass_rule must be an object."))
        rule = _Obj()
    position = rule.get("min_level_position")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)
                                 or position < 0):
        problems.append(Problem(rule.line or doc.line,
                                "pass_rule.min_level_position must be a whole number from 0."))
        position = None
    min_points = rule.get("min_points")
    min_value = None if min_points is None else _decimal(min_points)
    if min_points is not None and (min_value is None or min_value < 0):
        problems.append(Problem(rule.line or doc.line,
                                "pass_rule.min_points must be a number of points or null."))
    combine = rule.get("combine", "all")
    if combine not in ("all", "any"):
        problems.append(Problem(rule.line or doc.line,
                                "pass_rule.combine must be \"all\" or \"any\"."))
    if problems:
        raise TransferError(problems)
    content = VersionContent(
        criteria=criteria, shared_scale=shared, scale=scale, pass_min_position=position,
        pass_min_points=None if min_value is None else min_value.quantize(Decimal("0.01")),
        pass_combine=combine, change_note=text_field(doc, "change_note", "change note"))
    return Imported(content, title, description)


def _json_level(lv: LevelContent) -> dict[str, Any]:
    return {"name": lv.name, "descriptor": lv.descriptor, "points": format_points(lv.points)}


def export_json(version: Any) -> str:
    """The version as JSON; importing it and exporting again gives the same text."""
    content = content_of(version)
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": version.rubric.title,
        "description": version.rubric.description or "",
        "shared_scale": content.shared_scale,
        "scale": [_json_level(lv) for lv in content.scale],
        "criteria": [
            {"key": c.key, "title": c.title, "description": c.description,
             "weight": None if c.weight is None else format_points(c.weight),
             "comment_required": c.comment_required,
             "levels": [_json_level(lv) for lv in c.levels]}
            for c in content.criteria
        ],
        "pass_rule": {
            "min_level_position": content.pass_min_position,
            "min_points": (None if content.pass_min_points is None
                           else format_points(content.pass_min_points)),
            "combine": content.pass_combine,
        },
        "change_note": content.change_note,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


