"""Events other domains consume (approvals reassigns pending items on manager changes)."""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

#: sent with ``changes=list[ManagerChange]`` after the org chart changes in a unit of work
manager_changed = _signals.signal("people.manager-changed")
#: sent with ``person_ids=list[int]`` when people are deactivated
people_deactivated = _signals.signal("people.deactivated")


@dataclass(frozen=True)
class ManagerChange:
    person_id: int
    old_manager_id: int | None
    new_manager_id: int | None
