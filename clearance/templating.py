"""Template helpers: the role-aware navigation registry and Jinja globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from clearance import access


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    visible: Callable[[Any], bool]
    order: int = 50
    badge: Callable[[Any], int] | None = None


_NAV: list[NavItem] = []


def nav_item(label: str, endpoint: str, visible: Callable[[Any], bool], *, order: int = 50,
             badge: Callable[[Any], int] | None = None) -> None:
    """Domains add their pages to the navigation; ``visible(user)`` decides per person."""
    if any(item.endpoint == endpoint for item in _NAV):
        return
    _NAV.append(NavItem(label, endpoint, visible, order, badge))
    _NAV.sort(key=lambda item: item.order)


def navigation() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    items = []
    for item in _NAV:
        if not item.visible(current_user):
            continue
        href = url_for(item.endpoint)
        items.append({
            "label": item.label,
            "href": href,
            "current": request.path == href or (href != "/" and request.path.startswith(href)),
            "badge": item.badge(current_user) if item.badge else None,
        })
    return items


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        navigation=navigation,
        can=lambda action, obj=None: access.can(current_user, action, obj),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
