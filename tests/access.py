"""Route x role access matrix machinery.

Each domain lists its endpoints in ``tests/<domain>/access_rules.py`` as ``RULES``; the matrix
test (tests/test_access_matrix.py) runs every rule for every role against the reference ``Org``
(tests/conftest.py) and fails when an endpoint in ``app.url_map`` has no rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "learner", "other_learner", "line_manager", "skip_manager",
         "unrelated_manager", "ld", "admin")

# Shorthands for expected statuses.
OK, REDIRECT, FORBIDDEN, NOT_FOUND, UNAUTHORIZED = 200, 302, 403, 404, 401
SIGN_IN = "sign-in"  # anonymous GET: 302 to /sign-in?next=...


def everyone(status: int | str, **overrides: int | str) -> dict[str, int | str]:
    """Every signed-in role gets ``status``; anonymous is sent to sign in (GET) / 401 (POST)."""
    table: dict[str, int | str] = dict.fromkeys(ROLES, status)
    table["anonymous"] = SIGN_IN
    table.update(overrides)
    return table


def only(allowed: tuple[str, ...], status: int | str = OK,
         denied: int | str = FORBIDDEN) -> dict[str, int | str]:
    table: dict[str, int | str] = {role: (status if role in allowed else denied) for role in ROLES}
    table["anonymous"] = SIGN_IN
    return table


@dataclass
class Rule:
    endpoint: str
    path: Callable[[Any, dict[str, Any]], str]
    expect: dict[str, int | str]
    method: str = "GET"
    data: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    #: builds extra objects for the rule, ``setup(org, make_person) -> dict`` passed to path/data
    setup: Callable[..., dict[str, Any]] | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{(' ' + self.note) if self.note else ''}"
