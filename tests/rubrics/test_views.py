"""The builder, preview, history and reading pages, through the test client."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clearance.audit import AuditEvent
from rubrics import operations as ops
from rubrics.models import CommentSnippet, Rubric, RubricVersion
from tests.conftest import csrf_token, login
from tests.rubrics.helpers import make_rubric

EVIL = '<script>alert("x")</script><b onmouseover=1>bold</b>'


def _post(client, url, data=None, token_from=None):
    token = csrf_token(client, token_from or "/rubrics")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_build_a_rubric_from_scratch(client, org, db_session):
    login(client, org.ld)
    response = _post(client, "/rubrics/new", {"title": "Coaching conversation",
                                              "description": "GROW", "scale": "empty"})
    assert response.status_code == 302
    build = response.headers["Location"]
    version_id = int(re.search(r"/versions/(\d+)/build", build).group(1))
    for name, points in (("Not yet", "0"), ("Meets", "1"), ("Exceeds", "2.5")):
        r = _post(client, f"/rubrics/versions/{version_id}/levels",
                  {"scale-name": name, "scale-points": points, "scale-descriptor": f"{name}."})
        assert r.status_code == 302 and r.headers["Location"].endswith("#add-level")
    for title in ("Goal", "Options", "Way forward"):
        r = _post(client, f"/rubrics/versions/{version_id}/criteria",
                  {"new-title": title, "new-comment_required": "y"})
        assert r.status_code == 302
    version = db_session.get(RubricVersion, version_id)
    assert [lv.name for lv in version.scale] == ["Not yet", "Meets", "Exceeds"]
    assert version.scale[2].points == Decimal("2.5")
    r = _post(client, f"/rubrics/criteria/{version.criteria[2].id}/move",
              {"direction": "up"})
    assert r.status_code == 302
    r = _post(client, f"/rubrics/versions/{version_id}/settings",
              {"rule-pass_min_position": "1", "rule-pass_min_points": "",
               "rule-pass_combine": "all", "rule-change_note": "First version"})
    assert r.status_code == 302
    page = client.get(build).get_data(as_text=True)
    assert "This draft is ready" in page
    r = _post(client, f"/rubrics/versions/{version_id}/publish")
    assert r.status_code == 302
    db_session.expire_all()
    version = db_session.get(RubricVersion, version_id)
    assert version.status == "published" and version.rubric.status == "published"
    assert [c.title for c in version.criteria] == ["Goal", "Way forward", "Options"]
    assert version.pass_min_position == 1
    shown = client.get(f"/rubrics/versions/{version_id}").get_data(as_text=True)
    assert "every criterion at or above “Meets”" in shown
    assert shown.index("Way forward") < shown.index("Options")


def test_invalid_input_is_kept_and_explained(client, org, db_session):
    version = make_rubric(org.ld, publish=False)
    db_session.commit()
    login(client, org.ld)
    r = _post(client, f"/rubrics/versions/{version.id}/levels",
              {"scale-name": "Outstanding", "scale-points": "lots",
               "scale-descriptor": "Typed text stays"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'href="#scale-points"' in page and "as a number" in page
    assert "Typed text stays" in page and 'value="Outstanding"' in page
    r = _post(client, f"/rubrics/versions/{version.id}/criteria", {"new-title": "criterion 1"})
    assert "already has a criterion called" in r.get_data(as_text=True)
    r = _post(client, f"/rubrics/versions/{version.id}/publish")
    assert r.status_code == 302
    db_session.expire_all()
    assert db_session.get(RubricVersion, version.id).status == "published"


def test_publishing_an_unready_draft_lists_what_is_missing(client, org, db_session):
    rubric = ops.create_rubric(title="Empty", owner=org.ld)
    db_session.commit()
    login(client, org.ld)
    version_id = rubric.versions[0].id
    r = _post(client, f"/rubrics/versions/{version_id}/publish")
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Add at least one criterion." in page
    assert db_session.get(RubricVersion, version_id).status == "draft"


def test_pinned_versions_cannot_be_edited_through_the_pages(client, org, db_session):
    version = make_rubric(org.ld, pin=True)
    db_session.commit()
    login(client, org.ld)
    before = db_session.scalar(select(func.count()).select_from(AuditEvent))
    attempts = [
        (f"/rubrics/versions/{version.id}/criteria", {"new-title": "Sneaky"}),
        (f"/rubrics/criteria/{version.criteria[0].id}/edit", {"title": "Renamed"}),
        (f"/rubrics/criteria/{version.criteria[0].id}/delete", {}),
        (f"/rubrics/levels/{version.scale[0].id}/edit", {"name": "X", "points": "9"}),
        (f"/rubrics/levels/{version.scale[0].id}/move", {"direction": "down"}),
        (f"/rubrics/versions/{version.id}/publish", {}),
    ]
    for url, data in attempts:
        r = _post(client, url, data)
        assert r.status_code == 302, url
        assert r.headers["Location"] == f"/rubrics/{version.rubric_id}", url
    db_session.expire_all()
    fresh = db_session.get(RubricVersion, version.id)
    assert [c.title for c in fresh.criteria] == ["Criterion 1", "Criterion 2", "Criterion 3"]
    assert fresh.scale[0].name == "Not yet"
    refused = db_session.scalars(select(AuditEvent.action).where(AuditEvent.id > before)).all()
    assert "rubric_criterion.added" not in refused
    page = client.get(f"/rubrics/{version.rubric_id}").get_data(as_text=True)
    assert "in use by a checkpoint" in page
    assert client.get(f"/rubrics/versions/{version.id}/build").status_code == 302


def test_user_text_is_escaped_everywhere(client, org, db_session):
    version = make_rubric(org.ld, title=EVIL, publish=False)
    ops.update_criterion(version.criteria[0], title=EVIL, description=EVIL)
    ops.update_level(version.scale[0], name="Not yet", points=Decimal(0), descriptor=EVIL)
    ops.update_version_settings(version, pass_min_position=1, pass_min_points=None,
                                change_note=EVIL)
    ops.publish(version)
    ops.add_snippet(version.criteria[0], EVIL)
    second = ops.new_draft(version.rubric)
    ops.update_criterion(second.criteria[1], title="Changed", description=EVIL)
    db_session.commit()
    login(client, org.ld)
    pages = [f"/rubrics/versions/{version.id}", f"/rubrics/versions/{second.id}/build",
             f"/rubrics/versions/{version.id}/preview", f"/rubrics/{version.rubric_id}",
             f"/rubrics/{version.rubric_id}/comments", f"/rubrics/versions/{second.id}/changes",
             f"/rubrics/criteria/{second.criteria[0].id}/edit", "/rubrics"]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "<b onmouseover" not in page, url
        assert "&lt;script&gt;" in page, url
    token = csrf_token(client, f"/rubrics/versions/{version.id}/preview")
    page = client.post(f"/rubrics/versions/{version.id}/preview",
                       data={"csrf_token": token, f"c{version.criteria[1].id}-comment": EVIL,
                             "feedback": EVIL}).get_data(as_text=True)
    assert "<script>alert" not in page and page.count("&lt;script&gt;") >= 3


def test_preview_checks_an_assessment_and_keeps_what_was_typed(client, org, db_session):
    version = make_rubric(org.ld)  # criterion 1 needs a comment; pass at "Meets"
    ops.add_snippet(version.criteria[1], "Shares the plan with the whole team.")
    db_session.commit()
    login(client, org.ld)
    url = f"/rubrics/versions/{version.id}/preview"
    page = client.get(url).get_data(as_text=True)
    assert 'type="radio"' in page and "Shares the plan with the whole team." in page
    assert 'src="/static/js/rubric.js"' in page
    c1, c2, c3 = (c.id for c in version.criteria)
    levels = [lv.id for lv in version.scale]
    token = csrf_token(client, url)
    page = client.post(url, data={"csrf_token": token, f"c{c2}-level": levels[0],
                                  f"c{c2}-comment": "Kept comment", "feedback": "Short"}
                       ).get_data(as_text=True)
    assert "The assessment is not complete yet" in page
    assert f'href="#c{c1}-level"' in page and f'href="#c{c1}-comment"' in page
    assert f'href="#c{c3}-level"' in page and 'href="#feedback"' in page
    assert f'id="c{c1}-level"' in page  # the link target exists
    assert "Kept comment" in page and ">Short</textarea>" in page
    assert re.search(rf'value="{levels[0]}" checked', page)
    assert "No suggestion yet." in page
    page = client.post(url, data={
        "csrf_token": token, f"c{c1}-level": levels[1], f"c{c1}-comment": "Clear SBAR.",
        f"c{c1}-bank": "1", f"c{c2}-level": levels[2], f"c{c3}-level": levels[0],
        "feedback": "A thoughtful account that links each step to the patient's safety.",
    }).get_data(as_text=True)
    assert "The assessment is complete" in page
    assert "Does not meet the pass rule: request changes." in page
    assert "“Criterion 3” is at “Not yet”, below “Meets”." in page
    assert "Total: <strong>5</strong> of 9 points" in page
    texts = db_session.scalars(select(CommentSnippet.text)).all()
    assert "Clear SBAR." in texts


def test_minimum_feedback_follows_the_setting(client, org, db_session, app):
    version = make_rubric(org.ld)
    db_session.commit()
    login(client, org.ld)
    app.config["RUBRIC_MIN_FEEDBACK_CHARS"] = 5
    try:
        url = f"/rubrics/versions/{version.id}/preview"
        page = client.get(url).get_data(as_text=True)
        assert "At least 5 characters" in page
        token = csrf_token(client, url)
        page = client.post(url, data={"csrf_token": token, "feedback": "Great"}
                           ).get_data(as_text=True)
        assert 'href="#feedback"' not in page
    finally:
        app.config["RUBRIC_MIN_FEEDBACK_CHARS"] = 40


def test_history_and_what_changed(client, org, db_session):
    v1 = make_rubric(org.ld, pin=True)
    v2 = ops.new_draft(v1.rubric, change_note="Sharper descriptors")
    ops.update_level(v2.scale[1], name="Meets", points=Decimal(3), descriptor="Unprompted.")
    ops.add_criterion(v2, title="Teamwork")
    ops.delete_criterion(v2.criteria[0])
    ops.update_version_settings(v2, pass_min_position=2, pass_min_points=None,
                                change_note="Sharper descriptors")
    db_session.commit()
    login(client, org.ld)
    page = client.get(f"/rubrics/{v1.rubric_id}").get_data(as_text=True)
    assert "Version 2" in page and "Sharper descriptors" in page
    assert "Yes: 0 checkpoints (locked)" in page
    page = client.get(f"/rubrics/versions/{v2.id}/changes").get_data(as_text=True)
    for expected in ("Criterion “Criterion 1”</strong>: removed.",
                     "Criterion “Teamwork”</strong>: added at position 3.",
                     "level 2 “Meets”: points 2 → 3.", "descriptor reworded.",
                     "every criterion at or above “Meets” → “Exceeds”."):
        assert expected in page
    assert client.get(f"/rubrics/versions/{v2.id}/changes?against=999999").status_code == 404


def test_duplicate_archive_restore_and_new_draft(client, org, db_session):
    v1 = make_rubric(org.ld, pin=True)
    db_session.commit()
    login(client, org.ld)
    r = _post(client, f"/rubrics/{v1.rubric_id}/duplicate")
    copy_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert db_session.get(Rubric, copy_id).title == "Copy of Reflective practice"
    r = _post(client, f"/rubrics/{v1.rubric_id}/draft")
    assert r.status_code == 302 and "/build" in r.headers["Location"]
    first_draft = r.headers["Location"]
    r = _post(client, f"/rubrics/{v1.rubric_id}/draft")  # a second click goes to the same draft
    assert r.headers["Location"] == first_draft
    assert len(db_session.get(Rubric, v1.rubric_id).versions) == 2
    _post(client, f"/rubrics/{v1.rubric_id}/archive")
    page = client.get("/rubrics").get_data(as_text=True)
    assert '">Reflective practice</a>' not in page
    assert '">Reflective practice</a>' in client.get("/rubrics?status=archived").get_data(
        as_text=True)
    _post(client, f"/rubrics/{v1.rubric_id}/restore")
    assert db_session.get(Rubric, v1.rubric_id).status == "published"


def test_reading_a_rubric(client, org, db_session):
    published = make_rubric(org.ld)
    draft = make_rubric(org.ld, title="Secret draft", publish=False)
    db_session.commit()
    login(client, org.learner)
    page = client.get(f"/rubrics/versions/{published.id}").get_data(as_text=True)
    assert "Reflective practice" in page and 'type="radio"' not in page
    assert "Export JSON" not in page  # authors' links are not shown to readers
    assert client.get(f"/rubrics/versions/{draft.id}").status_code == 404
    assert "Rubrics</a>" not in client.get("/").get_data(as_text=True)


def test_managers_add_to_the_comment_bank(client, org, db_session):
    version = make_rubric(org.ld)
    criterion_id = version.criteria[0].id
    db_session.commit()
    login(client, org.line)
    token = csrf_token(client, "/")
    r = client.post(f"/rubrics/criteria/{criterion_id}/comments",
                    data={"csrf_token": token, f"c{criterion_id}-text": "Good structure."})
    assert r.status_code == 302
    assert db_session.scalars(select(CommentSnippet.text)).all() == ["Good structure."]


@pytest.mark.parametrize("viewer", ["ld", "learner"])
def test_the_grid_is_a_table_with_headers(client, org, db_session, viewer):
    version = make_rubric(org.ld)
    db_session.commit()
    login(client, getattr(org, viewer))
    page = client.get(f"/rubrics/versions/{version.id}").get_data(as_text=True)
    assert '<table class="rubric-grid">' in page
    assert "<caption>Reflective practice" in page
    assert page.count('<th scope="row" class="criterion">') == 3
    assert '<th scope="col">Meets <span class="level-points">2&nbsp;pts</span></th>' in page
