"""CSV exports: rows and per-criterion levels, formula-safe cells, streamed in batches."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from clearance.audit import AuditEvent
from clearance.extensions import db
from portfolios.records import csv_exports
from tests.conftest import csrf_token, login
from tests.records import factories as rf


def _post(client, name):
    token = csrf_token(client, "/records/csv")
    return client.post(f"/records/csv/{name}.csv", data={"csrf_token": token})


def test_decisions_csv_has_a_row_per_decision_with_levels(client, org, db_session):
    made = rf.decided(org)
    db_session.commit()
    login(client, org.ld)
    resp = _post(client, "decisions")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [int(r["decision_id"]) for r in rows] == [made["first"].id, made["second"].id]
    assert rows[0]["decided_by"] == "Lin Manager" and rows[0]["outcome"] == "approved"
    assert rows[0]["meeting_id"] == str(made["meeting"].id)
    assert "=" in rows[0]["criterion_levels"] and rows[0]["criterion_levels"].count("|") >= 0
    assert rows[1]["decided_by"] == "Sky Level" and rows[1]["level"] == "2"
    subs = list(csv.DictReader(io.StringIO(_post(client, "submissions").text)))
    assert [r["state"] for r in subs] == ["approved"]
    assert _post(client, "spot-checks").status_code == 200
    assert _post(client, "nothing").status_code == 404
    actions = db.session.scalars(select(AuditEvent.object_id).where(
        AuditEvent.action == "records.csv_exported")).all()
    assert actions == ["decisions", "submissions", "spot-checks"]


def test_cells_that_look_like_formulas_are_neutralised():
    assert csv_exports.safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert csv_exports.safe_cell("@SUM(1)") == "'@SUM(1)"
    assert csv_exports.safe_cell("-1+1") == "'-1+1"
    assert csv_exports.safe_cell(-3) == -3
    assert csv_exports.safe_cell("Lea") == "Lea"


def test_batches_walk_every_row_in_keyset_order(org, db_session, monkeypatch):
    from people.models import Person

    monkeypatch.setattr(csv_exports, "BATCH", 3)
    batches = list(csv_exports._batches(Person.id))
    assert all(len(b) <= 3 for b in batches)
    flat = [i for b in batches for i in b]
    assert flat == sorted(db.session.scalars(select(Person.id)))
    chunks = list(csv_exports.stream_csv(["a"], ([i] for i in range(450))))
    assert len(chunks) == 3 and sum(c.count("\n") for c in chunks) == 451
