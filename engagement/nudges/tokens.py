"""Signed unsubscribe tokens and certificate share secrets.

An unsubscribe token is the person id and one kind, signed with the app's secret under a salt
used for nothing else: it cannot be replayed as any other kind of token, a token for one kind
never unsubscribes another, and changing a character breaks the signature. It does not expire:
an unsubscribe link in a mail from last year must still work (RFC 8058 asks for that), and all
it can ever do is switch off one kind of e-mail for one person.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from clearance.urls import absolute_url
from engagement.nudges.models import KINDS

UNSUBSCRIBE_SALT = "clearance.nudges.unsubscribe.v1"
_PURPOSE = "unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(person_id: int, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown nudge kind {kind!r}")
    return _serializer().dumps({"u": _PURPOSE, "p": int(person_id), "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(person id, kind) from a genuine token; None for anything tampered with or foreign."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != _PURPOSE:
        return None
    person_id, kind = data.get("p"), data.get("k")
    if not isinstance(person_id, int) or isinstance(person_id, bool) or kind not in KINDS:
        return None
    return person_id, kind


def unsubscribe_url(person_id: int, kind: str) -> str:
    return unsubscribe_url_for(unsubscribe_token(person_id, kind))


def unsubscribe_url_for(token: str) -> str:
    """The unsubscribe address of a token (built once and filled in for many people)."""
    return absolute_url("nudges.unsubscribe", token=token)


def new_share_secret() -> str:
    """256 bits from the OS: the part of a certificate's share link nobody can guess."""
    return secrets.token_urlsafe(32)


def share_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
