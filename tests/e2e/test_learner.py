"""The learner's journey in a real browser, keyboard only: enrol from the catalogue, upload a
file, write a reflection, submit, and find it in the portfolio; axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from portfolios.samples import pdf
from tests.e2e.conftest import check_page, tab_to

pytestmark = pytest.mark.browser

LEARNER = "sam.taylor@northfield.example"


def open_programme_for(live_server: Any, email: str) -> tuple[int, int, str]:
    """A released, open elective the learner has not joined, and its first checkpoint that
    takes files and a reflection."""
    from sqlalchemy import select

    from checkpoints import queries as cq
    from checkpoints.models import Programme
    from clearance.extensions import db
    from people.models import Person

    with live_server.app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
        joined = {e.programme_id for e in cq.my_programmes(person)}
        for programme in db.session.scalars(
            select(Programme).where(Programme.status == "published",
                                    Programme.open_in_catalogue.is_(True),
                                    Programme.kind == "elective", cq.released_clause())
            .order_by(Programme.id)
        ):
            if programme.id in joined or programme.audience == "managers":
                continue
            for checkpoint in programme.checkpoints:
                kinds = checkpoint.allowed_kinds
                if "file" in kinds and "reflection" in kinds and checkpoint.min_evidence <= 2:
                    found = (programme.id, checkpoint.id, checkpoint.title)
                    db.session.remove()
                    return found
        db.session.remove()
    return _make_programme(live_server)


def _make_programme(live_server: Any, enrol_email: str | None = None) -> tuple[int, int, str]:
    """A published, open elective with one checkpoint (when the demo has none to offer)."""
    from sqlalchemy import select

    from checkpoints.models import Checkpoint, Enrolment, Programme
    from clearance.database import commit, write_intent
    from clearance.extensions import db
    from people.models import Person

    with live_server.app.app_context(), write_intent(True):
        programme = Programme(title="Safe handovers", summary="Lead a safe handover.",
                              theme="Patient safety", audience="everyone", kind="elective",
                              open_in_catalogue=True, status="published")
        db.session.add(programme)
        db.session.flush()
        checkpoint = Checkpoint(programme_id=programme.id, position=1,
                                title="Audit your handovers", guidance="Audit ten handovers.",
                                min_evidence=2, allowed_evidence="file,reflection,link",
                                kind="formative", approval_levels=1, due_offset_days=30)
        db.session.add(checkpoint)
        if enrol_email:
            person = db.session.scalar(select(Person).where(Person.email == enrol_email))
            db.session.add(Enrolment(person_id=person.id, programme_id=programme.id,
                                     source="self", status="active"))
        db.session.flush()
        found = (programme.id, checkpoint.id, checkpoint.title)
        commit()
        db.session.remove()
    return found


def press_enter_and_wait(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)


def test_learner_enrols_gathers_evidence_submits_and_sees_it(live_server, signed_in_page):
    programme_id, checkpoint_id, title = open_programme_for(live_server, LEARNER)
    try:
        page = signed_in_page(LEARNER)
        page.goto("/catalogue")
        check_page(page)

        tab_to(page, f'a[href="/catalogue/{programme_id}"]', limit=200)
        press_enter_and_wait(page)
        tab_to(page, f'form[action="/catalogue/{programme_id}/enrol"] button', limit=200)
        press_enter_and_wait(page)
        if f"/catalogue/{programme_id}" not in page.url:
            page.goto(f"/catalogue/{programme_id}")
            check_page(page)
        work = f"/portfolio/checkpoints/{checkpoint_id}"
        tab_to(page, f'a[href="{work}"]', limit=200)
        press_enter_and_wait(page)
        assert page.url.endswith(work)

        # A file: the chooser is the operating system's, so the test fills it in the way the
        # dialog would, then goes on with the keyboard.
        tab_to(page, "#file", limit=200)
        page.set_input_files("#file", files=[{"name": "Handover audit.pdf",
                                              "mimeType": "application/pdf",
                                              "buffer": pdf("Handover audit: 10 charts")}])
        tab_to(page, "#label", limit=10)
        page.keyboard.type("Audit of ten handovers")
        tab_to(page, 'form[action$="/files"] button[type=submit]', limit=10)
        press_enter_and_wait(page)
        assert page.get_by_text("Uploaded Handover audit.pdf").is_visible()

        tab_to(page, "#body", limit=200)
        page.keyboard.type("## What I did\n\nI audited ten handovers and *shared* the results.")
        tab_to(page, 'form[action$="/reflection"] button[type=submit]', limit=10)
        press_enter_and_wait(page)
        assert page.get_by_text("Your reflection is saved.").is_visible()
        assert page.locator(".reflection em", has_text="shared").is_visible()

        tab_to(page, "form.submit-once button", limit=200)
        press_enter_and_wait(page)
        assert page.get_by_text("Submitted version 1 for review.").is_visible()

        tab_to(page, 'header a[href="/portfolio"]', limit=200)
        press_enter_and_wait(page)
        row = page.get_by_role("row").filter(has_text=title)
        assert row.count() == 1
        assert "Submitted" in row.inner_text() and "1 version" in row.inner_text()
    finally:
        live_server.reset()


def submission_with_versions(live_server: Any) -> tuple[int, int, str]:
    """A submission under Tom Williams with two versions (the demo resubmits some)."""
    from sqlalchemy import select

    from clearance.extensions import db
    from portfolios.models import Submission

    with live_server.app.app_context():
        found = db.session.execute(
            select(Submission.id, Submission.person_id, Submission.state)
            .where(Submission.version_count >= 2).order_by(Submission.id).limit(1)).first()
        db.session.remove()
    if found is not None:
        return found.id, found.person_id, found.state
    return _make_resubmission(live_server)


def _make_resubmission(live_server: Any) -> tuple[int, int, str]:
    """Sam Taylor's work, sent back once and submitted again (when the demo has none)."""
    from sqlalchemy import select

    from checkpoints.models import Checkpoint
    from clearance.database import commit, write_intent
    from clearance.extensions import db
    from people.models import Person
    from portfolios import operations

    _programme, checkpoint_id, _title = _make_programme(live_server, LEARNER)
    with live_server.app.app_context(), write_intent(True):
        sam = db.session.scalar(select(Person).where(Person.email == LEARNER))
        checkpoint = db.session.get(Checkpoint, checkpoint_id)
        operations.save_reflection(sam, checkpoint, "I audited ten handovers.")
        operations.add_link(sam, checkpoint, "https://intranet.northfield.example/sbar", "SBAR")
        submission = operations.find_submission(sam, checkpoint)
        operations.submit(submission, sam, expected_version=0)
        operations.request_changes(submission, by=sam.manager)
        operations.save_reflection(sam, checkpoint, "I audited ten handovers.\n\nThen I "
                                   "changed the handover sheet and audited ten more.")
        operations.submit(submission, sam, expected_version=1)
        found = (submission.id, sam.id, submission.state)
        commit()
        db.session.remove()
    return found


def test_manager_reads_versions_and_what_changed(live_server, signed_in_page):
    submission_id, person_id, _state = submission_with_versions(live_server)
    try:
        _read_versions(signed_in_page, submission_id, person_id)
    finally:
        live_server.reset()


def _read_versions(signed_in_page: Any, submission_id: int, person_id: int) -> None:
    page = signed_in_page("tom.williams@northfield.example")
    page.goto(f"/portfolio/people/{person_id}")
    check_page(page)
    tab_to(page, f'a[href="/portfolio/submissions/{submission_id}"]', limit=200)
    press_enter_and_wait(page)
    assert page.get_by_role("heading", name="Version 2").is_visible()
    tab_to(page, f'a[href^="/portfolio/submissions/{submission_id}/changes"]', limit=200)
    press_enter_and_wait(page)
    assert page.get_by_role("heading", name="Reflection").is_visible()
    assert page.locator("ins").count() > 0  # evidence added or reflection lines added
    tab_to(page, "#old", limit=100)
    page.keyboard.press("ArrowDown")
    tab_to(page, ".compare-form button", limit=10)
    press_enter_and_wait(page)
