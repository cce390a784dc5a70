"""Other domains add to a submission's page, per version, without portfolios naming them.

    register_version_panel("approvals/_version_feedback.html", decisions_by_version)

``fn(submission, viewer)`` returns ``{version_id: context}``; the page includes the template
under that version with ``panel`` = the context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PanelFn = Callable[[Any, Any], dict[int, Any]]
_PANELS: list[tuple[str, PanelFn]] = []


def register_version_panel(template: str, fn: PanelFn) -> PanelFn:
    if not any(t == template for t, _ in _PANELS):
        _PANELS.append((template, fn))
    return fn


def panels_for(submission: Any, viewer: Any) -> dict[int, list[tuple[str, Any]]]:
    out: dict[int, list[tuple[str, Any]]] = {}
    for template, fn in _PANELS:
        for version_id, context in fn(submission, viewer).items():
            out.setdefault(version_id, []).append((template, context))
    return out
