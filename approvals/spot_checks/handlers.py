"""Spot-checks plug into the rest of the product here: sampling on every decision
(``approvals.operations.on_decision``, in operations.py), the overturn shown under the version
on the submission page, and L&D's feedback in the manager's one-to-one agenda. Imported by the
app factory (DOMAIN_MODULES)."""

from __future__ import annotations

from typing import Any

from approvals.spot_checks import (
    queries,
    sampler,  # noqa: F401  (registers sampling on every decision)
)
from portfolios.panels import register_version_panel


def _overturns_by_version(submission: Any, viewer: Any) -> dict[int, Any]:
    """Under each version: the decisions L&D overturned, with what the learner was told (never
    L&D's internal notes or its feedback to the approver)."""
    out: dict[int, Any] = {}
    for check in queries.overturns_of_submission(submission.id):
        out.setdefault(check.decision.version_id, {"items": []})["items"].append(check)
    return out


register_version_panel("spot_checks/_version_overturn.html", _overturns_by_version)


def _agenda_feedback(context: Any) -> Any:
    """Concerns and overturns on the manager's decisions about this report, until the manager
    acknowledges them (manager only)."""
    from approvals.one_to_ones.agenda import AgendaLine, AgendaSection
    from clearance.urls import local_path

    if context.viewer is None or context.viewer.id != context.manager.id:
        return None
    checks = queries.unacknowledged(context.manager.id, context.report.id)
    if not checks:
        return None
    lines = tuple(
        AgendaLine(text=f"{'Overturned' if c.verdict == 'overturn' else 'Concern'}: "
                        f"{c.submission.checkpoint.title}",
                   href=local_path("spot_checks.mine_one", check_id=c.id),
                   detail=c.approver_feedback, when=c.verdict_at)
        for c in checks)
    return AgendaSection(key="spot_check_feedback", title="L&D spot-check feedback on your "
                         "decisions", lines=lines)


try:
    from approvals.one_to_ones.agenda import register_agenda_section
except ImportError:  # one-to-ones not installed in this build
    register_agenda_section = None  # type: ignore[assignment]
if register_agenda_section is not None:
    register_agenda_section(_agenda_feedback)
