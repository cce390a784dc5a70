"""Shared pieces of import/export: problems with line numbers, reading an upload safely."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from rubrics.content import VersionContent

MAX_BYTES = 1024 * 1024
MAX_CRITERIA = 50
MAX_LEVELS = 12
MAX_PROBLEMS = 30
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class TransferError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(Problem(None, f"… and {len(problems) - MAX_PROBLEMS} more problems."))
        super().__init__("; ".join(str(p) for p in shown))
        self.problems = shown


@dataclass
class Imported:
    content: VersionContent
    title: str = ""
    description: str = ""


# ---------------------------------------------------------------- reading the upload


def read_upload(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """At most ``limit`` bytes of an uploaded file; a larger file is refused unread."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TransferError([Problem(None, f"The file is larger than {limit // 1024 // 1024} "
                                           "MB: a rubric file is much smaller than that. "
                                           "Check that you chose the right file.")])
    return data


def text_of(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise TransferError([Problem(line, "the file is not UTF-8 text. Save it as "
                                           "“CSV UTF-8” (or UTF-8 JSON) and try again.")]) from exc
    if not text.strip():
        raise TransferError([Problem(None, "The file is empty.")])
    return text


def decimal_or_none(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def unformula(value: str) -> str:
    """Undo the export's spreadsheet-formula guard (a leading apostrophe)."""
    if value.startswith("'") and value[1:2] in _FORMULA and value[1:2] != "":
        return value[1:]
    return value


def formula_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def filename_for(version: Any, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", version.rubric.title.lower()).strip("-")[:60] or "rubric"
    return f"{slug}-v{version.number}.{extension}"
