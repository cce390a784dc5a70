"""A rubric version as CSV: one row per criterion x level, with a header row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
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
from rubrics.transfer.common import formula_safe as _formula_safe
from rubrics.transfer.common import unformula as _unformula

CSV_COLUMNS = ("criterion_key", "criterion", "criterion_description", "weight",
               "comment_required", "level", "level_descriptor", "points")
CSV_REQUIRED = ("criterion", "level", "points")
_TRUE = {"yes", "y", "true", "1", "required"}
_FALSE = {"no", "n", "false", "0", ""}


def export_csv(version: Any) -> str:
    content = content_of(version)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in content.criteria:
        for lv in content.levels_of(c):
            writer.writerow([
                c.key, _formula_safe(c.title), _formula_safe(c.description),
                "" if c.weight is None else format_points(c.weight),
                "yes" if c.comment_required else "no",
                _formula_safe(lv.name), _formula_safe(lv.descriptor), format_points(lv.points),
            ])
    return out.getvalue()


@dataclass
class _CsvCriterion:
    line: int
    content: CriterionContent
    level_lines: dict[str, int]


def parse_csv(text: str, *, base: VersionContent | None = None,
              known_keys: dict[str, str] | None = None) -> Imported:
    """Rows become criteria (in order of first appearance) and their levels (in row order).

    ``known_keys`` (key -> title) are the criteria of the rubric being imported into: a
    ``criterion_key`` must be one of them, and a row without a key keeps the key of the known
    criterion with the same title. ``base`` lends the pass rule (CSV files carry none).
    Identical level lists for every criterion make a shared scale.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    try:
        header = next(reader)
    except csv.Error as exc:
        raise TransferError([Problem(1, f"the file is not readable CSV ({exc}).")]) from exc
    names = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in CSV_REQUIRED if c not in names]
    if missing:
        shown = ", ".join(header)[:120]
        raise TransferError([Problem(1, "the first line must be the header row naming the "
                                        "columns: " + ", ".join(CSV_COLUMNS)
                                        + f" (criterion, level and points are needed). Missing: "
                                        f"{', '.join(missing)}. The first line reads: “{shown}”.")])
    unknown = [h for h in names if h and h not in CSV_COLUMNS]
    duplicated = sorted({h for h in names if h and names.count(h) > 1})
    if unknown:
        problems.append(Problem(1, "unknown column " + ", ".join(f"“{u}”" for u in unknown)
                                   + "; the columns are: " + ", ".join(CSV_COLUMNS) + "."))
    if duplicated:
        problems.append(Problem(1, "the column " + ", ".join(duplicated) + " appears twice."))
    if problems:
        raise TransferError(problems)
    index = {name: i for i, name in enumerate(names) if name}
    known_keys = known_keys or {}
    by_title = {title.casefold(): key for key, title in known_keys.items()}
    criteria: dict[str, _CsvCriterion] = {}
    rows = 0
    previous_end = reader.line_num
    try:
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if len(row) != len(header):
                problems.append(Problem(line, f"{len(row)} cells, but the header has "
                                              f"{len(header)} columns."))
                continue
            _csv_row(row, index, line, criteria, problems, known_keys, by_title)
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, f"the file is not readable CSV ({exc})."))
    if not rows and not problems:
        problems.append(Problem(None, "The file has a header row but no criteria or levels."))
    if len(criteria) > MAX_CRITERIA:
        problems.append(Problem(None, f"The file has more than {MAX_CRITERIA} criteria."))
    for entry in criteria.values():
        if len(entry.content.levels) > MAX_LEVELS:
            problems.append(Problem(entry.line, f"“{entry.content.title}” has more than "
                                                f"{MAX_LEVELS} levels."))
    if problems:
        raise TransferError(problems)
    items = [entry.content for entry in criteria.values()]
    first = items[0].levels
    shared = all(c.levels == first for c in items)
    content = VersionContent(criteria=items, shared_scale=shared,
                             scale=list(first) if shared else [])
    if shared:
        for c in items:
            c.levels = []
    if base is not None:
        smallest = min(len(content.levels_of(c)) for c in items)
        if base.pass_min_position is None or base.pass_min_position < smallest:
            content.pass_min_position = base.pass_min_position
        content.pass_min_points = base.pass_min_points
        content.pass_combine = base.pass_combine
    return Imported(content)


def _cell(row: list[str], index: dict[str, int], name: str) -> str:
    return _unformula(row[index[name]].strip()) if name in index else ""


def _csv_row(row: list[str], index: dict[str, int], line: int,
             criteria: dict[str, _CsvCriterion], problems: list[Problem],
             known_keys: dict[str, str], by_title: dict[str, str]) -> None:
    title = _cell(row, index, "criterion")
    key = _cell(row, index, "criterion_key")
    description = _cell(row, index, "criterion_description")
    weight_raw = _cell(row, index, "weight")
    required_raw = _cell(row, index, "comment_required").lower()
    name = _cell(row, index, "level")
    descriptor = _cell(row, index, "level_descriptor")
    points_raw = _cell(row, index, "points")

    message = check_title(title, "criterion title")
    if message:
        problems.append(Problem(line, message))
        return
    if key and known_keys and key not in known_keys:
        problems.append(Problem(line, f"unknown criterion: the key “{key}” (criterion "
                                      f"“{title}”) is not a criterion of this rubric. Leave "
                                      "criterion_key empty to add a new criterion."))
        return
    if key and not KEY_PATTERN.fullmatch(key):
        problems.append(Problem(line, f"the criterion_key “{key}” may hold only letters, "
                                      "digits, - and _ (at most 32)."))
        return
    ident = key or by_title.get(title.casefold()) or f"title:{title.casefold()}"
    if not key and ident.startswith("title:"):
        same_title = next((k for k, e in criteria.items()
                           if e.content.title.casefold() == title.casefold()), None)
        ident = same_title or ident
    weight = None
    if weight_raw:
        weight = _decimal(weight_raw)
        message = (f"weight “{weight_raw}” is not a number." if weight is None
                   else check_weight(weight))
        if message:
            problems.append(Problem(line, message))
    if required_raw not in _TRUE | _FALSE:
        problems.append(Problem(line, f"comment_required “{required_raw}” must be yes or no."))
    entry = criteria.get(ident)
    if entry is None:
        clash = next((e for e in criteria.values()
                      if e.content.title.casefold() == title.casefold()), None)
        if clash is not None:
            problems.append(Problem(line, f"two criteria are called “{title}” (the other is "
                                          f"on line {clash.line})."))
            return
        entry = _CsvCriterion(line, CriterionContent(
            title=title, description=description,
            weight=None if weight is None else weight.quantize(Decimal("0.01")),
            comment_required=required_raw in _TRUE,
            key=key or (ident if not ident.startswith("title:") else new_criterion_key())),
            {})
        criteria[ident] = entry
    else:
        c = entry.content
        if c.title != title:
            problems.append(Problem(line, f"criterion_key “{key}” is “{c.title}” on line "
                                          f"{entry.line} but “{title}” here."))
        if required_raw in _TRUE:
            c.comment_required = True
        if description and not c.description:
            c.description = description
        elif description and description != c.description:
            problems.append(Problem(line, f"the description of “{title}” differs from line "
                                          f"{entry.line}: give it once, or the same each time."))
        if weight is not None and c.weight is None:
            c.weight = weight.quantize(Decimal("0.01"))
        elif weight is not None and weight != c.weight:
            problems.append(Problem(line, f"the weight of “{title}” differs from line "
                                          f"{entry.line}: give it once, or the same each time."))
    message = check_level_name(name)
    if message:
        problems.append(Problem(line, message))
        return
    folded = name.casefold()
    if folded in entry.level_lines:
        problems.append(Problem(line, f"duplicate level: “{name}” appears twice for "
                                      f"“{title}” (also on line {entry.level_lines[folded]})."))
        return
    entry.level_lines[folded] = line
    points = _decimal(points_raw)
    message = (f"points “{points_raw}” is not a number (use digits, such as 2 or 2.5)."
               if points is None else check_points(points))
    if message:
        problems.append(Problem(line, message if points is None
                                else f"points “{points_raw}”: {message}"))
        return
    for text_value, what in ((description, "description"), (descriptor, "descriptor")):
        message = check_text(text_value, what)
        if message:
            problems.append(Problem(line, message))
    entry.content.levels.append(LevelContent(name, points.quantize(Decimal("0.01")),
                                             descriptor))


