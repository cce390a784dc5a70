"""Every endpoint has a declared access rule, and each rule holds for every role."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from clearance.access import rule_of
from tests.access import ROLES, SIGN_IN, UNAUTHORIZED, Rule
from tests.conftest import csrf_token, sign_in_directly

TESTS = Path(__file__).parent


def _all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for info in pkgutil.iter_modules([str(TESTS)]):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.access_rules")
        except ModuleNotFoundError as exc:
            if exc.name == f"tests.{info.name}.access_rules":
                continue
            raise
        rules.extend(module.RULES)
    return rules


RULES = _all_rules()


def test_every_endpoint_declares_an_access_rule(app):
    missing = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and rule_of(view) is None
    ]
    assert missing == [], f"endpoints without @rule(...): {missing}"


def test_every_endpoint_and_method_is_in_the_matrix(app):
    covered = {(r.endpoint, r.method) for r in RULES}
    needed = set()
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static":
            continue
        for method in url_rule.methods - {"HEAD", "OPTIONS"}:
            needed.add((url_rule.endpoint, method))
    assert sorted(needed - covered) == [], "add these to a tests/<domain>/access_rules.py"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("access_rule", RULES, ids=lambda r: r.id)
def test_access(client, org, make_person, access_rule: Rule, role: str):
    extra = access_rule.setup(org, make_person) if access_rule.setup else {}
    if role != "anonymous":
        sign_in_directly(client, org.role(role))
    path = access_rule.path(org, extra)
    if access_rule.method == "GET":
        response = client.get(path)
    else:
        data = access_rule.data(org, extra) if access_rule.data else {}
        token = csrf_token(client, "/sign-in" if role == "anonymous"
                           else f"/people/{org.role(role).id}")
        response = client.open(path, method=access_rule.method,
                               data={**data, "csrf_token": token})
    expected = access_rule.expect[role]
    if expected == SIGN_IN:
        if access_rule.method == "GET":
            assert response.status_code == 302, (role, path, response.status_code)
            assert response.headers["Location"].startswith("/sign-in?next="), role
        else:
            assert response.status_code == UNAUTHORIZED, (role, path, response.status_code)
    else:
        assert response.status_code == expected, (role, path, response.status_code)
