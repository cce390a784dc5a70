"""The learner's pages over HTTP: bad input refused with nothing half-saved, downloads, IDOR."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from clearance.extensions import db
from portfolios import operations
from portfolios.models import Evidence, Submission, SubmissionVersion
from portfolios.samples import pdf, png
from tests.conftest import csrf_token, login
from tests.portfolios import factories as f
from tests.portfolios.corpus import REFUSED, VALID
from tests.portfolios.safety import script_problems


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _stored_files(app) -> list:
    from pathlib import Path

    root = Path(app.instance_path) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture()
def work(client, org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    db_session.commit()
    login(client, org.learner)
    url = f"/portfolio/checkpoints/{cp.id}"
    return {"cp": cp, "url": url, "token": csrf_token(client, url)}


def _post(client, work, path, data):
    """A multipart POST encoded in memory (the test client would spool big bodies to a
    temporary file it never closes)."""
    from werkzeug.test import encode_multipart

    fields = {}
    for key, value in {**data, "csrf_token": work["token"]}.items():
        if isinstance(value, tuple):
            stream, name = value
            from werkzeug.datastructures import FileStorage

            value = FileStorage(stream=stream, filename=name,
                                content_type="application/octet-stream")
        fields[key] = value
    boundary, body = encode_multipart(fields)
    return client.post(work["url"] + path, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_then_download_as_attachment(app, client, work):
    response = _post(client, work, "/files",
                     {"file": (io.BytesIO(pdf("Notes")), "Übergabe notes.pdf"),
                      "label": "My notes"})
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.original_name == "Übergabe notes.pdf"
    assert evidence.size_bytes == len(pdf("Notes")) and len(evidence.sha256) == 64
    assert re.fullmatch(r"[0-9a-f]{32}", evidence.storage_key)
    assert "static" not in str(_stored_files(app)[0])
    got = client.get(f"/portfolio/evidence/{evidence.id}/download")
    assert got.status_code == 200
    assert got.data == pdf("Notes")
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Ubergabe notes.pdf"')
    assert "filename*=UTF-8''%C3%9Cbergabe%20notes.pdf" in disposition
    got.close()


def test_images_are_shown_in_the_page_other_files_only_downloaded(app, client, work):
    for name, data in (("ward-board.png", png()), ("plan.pdf", pdf("Plan"))):
        assert _post(client, work, "/files", {"file": (io.BytesIO(data), name)}).status_code == 302
    photo, plan = db.session.scalars(select(Evidence).order_by(Evidence.original_name.desc()))
    assert (photo.original_name, photo.previewable, plan.previewable) == (
        "ward-board.png", True, False)
    got = client.get(f"/portfolio/evidence/{photo.id}/preview")
    assert got.status_code == 200 and got.data == png()
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"] == "inline"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    got.close()
    assert client.get(f"/portfolio/evidence/{plan.id}/preview").status_code == 404
    page = client.get(work["url"]).get_data(as_text=True)
    assert f'src="/portfolio/evidence/{photo.id}/preview" alt="ward-board.png"' in page
    assert f"/portfolio/evidence/{plan.id}/preview" not in page


@pytest.mark.parametrize(("name", "data", "word"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_uploads_save_nothing(app, client, work, name, data, word):
    before_files = len(_stored_files(app))
    response = _post(client, work, "/files", {"file": (io.BytesIO(data), name),
                                              "label": "Kept label"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Nothing was saved" in page
    assert 'value="Kept label"' in page  # the rest of the form is kept
    assert _count(Evidence) == 0 and _count(Submission) == 0
    assert len(_stored_files(app)) == before_files


@pytest.mark.parametrize("name", ["../../../etc/evil.txt", "a" * 300 + ".txt",
                                  "notes\u202etxt.exe.txt", "nul\x00byte.txt"])
def test_hostile_names_are_stored_sanitised(client, work, name):
    response = _post(client, work, "/files", {"file": (io.BytesIO(b"plain text\n"), name)})
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence))
    stored = evidence.original_name
    assert "/" not in stored and "\\" not in stored and "\x00" not in stored
    assert "\u202e" not in stored and len(stored) <= 120 and stored.endswith(".txt")


def test_oversize_file_is_refused_with_the_form_kept(app, client, work):
    old = app.config["MAX_EVIDENCE_MB"], app.config["MAX_CONTENT_LENGTH"]
    app.config.update(MAX_EVIDENCE_MB=1, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    try:
        big = b"a" * (1024 * 1024 + 10)
        response = _post(client, work, "/files", {"file": (io.BytesIO(big), "big.txt"),
                                                  "label": "Long log"})
        assert response.status_code == 422
        assert "the largest accepted is 1 MB" in response.get_data(as_text=True)
        huge = b"a" * (3 * 1024 * 1024)
        response = _post(client, work, "/files", {"file": (io.BytesIO(huge), "huge.txt")})
        assert response.status_code == 413
        page = response.get_data(as_text=True)
        assert "larger than 1 MB" in page
        assert "Write your reflection" in page  # the work page, not a bare error
    finally:
        app.config.update(MAX_EVIDENCE_MB=old[0], MAX_CONTENT_LENGTH=old[1])
    assert _count(Evidence) == 0


def test_file_inputs_offer_types_and_phone_capture(client, work):
    page = client.get(work["url"]).get_data(as_text=True)
    assert re.search(r'<input[^>]*accept="[^"]*\.pdf[^"]*"[^>]*type="file"', page) or \
        re.search(r'type="file"[^>]*accept="[^"]*\.pdf', page)
    assert 'capture="environment"' in page


def test_links_must_be_http(client, work):
    for bad in ("javascript:alert(1)", "data:text/html,<script>1</script>", "ftp://x.org/a",
                "https://user:pw@example.org/", "vbscript:msgbox", "//evil.example"):
        response = _post(client, work, "/links", {"url": bad, "label": "x"})
        assert response.status_code == 422, bad
    assert _count(Evidence) == 0
    response = _post(client, work, "/links", {"url": "https://example.org/a?b=1&c=<2>",
                                              "label": "Guide"})
    assert response.status_code == 302
    page = client.get(work["url"]).get_data(as_text=True)
    assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;" rel="noopener noreferrer"' in page


def test_reflection_payloads_never_reach_the_page(client, work):
    payload = ('<script>alert(1)</script><img src=x onerror=alert(2)>'
               '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>')
    assert _post(client, work, "/reflection", {"body": payload}).status_code == 302
    page = client.get(work["url"]).get_data(as_text=True)
    shown = page.split('<div class="reflection">')[1].split("</div>")[0]
    assert "alert(1)" in shown  # shown as text, so the learner sees what they wrote
    assert script_problems(shown) == []


def test_not_enrolled_submit_is_refused(client, org, db_session):
    prog = f.programme()
    cp = f.checkpoint(prog)
    db_session.commit()
    login(client, org.learner)
    url = f"/portfolio/checkpoints/{cp.id}"
    token = csrf_token(client, url)
    for path, data in (("/reflection", {"body": "Hi"}), ("/submit", {"version": "0"}),
                       ("/links", {"url": "https://example.org"})):
        response = client.post(url + path, data={**data, "csrf_token": token})
        assert response.status_code == 403
        assert "not enrolled" in response.get_data(as_text=True)
    assert _count(Submission) == 0 and _count(Evidence) == 0


def test_double_click_submits_one_version(client, work):
    _post(client, work, "/reflection", {"body": "My reflection."})
    first = _post(client, work, "/submit", {"version": "0"})
    second = _post(client, work, "/submit", {"version": "0"})
    assert first.status_code == 302 and second.status_code == 302
    assert _count(SubmissionVersion) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "already submitted" in page


def test_tampered_hidden_fields_are_ignored_or_refused(client, org, work):
    _post(client, work, "/reflection", {"body": "My reflection."})
    response = _post(client, work, "/submit", {"version": "7", "status": "approved",
                                               "learner_id": str(org.other_learner.id)})
    assert response.status_code == 302
    assert _count(SubmissionVersion) == 0  # wrong version: refused
    response = _post(client, work, "/submit", {"version": "0", "status": "approved",
                                               "learner_id": str(org.other_learner.id)})
    submission = db.session.scalar(select(Submission))
    assert submission.person_id == org.learner.id and submission.state == "submitted"
    assert _count(SubmissionVersion) == 1


def test_editing_a_submitted_version_is_refused(client, work):
    _post(client, work, "/reflection", {"body": "Original."})
    _post(client, work, "/submit", {"version": "0"})
    response = _post(client, work, "/reflection", {"body": "Changed after sending."})
    assert response.status_code == 422
    assert "cannot be changed" in response.get_data(as_text=True)
    evidence = db.session.scalar(select(Evidence))
    response = client.post(f"/portfolio/evidence/{evidence.id}/remove",
                           data={"csrf_token": work["token"]})
    assert response.status_code == 422
    assert db.session.scalar(select(Evidence.body)) == "Original."


def test_withdraw_then_resubmit_and_see_the_diff(client, org, work):
    _post(client, work, "/reflection", {"body": "Line one.\n<b>Line two</b>"})
    _post(client, work, "/files", {"file": (io.BytesIO(png()), "board.png")})
    _post(client, work, "/submit", {"version": "0"})
    submission = db.session.scalar(select(Submission))
    response = client.post(f"/portfolio/submissions/{submission.id}/withdraw",
                           data={"csrf_token": work["token"]})
    assert response.status_code == 302
    _post(client, work, "/reflection", {"body": "Line one.\n<b>Line 2</b>, improved"})
    _post(client, work, "/links", {"url": "https://example.org/x", "label": "Policy"})
    _post(client, work, "/submit", {"version": "1"})
    page = client.get(f"/portfolio/submissions/{submission.id}/changes").get_data(as_text=True)
    assert "from version 1 to version 2" in page
    assert "&lt;b&gt;Line 2&lt;/b&gt;, improved" in page and "<b>Line 2" not in page
    assert "Link: Policy" in page
    history = client.get(f"/portfolio/submissions/{submission.id}").get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history and "board.png" in history


@pytest.mark.parametrize("intruder", ["other_learner", "unrelated_manager", "anonymous"])
def test_idor_guessing_ids_reveals_nothing(client, org, db_session, intruder):
    cp = f.enrolled_checkpoint(org.learner)
    evidence = operations.add_file(org.learner, cp, io.BytesIO(pdf("Secret")), "secret.pdf")
    operations.submit(operations.find_submission(org.learner, cp), org.learner,
                      expected_version=0)
    db_session.commit()
    submission_id, evidence_id = evidence.submission_id, evidence.id
    if intruder != "anonymous":
        login(client, org.role(intruder))
    paths = [f"/portfolio/people/{org.learner.id}", f"/portfolio/submissions/{submission_id}",
             f"/portfolio/submissions/{submission_id}/changes",
             f"/portfolio/evidence/{evidence_id}/download"]
    missing = [f"/portfolio/submissions/{submission_id + 999}",
               f"/portfolio/evidence/{evidence_id + 999}/download"]
    for path in paths + missing:
        response = client.get(path)
        if intruder == "anonymous":
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
        else:
            assert response.status_code == 404, path  # same answer as for a missing id
            assert b"Secret" not in response.data and b"secret.pdf" not in response.data
    own = client.get("/portfolio").get_data(as_text=True)
    assert "secret.pdf" not in own and "Reflect on a handover" not in own


def test_managers_up_the_chain_and_ld_may_view(client, org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    evidence = operations.add_file(org.learner, cp, io.BytesIO(pdf("Shared")), "shared.pdf")
    db_session.commit()
    for viewer in (org.line, org.skip, org.md, org.ld):
        login(client, viewer)
        response = client.get(f"/portfolio/evidence/{evidence.id}/download")
        assert response.status_code == 200, viewer.name
        response.close()
        assert client.get(f"/portfolio/people/{org.learner.id}").status_code == 200
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/portfolio")})


def test_home_shows_programmes_progress_and_actions(client, org, db_session):
    prog = f.programme("Ward leadership")
    first = f.checkpoint(prog, "First step", position=1)
    f.checkpoint(prog, "Second step", position=2)
    f.enrol(org.learner, prog)
    operations.save_reflection(org.learner, first, "Done.")
    submission = operations.find_submission(org.learner, first)
    operations.submit(submission, org.learner, expected_version=0)
    operations.request_changes(submission, by=org.line)
    db_session.commit()
    login(client, org.learner)
    page = client.get("/").get_data(as_text=True)
    assert "Ward leadership" in page and "0 of 2 checkpoints done" in page
    assert "Needs your action" in page and "First step" in page
    assert "Second step" in page  # next checkpoint


def test_home_progress_counts_formative_work_sent_in_and_marks_completion(client, org,
                                                                          db_session):
    """As completion counts it: a formative checkpoint is done once sent in (nothing approves
    it), so a programme with a certificate never reads "0 of 1"."""
    prog = f.programme("Reflective practice")
    only = f.checkpoint(prog, "Reflect on a shift", position=1, kind="formative")
    enrolment = f.enrol(org.learner, prog)
    operations.save_reflection(org.learner, only, "Done.")
    submission = operations.find_submission(org.learner, only)
    operations.submit(submission, org.learner, expected_version=0)
    enrolment.status = "completed"
    db_session.commit()
    login(client, org.learner)
    page = client.get("/").get_data(as_text=True)
    assert "1 of 1 checkpoint done" in page and "0 of 1" not in page
    assert re.search(r"Reflective practice</strong>.*?Completed</span>", page, re.S)


def test_valid_types_upload_over_http(client, work):
    for name, data in VALID.items():
        response = _post(client, work, "/files", {"file": (io.BytesIO(data), name)})
        assert response.status_code == 302, (name, response.get_data(as_text=True)[:500])
    assert _count(Evidence) == len(VALID)


def test_removing_a_draft_file_deletes_it_from_storage(app, client, work):
    _post(client, work, "/files", {"file": (io.BytesIO(png()), "board.png")})
    evidence = db.session.scalar(select(Evidence))
    path = [p for p in _stored_files(app) if p.name == evidence.storage_key]
    assert path
    response = client.post(f"/portfolio/evidence/{evidence.id}/remove",
                           data={"csrf_token": work["token"]})
    assert response.status_code == 302
    assert not path[0].exists()
    assert _count(Evidence) == 0
