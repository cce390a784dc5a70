"""The home page: a frame that domains fill with panels for the signed-in person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from clearance.access import AUTHENTICATED, rule

bp = Blueprint("main", __name__)


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable[[Any], dict[str, Any] | None]


_PANELS: list[Panel] = []


def home_panel(template: str, *, order: int = 50) -> Callable[[Callable[[Any], Any]], Any]:
    """Register ``fn(user) -> context or None``; None hides the panel for that person."""

    def register(fn: Callable[[Any], dict[str, Any] | None]) -> Callable[[Any], Any]:
        if not any(p.template == template for p in _PANELS):
            _PANELS.append(Panel(order, template, fn))
            _PANELS.sort(key=lambda p: p.order)
        return fn

    return register


@bp.route("/")
@rule(AUTHENTICATED)
def home() -> Any:
    panels = []
    for panel in _PANELS:
        ctx = panel.context(current_user)
        if ctx is not None:
            panels.append((panel.template, ctx))
    return render_template("home.html", panels=panels)
