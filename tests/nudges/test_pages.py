"""The preferences page and the certificate pages: who sees what, sharing and revoking,
reachability from pages people already see."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from engagement.nudges import preferences
from engagement.nudges.models import DUE_SOON, RECOGNITION, THEME_RELEASED, NudgeQuietHours
from tests.conftest import csrf_token, login
from tests.nudges.helpers import certificate_for


def _form(client, path="/me/nudges"):
    page = client.get(path).get_data(as_text=True)
    checked = set(re.findall(r'id="([a-z_]+)" name="[a-z_]+" type="checkbox" value="y"'
                             r'[^>]*checked', page))
    checked |= set(re.findall(r'checked id="([a-z_]+)" name="[a-z_]+" type="checkbox"', page))
    return page, checked


# ---------------------------------------------------------------- preferences


def test_preferences_page_starts_with_everything_on(client, org, db_session):
    login(client, org.learner)
    page, checked = _form(client)
    assert "Reminders and nudges" in page
    assert {f"{DUE_SOON}_in_app", f"{DUE_SOON}_email", f"{RECOGNITION}_email"} <= checked
    assert "The organisation&#39;s quiet hours (20:00 to 08:00)" in page


def test_saving_choices_and_own_quiet_hours(client, org, db_session):
    login(client, org.learner)
    data = {"csrf_token": csrf_token(client, "/me/nudges"), "quiet_mode": "custom",
            "quiet_start": "21:30", "quiet_end": "07:15"}
    from engagement.nudges.models import KINDS

    for kind in KINDS:
        data[f"{kind}_in_app"] = "y"
        if kind != THEME_RELEASED:
            data[f"{kind}_email"] = "y"
    response = client.post("/me/nudges", data=data)
    assert response.status_code == 302
    chosen = preferences.channels_of(org.learner.id)
    assert chosen[THEME_RELEASED] == preferences.Channels(True, False)
    assert chosen[DUE_SOON] == preferences.Channels(True, True)
    quiet = db_session.get(NudgeQuietHours, org.learner.id)
    assert (quiet.mode, quiet.start, quiet.end) == ("custom", dt.time(21, 30), dt.time(7, 15))
    page, checked = _form(client)
    assert f"{THEME_RELEASED}_email" not in checked and f"{DUE_SOON}_email" in checked
    assert 'value="21:30"' in page


def test_own_quiet_hours_need_both_times(client, org, db_session):
    login(client, org.learner)
    response = client.post("/me/nudges", data={
        "csrf_token": csrf_token(client, "/me/nudges"), "quiet_mode": "custom",
        "quiet_start": "21:00"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body
    assert "Give the time your quiet hours end." in body
    assert db_session.get(NudgeQuietHours, org.learner.id) is None


def test_preferences_are_linked_from_the_profile_and_notifications(client, org, db_session):
    login(client, org.learner)
    assert 'href="/me/nudges"' in client.get(f"/people/{org.learner.id}").get_data(as_text=True)
    assert 'href="/me/nudges"' in client.get("/notifications").get_data(as_text=True)
    other = client.get(f"/people/{org.other_learner.id}").get_data(as_text=True)
    assert 'href="/me/nudges"' not in other  # only on your own profile


# ---------------------------------------------------------------- certificates


def test_certificate_page_for_the_learner_managers_and_ld(client, org, db_session):
    cert = certificate_for(org.learner, title="Safe handover")
    db_session.commit()
    for person in (org.learner, org.line, org.skip, org.md, org.ld, org.admin):
        login(client, person)
        page = client.get(f"/certificates/{cert.id}")
        body = page.get_data(as_text=True)
        assert page.status_code == 200, person.name
        assert "Lea Learner" in body and "Safe handover" in body and "20 March 2026" in body
        assert ("Make a share link" in body) == (person is org.learner)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})


def test_other_people_get_404(client, org, db_session):
    cert = certificate_for(org.learner)
    db_session.commit()
    for person in (org.other_learner, org.unrelated):
        login(client, person)
        assert client.get(f"/certificates/{cert.id}").status_code == 404
        assert client.get(f"/certificates/{cert.id + 1000}").status_code == 404
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})


def test_sharing_works_until_revoked_and_a_new_link_replaces_the_old(client, app, org,
                                                                     db_session):
    cert = certificate_for(org.learner)
    db_session.commit()
    login(client, org.learner)
    token = csrf_token(client, f"/certificates/{cert.id}")
    assert client.post(f"/certificates/{cert.id}/share",
                       data={"csrf_token": token}).status_code == 302
    page = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    link = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', page).group(1)
    assert link.startswith("http://localhost/certificates/shared/")
    path = link.removeprefix("http://localhost")
    secret = path.rsplit("/", 1)[1]
    assert len(secret) >= 40
    anonymous = app.test_client()
    shown = anonymous.get(path)
    assert shown.status_code == 200 and "Lea Learner" in shown.get_data(as_text=True)
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert "Make a share link" not in shown.get_data(as_text=True)
    assert cert.share_token_hash != secret  # only its hash is stored
    # the link is shown once; later visits say a link exists without showing it
    client.get("/")
    later = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert link not in later and "share-link" not in later
    with client.session_transaction() as saved:
        assert not any(link in str(value) for value in saved.values())  # gone from the cookie
    client.post(f"/certificates/{cert.id}/share", data={"csrf_token": token})
    assert anonymous.get(path).status_code == 404  # replaced
    client.post(f"/certificates/{cert.id}/unshare", data={"csrf_token": token})
    page = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "Make a share link" in page and "share-link" not in page
    db_session.refresh(cert)
    assert cert.share_token_hash is None


def test_a_made_up_share_link_is_404(client, org, db_session):
    certificate_for(org.learner)
    db_session.commit()
    assert client.get("/certificates/shared/" + "A" * 43).status_code == 404


def test_the_certificates_list_shows_what_each_person_may_see(client, org, db_session):
    certificate_for(org.learner, title="Lea's programme")
    certificate_for(org.other_learner, title="Otto's programme")
    db_session.commit()
    expectations = {org.learner: ("Lea's programme",), org.line: ("Lea's programme",),
                    org.unrelated: ("Otto's programme",),
                    org.ld: ("Lea's programme", "Otto's programme")}
    for person, titles in expectations.items():
        login(client, person)
        body = client.get("/certificates").get_data(as_text=True).replace("&#39;", "'")
        for title in ("Lea's programme", "Otto's programme"):
            assert (title in body) == (title in titles), (person.name, title)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})


def test_home_shows_the_learners_certificates(client, org, db_session):
    cert = certificate_for(org.learner, title="Safe handover")
    db_session.commit()
    login(client, org.learner)
    home = client.get("/").get_data(as_text=True)
    assert "Your certificates" in home and f'href="/certificates/{cert.id}"' in home
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login(client, org.other_learner)
    assert "Your certificates" not in client.get("/").get_data(as_text=True)


def test_the_certificate_page_prints(client, org, db_session):
    cert = certificate_for(org.learner)
    db_session.commit()
    login(client, org.learner)
    body = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "/static/css/certificate.css" in body
    css = client.get("/static/css/certificate.css").get_data(as_text=True)
    assert "@media print" in css and "@page" in css
    assert db_session.scalar(select(NudgeQuietHours)) is None


def test_every_nudges_page_is_reached_by_links_from_home(app, client, org, db_session):
    from tests.checkpoints.test_reachability import _crawl
    from tests.spot_checks.factories import decided

    decided(org.learner)  # real work, approved: the programme completes
    db_session.commit()
    login(client, org.learner)
    reached = _crawl(client, app)
    assert {"nudges.preferences", "nudges.certificates", "nudges.certificate"} <= reached
