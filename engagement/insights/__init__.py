"""Engagement insights for L&D: the learning funnel (:mod:`.funnel`, from a first look to a
completed programme, elective and assigned apart) and the manager engagement KPI (:mod:`.kpi`,
the share of managers with elective learning activity in a year against a target).

Public functions other pages use: :func:`engagement.insights.funnel.funnel` and
:func:`engagement.insights.kpi.manager_engagement`.
"""
