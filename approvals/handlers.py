"""Approvals plugs into the rest of the product here: the portfolios hand-off and the
org-chart signals. Imported by the app factory (DOMAIN_MODULES)."""

from __future__ import annotations

from typing import Any

from approvals import operations
from people import signals
from portfolios import handoff

handoff.register_submitted_handler(operations.start_routing)
handoff.register_withdraw_blocker(operations.withdraw_blocker)
handoff.register_withdrawn_handler(operations.cancel_pending)


@signals.manager_changed.connect
def _manager_changed(_sender: Any, changes: list[signals.ManagerChange], **_: Any) -> None:
    operations.reassign_after_manager_change(sorted({c.person_id for c in changes}))


@signals.people_deactivated.connect
def _deactivated(_sender: Any, person_ids: list[int], **_: Any) -> None:
    operations.reassign_from_deactivated(list(person_ids))
