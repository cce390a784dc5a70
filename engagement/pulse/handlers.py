"""The pulse plugs into the submission page (imported by the app factory, DOMAIN_MODULES):
after a decision, the learner (only) is offered the three questions under the decided version,
once per decision. The decision notification opens that page, so it leads here too."""

from __future__ import annotations

from typing import Any

from clearance.cli import register_demo_seeder
from engagement.pulse import queries
from portfolios.panels import register_version_panel

register_demo_seeder(64, "engagement.pulse.demo:seed_pulse")


def _offer(submission: Any, viewer: Any) -> dict[int, Any]:
    if viewer is None or viewer.id != submission.person_id:
        return {}
    decision = queries.latest_decision(submission.id)
    if decision is None or queries.answered(decision.id):
        return {}
    return {decision.version_id: {"decision": decision}}


register_version_panel("pulse/_offer.html", _offer)
