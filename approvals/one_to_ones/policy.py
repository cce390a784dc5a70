"""Who may do what with one-to-ones. Only the two people in a series see it: not their other
managers, not L&D, not administrators. The manager's private notes are the manager's alone."""

from __future__ import annotations

from typing import Any

from clearance.access import policy


def _party(user: Any, series: Any) -> bool:
    return series is not None and user.id in (series.manager_id, series.report_id)


def _manager(user: Any, series: Any) -> bool:
    return series is not None and user.id == series.manager_id


@policy("one_to_ones.set_up")
def may_set_up(user: Any, _obj: Any) -> bool:
    """Anyone with an active direct report may set up one-to-ones."""
    return bool(user.is_manager)


@policy("one_to_ones.view_series")
def may_view_series(user: Any, series: Any) -> bool:
    return _party(user, series)


@policy("one_to_ones.manage_series")
def may_manage_series(user: Any, series: Any) -> bool:
    """Move, pause, resume, end: the manager, while the series is open."""
    return _manager(user, series) and series.status != "ended"


@policy("one_to_ones.view_meeting")
def may_view_meeting(user: Any, meeting: Any) -> bool:
    return meeting is not None and _party(user, meeting.series)


@policy("one_to_ones.run_meeting")
def may_run_meeting(user: Any, meeting: Any) -> bool:
    """Shared notes, deciding from the agenda, holding and cancelling: the manager."""
    return meeting is not None and _manager(user, meeting.series)


@policy("one_to_ones.private_notes")
def may_keep_private_notes(user: Any, meeting: Any) -> bool:
    return meeting is not None and _manager(user, meeting.series)


@policy("one_to_ones.add_point")
def may_add_point(user: Any, meeting: Any) -> bool:
    """Either side adds talking points to a meeting that has not happened yet."""
    return meeting is not None and _party(user, meeting.series) and \
        meeting.status == "upcoming" and meeting.series.status != "ended"


@policy("one_to_ones.complete_action")
def may_complete_action(user: Any, item: Any) -> bool:
    return item is not None and (user.id == item.owner_id or _manager(user, item.meeting.series))
