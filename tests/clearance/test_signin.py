"""Sign-in, sign-out and sessions: one answer for every failure, argon2id with rehash, sessions
that end when they should, and throttling."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from clearance.audit import AuditEvent
from clearance.auth import GENERIC_FAILURE
from clearance.extensions import limiter
from tests.conftest import TEST_PASSWORD, csrf_token, login

SESSION_COOKIE = "clearance_session"


def _sign_in(client, email: str, password: str, **extra):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token, **extra})


def _normalised(response, email: str) -> str:
    body = response.get_data(as_text=True)
    body = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', 'name="csrf_token" value="-"', body)
    body = re.sub(r'id="csrf_token"[^>]*value="[^"]+"', 'id="csrf_token" value="-"', body)
    return body.replace(email, "EMAIL")


def _is_signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


# ---- one answer for unknown users, wrong passwords and deactivated people ----


def test_unknown_user_and_wrong_password_get_the_same_answer(client, org):
    unknown = _sign_in(client, "nobody.here@example.org", "whatever it is")
    wrong = _sign_in(client, org.learner.email, "not the password")
    assert unknown.status_code == wrong.status_code == 200
    assert GENERIC_FAILURE in unknown.get_data(as_text=True)
    assert _normalised(unknown, "nobody.here@example.org") == _normalised(wrong, org.learner.email)
    assert not _is_signed_in(client)


def test_deactivated_person_cannot_sign_in(client, org, db_session):
    from people.operations import deactivate

    deactivate(org.learner)
    db_session.commit()
    refused = _sign_in(client, org.learner.email, TEST_PASSWORD)
    unknown = _sign_in(client, "nobody.here@example.org", TEST_PASSWORD)
    assert refused.status_code == 200
    assert GENERIC_FAILURE in refused.get_data(as_text=True)
    assert _normalised(refused, org.learner.email) == _normalised(unknown,
                                                                  "nobody.here@example.org")
    assert not _is_signed_in(client)


def test_email_is_matched_case_insensitively(client, org):
    response = _sign_in(client, "  " + org.learner.email.upper() + " ", TEST_PASSWORD)
    assert response.status_code == 302
    assert _is_signed_in(client)


# ---- password hashes ----


def test_passwords_are_hashed_with_argon2id(app, db_session, make_person):
    from clearance.passwords import hash_password, verify_password

    with app.test_request_context():
        stored = hash_password("a long enough password")
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, "a long enough password")
        assert not verify_password(stored, "a long enough passworD")
        assert not verify_password(None, "anything")
        assert not verify_password("not a hash", "anything")


def test_hash_with_other_parameters_is_replaced_on_sign_in(client, org, db_session):
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(TEST_PASSWORD)
    org.learner.password_hash = old
    db_session.commit()
    login(client, org.learner)
    db_session.expire_all()
    new = db_session.get(type(org.learner), org.learner.id).password_hash
    assert new != old
    assert new.startswith("$argon2id$")
    assert "m=1024,t=1,p=1" in new  # the testing profile the app now uses
    # and it still works
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login(client, org.learner)


def test_current_hash_is_kept_on_sign_in(client, org, db_session):
    before = org.learner.password_hash
    login(client, org.learner)
    db_session.expire_all()
    assert db_session.get(type(org.learner), org.learner.id).password_hash == before


# ---- the `next` target: only local paths are followed ----

SAFE = ["/", "/team", "/people/4?x=1", "/people/4?next=//evil", "/a/b#frag", "/ok%20path",
        "/%7Euser",
        # non-ASCII is percent-encoded into the Location header, so these stay on this site
        "/café", "/\uff0f\uff0fevil", "/\u2028evil"]
# Refused although a browser would keep some of them on this site (``/%2F%2Fevil`` is the path
# "/%2F%2Fevil" to a browser): anything that is unsafe after percent-decoding is refused too, in
# case a proxy or a later redirect decodes it.
UNSAFE = [
    "", "//evil", "//evil.example/path", "/\\evil", "\\\\evil", "\\/evil", "https:evil",
    "https://evil", "http:/evil", "http:evil", "javascript:alert(1)", "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "%2F%2Fevil", "/%2F%2Fevil", "/%2fevil/..",
    "/%5Cevil", "%5C%5Cevil", "/%255C%255Cevil", "/%252F%252Fevil", "/x%0d%0aSet-Cookie:a=b",
    "/x\r\nSet-Cookie:a=b", "/\t/evil", "/\n/evil", "/\x00evil", "///evil", "////evil",
    " /evil", "\t/evil", "evil", "evil.example", "./evil", "../evil", "/\x7fevil",
    "https://localhost/", "//localhost/", "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", SAFE)
def test_local_paths_are_safe(target):
    from clearance.security import is_safe_local_path

    assert is_safe_local_path(target)


@pytest.mark.parametrize("target", UNSAFE)
def test_other_targets_are_refused(target):
    from clearance.security import is_safe_local_path

    assert not is_safe_local_path(target)


def test_none_is_refused():
    from clearance.security import is_safe_local_path

    assert not is_safe_local_path(None)


@pytest.mark.parametrize("target", ["/team", "/people/4?x=1"])
def test_sign_in_follows_a_local_next(client, org, target):
    response = _sign_in(client, org.line.email, TEST_PASSWORD, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", UNSAFE)
def test_sign_in_ignores_an_unsafe_next(client, org, target):
    response = _sign_in(client, org.line.email, TEST_PASSWORD, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_from_the_query_string_survives_the_form(client, org):
    page = client.get("/sign-in?next=/team")
    assert 'value="/team"' in page.get_data(as_text=True)
    hostile = client.get("/sign-in", query_string={"next": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in hostile.get_data(as_text=True)


def test_anonymous_visit_then_sign_in_lands_on_the_page(client, org):
    first = client.get("/team?q=Lea")
    assert first.status_code == 302
    location = first.headers["Location"]
    page = client.get(location)
    target = re.search(r'name="next"[^>]*value="([^"]*)"', page.get_data(as_text=True))
    assert target and target.group(1).replace("&amp;", "&") == "/team?q=Lea"
    response = _sign_in(client, org.line.email, TEST_PASSWORD, next=target.group(1)
                        .replace("&amp;", "&"))
    assert response.headers["Location"] == "/team?q=Lea"


# ---- sessions end on sign-out, deactivation and password change ----


def _saved_cookie(client) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(client, value: str) -> None:
    client.set_cookie(SESSION_COOKIE, value)


def test_sign_out_ends_the_session_even_for_a_replayed_cookie(client, org):
    login(client, org.learner)
    saved = _saved_cookie(client)
    assert _is_signed_in(client)
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert not _is_signed_in(client)
    _replay(client, saved)
    assert not _is_signed_in(client)


def test_sign_out_on_one_device_ends_the_others(app, client, org):
    login(client, org.learner)
    other = app.test_client()
    login(other, org.learner)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert not _is_signed_in(other)


def test_deactivation_ends_existing_sessions(app, client, org):
    login(client, org.learner)
    saved = _saved_cookie(client)
    admin = app.test_client()
    login(admin, org.admin)
    url = f"/admin/people/{org.learner.id}/edit"
    response = admin.post(url, data={
        "csrf_token": csrf_token(admin, url), "employee_id": org.learner.employee_id,
        "name": org.learner.name, "email": org.learner.email,
        "manager": org.line.employee_id,  # "active" left out: unticked
    })
    assert response.status_code == 302
    assert not _is_signed_in(client)
    _replay(client, saved)
    assert not _is_signed_in(client)


def test_setting_a_password_ends_existing_sessions(app, client, org, db_session):
    from people.operations import send_invitation

    login(client, org.learner)
    saved = _saved_cookie(client)
    with app.test_request_context():
        link = send_invitation(org.learner, purpose="reset")
    db_session.commit()
    path = link.removeprefix(app.config["BASE_URL"])
    other = app.test_client()
    response = other.post(path, data={"csrf_token": csrf_token(other, path),
                                      "password": "a brand new password",
                                      "confirm": "a brand new password"})
    assert response.status_code == 302
    _replay(client, saved)
    assert not _is_signed_in(client)
    login(client, org.learner, "a brand new password")


# ---- throttling ----


@pytest.fixture()
def tight_limit(app):
    before = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    yield 3
    app.config["LOGIN_RATE_LIMIT"] = before
    limiter.reset()


def _attempt(client, email: str, ip: str):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": "wrong password",
                                         "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def test_sign_in_is_throttled_per_address(client, org, tight_limit):
    for n in range(tight_limit):
        assert _attempt(client, f"person{n}@example.org", "10.0.0.1").status_code == 200
    refused = _attempt(client, "someone.else@example.org", "10.0.0.1")
    assert refused.status_code == 429
    body = refused.get_data(as_text=True)
    assert "Too many attempts" in body
    assert 'class="skip-link"' in body  # in the site's layout
    assert refused.headers["X-Request-ID"] in body
    # another address is not affected
    assert _attempt(client, "fresh@example.org", "10.0.0.2").status_code == 200


def test_sign_in_is_throttled_per_email(client, org, tight_limit):
    for n in range(tight_limit):
        assert _attempt(client, org.learner.email, f"10.0.1.{n}").status_code == 200
    refused = _attempt(client, org.learner.email.upper(), "10.0.1.99")
    assert refused.status_code == 429
    # the right password does not get through either while throttled
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"email": org.learner.email,
                                              "password": TEST_PASSWORD, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.0.1.100"})
    assert response.status_code == 429
    assert _attempt(client, "other@example.org", "10.0.1.101").status_code == 200


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(client, org, tight_limit):
    """Without CLEARANCE_TRUST_PROXY the client address is the socket's, not X-Forwarded-For."""
    for n in range(tight_limit + 1):
        token = csrf_token(client, "/sign-in")
        response = client.post("/sign-in", data={"email": f"p{n}@example.org",
                                                  "password": "wrong password",
                                                  "csrf_token": token},
                               headers={"X-Forwarded-For": f"198.51.100.{n}"},
                               environ_base={"REMOTE_ADDR": "10.0.3.1"})
    assert response.status_code == 429


def test_throttled_attempts_are_not_signed_in_events(client, org, tight_limit, db_session):
    for _ in range(tight_limit + 2):
        _attempt(client, org.learner.email, "10.0.2.1")
    failures = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
    ).all()
    assert len(failures) == tight_limit


def test_sign_in_records_events(client, org, db_session):
    _sign_in(client, org.learner.email, "wrong password")
    login(client, org.learner)
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("auth.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["auth.sign_in_failed", "auth.signed_in"]
    last = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.actor_id == org.learner.id

