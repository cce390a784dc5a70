"""The catalogue, programme pages, enrolment buttons, and L&D's authoring and assignment pages."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from checkpoints import operations as ops
from checkpoints import queries
from checkpoints.models import Checkpoint, Enrolment, Programme
from checkpoints.queries import AssignTarget
from clearance.extensions import db
from tests.checkpoints.helpers import programme, rubric_version
from tests.conftest import csrf_token, login


def _text(response) -> str:
    return response.get_data(as_text=True)


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/catalogue/\d+">([^<]+)</a></h2>', html)


def _enrolment(person, prog) -> Enrolment | None:
    db.session.expire_all()
    return queries.enrolment_for(person.id, prog.id)


# ---- the catalogue ----


def test_catalogue_hides_unreleased_drafts_and_closed_from_learners(client, org, db_session):
    today = queries.today()
    programme(org.ld, title="Released elective", release_date=today - dt.timedelta(days=3))
    programme(org.ld, title="Released today", release_date=today)
    programme(org.ld, title="Next month", release_date=today + dt.timedelta(days=30))
    programme(org.ld, title="Still a draft", publish=False)
    programme(org.ld, title="Assigned only", open_in_catalogue=False)
    db_session.commit()
    login(client, org.learner)
    titles = _titles(_text(client.get("/catalogue")))
    assert sorted(titles) == ["Released elective", "Released today"]
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/catalogue")})
    login(client, org.ld)
    titles = _titles(_text(client.get("/catalogue")))
    assert sorted(titles) == ["Next month", "Released elective", "Released today"]
    upcoming = _titles(_text(client.get("/catalogue?released=upcoming")))
    assert upcoming == ["Next month"]


def test_catalogue_search_and_filters(client, org, db_session):
    today = queries.today()
    programme(org.ld, title="Leading with compassion", theme="Leadership", audience="managers",
              summary="Kindness as a management tool.", release_date=today - dt.timedelta(200))
    programme(org.ld, title="Coaching conversations", theme="Leadership", audience="managers",
              release_date=today - dt.timedelta(days=10))
    programme(org.ld, title="Sepsis recognition refresher", theme="Clinical skills",
              summary="Spot deterioration early.", release_date=today - dt.timedelta(days=5))
    db_session.commit()
    login(client, org.learner)

    def titles(query: str) -> list[str]:
        return sorted(_titles(_text(client.get("/catalogue" + query))))

    assert titles("?q=compassion") == ["Leading with compassion"]
    assert titles("?q=deterioration") == ["Sepsis recognition refresher"]  # summary text
    assert titles("?theme=Leadership") == ["Coaching conversations", "Leading with compassion"]
    assert titles("?audience=everyone") == ["Sepsis recognition refresher"]
    assert titles("?released=30") == ["Coaching conversations", "Sepsis recognition refresher"]
    assert titles("?released=365&theme=Leadership&audience=managers") == [
        "Coaching conversations", "Leading with compassion"]
    # A learner cannot ask for unreleased programmes; unknown values are ignored, not errors.
    assert len(titles("?released=upcoming")) == 3
    assert client.get("/catalogue?theme=<script>&page=x").status_code == 200
    page = _text(client.get("/catalogue"))
    assert '<option value="Leadership">Leadership</option>' in page


def test_catalogue_paginates(client, org, db_session):
    for n in range(queries.CATALOGUE_PAGE_SIZE + 3):
        programme(org.ld, title=f"Programme {n:02d}")
    db_session.commit()
    login(client, org.learner)
    first = _text(client.get("/catalogue"))
    second = _text(client.get("/catalogue?page=2"))
    assert len(_titles(first)) == queries.CATALOGUE_PAGE_SIZE
    assert len(_titles(second)) == 3
    assert "Page 1 of 2" in first and 'href="/catalogue?page=2"' in first
    assert not set(_titles(first)) & set(_titles(second))


def test_programme_page_shows_checkpoints_and_requirements(client, org, db_session):
    version = rubric_version("Compassionate leadership rubric")
    prog = programme(org.ld, title="Leading with compassion", checkpoints=0, publish=False)
    ops.add_checkpoint(prog, ops.CheckpointFields(
        title="Listening log", guidance="Keep a log for a week.\nNote what you heard.",
        kind="formative", min_evidence=0, allowed_evidence=("reflection",),
        due_offset_days=7))
    ops.add_checkpoint(prog, ops.CheckpointFields(
        title="Compassionate conversation", kind="summative", approval_levels=2,
        rubric_version_id=version.id, min_evidence=2, allowed_evidence=("file", "link"),
        due_offset_days=30))
    ops.publish_programme(prog)
    db_session.commit()
    login(client, org.learner)
    page = _text(client.get(f"/catalogue/{prog.id}"))
    assert "Listening log" in page and "Keep a log for a week." in page
    assert "No evidence is required; you may use a written reflection." in page
    assert "At least 2 items of evidence; you may use files or links." in page
    assert "Due 7 days after you enrol" in page and "Due 30 days after you enrol" in page
    assert "signed off by your line manager, then by their manager" in page
    assert "feedback; there is no sign-off" in page
    assert "Compassionate leadership rubric (version 1)" in page
    rubric_href = f"/catalogue/{prog.id}/checkpoints/{prog.checkpoints[1].id}/rubric"
    assert rubric_href in page
    rubric_page = _text(client.get(rubric_href))
    assert "Compassionate leadership rubric" in rubric_page and "Version 1" in rubric_page
    assert "Enrol in this programme" in page


def test_user_text_is_escaped(client, org, db_session):
    prog = programme(org.ld, title="<script>alert(1)</script>",
                     summary='<img src=x onerror="alert(2)">')
    db_session.commit()
    login(client, org.learner)
    for url in ("/catalogue", f"/catalogue/{prog.id}"):
        page = _text(client.get(url))
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---- enrol and leave ----


def test_self_enrol_ignores_tampered_fields(client, org, db_session):
    prog = programme(org.ld)
    db_session.commit()
    login(client, org.learner)
    token = csrf_token(client, f"/catalogue/{prog.id}")
    response = client.post(f"/catalogue/{prog.id}/enrol", data={
        "csrf_token": token, "source": "assigned", "person_id": org.other_learner.id,
        "status": "completed", "programme_id": 999})
    assert response.status_code == 302
    mine = _enrolment(org.learner, prog)
    assert (mine.source, mine.status, mine.assigned_by_id) == ("self", "active", None)
    assert _enrolment(org.other_learner, prog) is None
    again = client.post(f"/catalogue/{prog.id}/enrol", data={"csrf_token": token},
                        follow_redirects=True)
    assert "already enrolled" in _text(again)
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 1


def test_enrol_needs_csrf(client, org, db_session):
    prog = programme(org.ld)
    db_session.commit()
    login(client, org.learner)
    response = client.post(f"/catalogue/{prog.id}/enrol", data={})
    assert response.status_code == 400
    assert _enrolment(org.learner, prog) is None


def test_leave_own_elective_but_not_an_assigned_one(client, org, db_session):
    elective = programme(org.ld, title="Elective")
    pushed = programme(org.ld, title="Pushed")
    ops.self_enrol(org.learner, elective)
    ops.assign(pushed, AssignTarget("people", (org.learner.id,)), by=org.ld)
    db_session.commit()
    login(client, org.learner)
    page = _text(client.get(f"/catalogue/{elective.id}"))
    assert "Leave this programme" in page
    token = csrf_token(client, f"/catalogue/{elective.id}")
    assert client.post(f"/catalogue/{elective.id}/leave",
                       data={"csrf_token": token}).status_code == 302
    assert _enrolment(org.learner, elective).status == "left"
    page = _text(client.get(f"/catalogue/{pushed.id}"))
    assert "Leave this programme" not in page and "only Learning and Development" in page
    assert client.post(f"/catalogue/{pushed.id}/leave",
                       data={"csrf_token": token}).status_code == 403
    assert _enrolment(org.learner, pushed).status == "active"


def test_my_programmes_lists_enrolments_with_due_dates(client, org, db_session):
    prog = programme(org.ld, title="Clinical handover", checkpoints=0, publish=False)
    ops.add_checkpoint(prog, ops.CheckpointFields(title="Observe a handover", kind="formative",
                                                  due_offset_days=14))
    ops.publish_programme(prog)
    upcoming = programme(org.ld, title="Coming later",
                         release_date=queries.today() + dt.timedelta(days=20))
    ops.self_enrol(org.learner, prog)
    ops.assign(upcoming, AssignTarget("people", (org.learner.id,)), by=org.ld)
    db_session.commit()
    login(client, org.learner)
    page = _text(client.get("/my/programmes"))
    due = queries.today() + dt.timedelta(days=14)
    assert "Clinical handover" in page and f"Due {due.day} {due:%B %Y}" in page
    assert "Coming later" in page and "Starts" in page
    assert f'href="/catalogue/{upcoming.id}"' not in page  # not readable before release
    assert "You chose it" in page and "Assigned to you" in page


def test_progress_provider_fills_my_programmes(client, org, db_session, monkeypatch):
    prog = programme(org.ld, title="Clinical handover", checkpoints=3)
    ops.self_enrol(org.learner, prog)
    db_session.commit()
    monkeypatch.setattr(queries, "_PROGRESS", [])
    queries.register_progress(lambda person, enrolments: {
        e.id: queries.Progress(done=2, total=3) for e in enrolments})
    login(client, org.learner)
    page = _text(client.get("/my/programmes"))
    assert "2 of 3 checkpoints done" in page and 'value="2"' in page


def test_home_suggests_new_electives(client, org, db_session):
    programme(org.ld, title="Quality improvement basics")
    programme(org.ld, title="Coaching conversations", audience="managers")
    joined = programme(org.ld, title="Already joined")
    ops.self_enrol(org.learner, joined)
    db_session.commit()
    login(client, org.learner)

    def panel() -> str:
        page = _text(client.get("/"))
        found = re.search(r"<h2>New in the catalogue</h2>(.*?)</article>", page, re.S)
        assert found, "no suggestions panel"
        return found.group(1)

    mine = panel()
    assert "Quality improvement basics" in mine
    assert "Coaching conversations" not in mine and "Already joined" not in mine
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login(client, org.line)
    mine = panel()
    assert mine.index("Coaching conversations") < mine.index("Quality improvement basics")


# ---- L&D authoring ----


def test_ld_builds_a_programme_through_the_pages(client, org, db_session):
    version = rubric_version("Handover rubric")
    draft_version = rubric_version("Unfinished rubric", status="draft")
    db_session.commit()
    login(client, org.ld)
    token = csrf_token(client, "/programmes/new")
    response = client.post("/programmes/new", data={
        "csrf_token": token, "title": "Clinical handover", "summary": "SBAR in practice.",
        "theme": "Clinical skills", "audience": "everyone", "release_date": "2026-01-05",
        "kind": "elective", "open_in_catalogue": "y"})
    assert response.status_code == 302
    prog = db.session.scalar(select(Programme).where(Programme.title == "Clinical handover"))
    assert prog.status == "draft" and prog.release_date == dt.date(2026, 1, 5)
    base = f"/programmes/{prog.id}"

    form = _text(client.get(base + "/checkpoints/new"))
    assert "Handover rubric (version 1)" in form and "Unfinished rubric" not in form
    # Summative without a rubric: refused, the input kept, the error linked to the field.
    response = client.post(base + "/checkpoints/new", data={
        "csrf_token": token, "title": "Assessed handover", "guidance": "Lead one handover.",
        "min_evidence": "2", "allowed_evidence": ["file"], "kind": "summative",
        "approval_levels": "2", "rubric_version_id": ""})
    page = _text(response)
    assert response.status_code == 200
    assert 'href="#rubric_version_id"' in page and 'value="Assessed handover"' in page
    response = client.post(base + "/checkpoints/new", data={
        "csrf_token": token, "title": "Assessed handover", "min_evidence": "2",
        "allowed_evidence": ["file"], "kind": "summative", "approval_levels": "2",
        "rubric_version_id": str(draft_version.id)})
    assert response.status_code == 200  # not a choice on offer
    assert db.session.scalar(select(db.func.count()).select_from(Checkpoint)) == 0
    for title, kind, rubric in (("Assessed handover", "summative", str(version.id)),
                                ("Reflect", "formative", "")):
        response = client.post(base + "/checkpoints/new", data={
            "csrf_token": token, "title": title, "min_evidence": "1",
            "allowed_evidence": ["file", "reflection"], "due_offset_days": "21", "kind": kind,
            "approval_levels": "2", "rubric_version_id": rubric})
        assert response.status_code == 302, _text(response)[:2000]
    db.session.expire_all()
    first, second = prog.checkpoints
    assert (first.title, first.approval_levels, first.rubric_version_id) == (
        "Assessed handover", 2, version.id)
    assert db.session.get(type(version), version.id).pinned_at is not None

    manage = _text(client.get(base))
    assert "Handover rubric v1" in manage
    client.post(f"{base}/checkpoints/{second.id}/move",
                data={"csrf_token": token, "direction": "up"})
    db.session.expire_all()
    assert [c.title for c in prog.checkpoints] == ["Reflect", "Assessed handover"]

    edit = _text(client.get(f"{base}/checkpoints/{first.id}/edit"))
    assert f'<option selected value="{version.id}">' in edit or \
        f'value="{version.id}" selected' in edit
    client.post(f"{base}/checkpoints/{second.id}/remove", data={"csrf_token": token})
    db.session.expire_all()
    assert [c.title for c in prog.checkpoints] == ["Assessed handover"]

    preview = _text(client.get(base + "/preview"))
    assert "Preview: this is how learners see the programme once it is published" in preview
    assert "Enrol in this programme" not in preview
    assert client.post(base + "/publish", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert prog.status == "published"
    listing = _text(client.get("/programmes"))
    assert "Clinical handover" in listing


def test_programme_form_keeps_input_on_error(client, org, db_session):
    login(client, org.ld)
    token = csrf_token(client, "/programmes/new")
    response = client.post("/programmes/new", data={
        "csrf_token": token, "title": "", "summary": "Keep me", "theme": "Leadership",
        "audience": "everyone", "kind": "elective", "release_date": "not a date"})
    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#title"' in page
    assert "Keep me" in page and 'value="Leadership"' in page
    assert db.session.scalar(select(db.func.count()).select_from(Programme)) == 0


def test_assign_page_confirms_then_enrols(client, org, db_session, make_person):
    prog = programme(org.ld, kind="mandatory")
    ops.self_enrol(org.learner, prog)
    for n in range(2):
        make_person(f"Ward Ten {n}", manager=org.line, unit="Ward 10")
    db_session.commit()
    login(client, org.ld)
    url = f"/programmes/{prog.id}/assign"
    token = csrf_token(client, url)

    page = _text(client.post(url, data={"csrf_token": token, "target": "people",
                                        "people": f"{org.learner.email}\n"
                                                  f"{org.other_learner.employee_id}"}))
    assert "This enrols <strong>1 person</strong>" in page
    assert "1 of the 2 people chosen are already enrolled" in page
    assert _enrolment(org.other_learner, prog) is None  # nothing happens before confirming
    response = client.post(url, data={"csrf_token": token, "target": "people",
                                      "people": f"{org.learner.email}\n"
                                                f"{org.other_learner.employee_id}",
                                      "confirm": "yes"})
    assert response.status_code == 302
    assert _enrolment(org.other_learner, prog).source == "assigned"
    assert _enrolment(org.learner, prog).source == "self"

    page = _text(client.post(url, data={"csrf_token": token, "target": "unit",
                                        "unit": "Ward 10"}))
    assert "This enrols <strong>2 people</strong>" in page
    page = _text(client.post(url, data={"csrf_token": token, "target": "managers"}))
    assert "This enrols <strong>4 people</strong>" in page  # md, skip, line, unrelated
    page = _text(client.post(url, data={"csrf_token": token, "target": "people",
                                        "people": "nobody@example.org"}))
    assert "Nobody has the employee id or e-mail address nobody@example.org" in page
    page = _text(client.post(url, data={"csrf_token": token, "target": "unit", "unit": ""}))
    assert "Choose a unit." in page
    response = client.post(url, data={"csrf_token": token, "target": "managers",
                                      "confirm": "yes"}, follow_redirects=True)
    assert "Enrolled 4 people" in _text(response)
    # the list shows them, and L&D may take someone off an assigned programme
    listing = _text(client.get(f"/programmes/{prog.id}/enrolments"))
    assert org.other_learner.name in listing and "Assigned" in listing
    enrolment = _enrolment(org.other_learner, prog)
    assert client.post(f"/programmes/{prog.id}/enrolments/{enrolment.id}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert _enrolment(org.other_learner, prog).status == "removed"
    removed = _text(client.get(f"/programmes/{prog.id}/enrolments?status=removed"))
    assert org.other_learner.name in removed


def test_assign_a_draft_is_refused(client, org, db_session):
    prog = programme(org.ld, publish=False)
    db_session.commit()
    login(client, org.ld)
    response = client.get(f"/programmes/{prog.id}/assign", follow_redirects=True)
    assert "Publish the programme before assigning it." in _text(response)


def test_archive_and_restore_through_pages(client, org, db_session):
    prog = programme(org.ld)
    ops.self_enrol(org.learner, prog)
    db_session.commit()
    login(client, org.ld)
    token = csrf_token(client, f"/programmes/{prog.id}")
    client.post(f"/programmes/{prog.id}/archive", data={"csrf_token": token})
    db.session.expire_all()
    assert prog.status == "archived"
    assert "Restore" in _text(client.get(f"/programmes/{prog.id}"))
    client.post(f"/programmes/{prog.id}/restore", data={"csrf_token": token})
    db.session.expire_all()
    assert prog.status == "published"
