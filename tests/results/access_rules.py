"""Results for leadership: L&D and administrators (and the managing director, the top of the
org chart, who is not a role of the matrix: see tests/results/test_access.py)."""

from tests.access import Rule, only

STAFF = ("ld", "admin")

RULES = [
    Rule("results.page", lambda o, x: "/results", only(STAFF)),
    Rule("results.page", lambda o, x: "/results?period=custom&from=2026-01-01&to=2026-03-31",
         only(STAFF), note="(custom period)"),
    Rule("results.summary_pdf", lambda o, x: "/results/summary.pdf?period=12m", only(STAFF)),
]
