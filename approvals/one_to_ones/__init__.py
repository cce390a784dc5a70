"""Weekly one-to-ones: series (manager x direct report), their meetings, agendas built from live
approvals data, calendar feeds and reminders. One way in: the routes in ``blueprint.py``."""
