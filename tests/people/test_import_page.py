"""The admin import page: upload, preview, apply in the background, progress, result."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from clearance.extensions import db
from people import import_operations, import_runs
from people.models import ImportRun, Person
from tests.conftest import csrf_token, login
from tests.people.import_helpers import org_csv, row


def upload(client: Any, data: bytes, mapping: str = "", name: str = "org.csv") -> Any:
    token = csrf_token(client, "/admin/people/import")
    return client.post("/admin/people/import", data={
        "csrf_token": token, "mapping": mapping, "file": (io.BytesIO(data), name)})


def run_of(response: Any) -> ImportRun:
    match = re.search(r"/admin/people/import/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    db.session.expire_all()
    run = db.session.get(ImportRun, int(match.group(1)))
    assert run is not None
    return run


def person(employee_id: str) -> Person | None:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.employee_id == employee_id))


def test_upload_preview_apply_progress_done(client: Any, org: Any, app: Any) -> None:
    login(client, org.admin)
    data = org_csv(org, f"N1,Nia New,nia@example.org,Nurse,Ward 1,{org.line.employee_id}") \
        .replace(row(org.skip, org.md).encode(), row(org.skip, org.unrelated).encode())
    response = upload(client, data)
    assert response.status_code == 302
    run = run_of(response)
    assert run.status == "ready" and run.counts["added"] == 1
    assert run.counts["manager_changed"] == 1

    # the file is kept in the instance folder under a name the server chose
    stored = Path(app.instance_path) / "imports" / run.stored_name
    assert stored.read_bytes() == data and run.stored_name != "org.csv"
    assert not str(stored).startswith(app.static_folder)

    page = client.get(f"/admin/people/import/{run.id}").get_data(as_text=True)
    assert "What the import will change" in page and "Nia New" in page
    assert f"{org.md.employee_id} → {org.unrelated.employee_id}" in page
    assert "Apply this import" in page and person("N1") is None

    token = csrf_token(client, f"/admin/people/import/{run.id}")
    response = client.post(f"/admin/people/import/{run.id}/apply", data={"csrf_token": token})
    assert response.status_code == 302  # the job ran at once (immediate mode in tests)
    nia = person("N1")
    assert nia is not None and nia.manager_id == org.line.id
    db.session.expire_all()
    run = db.session.get(ImportRun, run.id)
    assert run.status == "done" and run.applied_by_id == org.admin.id
    assert run.done == run.total > 0

    status = client.get(f"/admin/people/import/{run.id}/status",
                        headers={"Accept": "application/json"}).get_json()
    assert status == {"id": run.id, "status": "done", "done": run.total, "total": run.total,
                      "phase": None, "finished": True}
    page = client.get(f"/admin/people/import/{run.id}").get_data(as_text=True)
    assert "What the import changed" in page and "Apply this import" not in page

    # applying twice does nothing more
    token = csrf_token(client, f"/admin/people/import/{run.id}")
    client.post(f"/admin/people/import/{run.id}/apply", data={"csrf_token": token})
    assert db.session.scalars(select(Person).where(Person.employee_id == "N1")).all() == [nia]


def test_progress_while_running(client: Any, org: Any) -> None:
    login(client, org.admin)
    run = run_of(upload(client, org_csv(org)))
    run.status = "queued"
    db.session.commit()
    live = import_runs.progress_writer(run)

    page = client.get(f"/admin/people/import/{run.id}").get_data(as_text=True)
    assert 'src="/static/js/import-progress.js"' in page
    assert "<script>" not in page  # no inline script (CSP)
    assert re.search(r'<progress id="import-progress-bar" max="1"\s*>', page)
    assert "Refresh this page" in page and "Waiting for the import to start" in page

    live(40, 160, "saving people")
    status = client.get(f"/admin/people/import/{run.id}/status").get_json()
    assert (status["status"], status["done"], status["total"], status["finished"]) == \
        ("running", 40, 160, False)
    page = client.get(f"/admin/people/import/{run.id}").get_data(as_text=True)
    assert '<progress id="import-progress-bar" max="160" value="40">40 of 160</progress>' in page
    assert "40 of 160 changes saved (saving people)." in page


def test_a_refused_file_shows_its_problems_and_cannot_be_applied(client: Any,
                                                                  org: Any) -> None:
    login(client, org.admin)
    data = org_csv(org, "N1,Nia New,nia@example.org,,,E404", "N2,<b>Ned</b>,ned@bad,,,")
    run = run_of(upload(client, data))
    assert run.status == "refused"
    page = client.get(f"/admin/people/import/{run.id}").get_data(as_text=True)
    assert "The file was refused: nothing was saved" in page
    assert "Line 10: manager E404 is not in the file" in page
    assert "Line 11: &#34;ned@bad&#34; is not a valid e-mail address" in page
    assert "<b>Ned</b>" not in page and "Apply this import" not in page
    token = csrf_token(client, f"/admin/people/import/{run.id}")
    response = client.post(f"/admin/people/import/{run.id}/apply", data={"csrf_token": token},
                           follow_redirects=True)
    assert "cannot be applied" in response.get_data(as_text=True)
    assert person("N1") is None


def test_refused_at_apply_time_when_the_data_changed(client: Any, org: Any,
                                                     make_person: Any) -> None:
    login(client, org.admin)
    run = run_of(upload(client, org_csv(org, "N1,Nia New,nia@example.org,,,")))
    make_person("Nia Else", email="nia@example.org")  # takes the address after the preview
    db.session.commit()
    token = csrf_token(client, f"/admin/people/import/{run.id}")
    client.post(f"/admin/people/import/{run.id}/apply", data={"csrf_token": token})
    db.session.expire_all()
    run = db.session.get(ImportRun, run.id)
    assert run.status == "refused" and "Nia Else" in run.errors[0]["message"]
    assert person("N1") is None


def test_a_crash_is_recorded_and_nothing_is_saved(client: Any, org: Any,
                                                  monkeypatch: Any) -> None:
    login(client, org.admin)
    run = run_of(upload(client, org_csv(org, "N1,Nia New,nia@example.org,,,")))

    def boom(*args: Any, **kwargs: Any) -> None:
        db.session.execute(Person.__table__.update().values(name="half-done"))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_operations, "apply_plan", boom)
    token = csrf_token(client, f"/admin/people/import/{run.id}")
    client.post(f"/admin/people/import/{run.id}/apply", data={"csrf_token": token})
    db.session.expire_all()
    run = db.session.get(ImportRun, run.id)
    assert run.status == "failed" and "RuntimeError" in run.errors[0]["message"]
    assert person(org.md.employee_id).name == "Mo Director"
    page = client.get(f"/admin/people/import/{run.id}").get_data(as_text=True)
    assert "The import failed" in page


def test_upload_form_errors_keep_the_mapping(client: Any, org: Any) -> None:
    login(client, org.admin)
    token = csrf_token(client, "/admin/people/import")
    response = client.post("/admin/people/import",
                           data={"csrf_token": token, "mapping": "Staff=payroll"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and "Choose the CSV file to import." in page
    assert "unknown field" in page and "Staff=payroll</textarea>" in page


def test_mapping_is_used_for_preview_and_apply(client: Any, org: Any) -> None:
    login(client, org.admin)
    data = org_csv(org, header="Staff Number,Name,Email,Job Title,Unit,Boss")
    run = run_of(upload(client, data, mapping="Staff Number=employee_id\nBoss=manager"))
    assert run.status == "ready" and run.counts["unchanged"] == 8
    assert run.mapping == {"staffnumber": "employee_id", "boss": "manager"}


def test_people_list_links_to_the_import_page(client: Any, org: Any) -> None:
    login(client, org.admin)
    page = client.get("/admin/people").get_data(as_text=True)
    assert 'href="/admin/people/import"' in page
