"""argon2id password hashing with rehash on sign-in."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_PRODUCTION = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
# Tests run thousands of sign-ins; they use a cheap argon2id profile, never production.
_TESTING = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# A hash nobody's password matches: checked for unknown users so timing does not tell.
_DUMMY: dict[int, str] = {}


def hasher() -> PasswordHasher:
    return _TESTING if current_app.config.get("TESTING") else _PRODUCTION


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    ph = hasher()
    if not stored:
        key = id(ph)
        if key not in _DUMMY:
            _DUMMY[key] = ph.hash("not-a-password-anyone-has")
        with contextlib.suppress(VerificationError, InvalidHashError):
            ph.verify(_DUMMY[key], password)
        return False
    try:
        return ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True
