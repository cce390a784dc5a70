"""Security headers on every kind of response, cookies, body size, and the error pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, abort

from clearance.access import PUBLIC, rule
from tests.conftest import IsolatedClient, csrf_token, login, make_app


def _assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin",
                                                   "no-referrer")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_headers_on_html_pages(client, org):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    _assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers
    login(client, org.learner)
    _assert_security_headers(client.get("/"))


def test_headers_on_error_pages(client, org):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    _assert_security_headers(response)
    login(client, org.learner)
    refused = client.get("/admin/people")
    assert refused.status_code == 403
    _assert_security_headers(refused)


def test_headers_on_static_files(client):
    response = client.get("/static/css/clearance.css")
    assert response.status_code == 200
    _assert_security_headers(response)
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_hsts_only_on_https(client, org):
    plain = client.get("/sign-in")
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get("/sign-in", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(secure.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    static = client.get("/static/css/clearance.css", base_url="https://localhost")
    assert "Strict-Transport-Security" in static.headers
    static.close()
    missing = client.get("/no-such-page", base_url="https://localhost")
    assert "Strict-Transport-Security" in missing.headers


def test_forwarded_https_counts_only_behind_a_trusted_proxy(tmp_root, db_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    for trust, expect_hsts in ((False, False), (True, True)):
        app = make_app(tmp_root, db_url, TRUST_PROXY=trust)
        try:
            response = app.test_client().get("/sign-in", headers=forwarded)
            assert ("Strict-Transport-Security" in response.headers) is expect_hsts, trust
        finally:
            _dispose(app)


def _session_cookie_header(response) -> str:
    cookies = [v for v in response.headers.getlist("Set-Cookie")
               if v.startswith("clearance_session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_flags_in_testing(client, org):
    response = client.get("/sign-in")
    cookie = _session_cookie_header(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development and tests


def test_session_cookie_is_secure_in_production(tmp_root, db_url):
    app = make_app(tmp_root, db_url, ENV="production", JOBS_BACKEND="immediate")
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["REMEMBER_COOKIE_SECURE"] is True
        response = app.test_client().get("/sign-in", base_url="https://localhost")
        cookie = _session_cookie_header(response)
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Strict-Transport-Security" in response.headers
    finally:
        _dispose(app)


def _dispose(app: Flask) -> None:
    from clearance.extensions import db, limiter

    with app.app_context():
        db.engine.dispose()
    limiter.reset()


# ---- error pages ----


@pytest.fixture(scope="module")
def errors_app(tmp_root, db_url, app) -> Iterator[Flask]:
    """A second app on the same database with routes that fail on purpose."""
    second = make_app(tmp_root, db_url, RENDER_500_IN_TESTS=True)

    @second.route("/test/conflict")
    @rule(PUBLIC)
    def conflict():
        abort(409)

    @second.route("/test/boom")
    @rule(PUBLIC)
    def boom():
        raise RuntimeError("boom")

    second.test_client_class = IsolatedClient
    yield second
    _dispose(second)


def _assert_error_page(response, status: int, title: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    rid = response.headers["X-Request-ID"]
    assert rid, "every response carries a correlation id"
    assert f"<strong>{rid}</strong>" in body
    assert f"Error {status}." in body
    assert title in body
    assert 'class="skip-link"' in body  # the site's layout
    assert "<main" in body
    _assert_security_headers(response)


def _assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response.is_json
    payload = response.get_json()
    assert payload["status"] == status
    assert payload["correlation_id"] == response.headers["X-Request-ID"] != ""
    assert payload["error"]


JSON = {"Accept": "application/json"}


def test_400_csrf(client):
    _assert_error_page(client.post("/sign-in", data={}), 400, "Bad request")
    _assert_json_error(client.post("/sign-in", data={}, headers=JSON), 400)


def test_401_for_anonymous_posts(client):
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    _assert_error_page(response, 401, "Please sign in")
    _assert_json_error(client.get("/", headers=JSON), 401)


def test_403(client, org):
    login(client, org.learner)
    _assert_error_page(client.get("/admin/people"), 403, "Not allowed")
    _assert_json_error(client.get("/admin/people", headers=JSON), 403)


def test_404(client):
    _assert_error_page(client.get("/no-such-page"), 404, "Page not found")
    _assert_json_error(client.get("/no-such-page", headers=JSON), 404)


def test_405(client, org):
    response = client.get("/sign-out")
    _assert_error_page(response, 405, "Not allowed")
    assert "POST" in response.headers["Allow"]
    _assert_json_error(client.get("/sign-out", headers=JSON), 405)


def test_409(errors_app, db_session):
    client = errors_app.test_client()
    _assert_error_page(client.get("/test/conflict"), 409, "Already changed")
    _assert_json_error(client.get("/test/conflict", headers=JSON), 409)


@pytest.fixture()
def small_bodies(app) -> Iterator[int]:
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    yield 1024
    app.config["MAX_CONTENT_LENGTH"] = before


def test_413(client, small_bodies):
    token = csrf_token(client)
    data = {"email": "a@example.org", "password": "x" * (small_bodies * 2), "csrf_token": token}
    _assert_error_page(client.post("/sign-in", data=data), 413, "File too large")
    _assert_json_error(client.post("/sign-in", data=data, headers=JSON), 413)


def test_413_uses_the_configured_upload_size(tmp_root, db_url):
    app = make_app(tmp_root, db_url, MAX_UPLOAD_MB=300)
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == 300 * 1024 * 1024
    finally:
        _dispose(app)


def test_429(client, app):
    from clearance.extensions import limiter

    before = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    limiter.reset()
    try:
        token = csrf_token(client)
        data = {"email": "a@example.org", "password": "wrong password", "csrf_token": token}
        assert client.post("/sign-in", data=data).status_code == 200
        _assert_error_page(client.post("/sign-in", data=data), 429, "Too many attempts")
        _assert_json_error(client.post("/sign-in", data=data, headers=JSON), 429)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = before
        limiter.reset()


def test_500(errors_app, db_session, caplog):
    client = errors_app.test_client()
    response = client.get("/test/boom")
    _assert_error_page(response, 500, "Something went wrong")
    assert "boom" not in response.get_data(as_text=True)  # no internals leak
    assert response.headers["X-Request-ID"] in caplog.text  # the log names the same id
    _assert_json_error(client.get("/test/boom", headers=JSON), 500)


def test_500_is_raised_in_tests_by_default(app, db_session, tmp_root, db_url):
    second = make_app(tmp_root, db_url)

    @second.route("/test/boom")
    @rule(PUBLIC)
    def boom():
        raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError):
            second.test_client().get("/test/boom")
    finally:
        _dispose(second)


def test_request_ids_differ(client):
    first = client.get("/sign-in").headers["X-Request-ID"]
    second = client.get("/sign-in").headers["X-Request-ID"]
    assert first and second and first != second
