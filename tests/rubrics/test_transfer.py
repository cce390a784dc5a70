"""Import and export: JSON round-trips exactly; CSV round-trips; bad files give line-numbered
errors and save nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from clearance.audit import AuditEvent
from rubrics import operations as ops
from rubrics import transfer
from rubrics.content import content_of
from rubrics.models import Criterion, Level, Rubric, RubricVersion
from tests.conftest import csrf_token, login
from tests.rubrics.helpers import make_rubric

HEADER = ("criterion_key,criterion,criterion_description,weight,comment_required,level,"
          "level_descriptor,points\n")


def _tricky(org):
    """A version with everything a file must carry: weights, per-criterion levels, quotes,
    commas, new lines, formula-like text, non-ASCII, a pass rule with both parts."""
    version = make_rubric(org.ld, title="Handover, “SBAR” & more", publish=False, shared=False,
                          pass_min_points="3.5")
    ops.update_criterion(version.criteria[0], title="=Structure", weight=Decimal("1.5"),
                         description='Says "why", then what,\nthen next — ✓', comment_required=True)
    ops.update_level(version.criteria[1].levels[2], name="+Exceeds", points=Decimal("2.75"),
                     descriptor="@mentions others; -1 errors")
    ops.update_version_settings(version, pass_min_position=1, pass_min_points=Decimal("3.5"),
                                pass_combine="any", change_note="Línea 1\nline 2")
    return version


def test_json_round_trips_exactly(db_session, org):
    version = _tricky(org)
    exported = transfer.export_json(version)
    imported = transfer.parse_json(exported)
    copy = ops.import_as_new_rubric(imported.content, title=imported.title,
                                    description=imported.description, owner=org.ld)
    assert transfer.export_json(copy.versions[0]) == exported
    assert content_of(copy.versions[0]) == content_of(version)
    doc = json.loads(exported)
    assert doc["pass_rule"] == {"min_level_position": 1, "min_points": "3.5", "combine": "any"}
    assert doc["criteria"][0]["weight"] == "1.5"


def test_json_round_trips_a_shared_scale(db_session, org):
    version = make_rubric(org.ld, pin=True)
    exported = transfer.export_json(version)
    copy = ops.import_as_new_rubric(transfer.parse_json(exported).content,
                                    title=version.rubric.title, description="A test rubric")
    assert transfer.export_json(copy.versions[0]) == exported


def test_csv_round_trips_and_guards_formulas(db_session, org):
    version = _tricky(org)
    exported = transfer.export_csv(version)
    rows = exported.splitlines()
    assert rows[0] == HEADER.strip()
    assert ",'=Structure," in exported and ",'+Exceeds," in exported
    assert ",'@mentions others" in exported
    imported = transfer.parse_csv(exported, base=content_of(version))
    copy = ops.import_as_new_rubric(imported.content, title="Copy")
    assert transfer.export_csv(copy.versions[0]) == exported
    assert content_of(copy.versions[0]).criteria[0].title == "=Structure"
    assert copy.versions[0].pass_min_points == Decimal("3.5")


def test_csv_identical_levels_make_a_shared_scale(db_session, org):
    version = make_rubric(org.ld)
    imported = transfer.parse_csv(transfer.export_csv(version))
    assert imported.content.shared_scale is True
    assert [lv.name for lv in imported.content.scale] == ["Not yet", "Meets", "Exceeds"]
    assert all(c.levels == [] for c in imported.content.criteria)


def test_csv_keeps_criterion_keys_by_title_when_importing_into_a_rubric(db_session, org):
    version = make_rubric(org.ld)
    known = {c.key: c.title for c in version.criteria}
    text = "criterion,level,points\nCriterion 2,Low,0\nCriterion 2,High,1\nNew one,Low,0\n"
    imported = transfer.parse_csv(text, known_keys=known)
    assert imported.content.criteria[0].key == version.criteria[1].key
    assert imported.content.criteria[1].key not in known


CSV_ERRORS = [
    ("missing header", "Structure,Meets,2\nStructure,Exceeds,3\n", 1,
     "first line must be the header row"),
    ("unknown column", "criterion,level,pionts\nA,B,1\n", 1, "pionts"),
    ("unknown criterion", HEADER + "nosuchkey,Structure,,,no,Meets,,2\n", 2,
     "unknown criterion"),
    ("duplicate level", "criterion,level,points\nStructure,Meets,1\nStructure,Exceeds,2\n"
                        "Structure,meets,3\n", 4, "duplicate level: “meets” appears twice"),
    ("non-numeric points", "criterion,level,points\nStructure,Meets,two\n", 2,
     "points “two” is not a number"),
    ("negative points", "criterion,level,points\nStructure,Meets,-1\n", 2,
     "between 0 and"),
    ("missing level name", "criterion,level,points\nStructure,,1\n", 2, "Enter a level name"),
    ("wrong number of cells", "criterion,level,points\nStructure,Meets\n", 2, "2 cells"),
    ("header only", "criterion,level,points\n", None, "no criteria or levels"),
    ("quoted line breaks keep line numbers", 'criterion,level,points\n"Struc\nture",Meets,1\n'
                                              "Structure,Meets,x\n", 4, "points “x”"),
    ("bad comment_required", "criterion,level,points,comment_required\nA,B,1,maybe\n", 2,
     "must be yes or no"),
]


@pytest.mark.parametrize(("name", "text", "line", "fragment"), CSV_ERRORS,
                         ids=[c[0] for c in CSV_ERRORS])
def test_csv_errors_name_the_line(name, text, line, fragment):
    with pytest.raises(transfer.TransferError) as refused:
        transfer.parse_csv(text, known_keys={"k1": "Structure"})
    problems = refused.value.problems
    assert any(p.line == line and fragment in p.message for p in problems), problems
    if line:
        assert str(problems[0]).startswith(f"Line {problems[0].line}: ")


def test_csv_reports_every_problem_not_just_the_first():
    text = "criterion,level,points\nA,Low,x\nA,High,y\nB,Low,1\nB,Low,2\n"
    with pytest.raises(transfer.TransferError) as refused:
        transfer.parse_csv(text)
    assert [p.line for p in refused.value.problems] == [2, 3, 5]


@pytest.mark.parametrize(("data", "fragment"), [
    (b"", "The file is empty."),
    (b"\xef\xbb\xbf  \n\n", "The file is empty."),
    (b"criterion,level,points\nA,B,1\n\xff\xfe,x,1\n", "Line 3: the file is not UTF-8"),
    (b'{"format": "clearance.rubric",\n "title": }', "Line 2: this is not valid JSON"),
    (b'{"format": "something else"}', "not a Clearance rubric file"),
])
def test_unreadable_files(data, fragment):
    with pytest.raises(transfer.TransferError) as refused:
        transfer.parse_upload(data, "rubric.csv" if data.startswith(b"crit") else "")
    assert fragment in str(refused.value)


def test_json_structure_errors_carry_line_numbers(db_session, org):
    doc = json.loads(transfer.export_json(make_rubric(org.ld)))
    doc["scale"][1]["points"] = "lots"
    doc["criteria"][2]["title"] = ""
    doc["pass_rule"]["combine"] = "sometimes"
    text = json.dumps(doc, indent=2)
    with pytest.raises(transfer.TransferError) as refused:
        transfer.parse_json(text)
    lines = text.splitlines()
    by_message = {p.message: p.line for p in refused.value.problems}
    points_line = next(line for m, line in by_message.items() if "'lots'" in m)
    assert '"name": "Meets"' in lines[points_line]  # the object starts on this line
    assert any("combine" in m for m in by_message)
    assert any("Enter a criterion title" in m for m in by_message)


def test_read_upload_refuses_a_large_file_unread():
    big = io.BytesIO(b"criterion,level,points\n" + b"A,B,1\n" * (2 * 1024 * 1024))
    with pytest.raises(transfer.TransferError, match="larger than 1 MB"):
        transfer.read_upload(big)
    assert big.tell() == transfer.MAX_BYTES + 1


# ---------------------------------------------------------------- through the page


def _counts(db_session):
    return tuple(db_session.scalar(select(func.count()).select_from(model))
                 for model in (Rubric, RubricVersion, Criterion, Level, AuditEvent))


def _upload(client, body: bytes, filename: str, **fields):
    """POST the import form. The multipart body is built in memory: the test client would
    spool a large body to a temporary file it never closes."""
    token = csrf_token(client, "/rubrics/import")
    values = {"csrf_token": token, "title": "Imported", "target": "", **fields,
              "file": FileStorage(io.BytesIO(body), filename=filename)}
    boundary, encoded = encode_multipart(values)
    return client.post("/rubrics/import", data=encoded,
                       content_type=f"multipart/form-data; boundary={boundary}")


BAD_UPLOADS = [
    ("missing header", b"Structure,Meets,2\n", "Line 1: the first line must be the header"),
    ("unknown criterion", (HEADER + "zzz,Criterion 1,,,no,Meets,,2\n").encode(),
     "Line 2: unknown criterion"),
    ("duplicate level", b"criterion,level,points\nA,Meets,1\nA,Meets,2\n",
     "Line 3: duplicate level"),
    ("non-numeric points", b"criterion,level,points\nA,Meets,two\n",
     "Line 2: points “two” is not a number"),
    ("empty file", b"", "The file is empty."),
    ("10 MB file", b"criterion,level,points\n" + b"A,Meets,1\n" * (1024 * 1024),
     "The file is larger than 1 MB"),
]


@pytest.mark.parametrize(("name", "body", "message"), BAD_UPLOADS,
                         ids=[c[0] for c in BAD_UPLOADS])
def test_a_bad_upload_shows_the_error_and_saves_nothing(client, org, db_session, name, body,
                                                        message):
    version = make_rubric(org.ld)
    db_session.commit()
    login(client, org.ld)
    before = _counts(db_session)
    target = str(version.rubric_id) if name == "unknown criterion" else ""
    if name == "10 MB file":
        assert len(body) >= 10 * 1024 * 1024
    response = _upload(client, body, "rubric.csv", target=target)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file was not imported" in page
    assert message in page
    db_session.expire_all()
    assert _counts(db_session) == before


def test_upload_into_an_existing_rubric_makes_a_draft(client, org, db_session):
    version = make_rubric(org.ld, pin=True)
    csv_text = transfer.export_csv(version).replace("Shown reliably.",
                                                    "Shown reliably and unprompted.")
    db_session.commit()
    login(client, org.ld)
    response = _upload(client, csv_text.encode(), "edited.csv", target=str(version.rubric_id))
    assert response.status_code == 302
    db_session.expire_all()
    rubric = db_session.get(Rubric, version.rubric_id)
    assert [(v.number, v.status) for v in rubric.versions] == [(1, "published"), (2, "draft")]
    draft = rubric.versions[1]
    assert draft.scale[1].descriptor == "Shown reliably and unprompted."
    assert [c.key for c in draft.criteria] == [c.key for c in rubric.versions[0].criteria]
    assert draft.pass_min_position == 1  # the pass rule is kept from the rubric
    assert rubric.versions[0].scale[1].descriptor == "Shown reliably."


def test_export_then_import_through_the_pages(client, org, db_session):
    version = _tricky(org)
    db_session.commit()
    login(client, org.ld)
    exported = client.get(f"/rubrics/versions/{version.id}/export.json")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    assert exported.mimetype == "application/json"
    response = _upload(client, exported.data, "rubric.json", title="")
    assert response.status_code == 302
    new_version_id = int(response.headers["Location"].split("/")[3])
    again = client.get(f"/rubrics/versions/{new_version_id}/export.json")
    assert again.data == exported.data
    csv_response = client.get(f"/rubrics/versions/{version.id}/export.csv")
    assert csv_response.mimetype == "text/csv"
    assert csv_response.get_data(as_text=True).startswith(HEADER.strip())
