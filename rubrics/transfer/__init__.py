"""Import and export a rubric version: JSON (round-trips exactly) and CSV (one row per
criterion x level, for editing in a spreadsheet).

Parsing never writes: it returns the content or raises :class:`TransferError` listing every
problem with its line number, so a bad file saves nothing.
"""

from __future__ import annotations

from rubrics.content import VersionContent
from rubrics.transfer.common import (
    MAX_BYTES,
    Imported,
    Problem,
    TransferError,
    filename_for,
    read_upload,
    text_of,
)
from rubrics.transfer.csv_format import CSV_COLUMNS, export_csv, parse_csv
from rubrics.transfer.json_format import FORMAT, export_json, parse_json

__all__ = [
    "CSV_COLUMNS", "FORMAT", "MAX_BYTES", "Imported", "Problem", "TransferError", "export_csv",
    "export_json", "filename_for", "parse_csv", "parse_json", "parse_upload", "read_upload",
]


def parse_upload(data: bytes, filename: str = "", *, base: VersionContent | None = None,
                 known_keys: dict[str, str] | None = None) -> Imported:
    """JSON or CSV, chosen by the file name, else by the first character."""
    text = text_of(data)
    name = filename.lower()
    if name.endswith(".json") or (not name.endswith(".csv") and text.lstrip().startswith("{")):
        return parse_json(text)
    return parse_csv(text, base=base, known_keys=known_keys)
