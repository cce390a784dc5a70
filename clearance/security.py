"""Security headers on every response, and safe redirect targets."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, g, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_SCHEME_LIKE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_FRAME_ANCESTORS = "_frame_ancestors"


def allow_framing(sources: str) -> None:
    """Let this one response be framed by ``sources`` (a CSP source list such as
    ``'self' https://intranet.example``): its CSP says ``frame-ancestors <sources>`` instead of
    ``'none'`` and it carries no ``X-Frame-Options``; the rest of the CSP is unchanged. Callers
    pass only validated origins; anything that could end the directive is refused."""
    if not sources.strip() or any(ch in sources for ch in ";,\r\n"):
        raise ValueError(f"not a CSP source list: {sources!r}")
    setattr(g, _FRAME_ANCESTORS, sources)


def is_safe_local_path(target: str | None) -> bool:
    """True only for a same-site absolute path such as ``/people/4?x=1``.

    Refuses scheme-relative (``//evil``), backslash tricks (``/\\evil``), any scheme
    (``https:evil``, ``javascript:``), control characters, and the same after percent-decoding.
    """
    if not target or len(target) > 2000:
        return False
    candidates = {target}
    decoded = target
    for _ in range(3):
        decoded = unquote(decoded)
        candidates.add(decoded)
    for value in candidates:
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
            return False
        if not value.startswith("/") or value.startswith(("//", "/\\")):
            return False
        if "\\" in value or _SCHEME_LIKE.match(value):
            return False
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            return False
    return True


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        ancestors = g.get(_FRAME_ANCESTORS)
        if ancestors:
            headers.setdefault("Content-Security-Policy", CSP.replace(
                "frame-ancestors 'none'", f"frame-ancestors {ancestors}"))
        else:
            headers.setdefault("Content-Security-Policy", CSP)
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()"
        )
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response
