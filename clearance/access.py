"""One permission policy: "may this person do this action to this object?".

Every view declares its access rule with :func:`rule`; the request lifecycle enforces the
declared rule before the view runs, and views ask :func:`require` for object-level checks.
Domains register their actions with :func:`policy` in their own ``policy.py``. A test walks
``app.url_map`` and fails for any endpoint that has no declared rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from clearance import audit

PUBLIC = "public"
AUTHENTICATED = "authenticated"

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[Any, Any], bool]

_POLICIES: dict[str, Check] = {}


def policy(action: str) -> Callable[[Check], Check]:
    """Register ``fn(user, obj) -> bool`` as the answer for ``action``."""

    def register(fn: Check) -> Check:
        if action in _POLICIES and _POLICIES[action] is not fn:
            raise RuntimeError(f"policy {action!r} registered twice")
        _POLICIES[action] = fn
        return fn

    return register


def registered_actions() -> frozenset[str]:
    return frozenset(_POLICIES)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when ``user`` may do ``action`` to ``obj``. Unknown actions are refused."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "active", False):
        return False
    check = _POLICIES.get(action)
    if check is None:
        current_app.logger.error("no policy registered for %s", action)
        return False
    return bool(check(user, obj))


def refuse(action: str, obj: Any = None, *, status: int = 403) -> None:
    """Log the refusal in the audit trail (it survives the rollback) and abort."""
    audit.record_after_rollback(
        "access.refused",
        object_type=getattr(obj, "__tablename__", None),
        object_id=getattr(obj, "id", None),
        after={"action": action, "path": request.path, "method": request.method},
    )
    abort(status)


def require(action: str, obj: Any = None, *, status: int = 403) -> None:
    """Abort with ``status`` (403, or 404 to hide existence) unless the user may."""
    if not can(current_user, action, obj):
        refuse(action, obj, status=status)


def rule(name: str) -> Callable[[F], F]:
    """Declare a view's access rule: PUBLIC, AUTHENTICATED, or a registered action name
    that is checked without an object before the view runs."""

    def mark(view: F) -> F:
        view._access_rule = name  # type: ignore[attr-defined]
        return view

    return mark


def rule_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, "_access_rule", None)


def enforce_declared_rule() -> Any:
    """before_request hook: apply the endpoint's declared rule."""
    if request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return None
    if request.endpoint == "static":
        return None
    declared = rule_of(view)
    if declared is None:
        current_app.logger.error("endpoint %s has no access rule", request.endpoint)
        abort(403)
    if declared == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if declared != AUTHENTICATED:
        require(declared)
    return None
