"""Local paths for links built outside a request (jobs, CLI, operations called from tests)."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def local_path(endpoint: str, **values: Any) -> str:
    """The path of ``endpoint`` (e.g. ``/approvals/steps/4``), with or without a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)


def absolute_url(endpoint: str, **values: Any) -> str:
    """``BASE_URL`` + the path: for e-mails."""
    return current_app.config["BASE_URL"].rstrip("/") + local_path(endpoint, **values)
