"""Engagement: results for leadership. One page and a PDF summary of the same figures for a
period (this year, the last 12 months, this month or dates chosen: :mod:`engagement.periods`,
the same as the learning funnel's): approval turnaround by level, programme completion, L&D's
agreement with decisions, level-3 application by programme, manager engagement against its
target, and the learner pulse when enough people answered.

Each section comes from a small provider (:mod:`engagement.results.sections`); the figures
results computes itself are in :mod:`engagement.results.figures`.
"""
