"""The one hand-off from portfolios to routing (approvals), by registration.

Approvals plugs in without portfolio code naming it::

    from portfolios import handoff

    handoff.register_submitted_handler(start_routing)          # summative versions by default
    handoff.register_withdraw_blocker(lambda s: "Tom has already decided level 1" or None)
    handoff.register_withdrawn_handler(cancel_pending_steps)
    handoff.register_decided_handler(check_completion)          # after approve/changes/reopen
    handoff.register_approved_handler(schedule_follow_up)         # after the final approval

Handlers run inside the operation's transaction, right after the state change and its audit
event; if one raises, the whole operation (version, audit row, routing) rolls back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

VersionHandler = Callable[[Any], None]
Blocker = Callable[[Any], str | None]


@dataclass(frozen=True)
class _Registered:
    fn: VersionHandler
    kinds: frozenset[str]


_SUBMITTED: list[_Registered] = []
_WITHDRAWN: list[VersionHandler] = []
_WITHDRAW_BLOCKERS: list[Blocker] = []
_DECIDED: list[Callable[[Any, str], None]] = []
_APPROVED: list[Callable[[Any, Any], None]] = []


def register_submitted_handler(fn: VersionHandler, *,
                               kinds: tuple[str, ...] = ("summative",)) -> VersionHandler:
    """Call ``fn(version)`` after a version of a checkpoint of one of ``kinds`` is submitted."""
    if not any(r.fn is fn for r in _SUBMITTED):
        _SUBMITTED.append(_Registered(fn, frozenset(kinds)))
    return fn


def register_withdrawn_handler(fn: VersionHandler) -> VersionHandler:
    """Call ``fn(version)`` after the learner withdraws that (pending) version."""
    if fn not in _WITHDRAWN:
        _WITHDRAWN.append(fn)
    return fn


def register_decided_handler(fn: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
    """Call ``fn(submission, action)`` after ``approve``, ``request_changes`` or ``reopen``
    (engagement.nudges completes a programme, or clears its completion, from here)."""
    if fn not in _DECIDED:
        _DECIDED.append(fn)
    return fn


def register_withdraw_blocker(fn: Blocker) -> Blocker:
    """``fn(submission)`` returns a reason when withdrawal is no longer allowed (someone has
    already decided part of it), or None."""
    if fn not in _WITHDRAW_BLOCKERS:
        _WITHDRAW_BLOCKERS.append(fn)
    return fn


def register_approved_handler(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """Call ``fn(submission, version)`` after a submission is finally approved (every level
    decided, or formative feedback given), inside the same transaction."""
    if fn not in _APPROVED:
        _APPROVED.append(fn)
    return fn


def submitted(version: Any) -> int:
    """Hand a freshly submitted version to routing; returns how many handlers took it."""
    kind = version.submission.checkpoint.kind
    taken = 0
    for registered in list(_SUBMITTED):
        if kind in registered.kinds:
            registered.fn(version)
            taken += 1
    return taken


def withdrawn(version: Any) -> None:
    for fn in list(_WITHDRAWN):
        fn(version)


def approved(submission: Any, version: Any) -> None:
    for fn in list(_APPROVED):
        fn(submission, version)


def decided(submission: Any, action: str) -> None:
    for fn in list(_DECIDED):
        fn(submission, action)


def withdraw_blocked(submission: Any) -> str | None:
    for fn in list(_WITHDRAW_BLOCKERS):
        reason = fn(submission)
        if reason:
            return reason
    return None


def unregister(fn: Callable[..., Any]) -> None:
    """Remove ``fn`` from every registry (tests)."""
    _SUBMITTED[:] = [r for r in _SUBMITTED if r.fn is not fn]
    _WITHDRAWN[:] = [f for f in _WITHDRAWN if f is not fn]
    _WITHDRAW_BLOCKERS[:] = [f for f in _WITHDRAW_BLOCKERS if f is not fn]
    _DECIDED[:] = [f for f in _DECIDED if f is not fn]
    _APPROVED[:] = [f for f in _APPROVED if f is not fn]
