"""Engagement: the suggested-learning widget, nudges, the learning funnel and manager KPI, the
level-3 application check, the learner pulse and results for leadership.

Subpackages by capability (each with its own blueprint, models, policy, operations):
``suggestions`` (curated suggestions, the embeddable widget, the tracking redirect),
``nudges`` (reminders, digests, recognition, preferences, unsubscribe, certificates),
``insights`` (the learning funnel and the manager engagement KPI), ``application`` (the level-3
check), ``pulse`` (the learner pulse) and ``results`` (results for leadership, page and PDF).
``engagement.events`` is the one way to record that someone looked at something.
"""
