"""The org-chart import in a real browser: upload, preview, apply; the progress indicator that
updates itself and then shows the result; axe-core and 320 px reflow on every page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import check_page, visit

pytestmark = pytest.mark.browser

ADMIN = "raj.patel@northfield.example"


def demo_csv(live_server: Any, *extra: list[str]) -> bytes:
    """The seeded organisation as a CSV file, plus ``extra`` rows."""
    from sqlalchemy import select

    from clearance.extensions import db
    from people.models import Person

    with live_server.app.app_context():
        people = db.session.scalars(select(Person).order_by(Person.id)).all()
        ids = {p.id: p.employee_id for p in people}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Employee ID", "Name", "Email", "Job Title", "Unit", "Manager"])
        for p in people:
            writer.writerow([p.employee_id, p.name, p.email, p.job_title, p.unit,
                             ids.get(p.manager_id, "")])
        writer.writerows(extra)
        db.session.remove()
    return out.getvalue().encode()


def test_upload_preview_and_apply(signed_in_page: Any, live_server: Any,
                                  tmp_path: Path) -> None:
    path = tmp_path / "northfield.csv"
    path.write_bytes(demo_csv(live_server, ["NEW001", "Nia Starter", "nia@northfield.example",
                                            "Staff Nurse", "Ward 7 (Acute Medicine)",
                                            "grace.mensah@northfield.example"]))
    try:
        page = signed_in_page(ADMIN)
        visit(page, "/admin/people")
        with page.expect_navigation():
            page.get_by_role("button", name="Import the org chart").click()
        check_page(page)
        page.get_by_label("CSV file").set_input_files(str(path))
        with page.expect_navigation():
            page.get_by_role("button", name="Check the file").click()
        check_page(page)
        assert "What the import will change" in page.content()
        assert "Nia Starter" in page.get_by_role("region", name="Added").inner_text()
        with page.expect_navigation():
            page.get_by_role("button", name="Apply this import").click()
        check_page(page)
        assert "What the import changed" in page.content()
        visit(page, "/admin/people?q=Nia+Starter")
        assert "Nia Starter" in page.content()
    finally:
        live_server.reset()


def test_refused_file_lists_problems(signed_in_page: Any, live_server: Any,
                                     tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(demo_csv(live_server, ["NEW001", "Nia Starter", "not-an-address", "", "",
                                            "NOBODY"]))
    try:
        page = signed_in_page(ADMIN)
        visit(page, "/admin/people/import")
        page.get_by_label("CSV file").set_input_files(str(path))
        with page.expect_navigation():
            page.get_by_role("button", name="Check the file").click()
        check_page(page)
        summary = page.get_by_role("alert").inner_text()
        assert "nothing was saved" in summary and "manager NOBODY is not in the file" in summary
    finally:
        live_server.reset()


def test_progress_updates_itself_then_shows_the_result(signed_in_page: Any,
                                                        live_server: Any) -> None:
    from sqlalchemy import select

    from clearance.database import commit
    from clearance.extensions import db
    from people import import_runs
    from people.models import ImportRun, Person

    app = live_server.app
    data = demo_csv(live_server)
    try:
        with app.app_context():
            admin = db.session.scalar(select(Person).where(Person.email == ADMIN))
            run = import_runs.create_run(data, filename="northfield.csv", mapping=None,
                                         actor=admin)
            run.status = "queued"
            commit()
            run_id = run.id
            live = import_runs.progress_writer(run)
            live(10, 40, "saving people")
            db.session.remove()

        page = signed_in_page(ADMIN)
        visit(page, f"/admin/people/import/{run_id}")
        bar = page.locator("#import-progress-bar")
        assert bar.get_attribute("value") == "10"
        live(30, 40, "saving people")
        page.wait_for_function(
            "() => document.getElementById('import-progress-bar').value === 30", timeout=10000)
        assert "30 of 40 changes saved" in page.get_by_role("status").inner_text()
        check_page(page)

        with app.app_context():
            row = db.session.get(ImportRun, run_id)
            row.status, row.done, row.total = "done", 40, 40
            commit()
            db.session.remove()
        page.wait_for_selector("text=What the import changed", timeout=10000)
        check_page(page)
        assert page.locator("progress").count() == 0
    finally:
        live_server.reset()
