"""CSRF on every POST, and no state change on GET."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from clearance.audit import AuditEvent
from clearance.extensions import db
from tests.conftest import login

# Events a GET may cause by design: signing in (done before the walk) and logged refusals.
ALLOWED_ON_GET = {"auth.signed_in", "access.refused"}
# Analytics of who looked at what (engagement.events): written after the page, never state.
ANALYTICS_TABLES = {"engagement_event"}


def _assert_csrf_page(response) -> None:
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Your form expired or was sent from elsewhere." in body
    assert 'class="skip-link"' in body  # the site's layout
    assert response.headers["X-Request-ID"] in body


def test_sign_in_without_token_is_refused(client, org, db_session):
    response = client.post("/sign-in", data={"email": org.learner.email,
                                              "password": "correct horse battery staple"})
    _assert_csrf_page(response)
    assert client.get("/").status_code == 302  # not signed in


def test_sign_in_with_a_forged_token_is_refused(client, org):
    response = client.post("/sign-in", data={"email": org.learner.email,
                                              "password": "correct horse battery staple",
                                              "csrf_token": "forged"})
    _assert_csrf_page(response)


def test_sign_out_without_token_is_refused(client, org):
    login(client, org.learner)
    _assert_csrf_page(client.post("/sign-out"))
    assert client.get("/").status_code == 200  # still signed in


def test_admin_form_without_token_is_refused(client, org, db_session):
    login(client, org.admin)
    before = db_session.scalar(select(func.count()).select_from(type(org.admin)))
    response = client.post("/admin/people/new", data={
        "employee_id": "CSRF1", "name": "Not Created", "email": "not.created@example.org",
        "manager": org.line.employee_id, "active": "y"})
    _assert_csrf_page(response)
    assert db_session.scalar(select(func.count()).select_from(type(org.admin))) == before


def test_csrf_refusal_as_json(client, org):
    response = client.post("/sign-in", data={}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.is_json
    assert response.json["correlation_id"] == response.headers["X-Request-ID"]


# ---- no GET changes state ----


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    existing = set(inspect(db.session.connection()).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in existing or table.name in ANALYTICS_TABLES:
            continue
        stmt = select(table)
        if table.name == AuditEvent.__tablename__:
            stmt = stmt.where(table.c.action.not_in(ALLOWED_ON_GET))
        rows = db.session.execute(stmt).all()
        tables[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return tables


def _sample_url(app, rule, org, values: dict[str, Any]) -> str:
    args = {}
    for name, converter in rule._converters.items():
        if name in values:
            args[name] = values[name]
        elif type(converter).__name__ == "IntegerConverter":
            args[name] = org.learner.id
        else:
            args[name] = "sample"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


@pytest.mark.parametrize("role", ["admin", "line_manager", "ld", "learner"])
def test_no_get_endpoint_changes_state(app, client, org, db_session, role):
    login(client, org.role(role))
    values = {"person_id": org.learner.id, "token": "not-a-real-token"}
    before = _snapshot()
    visited = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        url = _sample_url(app, rule, org, values)
        response = client.get(url, buffered=True)
        visited.append((url, response.status_code))
        assert response.status_code < 500, (url, response.status_code)
        after = _snapshot()
        changed = {name: (set(after[name]) ^ set(before[name])) for name in before
                   if before[name] != after[name]}
        assert changed == {}, f"GET {url} changed {changed}"
    assert len(visited) >= 8
    assert client.get("/").status_code == 200  # still signed in after the walk
