"""One-to-ones follow the org chart: a report who changes manager ends their series (the new
manager is invited to set one up); a deactivated person's series end. Imported by the app
factory (DOMAIN_MODULES)."""

from __future__ import annotations

from typing import Any

from approvals.one_to_ones import operations
from people import signals


@signals.manager_changed.connect
def _manager_changed(_sender: Any, changes: list[signals.ManagerChange], **_: Any) -> None:
    operations.end_after_manager_change(sorted({c.person_id for c in changes}))


@signals.people_deactivated.connect
def _deactivated(_sender: Any, person_ids: list[int], **_: Any) -> None:
    operations.end_for_deactivated(list(person_ids))
