"""Reading an org-chart CSV: UTF-8 (with or without BOM), comma, semicolon or tab separated,
header names mapped to person fields (common spellings by default, ``--map`` for the rest)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FIELDS = ("employee_id", "name", "email", "job_title", "unit", "manager", "roles")
REQUIRED_COLUMNS = ("employee_id", "name", "email", "manager")
FIELD_LABELS = {
    "employee_id": "employee id", "name": "name", "email": "e-mail address",
    "job_title": "job title", "unit": "unit", "manager": "manager", "roles": "roles",
    "first_name": "first name", "last_name": "last name",
}

# Header spellings (normalised: lower case, letters and digits only) -> field.
_ALIASES: dict[str, tuple[str, ...]] = {
    "employee_id": ("employeeid", "employeenumber", "employeeno", "employeeref", "empid",
                    "empno", "staffid", "staffnumber", "staffno", "personid", "personnumber",
                    "payrollnumber", "payrollno", "payrollid", "id", "workerid"),
    "name": ("name", "fullname", "displayname", "employeename", "staffname", "personname"),
    "first_name": ("firstname", "givenname", "forename", "forenames"),
    "last_name": ("lastname", "surname", "familyname"),
    "email": ("email", "emailaddress", "workemail", "workemailaddress", "mail", "emailid"),
    "job_title": ("jobtitle", "title", "position", "positiontitle", "job", "post", "roletitle",
                  "jobrole"),
    "unit": ("unit", "department", "dept", "team", "ward", "division", "orgunit",
             "organisationunit", "organizationunit", "service"),
    "manager": ("manager", "linemanager", "managerid", "manageremployeeid", "manageremail",
                "manageremailaddress", "linemanagerid", "linemanageremail", "reportsto",
                "supervisor", "supervisorid", "managernumber", "managerstaffnumber",
                "linemanagerstaffnumber", "managerref"),
    "roles": ("roles", "role", "grantedroles", "access", "accessroles"),
}
ALIASES: dict[str, str] = {alias: f for f, names in _ALIASES.items() for alias in names}
MAPPABLE = (*FIELDS, "first_name", "last_name", "ignore")


def normalise_header(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.strip().lower())


class CsvProblem(ValueError):
    """The file cannot be read at all (encoding, no header, unmappable columns)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]


@dataclass
class CsvTable:
    delimiter: str
    columns: dict[str, int]  # field -> column index
    headers: list[str]
    rows: list[CsvRow] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.columns


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["Staff Number=employee_id", ...]`` -> {normalised header: field}; ValueError on junk."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        for part in (p for p in re.split(r"[\r\n]+", pair) if p.strip()):
            column, sep, target = part.rpartition("=")
            target = target.strip().lower().replace(" ", "_").replace("-", "_")
            if not sep or not column.strip():
                raise ValueError(f"{part.strip()!r}: write a mapping as \"Column name=field\"")
            if target == "e_mail":
                target = "email"
            if target not in MAPPABLE:
                raise ValueError(f"{part.strip()!r}: unknown field {target!r}; use one of "
                                 + ", ".join(MAPPABLE))
            mapping[normalise_header(column)] = target
    return mapping


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; anything else is refused with its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvProblem(line, "the file is not UTF-8 text: save it as \"CSV UTF-8\" "
                               "and try again") from None


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header line into the most columns (comma on a tie)."""
    first = text.split("\n", 1)[0]
    best, best_count = ",", 0
    for candidate in (",", ";", "\t"):
        try:
            count = len(next(csv.reader([first], delimiter=candidate)))
        except (StopIteration, csv.Error):
            continue
        if count > best_count:
            best, best_count = candidate, count
    return best


def _map_headers(headers: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = normalise_header(header)
        target = mapping.get(key) or ALIASES.get(key)
        if not target or target == "ignore":
            continue
        if target in columns:
            raise CsvProblem(1, f"columns \"{headers[columns[target]]}\" and \"{header}\" both "
                                f"give the {FIELD_LABELS[target]}; map one of them with "
                                f"\"{header}=ignore\"")
        columns[target] = index
    unknown = [m for m in mapping if m not in {normalise_header(h) for h in headers}]
    if unknown:
        raise CsvProblem(1, "the mapping names columns the file does not have: "
                            + ", ".join(sorted(unknown)))
    if "name" not in columns and {"first_name", "last_name"} <= set(columns):
        columns["name"] = -1  # built from first and last name
    missing = [f for f in REQUIRED_COLUMNS if f not in columns]
    if missing:
        found = ", ".join(f"\"{h}\"" for h in headers) or "none"
        raise CsvProblem(1, "no column for the " + ", ".join(FIELD_LABELS[f] for f in missing)
                            + f" (columns found: {found}); name them in the mapping, "
                            "e.g. \"Staff Number=employee_id\"")
    return columns


def read_table(data: bytes, mapping: Mapping[str, str] | None = None) -> CsvTable:
    """Parse ``data``; rows keep the file line they start on. Blank rows are skipped."""
    text = decode(data)
    if not text.strip():
        raise CsvProblem(1, "the file is empty")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        headers = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise CsvProblem(1, f"the header line cannot be read ({exc})") from None
    columns = _map_headers(headers, mapping or {})
    table = CsvTable(delimiter, columns, headers)
    picks = [(f, i) for f, i in columns.items() if i >= 0]
    first, last = columns.get("first_name"), columns.get("last_name")
    build_name = columns.get("name") == -1
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            width = len(cells)
            values = {f: (cells[i].strip() if i < width else "") for f, i in picks}
            if build_name:
                parts = [cells[i].strip() for i in (first, last) if i is not None and i < width]
                values["name"] = " ".join(p for p in parts if p)
            table.rows.append(CsvRow(start, values))
    except csv.Error as exc:
        raise CsvProblem(line, f"this line cannot be read ({exc})") from None
    return table
