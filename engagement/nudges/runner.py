"""One nudge run: every rule at ``now``, then the recognition e-mails held by quiet hours.
The theme release goes set-based (:mod:`engagement.nudges.broadcast`), the rest nudge by nudge.

Called hourly by the job worker (``engagement.nudges.tasks``) and by ``flask nudges run``.
Flushes, never commits: the job wrapper or the CLI command owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from clearance import audit
from clearance.database import utcnow
from engagement.nudges import rules, team
from engagement.nudges.broadcast import deliver_broadcasts
from engagement.nudges.config import NudgeConfig, load_config
from engagement.nudges.delivery import RuleResult, deliver, send_held_mail
from engagement.nudges.models import RECOGNITION, TEAM_OVERDUE, THEME_RELEASED
from engagement.nudges.preferences import QuietPlan

#: kinds whose rule sends one message to many people (:mod:`engagement.nudges.broadcast`)
BROADCASTS = {THEME_RELEASED: rules.theme_broadcasts}


def run(now: dt.datetime | None = None, *, dry_run: bool = False,
        kinds: Iterable[str] | None = None, cfg: NudgeConfig | None = None) -> list[RuleResult]:
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cfg = cfg or load_config()
    every = {**rules.RULES, TEAM_OVERDUE: team.team_overdue}
    wanted = set(kinds) if kinds else set(every) | {RECOGNITION}
    plan = QuietPlan(cfg)
    results = []
    for kind, rule in every.items():
        if kind not in wanted:
            continue
        if kind in BROADCASTS:  # one message for many people: set-based
            results.append(deliver_broadcasts(kind, BROADCASTS[kind](now, cfg), now, cfg,
                                              plan=plan, dry_run=dry_run))
        else:
            results.append(deliver(kind, rule(now, cfg), now, cfg, plan=plan, dry_run=dry_run))
    if RECOGNITION in wanted:
        results.append(send_held_mail(now, cfg, plan=plan, dry_run=dry_run))
    sent = {r.kind: r.sent for r in results if r.sent}
    if sent and not dry_run:
        audit.record("nudges.run", object_type="nudges", after={
            "now": now.isoformat(), "sent": sent,
            "deferred": sum(r.deferred for r in results),
            "left_for_next_run": sum(r.over_limit for r in results)})
    return results
