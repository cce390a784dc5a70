"""Results keeps no tables of its own (the figures are computed on demand); it adds one index.

``ix_decision_decided_level_version`` covers what approval turnaround reads from ``decision``
(the decisions of a period, their level and the version whose submission time they are
measured from), so the period's decisions are found and joined from the index alone, without
reading each wide decision row (feedback text).
"""

from __future__ import annotations

from sqlalchemy import Index

from approvals.models import Decision

TURNAROUND_INDEX = Index("ix_decision_decided_level_version", Decision.decided_at,
                         Decision.level, Decision.version_id)
