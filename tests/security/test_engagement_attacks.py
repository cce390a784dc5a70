"""Attack tests for the engagement pages: IDOR across people and managers, tokens used for
something else, share links after revoking, the widget's preview and redirect, escaping of
user text in pages, e-mails and the PDF, CSV formulas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from clearance.extensions import db
from clearance.mail import OutboxMessage
from tests.conftest import csrf_token, login

EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>"\''


def _client(app, person):
    other = app.test_client()
    login(other, person)
    return other


def _unescaped(html: str) -> bool:
    return "<script>alert(1)" in html or "<img src=x" in html


# ---------------------------------------------------------------- widget


def test_preview_as_managers_is_ignored_for_everyone_but_staff(app, client, org, db_session):
    from tests.suggestions.helpers import elective, suggest

    suggest(elective("Managers only title"), audience="managers")
    suggest(elective("Everyone title"), audience="everyone")
    db_session.commit()
    for person in (None, org.learner, org.other_learner):
        c = app.test_client() if person is None else _client(app, person)
        for query in ("?as=managers", "?as=managers&preview=1", "?preview=1&as=unit"):
            html = c.get("/widget/suggested" + query).get_data(as_text=True)
            assert "Managers only title" not in html and "Everyone title" in html
            assert "Preview" not in html


@pytest.mark.parametrize("query", ["?next=//evil.example", "?next=https://evil.example",
                                   "?url=https:%2F%2Fevil.example", "?target=/\\evil.example"])
def test_the_tracking_redirect_ignores_every_parameter(client, org, db_session, query):
    from tests.suggestions.helpers import elective, suggest

    s = suggest(elective("Go somewhere"))
    db_session.commit()
    login(client, org.learner)
    got = client.get(f"/widget/go/{s.id}{query}")
    assert got.status_code == 302
    with client.application.test_request_context():
        from flask import url_for

        expected = url_for("checkpoints.programme", programme_id=s.programme_id)
    assert got.headers["Location"] == expected


def test_the_widget_escapes_titles_themes_and_units(app, client, org, db_session):
    from tests.suggestions.helpers import elective, suggest

    prog = elective("Title " + EVIL, summary="Summary " + EVIL)
    suggest(prog, theme="Theme " + EVIL)
    suggest(elective("Second"), theme="Other " + EVIL)
    db_session.commit()
    html = client.get("/widget/suggested").get_data(as_text=True)
    assert "Title &lt;script&gt;" in html and not _unescaped(html)
    login(client, org.ld)
    for url in ("/suggestions", "/suggestions/widget", "/widget/suggested?as=everyone"):
        assert not _unescaped(client.get(url).get_data(as_text=True)), url


@pytest.mark.parametrize("setting", [
    "https://intranet.example; script-src https://evil.example",
    "https://intranet.example,https://evil.example",
    "https://intranet.example\r\nSet-Cookie: x=1",
    "'unsafe-inline' * data: https:",
    "javascript://x https://ok.example/path",
])
def test_frame_ancestors_setting_cannot_inject(app, client, org, db_session, monkeypatch,
                                               setting):
    monkeypatch.setitem(app.config, "WIDGET_FRAME_ANCESTORS", setting)
    got = client.get("/widget/suggested")
    csp = got.headers["Content-Security-Policy"]
    ancestors = re.search(r"frame-ancestors ([^;]*)", csp).group(1).split()
    assert all(a == "'self'" or re.fullmatch(r"https?://[a-z0-9.*:-]+", a)
               for a in ancestors), csp
    assert "Set-Cookie" not in got.headers and "\n" not in csp
    assert csp.count("script-src") == 1 and "script-src 'self';" in csp


# ---------------------------------------------------------------- certificates


def test_a_certificate_is_404_for_people_beside_or_below(app, client, org, db_session):
    from tests.nudges.helpers import certificate_for

    cert = certificate_for(org.learner)
    db_session.commit()
    for person in (org.other_learner, org.unrelated):
        c = _client(app, person)
        assert c.get(f"/certificates/{cert.id}").status_code == 404
        token = csrf_token(c, "/")
        for action in ("share", "unshare"):
            got = c.post(f"/certificates/{cert.id}/{action}", data={"csrf_token": token})
            assert got.status_code == 404
        assert f"/certificates/{cert.id}" not in c.get("/certificates").get_data(as_text=True)


def test_only_the_learner_shares_and_old_links_stop_working(app, client, org, db_session):
    from engagement.nudges.models import Certificate
    from tests.nudges.helpers import certificate_for

    cert = certificate_for(org.learner)
    db_session.commit()
    manager = _client(app, org.line)
    got = manager.post(f"/certificates/{cert.id}/share",
                       data={"csrf_token": csrf_token(manager, f"/certificates/{cert.id}")})
    assert got.status_code == 403
    assert db.session.get(Certificate, cert.id).share_token_hash is None
    login(client, org.learner)
    page = f"/certificates/{cert.id}"
    client.post(f"{page}/share", data={"csrf_token": csrf_token(client, page)})
    first = re.search(r'value="http://[^/]+(/certificates/shared/[^"]+)"',
                      client.get(page).get_data(as_text=True)).group(1)
    assert app.test_client().get(first).status_code == 200
    client.post(f"{page}/share", data={"csrf_token": csrf_token(client, page)})
    second = re.search(r'value="http://[^/]+(/certificates/shared/[^"]+)"',
                       client.get(page).get_data(as_text=True)).group(1)
    assert second != first
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    client.post(f"{page}/unshare", data={"csrf_token": csrf_token(client, page)})
    assert app.test_client().get(second).status_code == 404
    # the shared page says nothing beyond the certificate: no other certificate id works
    assert app.test_client().get(second.rstrip("A") + "B").status_code == 404


def test_sharing_needs_a_form_token(client, org, db_session):
    from engagement.nudges.models import Certificate
    from tests.nudges.helpers import certificate_for

    cert = certificate_for(org.learner)
    db_session.commit()
    login(client, org.learner)
    assert client.post(f"/certificates/{cert.id}/share").status_code == 400
    assert db.session.get(Certificate, cert.id).share_token_hash is None


def test_the_certificate_escapes_titles(app, client, org, db_session):
    from tests.nudges.helpers import certificate_for

    cert = certificate_for(org.learner, title="Prog " + EVIL)
    cert.programme.theme = "Theme " + EVIL
    db_session.commit()
    login(client, org.learner)
    html = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "Prog &lt;script&gt;" in html and not _unescaped(html)
    assert not _unescaped(client.get("/certificates").get_data(as_text=True))
    assert not _unescaped(client.get("/").get_data(as_text=True))


# ---------------------------------------------------------------- unsubscribe


def test_an_unsubscribe_token_works_for_its_person_and_kind_only(app, client, org, db_session):
    from engagement.nudges import preferences as prefs
    from engagement.nudges import tokens

    with app.test_request_context():
        mine = tokens.unsubscribe_token(org.learner.id, "overdue")
    got = client.post(f"/nudges/unsubscribe/{mine}", data={"List-Unsubscribe": "One-Click"})
    assert got.status_code == 200
    assert not prefs.channels_of(org.learner.id)["overdue"].email
    assert prefs.channels_of(org.learner.id)["due_soon"].email
    assert prefs.channels_of(org.other_learner.id)["overdue"].email


def test_other_signed_values_are_not_unsubscribe_tokens(app, client, org, db_session):
    """A value the app signs for something else (the session cookie, a form token) is never
    read as an unsubscribe token."""
    from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

    secret = app.config["SECRET_KEY"]
    forged = [
        URLSafeSerializer(secret).dumps({"u": "unsubscribe", "p": org.learner.id,
                                         "k": "overdue"}),
        URLSafeTimedSerializer(secret, salt="cookie-session").dumps(
            {"u": "unsubscribe", "p": org.learner.id, "k": "overdue"}),
        URLSafeSerializer(secret, salt="wtf-csrf-token").dumps(
            {"u": "unsubscribe", "p": org.learner.id, "k": "overdue"}),
    ]
    for token in forged:
        got = client.post(f"/nudges/unsubscribe/{token}",
                          data={"List-Unsubscribe": "One-Click"})
        assert got.status_code == 400, token


# ---------------------------------------------------------------- application checks


def test_a_manager_whose_report_moved_away_can_neither_read_nor_answer(app, client, org,
                                                                       db_session):
    from engagement.application.models import ApplicationCheck
    from people.operations import update_person
    from tests.application_checks.helpers import ANSWER, due_check

    check = due_check(org.learner)
    update_person(org.learner, manager=org.unrelated)
    db_session.commit()
    old = _client(app, org.line)
    url = f"/application-checks/{check.id}"
    assert old.get(url).status_code == 404
    got = old.post(url, data={**ANSWER, "csrf_token": csrf_token(old, "/")})
    assert got.status_code == 404
    assert db.session.get(ApplicationCheck, check.id).answered_at is None
    assert url not in old.get("/application-checks").get_data(as_text=True)
    new = _client(app, org.unrelated)
    assert new.post(url, data={**ANSWER, "csrf_token": csrf_token(new, url)}).status_code == 302


def test_the_check_escapes_the_note_and_measure(app, client, org, db_session):
    from tests.application_checks.helpers import due_check

    check = due_check(org.learner, title="Check " + EVIL)
    db_session.commit()
    login(client, org.line)
    url = f"/application-checks/{check.id}"
    client.post(url, data={"answer": "yes", "note": "Note " + EVIL,
                           "measure_name": "Measure " + EVIL, "measure_value": "3",
                           "measure_unit": "Unit " + EVIL, "csrf_token": csrf_token(client, url)})
    for who, path in ((org.line, url), (org.line, "/application-checks"),
                      (org.skip, url), (org.learner, f"/portfolio/submissions/"
                                                     f"{check.submission_id}")):
        html = _client(app, who).get(path).get_data(as_text=True)
        assert not _unescaped(html), (who.name, path)
    mails = db.session.scalars(select(OutboxMessage.body_html)).all()
    assert not any(_unescaped(m or "") for m in mails)


def test_a_measure_value_that_is_not_a_number_is_refused(app, client, org, db_session):
    from engagement.application.models import ApplicationCheck
    from tests.application_checks.helpers import due_check

    check = due_check(org.learner)
    db_session.commit()
    login(client, org.line)
    url = f"/application-checks/{check.id}"
    for value in ("NaN", "Infinity", "-Infinity", "sNaN", "1e999999"):
        got = client.post(url, data={"answer": "yes", "measure_name": "M",
                                     "measure_value": value,
                                     "csrf_token": csrf_token(client, url)})
        assert got.status_code in (200, 422), (value, got.status_code)
        assert db.session.get(ApplicationCheck, check.id).answered_at is None, value


# ---------------------------------------------------------------- results and insights


def test_results_page_and_pdf_html_escape_programme_titles(app, client, org, db_session):
    from engagement import periods
    from engagement.results.views import summary_html
    from tests.application_checks.helpers import approved_check

    check = approved_check(org.learner, title="Safe " + EVIL)
    check.programme.title = "Prog " + EVIL
    db_session.commit()
    login(client, org.ld)
    assert not _unescaped(client.get("/results").get_data(as_text=True))
    assert not _unescaped(client.get("/application-checks/programmes").get_data(as_text=True))
    with app.test_request_context():
        from flask_login import login_user

        login_user(org.ld)
        html = summary_html(periods.last_12_months())
    assert not _unescaped(html)


def test_funnel_csv_neutralises_formulas(client, make_person, org, db_session):
    from tests.checkpoints.helpers import programme

    titles = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1",
              "\r=1+1", "\n=1+1", " =1+1"]
    ids = {title: programme(None, title=title).id for title in titles}
    db_session.commit()
    login(client, org.ld)
    for title, pid in ids.items():
        got = client.get(f"/insights/funnel.csv?programme={pid}")
        assert got.status_code == 200, (title, got.get_data(as_text=True)[:200])
        rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
        for row in rows[1:]:
            for cell in row:
                bare = cell.lstrip(" \t\r\n")
                assert cell.startswith("'") or not bare.startswith(("=", "+", "@")), \
                    (title, cell)
