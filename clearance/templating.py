"""Template helpers: the role-aware navigation registry and Jinja globals."""

from __future__ import annotations

import re
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
    #: items with the same group fold into one menu of that name on wide screens
    group: str | None = None


_NAV: list[NavItem] = []


#: the group at the end of the row: the person's own pages and, added by the layout, Sign out
ACCOUNT = "Account"


def nav_item(label: str, endpoint: str, visible: Callable[[Any], bool], *, order: int = 50,
             badge: Callable[[Any], int] | None = None, group: str | None = None) -> None:
    """Domains add their pages to the navigation; ``visible(user)`` decides per person.

    ``group`` (e.g. "Reports") puts the item in a menu of that name: on wide screens the group
    is one disclosure in the row, where its first visible item (lowest ``order``) would be; in
    the narrow Menu its items are a labelled sub-list. A group of which a person sees only one
    item shows that item on its own, so nobody opens a menu to find a single link. The
    ``ACCOUNT`` group always comes last and is always a menu (the layout adds Sign out to it).
    """
    if any(item.endpoint == endpoint for item in _NAV):
        return
    _NAV.append(NavItem(label, endpoint, visible, order, badge, group))
    _NAV.sort(key=lambda item: item.order)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "group"


def _is_current(href: str) -> bool:
    return request.path == href or (href != "/" and request.path.startswith(href))


def _group(label: str, links: list[dict[str, Any]]) -> dict[str, Any]:
    badges = [link["badge"] for link in links if link["badge"]]
    return {"kind": "group", "label": label, "id": _slug(label), "items": links,
            "current": any(link["current"] for link in links),
            "badge": sum(badges) if badges else None, "account": label == ACCOUNT}


def navigation() -> list[dict[str, Any]]:
    """The signed-in person's navigation, in order: links and groups, the account group last.

    A link is ``{"kind": "link", "label", "href", "current", "badge"}``; a group is
    ``{"kind": "group", "label", "id", "items": [links], "current", "badge", "account"}``,
    ``current`` when one of its links is, ``badge`` the sum of its links' badges (None when
    there is nothing to count), ``account`` for the ``ACCOUNT`` group.
    """
    if not current_user.is_authenticated:
        return []
    slots: list[str | dict[str, Any]] = []  # in row order: a link, or a group's name
    grouped: dict[str, list[dict[str, Any]]] = {ACCOUNT: []}
    for item in _NAV:
        if not item.visible(current_user):
            continue
        href = url_for(item.endpoint)
        link = {"kind": "link", "label": item.label, "href": href, "current": _is_current(href),
                "badge": item.badge(current_user) if item.badge else None}
        if item.group is None:
            slots.append(link)
            continue
        if item.group not in grouped:
            grouped[item.group] = []
            slots.append(item.group)
        grouped[item.group].append(link)
    entries: list[dict[str, Any]] = []
    for slot in slots:
        if isinstance(slot, dict):
            entries.append(slot)
        elif len(grouped[slot]) == 1:
            entries.append(grouped[slot][0])
        else:
            entries.append(_group(slot, grouped[slot]))
    entries.append(_group(ACCOUNT, grouped[ACCOUNT]))
    return entries


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        navigation=navigation,
        can=lambda action, obj=None: access.can(current_user, action, obj),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
