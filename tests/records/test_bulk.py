"""Bulk exports: the job's progress, per-person failures, the ZIP, expiry, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from sqlalchemy import select

from clearance.audit import AuditEvent
from clearance.extensions import db
from portfolios.records import bulk, operations
from portfolios.records.models import BulkExport, GeneratedRecord
from portfolios.records.render import RenderFailed
from tests.conftest import csrf_token, login
from tests.records import factories as rf


def test_team_export_reports_progress_and_failures_and_the_zip_opens(
        client, org, make_person, db_session, monkeypatch):
    broken = make_person("Bea Broken", manager=org.line)
    db_session.commit()
    real = operations.issue_record
    seen: list[tuple[int, int, int]] = []

    def issue(person, *args, **kwargs):
        if person.id == broken.id:
            raise RenderFailed("The record needed more than 1 MB to render and was stopped.")
        return real(person, *args, **kwargs)

    monkeypatch.setattr(bulk, "issue_record", issue)
    real_write = bulk.write_zip

    def spy(people, target, **kw):
        progress = kw["progress"]

        def record(done, total, failures):
            seen.append((done, len(failures), total))
            progress(done, total, failures)

        kw["progress"] = record
        return real_write(people, target, **kw)

    monkeypatch.setattr(bulk, "write_zip", spy)
    login(client, org.line)
    token = csrf_token(client, "/records/exports")
    resp = client.post("/records/exports", data={
        "csrf_token": token, "scope": "team:", "start": rf.PERIOD[0].isoformat(),
        "end": rf.PERIOD[1].isoformat()})
    assert resp.status_code == 302
    export = db.session.scalars(select(BulkExport)).one()
    db.session.refresh(export)
    # the job ran after commit (immediate mode in tests)
    assert export.status == "done", export.error
    assert export.total == 2 and export.done == 1
    assert export.failures == [{"person_id": broken.id, "name": "Bea Broken",
                                "error": "The record needed more than 1 MB to render and was "
                                         "stopped."}]
    assert [s[0] + s[1] for s in seen] == [1, 2]  # progress advanced per person
    page = client.get(resp.headers["Location"])
    assert "Bea Broken" in page.text and "Download the ZIP" in page.text
    status = client.get(f"/records/exports/{export.id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100
    zipped = client.get(f"/records/exports/{export.id}/download")
    assert zipped.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    record = db.session.scalars(select(GeneratedRecord)).one()
    assert names == [f"Lea-Learner-{org.learner.employee_id}-{record.code}.pdf"]
    assert record.export_id == export.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"records.bulk_requested", "records.bulk_exported", "records.exported"} <= actions

    # expiry: the file goes, the download answers 410
    export.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db_session.commit()
    assert client.get(f"/records/exports/{export.id}/download").status_code == 410
    assert bulk.expire_exports() == 1
    assert export.status == "expired"
    assert not (bulk.export_dir() / export.file_name).exists()


def test_managers_cannot_export_a_unit_and_learners_cannot_bulk(client, org, db_session):
    login(client, org.line)
    token = csrf_token(client, "/records/exports")
    resp = client.post("/records/exports", data={
        "csrf_token": token, "scope": "unit:Ward 2", "start": "2026-01-01", "end": "2026-01-02"})
    assert resp.status_code == 400
    assert db.session.scalars(select(BulkExport)).first() is None


def test_another_users_record_is_hidden_and_the_refusal_logged(client, org, db_session):
    login(client, org.unrelated)
    assert client.get(f"/records/people/{org.learner.id}").status_code == 404
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused")).all()
    assert refused and refused[-1].after["action"] == "records.export"


def test_cli_exports_a_person_and_a_unit(app, org, db_session, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "lea.pdf"
    result = runner.invoke(args=["records", "export", "--person", org.learner.email,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    zipped = tmp_path / "ward2.zip"
    result = runner.invoke(args=["records", "export", "--unit", "Ward 2", "--out", str(zipped)])
    assert result.exit_code == 0, result.output
    assert "2 records, 0 failed" in result.output
    assert len(zipfile.ZipFile(zipped).namelist()) == 2
    bad = runner.invoke(args=["records", "export", "--out", str(zipped)])
    assert bad.exit_code != 0


def test_expired_exports_are_deleted_by_an_hourly_job(app, monkeypatch):
    from portfolios.records import tasks

    calls = []
    monkeypatch.setattr(bulk, "expire_exports", lambda: calls.append(1) or 0)
    every_hour = tasks.expire_exports_hourly.task_class().validate_datetime
    assert every_hour(dt.datetime(2026, 1, 1, 3, 40))
    assert not every_hour(dt.datetime(2026, 1, 1, 3, 41))
    tasks.expire_exports_hourly.call_local()
    assert calls == [1]
