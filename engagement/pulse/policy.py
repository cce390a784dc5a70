"""Who may answer the pulse and who sees its aggregates.

Only the learner answers, about a decision on their own work. Only L&D and admins see results,
and only as aggregates over enough responses; managers see nothing of it (not even their own
team's), so no answer can be traced back to a person from the product.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy


@policy("pulse.answer")
def may_answer(user: Any, decision: Any) -> bool:
    return decision is not None and decision.learner_id == user.id


@policy("pulse.results")
def may_see_results(user: Any, _obj: Any) -> bool:
    return bool(user.has_role("ld") or user.has_role("admin"))
