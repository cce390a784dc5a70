"""The nudge settings, parsed once per run, and the quiet-hours arithmetic.

Times of day are wall-clock times in ``NUDGE_TIMEZONE`` (Europe/London by default), so quiet
hours from 20:00 to 08:00 stay 20:00 to 08:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_time(raw: str, name: str) -> dt.time:
    """``HH:MM`` (24-hour clock) or a clear error naming the setting."""
    try:
        hours, minutes = (int(part) for part in str(raw).strip().split(":"))
        return dt.time(hours, minutes)
    except ValueError as exc:
        raise RuntimeError(f"CLEARANCE_{name}: not a time of day as HH:MM: {raw!r}") from exc


def parse_weekday(raw: Any, name: str = "NUDGE_DIGEST_DEFAULT_WEEKDAY") -> int:
    """A weekday name (``Monday``) or number (0 = Monday) as 0..6."""
    value = str(raw).strip().lower()
    if value.isdigit() and int(value) < 7:
        return int(value)
    if value in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(value)
    raise RuntimeError(f"CLEARANCE_{name}: not a weekday: {raw!r}")


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class NudgeConfig:
    due_soon_days: int
    changes_requested_days: int
    quiet_start: dt.time
    quiet_end: dt.time
    digest_weekday: int
    timezone: str
    max_per_run: int

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def local(self, now: dt.datetime) -> dt.datetime:
        return now.astimezone(self.zone)

    def today(self, now: dt.datetime) -> dt.date:
        return self.local(now).date()


def load_config(config: dict[str, Any] | None = None) -> NudgeConfig:
    conf = config if config is not None else current_app.config
    tz = str(conf["NUDGE_TIMEZONE"])
    try:
        zone(tz)
    except Exception as exc:
        raise RuntimeError(f"CLEARANCE_NUDGE_TIMEZONE: unknown time zone {tz!r}") from exc
    return NudgeConfig(
        due_soon_days=max(0, int(conf["NUDGE_DUE_SOON_DAYS"])),
        changes_requested_days=max(1, int(conf["NUDGE_CHANGES_REQUESTED_DAYS"])),
        quiet_start=parse_time(conf["NUDGE_QUIET_START"], "NUDGE_QUIET_START"),
        quiet_end=parse_time(conf["NUDGE_QUIET_END"], "NUDGE_QUIET_END"),
        digest_weekday=parse_weekday(conf["NUDGE_DIGEST_DEFAULT_WEEKDAY"]),
        timezone=tz,
        max_per_run=max(1, int(conf["NUDGE_MAX_PER_RUN"])),
    )


def in_window(at: dt.time, start: dt.time, end: dt.time) -> bool:
    """True when ``at`` falls in [start, end); a window may wrap midnight (20:00-08:00);
    start == end is no window at all."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end
